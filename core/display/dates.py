"""Dates as hg prints and matches them.

A changeset date is ``(unix time, offset)`` where the offset is seconds
*west* of UTC, so ``+0100`` is stored as ``-3600``.  ``log -d`` takes hg's
date specifications: ``DATE``, ``<DATE``, ``>DATE``, ``DATE to DATE`` and
``-DAYS``; a partial date matches the whole span it names.
"""
from __future__ import annotations

import calendar
import time
from collections.abc import Callable

from amalgam import error

Date = tuple[float, int]

# Formats tried in order; the later parts of a partial date default to its span.
_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y-%m", "%Y",
    "%a %b %d %H:%M:%S %Y", "%b %d %H:%M:%S %Y", "%b %d %Y", "%b %Y",
    "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d %b %Y", "%b %d", "%H:%M:%S", "%H:%M",
)


def tzstr(offset: int) -> str:
    """``+HHMM``/``-HHMM`` for an offset in seconds west of UTC."""
    sign = "+" if offset <= 0 else "-"
    minutes = abs(offset) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def datestr(date: Date, fmt: str = "%a %b %d %H:%M:%S %Y") -> str:
    """hg's default rendering: local wall time of the committer plus the offset."""
    when, offset = date
    wall = time.gmtime(int(when) - offset)
    return time.strftime(fmt, wall) + " " + tzstr(offset)


def shortdate(date: Date) -> str:
    """``YYYY-MM-DD`` as ``annotate -q -d`` and ``log --template '{date|shortdate}'`` show."""
    return time.strftime("%Y-%m-%d", time.gmtime(int(date[0]) - date[1]))


def local_offset(when: float) -> int:
    """This machine's offset (seconds west of UTC) at *when*."""
    return -time.localtime(when).tm_gmtoff


def _parse_offset(text: str) -> tuple[str, int | None]:
    """Split a trailing ``+HHMM``/``-HHMM``/``UTC``/``GMT``/``Z`` off *text*."""
    parts = text.rsplit(" ", 1)
    if len(parts) == 2:
        tail = parts[1]
        if tail in ("UTC", "GMT", "Z"):
            return parts[0], 0
        if len(tail) == 5 and tail[0] in "+-" and tail[1:].isdigit():
            minutes = int(tail[1:3]) * 60 + int(tail[3:])
            return parts[0], -minutes * 60 if tail[0] == "+" else minutes * 60
    return text, None


def _span(text: str) -> tuple[float, float]:
    """First and last second a (possibly partial) date names."""
    text = text.strip()
    body, offset = _parse_offset(text)
    fields = body.split()
    if len(fields) == 2 and all(f.lstrip("-").isdigit() for f in fields):
        when = float(fields[0])
        return when, when
    for fmt in _FORMATS:
        try:
            parsed = time.strptime(body, fmt)
        except ValueError:
            continue
        return _bounds(parsed, fmt, offset)
    raise error.ParseError(f"invalid date: '{text}'")


def _bounds(parsed: time.struct_time, fmt: str, offset: int | None) -> tuple[float, float]:
    now = time.localtime()
    year = parsed.tm_year if "%Y" in fmt or "%y" in fmt else now.tm_year
    if "%d" not in fmt and "%m" not in fmt and "%b" not in fmt:
        if "%H" in fmt:  # a time alone means today
            month, day = now.tm_mon, now.tm_mday
        else:
            month, day = 1, 1
    else:
        month = parsed.tm_mon
        day = parsed.tm_mday if "%d" in fmt else 1
    hour = parsed.tm_hour if "%H" in fmt else 0
    minute = parsed.tm_min if "%M" in fmt else 0
    second = parsed.tm_sec if "%S" in fmt else 0
    start = (year, month, day, hour, minute, second)
    if "%S" in fmt:
        end = start
    elif "%M" in fmt:
        end = start[:5] + (59,)
    elif "%H" in fmt:
        end = start[:4] + (59, 59)
    elif "%d" in fmt:
        end = start[:3] + (23, 59, 59)
    elif "%m" in fmt or "%b" in fmt:
        last = calendar.monthrange(year, month)[1]
        end = (year, month, last, 23, 59, 59)
    else:
        end = (year, 12, 31, 23, 59, 59)

    def stamp(fields: tuple[int, ...]) -> float:
        utc = calendar.timegm((*fields, 0, 0, 0))
        if offset is not None:
            return float(utc + offset)
        return float(time.mktime((*fields, 0, 0, -1)))

    return stamp(start), stamp(end)


def matcher(spec: str) -> Callable[[float], bool]:
    """A predicate on unix times for an hg date specification (``log -d``)."""
    spec = spec.strip()
    if not spec:
        raise error.InputError("dates cannot consist entirely of whitespace")
    if spec[0] == "<":
        limit = _span(spec[1:])[1]
        return lambda when: when <= limit
    if spec[0] == ">":
        limit = _span(spec[1:])[0]
        return lambda when: when >= limit
    if spec[0] == "-":
        days = spec[1:].strip()
        if not days.isdigit():
            raise error.InputError(f"invalid day spec, use '-DAYS': {spec[1:]}")
        limit = time.time() - int(days) * 86400
        return lambda when: when >= limit
    if " to " in spec:
        first, last = spec.split(" to ", 1)
        low, high = _span(first)[0], _span(last)[1]
        return lambda when: low <= when <= high
    low, high = _span(spec)
    return lambda when: low <= when <= high
