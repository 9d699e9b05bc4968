"""Dates as hg reads them on the command line (``-d``): ``(unixtime, offset)``.

``offset`` is seconds west of UTC, as hg stores it.  Accepted: the internal
form ``"UNIXTIME OFFSET"``, ``now``/``today``/``yesterday``, and the usual
calendar forms (ISO 8601, ``Jan 5 2020``, ``12/25/2019``, ``10:30``...)
with an optional ``+HHMM``/``-HHMM``/``Z``/``UTC``/``GMT`` zone; fields
left out are taken from today (date) or zero (time).
"""
from __future__ import annotations

import calendar
import re
import time

from amalgam import error

_DATES = ("%Y-%m-%d", "%m-%d", "%m/%d", "%m/%d/%y", "%m/%d/%Y", "%b %d %Y", "%b %d",
          "%d %b %Y", "%a %b %d %Y", "%a, %d %b %Y", "%a %b %d", "")
_TIMES = ("%H:%M:%S", "%H%M%S", "%H:%M", "%H%M", "%I:%M:%S%p", "%I:%M%p", "")
_ZONE = re.compile(r"\s*(?:([+-])(\d\d):?(\d\d)|(Z|UTC|GMT))$")


def _formats() -> list[tuple[str, str]]:
    out = []
    for d in _DATES:
        for t in _TIMES:
            if not d and not t:
                continue
            if d and t:
                out.extend([(f"{d} {t}", d), (f"{d}T{t}", d)])
                if d.startswith("%a %b %d"):
                    out.append((f"%a %b %d {t} %Y", d))
                if d == "%b %d":
                    out.append((f"%b %d {t} %Y", "%b %d %Y"))
            elif d or t not in ("%H%M%S", "%H%M"):  # bare digits are not a time
                out.append((d or t, d))
    return out


def _bad(text: str) -> error.ParseError:
    return error.ParseError(f"invalid date: '{text}'")


def _local_offset(when: float) -> int:
    return int(when) - calendar.timegm(time.localtime(when))


def parse_date(text: str) -> tuple[float, int]:
    """``-d TEXT`` as ``(unixtime, offset)``; ParseError "invalid date: 'TEXT'"."""
    raw = text.strip()
    if not raw:
        raise _bad(text)
    if raw == "now":
        now = time.time()
        return float(int(now)), _local_offset(now)
    if raw in ("today", "yesterday"):
        day = time.localtime()
        start = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
        if raw == "yesterday":
            start -= 86400
        return float(int(start)), _local_offset(start)
    parts = raw.split()
    if len(parts) == 2 and re.fullmatch(r"-?\d+(\.\d+)?", parts[0]) \
            and re.fullmatch(r"-?\d+", parts[1]):
        when, offset = float(parts[0]), int(parts[1])
        if not -0x80000000 <= when <= 0x7FFFFFFF:
            raise error.ParseError(f"date exceeds 32 bits: {int(when)}")
        if abs(offset) > 50400:
            raise error.ParseError(f"impossible time zone offset: {offset}")
        return when, offset
    zone = _ZONE.search(raw)
    offset: int | None = None
    if zone:
        if zone.group(4):
            offset = 0
        else:
            sign = 1 if zone.group(1) == "-" else -1
            offset = sign * (int(zone.group(2)) * 3600 + int(zone.group(3)) * 60)
        raw = raw[:zone.start()].strip()
    for fmt, datepart in _formats():
        try:
            parsed = time.strptime(raw, fmt)
        except ValueError:
            continue
        today = time.localtime()
        year = parsed.tm_year if "%Y" in fmt or "%y" in fmt else today.tm_year
        month, day = (parsed.tm_mon, parsed.tm_mday) if datepart else (today.tm_mon,
                                                                         today.tm_mday)
        if datepart and "%Y" not in fmt and "%y" not in fmt:
            year = today.tm_year
        fields = (year, month, day, parsed.tm_hour, parsed.tm_min, parsed.tm_sec)
        if offset is None:
            when = time.mktime((*fields, 0, 0, -1))
            return float(int(when)), _local_offset(when)
        return float(calendar.timegm((*fields, 0, 0, 0)) + offset), offset
    raise _bad(text)
