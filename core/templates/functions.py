"""Template functions: ``{name(args)}``."""
from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

from amalgam.parser import Tree
from amalgam.templates import values
from amalgam.templates.engine import Engine, function
from amalgam.templates.values import ListValue, text, truthy


def _count(engine: Engine, args: list[Tree], name: str, low: int, high: int,
           words: str) -> None:
    if not low <= len(args) <= high:
        raise engine.error(f"{name} expects {words}")


@function("if(expr, then[, else])")
def if_(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Any:
    """*then* when *expr* is non-empty (or a non-empty list), else *else*."""
    _count(engine, args, "if", 2, 3, "two or three arguments")
    if truthy(engine.evaluate(args[0], mapping)):
        return engine.evaluate(args[1], mapping)
    return engine.evaluate(args[2], mapping) if len(args) == 3 else ""


@function("ifeq(expr1, expr2, then[, else])")
def ifeq(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Any:
    """*then* when both expressions render to the same text, else *else*."""
    _count(engine, args, "ifeq", 3, 4, "three or four arguments")
    if engine.render(args[0], mapping) == engine.render(args[1], mapping):
        return engine.evaluate(args[2], mapping)
    return engine.evaluate(args[3], mapping) if len(args) == 4 else ""


@function("ifcontains(needle, haystack, then[, else])")
def ifcontains(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Any:
    """*then* when *needle* is an item of the list (or part of the text), else *else*."""
    _count(engine, args, "ifcontains", 3, 4, "three or four arguments")
    needle = engine.render(args[0], mapping)
    haystack = engine.evaluate(args[1], mapping)
    found = needle in haystack if isinstance(haystack, ListValue) else needle in text(haystack)
    if found:
        return engine.evaluate(args[2], mapping)
    return engine.evaluate(args[3], mapping) if len(args) == 4 else ""


@function("join(list, sep)")
def join(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """The list's items with *sep* (default a space) between them."""
    _count(engine, args, "join", 1, 2, "one or two arguments")
    value = engine.evaluate(args[0], mapping)
    sep = engine.render(args[1], mapping) if len(args) == 2 else " "
    if isinstance(value, ListValue):
        return sep.join(value.texts())
    return sep.join(text(value))


@function("label(label, expr)")
def label(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Any:
    """*expr* marked for colouring as *label* (plain output shows just *expr*)."""
    _count(engine, args, "label", 2, 2, "two arguments")
    return engine.evaluate(args[1], mapping)


@function("pad(text, width[, fillchar[, left]])")
def pad(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """*text* widened to *width* with *fillchar*, on the left when *left* is true."""
    _count(engine, args, "pad()", 2, 4, "two to four arguments")
    value = engine.render(args[0], mapping)
    width = engine.integer(engine.evaluate(args[1], mapping))
    fill = engine.render(args[2], mapping) if len(args) > 2 else " "
    left = len(args) > 3 and engine.boolean(args[3], mapping)
    if len(fill) != 1:
        raise engine.error("pad() expects a single fill character")
    return value.rjust(width, fill) if left else value.ljust(width, fill)


@function("fill(text[, width[, firstindent[, indent]]])")
def fill(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """Re-wrap each paragraph to *width* columns, with optional indents.

    As hg: a blank line or a line starting a ``-``/``*`` bullet separates
    paragraphs (the separator is kept as written), whitespace runs inside a
    paragraph become one space (those ending the text are kept), and long words and
    hyphenated words are broken.
    """
    _count(engine, args, "fill", 1, 4, "one to four arguments")
    value = engine.render(args[0], mapping)
    width = engine.integer(engine.evaluate(args[1], mapping)) if len(args) > 1 else 76
    first = engine.render(args[2], mapping) if len(args) > 2 else ""
    hang = engine.render(args[3], mapping) if len(args) > 3 else ""
    parts = _PARAGRAPH.split(value)
    for index in range(0, len(parts), 2):
        body = parts[index].rstrip()
        lines = textwrap.wrap(_SPACES.sub(" ", body), width=max(width, 1),
                              initial_indent=first, subsequent_indent=hang)
        # hg leaves the whitespace that ends the whole text alone.
        tail = parts[index][len(body):] if index == len(parts) - 1 else ""
        parts[index] = "\n".join(lines) + tail
    return "".join(parts)


_PARAGRAPH = re.compile(r"(\n\n|\n\s*[-*]\s*)")
_SPACES = re.compile(r"\s+")


@function("indent(text, indentchars[, firstline])")
def indent(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """Prefix every non-empty line; the first one may get its own prefix."""
    _count(engine, args, "indent", 2, 3, "two or three arguments")
    value = engine.render(args[0], mapping)
    prefix = engine.render(args[1], mapping)
    first = engine.render(args[2], mapping) if len(args) == 3 else prefix
    lines = value.splitlines(keepends=True)
    out = []
    for index, line in enumerate(lines):
        if line.strip("\n"):
            out.append((first if index == 0 else prefix) + line)
        else:
            out.append(line)
    return "".join(out)


@function("separate(sep, args...)")
def separate(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """The non-empty arguments with *sep* between them."""
    if not args:
        raise engine.error("separate expects at least one argument")
    sep = engine.render(args[0], mapping)
    parts = [engine.render(arg, mapping) for arg in args[1:]]
    return sep.join(part for part in parts if part)


@function("date(date[, fmt])")
def date(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> str:
    """A date formatted with strftime codes (%z, %1, %2 give the zone).

    Without *fmt*, the way log shows dates.
    """
    from amalgam.templates import filters

    _count(engine, args, "date", 1, 2, "one or two arguments")
    value = engine.evaluate(args[0], mapping)
    if len(args) == 1:
        return filters.date(value)
    return filters.strftime(value, engine.render(args[1], mapping))


@function("get(dict, key)")
def get(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> Any:
    """One entry of a mapping such as extras."""
    _count(engine, args, "get()", 2, 2, "two arguments")
    value = values.as_dict(engine.evaluate(args[0], mapping))
    if not isinstance(value, dict):
        raise engine.error("get() expects a dict as first argument")
    return value.get(engine.render(args[1], mapping), "")


@function("revset(query[, formatargs...])")
def revset(engine: Engine, mapping: Mapping[str, Any], args: list[Tree]) -> ListValue:
    """The revisions a revset selects (list; items have {rev} and {node}).

    ``%d`` and ``%s`` in the query take the further arguments.
    """
    from amalgam import revset as revsetmod
    from amalgam.context import changectx

    if not args:
        raise engine.error("revset expects one or more arguments")
    query = engine.render(args[0], mapping)
    extra = [engine.render(arg, mapping) for arg in args[1:]]
    if extra:
        query = _format(engine, query, extra)
    repo = mapping["ctx"].repo
    revs = revsetmod.revs(repo, [query]).tolist()
    return ListValue([{"rev": r, "node": changectx(repo, r).hex(), "ctx": changectx(repo, r)}
                      for r in revs], lambda item: str(item["rev"]))


def _format(engine: Engine, query: str, extra: list[str]) -> str:
    """``%d``, ``%s`` and ``%%`` in a revset query, values quoted safely."""
    out = []
    pos = 0
    values = iter(extra)
    while pos < len(query):
        c = query[pos]
        if c == "%" and pos + 1 < len(query):
            code = query[pos + 1]
            if code == "%":
                out.append("%")
            elif code in "ds":
                value = next(values, None)
                if value is None:
                    raise engine.error("missing argument for revspec")
                if code == "d":
                    out.append(str(engine.integer(value)))
                else:
                    out.append(repr(value))
            else:
                raise engine.error(f"unexpected revspec format character {code}")
            pos += 2
        else:
            out.append(c)
            pos += 1
    return "".join(out)
