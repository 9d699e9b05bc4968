"""hg-style date specifications for ``date()``: ``>D``, ``<D``, ``D to D``, ``-N``, ``D``.

A date given only to the day (or month, or year) covers that whole period,
so ``date(2023-05)`` matches every commit in May 2023 and ``<2023-05`` means
up to the end of May.  Dates without a zone are local time, as in hg.
"""
from __future__ import annotations

import calendar
import time
from collections.abc import Callable

from amalgam import error

#: (strptime format, the fields it fixes), most specific first.
_FORMATS = (
    ("%Y-%m-%d %H:%M:%S", 6), ("%Y-%m-%d %H:%M", 5), ("%Y-%m-%dT%H:%M:%S", 6),
    ("%Y-%m-%d", 3), ("%Y/%m/%d", 3), ("%Y-%m", 2), ("%Y", 1),
    ("%b %d %Y", 3), ("%b %d %H:%M:%S %Y", 6), ("%a %b %d %H:%M:%S %Y", 6),
)


def _bounds(text: str) -> tuple[float, float]:
    """The first and last second *text* can mean."""
    text = text.strip()
    for fmt, fixed in _FORMATS:
        try:
            parsed = time.strptime(text, fmt)
        except ValueError:
            continue
        fields = list(parsed[:6])
        low = fields[:fixed] + [1, 1, 0, 0, 0][fixed - 1:] if fixed < 6 else fields
        high = list(fields)
        if fixed < 2:
            high[1] = 12
        if fixed < 3:
            high[2] = calendar.monthrange(high[0], high[1])[1]
        for index, top in ((3, 23), (4, 59), (5, 59)):
            if fixed <= index:
                high[index] = top
        return _local(low[:6]), _local(high[:6])
    head, _, tail = text.partition(" ")
    if head.lstrip("-").isdigit() and (not tail or tail.lstrip("+-").isdigit()):
        return float(head), float(head)
    raise error.ParseError(f"invalid date: '{text}'")


def _local(fields: list[int]) -> float:
    return time.mktime((*fields, 0, 0, -1))


def matcher(spec: str, now: float | None = None) -> Callable[[float], bool]:
    """A test ``when -> bool`` for the date specification *spec*."""
    spec = spec.strip()
    if not spec:
        raise error.InputError("dates cannot consist entirely of whitespace")
    if spec[0] == "<":
        if not spec[1:].strip():
            raise error.InputError("invalid day spec, use '<DATE'")
        _, high = _bounds(spec[1:])
        return lambda when: when <= high
    if spec[0] == ">":
        if not spec[1:].strip():
            raise error.InputError("invalid day spec, use '>DATE'")
        low, _ = _bounds(spec[1:])
        return lambda when: when >= low
    if spec[0] == "-":
        try:
            days = int(spec[1:])
        except ValueError:
            raise error.InputError(f"invalid day spec: {spec[1:]}") from None
        if days < 0:
            raise error.InputError(f"{spec[1:]} must be nonnegative (see 'amg help dates')")
        start = (time.time() if now is None else now) - days * 86400
        return lambda when: when >= start
    if " to " in spec:
        left, _, right = spec.partition(" to ")
        low, _ = _bounds(left)
        _, high = _bounds(right)
        return lambda when: low <= when <= high
    low, high = _bounds(spec)
    return lambda when: low <= when <= high
