"""Dates as hg reads, matches and prints them.

A changeset date is ``(unix time, offset)`` where the offset is seconds
*west* of UTC, so ``+0100`` is stored as ``-3600``.

- ``parse_date``: a date given to ``commit -d``/``tag -d``: hg's internal
  form ``"UNIXTIME OFFSET"``, ``now``/``today``/``yesterday``, or a calendar
  form (``2006-12-06 13:18:29``, ``Dec 6 13:18 -0600``, ``12/6``, ``3:39pm``,
  ...) with an optional ``+HHMM``/``-HHMM``/``Z``/``UTC``/``GMT`` zone.
  Fields left out are taken from today when a smaller one is given (``13:18``
  is today) and are zero otherwise (``Dec 6`` is midnight).
- ``matcher``: a date specification (``log -d``, revset ``date()``):
  ``DATE``, ``<DATE``, ``>DATE``, ``DATE to DATE`` and ``-DAYS``.  A partial
  date (``2023``, ``2023-05``, ``May 2023``) covers the whole span it names.
- ``datestr``, ``shortdate``, ``tzstr``, ``age``: the ways dates are printed.

Dates without a zone are local time, as in hg.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable

from amalgam import error

Date = tuple[float, int]

_DATES = ("%Y-%m-%d", "%m-%d", "%m/%d", "%m/%d/%y", "%m/%d/%Y", "%b %d %Y", "%b %d",
          "%a %b %d %Y", "%a, %d %b %Y", "%a %b %d", "")
_TIMES = ("%H:%M:%S", "%H%M%S", "%H:%M", "%H%M", "%I:%M:%S%p", "%I:%M%p", "")
#: Only date specifications (``log -d``) accept these: they name a span.
_SPANS = ("%Y", "%Y-%m", "%b", "%b %Y")
# ``+HHMM``, ``UTC`` and ``GMT`` may follow a space; ``+HH:MM`` and ``Z``
# only stick to the time (ISO 8601), as hg reads them.
_ZONE = re.compile(r"(?:\s*([+-])(\d\d)(\d\d)|(?<!\s)([+-])(\d\d):(\d\d)"
                   r"|\s*(UTC|GMT)|(?<!\s)(Z))$")
_INTERNAL = re.compile(r"(-?\d+(?:\.\d+)?) (-?\d+)")
#: Directives that fix each field: year, month, day, hour, minute, second.
_FIELD_DIRECTIVES = (("%Y", "%y"), ("%m", "%b"), ("%d",), ("%H", "%I"), ("%M",), ("%S",))
_LOWEST = (None, 1, 1, 0, 0, 0)
_DAY = 86400
_AGE_SCALES = (("year", _DAY * 365), ("month", _DAY * 30), ("week", _DAY * 7),
               ("day", _DAY), ("hour", 3600), ("minute", 60), ("second", 1))


def _combined() -> list[str]:
    out = []
    for d in _DATES:
        for t in _TIMES:
            if d and t:
                out.extend([f"{d} {t}", f"{d}T{t}"])
                if d.startswith("%a %b %d"):
                    out.append(f"%a %b %d {t} %Y")
                if d == "%b %d":
                    out.append(f"%b %d {t} %Y")
            elif d or t not in ("", "%H%M%S", "%H%M"):  # bare digits are not a time
                out.append(d or t)
    return out


_FORMATS = tuple(_combined())


def _bad(text: str) -> error.ParseError:
    return error.ParseError(f"invalid date: '{text}'")


def local_offset(when: float) -> int:
    """This machine's offset (seconds west of UTC) at *when*."""
    return -time.localtime(when).tm_gmtoff


def _internal(raw: str) -> Date | None:
    match = _INTERNAL.fullmatch(raw)
    if match is None:
        return None
    when, offset = float(match.group(1)), int(match.group(2))
    if not -0x80000000 <= when <= 0x7FFFFFFF:
        raise error.ParseError(f"date exceeds 32 bits: {int(when)}")
    if abs(offset) > 50400:
        raise error.ParseError(f"impossible time zone offset: {offset}")
    return when, offset


def _split_zone(raw: str) -> tuple[str, int | None]:
    zone = _ZONE.search(raw)
    if zone is None:
        return raw, None
    sign, hours, minutes = zone.group(1, 2, 3) if zone.group(1) else zone.group(4, 5, 6)
    offset = 0
    if sign:
        offset = (1 if sign == "-" else -1) * (int(hours) * 3600 + int(minutes) * 60)
    return raw[:zone.start()].strip(), offset


def _fields(raw: str, formats: tuple[str, ...]) -> tuple[list[int | None], int] | None:
    """The fields *raw* gives (None for the others) and the index of the
    smallest one given, or None when no format fits."""
    for fmt in formats:
        try:
            parsed = time.strptime(raw, fmt)
        except ValueError:
            continue
        given = [any(d in fmt for d in directives) for directives in _FIELD_DIRECTIVES]
        fields = [value if has else None for value, has in zip(parsed[:6], given)]
        return fields, max(i for i, has in enumerate(given) if has)
    return None


def _stamp(fields: list[int], offset: int | None) -> Date:
    if offset is None:
        when = time.mktime((*fields, 0, 0, -1))
        return float(int(when)), local_offset(when)
    import calendar  # only for dates typed by the user: it imports datetime and locale

    return float(calendar.timegm((*fields, 0, 0, 0)) + offset), offset


def _complete(fields: list[int | None], smallest: int, high: bool) -> list[int]:
    """Fill the fields left out: today's above the smallest given one, the
    start (or with *high*, the end) of the span below it."""
    today = time.localtime()
    out: list[int] = []
    for index, value in enumerate(fields):
        if value is None:
            if index < smallest:
                value = today[index]
            elif not high:
                value = _LOWEST[index]
            elif index == 2:
                import calendar

                value = calendar.monthrange(out[0], out[1])[1]
            else:
                value = (12, None, 23, 59, 59)[index - 1]
        out.append(value)
    return out


def _day_start(days_back: int) -> Date:
    day = time.localtime()
    start = time.mktime((day.tm_year, day.tm_mon, day.tm_mday - days_back, 0, 0, 0, 0, 0, -1))
    return float(int(start)), local_offset(start)


def _parse(text: str, formats: tuple[str, ...], high: bool = False) -> Date:
    raw = text.strip()
    if raw == "now":
        now = time.time()
        return float(int(now)), local_offset(now)
    if raw in ("today", "yesterday"):
        # Midnight, even as a specification (hg matches only that second).
        return _day_start(1 if raw == "yesterday" else 0)
    internal = _internal(raw)
    if internal is not None:
        return internal
    body, offset = _split_zone(raw)
    found = _fields(body, formats) if body else None
    if found is None:
        raise _bad(raw)
    return _stamp(_complete(*found, high=high), offset)


def parse_date(text: str) -> Date:
    """A date given with ``-d`` as ``(unixtime, offset)``; ParseError if invalid."""
    return _parse(text, _FORMATS)


def span(text: str) -> tuple[float, float]:
    """The first and last second the (possibly partial) date *text* names."""
    return (_parse(text, _FORMATS + _SPANS)[0],
            _parse(text, _FORMATS + _SPANS, high=True)[0])


def matcher(spec: str, now: float | None = None) -> Callable[[float], bool]:
    """A test ``unixtime -> bool`` for the date specification *spec*."""
    spec = spec.strip()
    if not spec:
        raise error.InputError("dates cannot consist entirely of whitespace")
    if spec[0] in "<>":
        if not spec[1:].strip():
            raise error.InputError(f"invalid day spec, use '{spec[0]}DATE'")
        low, high = span(spec[1:])
        if spec[0] == "<":
            return lambda when: when <= high
        return lambda when: when >= low
    if spec[0] == "-":
        try:
            days = int(spec[1:])
        except ValueError:
            raise error.InputError(f"invalid day spec: {spec[1:]}") from None
        if days < 0:
            raise error.InputError(f"{spec[1:]} must be nonnegative (see 'amg help dates')")
        start = (time.time() if now is None else now) - days * _DAY
        return lambda when: when >= start
    if " to " in spec:
        left, _, right = spec.partition(" to ")
        low, high = span(left)[0], span(right)[1]
        return lambda when: low <= when <= high
    low, high = span(spec)
    return lambda when: low <= when <= high


# -- printing ---------------------------------------------------------------


def tzstr(offset: int, sep: str = "") -> str:
    """``+HHMM`` (or ``+HH:MM`` with *sep* ``":"``) for an offset west of UTC."""
    sign = "+" if offset <= 0 else "-"
    minutes = abs(offset) // 60
    return f"{sign}{minutes // 60:02d}{sep}{minutes % 60:02d}"


def datestr(date: Date, fmt: str = "%a %b %d %H:%M:%S %Y %1%2") -> str:
    """*date* in the committer's own zone; ``%1``/``%2`` are the zone's hours
    and minutes (``+01``, ``00``), ``%z`` the whole zone (``+0100``)."""
    when, offset = date
    zone = tzstr(offset)
    fmt = fmt.replace("%z", zone).replace("%1", zone[:3]).replace("%2", zone[3:])
    return time.strftime(fmt, time.gmtime(int(when) - offset))


def shortdate(date: Date) -> str:
    """``YYYY-MM-DD`` in the committer's zone."""
    return datestr(date, "%Y-%m-%d")


def age(date: Date, now: float | None = None) -> str:
    """How long ago *date* was in words, as hg says it (``3 days ago``,
    ``2 hours from now``); past dates over two years old print as
    ``YYYY-MM-DD``."""
    exact = (time.time() if now is None else now) - date[0]
    future = exact < 0
    delta = max(1, int(abs(exact)))  # hg never says "0 seconds"
    if not future and delta > _AGE_SCALES[0][1] * 2:
        return shortdate(date)
    for unit, size in _AGE_SCALES:
        count = delta // size
        if count >= 2 or size == 1:
            words = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"{words} from now" if future else f"{words} ago"
    raise AssertionError("the last scale always applies")
