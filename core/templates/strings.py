"""More text filters and functions hg users reach for: paths, e-mail parts, HTML and URL
escaping, line lists, and ``sub``/``word``/``startswith``/``strip``/``mod``/``dict``/
``shortest``/``max``/``min``.  Each was checked against hg's output.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from amalgam.parser import Tree
from amalgam.templates.engine import Engine, function, templatefilter
from amalgam.templates.values import ListValue, Mapping_, text

# -- filters ---------------------------------------------------------------------------


@templatefilter("basename")
def basename(value: Any) -> str:
    """The last component of a path (empty after a trailing slash)."""
    return text(value).rpartition("/")[2]


@templatefilter("dirname")
def dirname(value: Any) -> str:
    """A path without its last component."""
    head, sep, _ = text(value).rpartition("/")
    return head or sep


@templatefilter("stripdir")
def stripdir(value: Any) -> str:
    """A path one directory level up; a bare name stays as it is."""
    head = text(value).rpartition("/")[0]
    return head or text(value)


def _address(value: Any) -> str:
    """The e-mail address in a user string (the whole text when there is no ``<...>``)."""
    value = text(value)
    start = value.find("<")
    if start >= 0:
        end = value.find(">", start)
        return value[start + 1:end if end >= 0 else None]
    return value


@templatefilter("domain")
def domain(value: Any) -> str:
    """The domain of the e-mail address in the text."""
    address = _address(value)
    return address.partition("@")[2] if "@" in address else ""


@templatefilter("emailuser")
def emailuser(value: Any) -> str:
    """The part of the e-mail address before ``@``."""
    return _address(value).partition("@")[0]


@templatefilter("escape")
def escape(value: Any) -> str:
    """The text with ``&``, ``<``, ``>`` and ``"`` as XML entities."""
    return (text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


_XML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@templatefilter("xmlescape")
def xmlescape(value: Any) -> str:
    """The text safe inside XML: ``&<>"'`` as entities, control characters as spaces."""
    return _XML_CONTROL.sub(" ", escape(value).replace("'", "&#39;"))


@templatefilter("stringescape")
def stringescape(value: Any) -> str:
    """The text with backslashes, control characters and non-ASCII bytes escaped."""
    import codecs

    data = text(value).encode("utf-8", "surrogateescape")
    return codecs.escape_encode(data)[0].decode("ascii")  # type: ignore[attr-defined]


@templatefilter("urlescape")
def urlescape(value: Any) -> str:
    """The text %-encoded for a URL (``/`` kept)."""
    from urllib.parse import quote

    return quote(text(value).encode("utf-8", "surrogateescape"), safe="/")


@templatefilter("nonempty")
def nonempty(value: Any) -> str:
    """The text, or ``(none)`` when it is empty."""
    return text(value) or "(none)"


@templatefilter("splitlines")
def splitlines(value: Any) -> ListValue:
    """The lines of the text (list; items have {line})."""
    return ListValue.of("line", text(value).splitlines())


@templatefilter("tabindent")
def tabindent(value: Any) -> str:
    """Every non-empty line but the first indented by a tab."""
    lines = text(value).splitlines(keepends=True)
    return "".join(line if index == 0 or not line.strip("\r\n") else "\t" + line
                   for index, line in enumerate(lines))


@templatefilter("addbreaks")
def addbreaks(value: Any) -> str:
    """``<br/>`` before the end of every line but the last."""
    return text(value).replace("\n", "<br/>\n")


@templatefilter("reverse")
def reverse(value: Any) -> Any:
    """A list in reverse order."""
    if isinstance(value, ListValue):
        return ListValue(value.items[::-1], value.text, value.sep, value.json)
    from amalgam.parser import ParseError

    exc = ParseError("not reversible")
    exc.hints.append("incompatible use of template filter 'reverse'")
    raise exc


# -- functions -------------------------------------------------------------------------


def _count(engine: Engine, args: list[Tree], name: str, low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise engine.error(f"{name} expects {low} to {high} arguments" if low != high
                           else f"{name} expects {low} arguments")


@function("startswith(pattern, text)")
def startswith(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """*text* when it starts with *pattern*, else nothing."""
    _count(engine, args, "startswith", 2, 2)
    pattern, value = engine.render(args[0], mapping), engine.render(args[1], mapping)
    return value if value.startswith(pattern) else ""


@function("sub(pattern, replacement, expression)")
def sub(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """*expression* with every match of the regular expression replaced."""
    _count(engine, args, "sub", 3, 3)
    pattern = engine.render(args[0], mapping)
    replacement = engine.render(args[1], mapping)
    try:
        regex = re.compile(pattern)
    except re.error:
        raise engine.error(f"sub got an invalid pattern: {pattern}") from None
    try:
        return regex.sub(replacement, engine.render(args[2], mapping))
    except (re.error, IndexError):
        raise engine.error(f"sub got an invalid replacement: {replacement}") from None


@function("word(number, text[, separator])")
def word(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """Word *number* (from 0; negative counts from the end) of *text*, split at
    whitespace or *separator*."""
    _count(engine, args, "word", 2, 3)
    try:
        number = int(engine.render(args[0], mapping))
    except ValueError:
        raise engine.error("word expects an integer index") from None
    value = engine.render(args[1], mapping)
    words = value.split(engine.render(args[2], mapping)) if len(args) == 3 else value.split()
    return words[number] if -len(words) <= number < len(words) else ""


@function("strip(text[, chars])")
def strip(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """*text* without leading and trailing whitespace (or *chars*)."""
    _count(engine, args, "strip", 1, 2)
    chars = engine.render(args[1], mapping) if len(args) == 2 else None
    return engine.render(args[0], mapping).strip(chars)


@function("mod(a, b)")
def mod(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> int:
    """*a* modulo *b*, so that a / b * b + a mod b == a."""
    _count(engine, args, "mod", 2, 2)
    a = engine.integer(engine.evaluate(args[0], mapping))
    b = engine.integer(engine.evaluate(args[1], mapping))
    if b == 0:
        from amalgam import error

        raise error.Abort("division by zero is not defined")
    return a % b


@function("dict([[key=]value...])")
def dict_(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Mapping_:
    """A mapping from ``key=value`` arguments; a bare keyword names itself."""
    out: dict[str, Any] = {}
    for arg in args:
        if arg[0] == "keyvalue" and arg[1][0] == "symbol":
            key, value = arg[1][1], arg[2]
        elif arg[0] == "symbol":
            key, value = arg[1], arg
        else:
            raise engine.error("dict key cannot be inferred")
        if key in out:
            raise engine.error(f"dict got multiple values for keyword argument '{key}'")
        out[key] = engine.evaluate(value, mapping)
    return Mapping_(out)


@function("max(iterable)")
def max_(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """The greatest item of a list."""
    return _extreme(engine, mapping, args, "max", max)


@function("min(iterable)")
def min_(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """The smallest item of a list."""
    return _extreme(engine, mapping, args, "min", min)


def _extreme(engine: Engine, mapping: Mapping[str, Any], args: list[Tree], name: str,
             pick: Any) -> str:
    _count(engine, args, name, 1, 1)
    value = engine.evaluate(args[0], mapping)
    items = value.texts() if isinstance(value, ListValue) else list(text(value))
    if not items:
        raise engine.error(f"{name} first argument should be an iterable")
    return pick(items)


@function("shortest(node, minlength=4)")
def shortest(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """The shortest prefix of *node* that names only it and cannot be read as a number."""
    _count(engine, args, "shortest", 1, 2)
    node = engine.render(args[0], mapping)
    length = engine.integer(engine.evaluate(args[1], mapping)) if len(args) == 2 else 4
    repo = mapping.get("repo") or getattr(mapping.get("ctx"), "repo", None)
    if repo is None or not re.fullmatch(r"[0-9a-f]{40}", node):
        return node
    from amalgam.storage.revlog import LookupFailed

    cl = repo.changelog.revlog
    count = len(cl)
    for size in range(max(length, 1), 41):
        prefix = node[:size]
        if prefix.isdigit() and (prefix == "0" or prefix[0] != "0") and int(prefix) < count:
            continue  # would be read as a revision number
        try:
            if cl.lookup_prefix(prefix) is not None:
                return prefix
        except LookupFailed:
            continue  # several nodes start so

    return node
