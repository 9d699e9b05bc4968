"""Template keywords: what ``{name}`` means for a changeset."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amalgam.node import hex, nullid, nullrev
from amalgam.templates.engine import keyword
from amalgam.templates.values import Date, ListValue


@keyword("rev")
def rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Integer. The repository-local changeset revision number."""
    return ctx.rev


@keyword("node")
def node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The changeset identification hash, as a 40 hexadecimal digit string."""
    return ctx.hex()


@keyword("author")
def author(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The unmodified author of the changeset."""
    return ctx.user()


@keyword("date")
def date(ctx: Any, mapping: Mapping[str, Any]) -> Date:
    """Date information. The date when the changeset was committed."""
    when, offset = ctx.date()
    return Date(when, offset)


@keyword("desc")
def desc(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The text of the changeset description."""
    return ctx.description()


@keyword("branch")
def branch(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The name of the branch on which the changeset was committed."""
    return ctx.branch()


@keyword("extras")
def extras(ctx: Any, mapping: Mapping[str, Any]) -> dict[str, str]:
    """The changeset's extra fields (``branch``, ``close``, …) as a mapping."""
    return dict(ctx.extra())


def _paths(paths: list[bytes], key: str = "file") -> ListValue:
    return ListValue.of(key, [p.decode("utf-8", "surrogateescape") for p in paths])


@keyword("files")
def files(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. All files modified, added, or removed by this changeset."""
    return _paths(list(ctx.files()))


def _status(ctx: Any) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(modified, added, removed) against the first parent, for files() of *ctx*."""
    mine, theirs = ctx.manifest(), ctx.p1().manifest()
    modified, added, removed = [], [], []
    for path in ctx.files():
        here, there = mine.get(path), theirs.get(path)
        if here is not None and there is not None:
            if here != there:
                modified.append(path)
        elif here is not None:
            added.append(path)
        elif there is not None:
            removed.append(path)
    return modified, added, removed


@keyword("file_mods")
def file_mods(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Files modified by this changeset."""
    return _paths(_status(ctx)[0])


@keyword("file_adds")
def file_adds(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Files added by this changeset."""
    return _paths(_status(ctx)[1])


@keyword("file_dels")
def file_dels(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Files removed by this changeset."""
    return _paths(_status(ctx)[2])


@keyword("file_copies")
def file_copies(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Files copied in this changeset with their sources."""
    items = []
    for path in _status(ctx)[1] + _status(ctx)[0]:
        renamed = ctx.filectx(path).renamed()
        if renamed:
            items.append({"name": path.decode("utf-8", "surrogateescape"),
                          "source": renamed[0].decode("utf-8", "surrogateescape")})
    items.sort(key=lambda item: item["name"])
    return ListValue(items, lambda item: f"{item['name']} ({item['source']})",
                     json=lambda item: {item["name"]: item["source"]})


@keyword("tags")
def tags(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Any tags associated with the changeset."""
    return ListValue.of("tag", list(ctx.tags()))


@keyword("bookmarks")
def bookmarks(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. Any bookmarks associated with the changeset."""
    return ListValue.of("bookmark", list(ctx.bookmarks()))


def _parent_items(ctx: Any, natural_hidden: bool) -> list[dict[str, Any]]:
    parents = [p for p in ctx.parents() if p.rev != nullrev or ctx.rev == nullrev]
    if natural_hidden and len(parents) == 1 and parents[0].rev >= ctx.rev - 1:
        return []
    return [{"rev": p.rev, "node": p.hex(), "ctx": p} for p in parents]


@keyword("parents")
def parents(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """List of strings. The parents as ``rev:node``, unless the parent is the previous revision."""
    return ListValue(_parent_items(ctx, True), lambda item: f"{item['rev']}:{item['node'][:12]} ",
                     sep="", json=lambda item: item["node"])


@keyword("p1rev")
def p1rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Integer. The repository-local revision number of the first parent, or -1."""
    return ctx.p1().rev


@keyword("p2rev")
def p2rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Integer. The repository-local revision number of the second parent, or -1."""
    return ctx.p2().rev


@keyword("p1node")
def p1node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The identification hash of the first parent (all zeroes if none)."""
    return ctx.p1().hex()


@keyword("p2node")
def p2node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The identification hash of the second parent (all zeroes if none)."""
    return ctx.p2().hex() if ctx.p2().rev != nullrev else hex(nullid)


@keyword("phase")
def phase(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. The changeset phase name."""
    return ctx.phasestr()


@keyword("phaseidx")
def phaseidx(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Integer. The changeset phase index (0 public, 1 draft, 2 secret)."""
    return ctx.phase()


@keyword("diffstat")
def diffstat(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """String. Statistics of changes with ``files: +added/-removed`` lines."""
    import difflib

    mine, theirs = ctx.manifest(), ctx.p1().manifest()
    added = removed = changed = 0
    for path in ctx.files():
        new = ctx.filectx(path).data().splitlines() if path in mine else []
        old = ctx.p1().filectx(path).data().splitlines() if path in theirs else []
        if new == old and (path in mine) == (path in theirs):
            continue
        changed += 1
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new,
                                                          autojunk=False).get_opcodes():
            if op != "equal":
                removed += a2 - a1
                added += b2 - b1
    return f"{changed}: +{added}/-{removed}"
