"""Template filters: ``{value|name}`` turns one value into another."""
from __future__ import annotations

import time
from typing import Any

from amalgam.templates.engine import templatefilter
from amalgam.templates.values import Date, ListValue, text

def _date(value: Any) -> Date:
    if isinstance(value, Date):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return Date(float(value[0]), int(value[1]))
    try:
        return Date(float(text(value)), 0)
    except ValueError:
        from amalgam.parser import ParseError

        raise ParseError("date filter expects a date") from None


def _zone(offset: int, sep: str = "") -> str:
    sign = "-" if offset > 0 else "+"
    minutes = abs(offset) // 60
    return f"{sign}{minutes // 60:02d}{sep}{minutes % 60:02d}"


def strftime(value: Any, fmt: str) -> str:
    """Format a date in its own time zone; ``%1``/``%2``/``%z`` are the zone parts."""
    date = _date(value)
    zone = _zone(date.offset)
    fmt = fmt.replace("%z", zone).replace("%1", zone[:3]).replace("%2", zone[3:])
    return time.strftime(fmt, time.gmtime(date.when - date.offset))


@templatefilter("isodate")
def isodate(value: Any) -> str:
    """A date as YYYY-MM-DD HH:MM and its zone."""
    return strftime(value, "%Y-%m-%d %H:%M %z")


@templatefilter("isodatesec")
def isodatesec(value: Any) -> str:
    """A date as YYYY-MM-DD HH:MM:SS and its zone."""
    return strftime(value, "%Y-%m-%d %H:%M:%S %z")


@templatefilter("rfc822date")
def rfc822date(value: Any) -> str:
    """A date in the e-mail (RFC 822) format."""
    return strftime(value, "%a, %d %b %Y %H:%M:%S %z")


@templatefilter("rfc3339date")
def rfc3339date(value: Any) -> str:
    """A date as YYYY-MM-DDTHH:MM:SS and its zone as +HH:MM (RFC 3339)."""
    date = _date(value)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(date.when - date.offset)) \
        + _zone(date.offset, ":")


@templatefilter("shortdate")
def shortdate(value: Any) -> str:
    """A date as YYYY-MM-DD."""
    return strftime(value, "%Y-%m-%d")


@templatefilter("date")
def date(value: Any) -> str:
    """A date the way log prints it, weekday first and zone last."""
    return strftime(value, "%a %b %d %H:%M:%S %Y %z")


@templatefilter("age")
def age(value: Any) -> str:
    """How long ago a date was, in words; dates over two years old print as YYYY-MM-DD."""
    from amalgam import dates

    value = _date(value)
    return dates.age((value.when, value.offset))


@templatefilter("person")
def person(value: Any) -> str:
    """The name part of an author, without the e-mail address."""
    author = text(value)
    if "@" not in author:
        return author
    left = author.find("<")
    if left != -1:
        return author[:left].strip(' "').replace('\\"', '"')
    return author[:author.find("@")].replace(".", " ")


@templatefilter("email")
def email(value: Any) -> str:
    """The e-mail address of an author (the text between < and >)."""
    author = text(value)
    right = author.find(">")
    return author[author.find("<") + 1:right if right != -1 else None]


@templatefilter("user")
def user(value: Any) -> str:
    """A short login-like name: the e-mail's local part up to any dot."""
    name = text(value)
    name = name[:name.find("@")] if "@" in name else name
    name = name[name.find("<") + 1:]
    for cut in (" ", "."):
        if cut in name:
            name = name[:name.find(cut)]
    return name


@templatefilter("short")
def short(value: Any) -> str:
    """The first 12 characters (a short node id)."""
    return text(value)[:12]


@templatefilter("firstline")
def firstline(value: Any) -> str:
    """Only the first line of the text."""
    lines = text(value).splitlines()
    return lines[0] if lines else ""


@templatefilter("strip")
def strip(value: Any) -> str:
    """The text without surrounding whitespace."""
    return text(value).strip()


@templatefilter("upper")
def upper(value: Any) -> str:
    """The text in upper case."""
    return text(value).upper()


@templatefilter("lower")
def lower(value: Any) -> str:
    """The text in lower case."""
    return text(value).lower()


@templatefilter("count")
def count(value: Any) -> int:
    """How many items a list has, or characters a text has."""
    if isinstance(value, ListValue):
        return len(value)
    return len(text(value))


@templatefilter("stringify")
def stringify(value: Any) -> str:
    """Any value rendered as plain text."""
    return text(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Date):
        return [int(value.when), value.offset]
    if isinstance(value, ListValue):
        if value.whole is not None:
            return value.whole(value.items)
        return [_plain(value.json(item)) for item in value.items]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    """hg's JSON text: ``, `` between items, ``: `` after keys, sorted keys, ASCII."""
    import json

    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=True)


@templatefilter("json")
def json_(value: Any) -> str:
    """Any value encoded as JSON (``<`` and ``>`` escaped, safe inside HTML)."""
    # Outside strings JSON has no < or >, so replacing them only touches string content.
    return dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
