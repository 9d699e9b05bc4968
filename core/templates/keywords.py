"""Template keywords: what ``{name}`` means for a changeset."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amalgam.node import hex, nullid, nullrev
from amalgam.templates.engine import keyword
from amalgam.templates.values import Date, Flag, ListValue


def _entry(ctx: Any, mapping: Mapping[str, Any]) -> Any:
    """The changeset's parsed entry, from the printer's block-read cache when there is one."""
    view = mapping.get("view")
    if view is not None and ctx.rev >= 0 and ctx.repo is view.repo:
        return view.entry(ctx.rev)
    return ctx.entry


@keyword("rev")
def rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """The changeset's revision number in this repository."""
    return ctx.rev


@keyword("node")
def node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The full node id in hex (40 digits)."""
    return ctx.hex()


@keyword("author")
def author(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """Who committed the changeset, exactly as recorded."""
    return _entry(ctx, mapping).user


@keyword("date")
def date(ctx: Any, mapping: Mapping[str, Any]) -> Date:
    """When the changeset was committed (a date; see the date filters)."""
    when, offset = _entry(ctx, mapping).date
    return Date(when, offset)


@keyword("user")
def user(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The author of the changeset, as recorded (same as {author})."""
    return _entry(ctx, mapping).user


@keyword("negrev")
def negrev(ctx: Any, mapping: Mapping[str, Any]) -> int | str:
    """The revision number counted back from the end: -1 is tip."""
    return ctx.rev - len(ctx.repo.changelog.revlog) if ctx.rev >= 0 else ""


@keyword("closesbranch")
def closesbranch(ctx: Any, mapping: Mapping[str, Any]) -> Flag:
    """Whether the changeset closes its branch: true or false."""
    return Flag("true" if ctx.closesbranch() else "false")


@keyword("activebookmark")
def activebookmark(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The active bookmark, when it is on this changeset."""
    from amalgam import bookmarks

    name = bookmarks.active(ctx.repo)
    return name if name and name in ctx.bookmarks() else ""


@keyword("children")
def children(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """The children as rev:shortnode (list; items have {rev} and {node})."""
    items = [{"rev": c.rev, "node": c.hex(), "ctx": c} for c in ctx.children()]
    return ListValue(items, lambda item: f"{item['rev']}:{item['node'][:12]}",
                     json=lambda item: f"{item['rev']}:{item['node'][:12]}")


@keyword("desc")
def desc(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The commit message."""
    return _entry(ctx, mapping).description


@keyword("branch")
def branch(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The named branch the changeset belongs to."""
    return _entry(ctx, mapping).branch


@keyword("extras")
def extras(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """The changeset's extra fields (``branch``, ``close``, …), sorted by key
    (list; items have {key} and {value})."""
    items = [{"key": key, "value": value} for key, value in sorted(ctx.extra().items())]
    return ListValue(items, lambda item: f"{item['key']}={item['value']}", sep="",
                     whole=lambda items: {item["key"]: item["value"] for item in items})


def _debug(mapping: Mapping[str, Any]) -> bool:
    """Whether ``--debug`` is on: some keywords then show full nodes and null parents."""
    repo = mapping.get("repo")
    return bool(getattr(getattr(repo, "ui", None), "debugflag", False))


@keyword("manifest")
def manifest(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """The manifest revision as rev:node (the node in full with --debug)."""
    mnode = ctx.manifestnode()
    mrev = ctx.repo.manifestlog.revlog.rev(mnode) if mnode != nullid else nullrev
    return f"{mrev}:{hex(mnode) if _debug(mapping) else hex(mnode)[:12]}"


def _paths(paths: list[bytes], key: str = "file") -> ListValue:
    return ListValue.of(key, [p.decode("utf-8", "surrogateescape") for p in paths])


@keyword("files")
def files(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Every path the changeset touches (list; items have {file})."""
    return _paths(list(_entry(ctx, mapping).files))


def changed_files(ctx: Any) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(modified, added, removed) among the changeset's files, classified as hg does.

    Added: in the changeset but in no parent.  Removed: gone from the
    changeset, except in a merge where no parent has it or the one parent
    that has it left it as the merge base had it (the other side deleted it).
    Everything else listed is modified.
    """
    mine = ctx.manifest()
    parents = [p.manifest() for p in ctx.parents() if p.rev != nullrev]
    files = list(ctx.files())
    added = [f for f in files if f in mine and not any(f in m for m in parents)]
    removed = [f for f in files if f not in mine]
    if removed and len(parents) == 2:
        bases = _merge_bases(ctx)
        removed = [f for f in removed if not _removed_by_other_side(f, parents, bases)]
    gone = set(added) | set(removed)
    return [f for f in files if f not in gone], added, removed


def _merge_bases(ctx: Any) -> list[Any]:
    """Manifests of the heads of the common ancestors of a merge's parents."""
    from amalgam.revset import graph
    from amalgam.revset.names import RepoView

    view = RepoView(ctx.repo)
    common = (graph.ancestors(view, [ctx.p1().rev]) & graph.ancestors(view, [ctx.p2().rev]))
    heads = [r for r in common if not any(c in common for c in view.children(r))]
    return [ctx.repo.manifest_of(view.cl.node(r)) for r in sorted(heads)]


def _removed_by_other_side(path: bytes, parents: list[Any], bases: list[Any]) -> bool:
    having = [m for m in parents if path in m]
    if not having:
        return True
    if len(having) == 1:
        entry = having[0].get(path)
        return all(base.get(path) == entry for base in bases) if bases else False
    return False


@keyword("file_mods")
def file_mods(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Paths changed relative to the first parent (list)."""
    return _paths(changed_files(ctx)[0])


@keyword("file_adds")
def file_adds(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Paths new relative to the first parent (list)."""
    return _paths(changed_files(ctx)[1])


@keyword("file_dels")
def file_dels(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Paths gone relative to the first parent (list)."""
    return _paths(changed_files(ctx)[2])


@keyword("file_copies")
def file_copies(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Copied or renamed paths (list; items have {name} and {source})."""
    items = []
    modified, added, _ = changed_files(ctx)
    mine = ctx.manifest()
    for path in (p for p in added + modified if p in mine):
        renamed = ctx.filectx(path).renamed()
        if renamed:
            items.append({"name": path.decode("utf-8", "surrogateescape"),
                          "source": renamed[0].decode("utf-8", "surrogateescape")})
    items.sort(key=lambda item: item["name"])
    # hg runs the items together with no separator.
    return ListValue(items, lambda item: f"{item['name']} ({item['source']})", sep="",
                     whole=lambda items: {item["name"]: item["source"] for item in items})


@keyword("file_copies_switch")
def file_copies_switch(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Like file_copies, but only when log's --copies is given (list)."""
    if mapping.get("showcopies"):
        return file_copies(ctx, mapping)
    return ListValue([], str, sep="", whole=lambda items: {})


@keyword("tags")
def tags(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Tags on the changeset, tip included (list; items have {tag})."""
    view = mapping.get("view")
    return ListValue.of("tag", view.names("tags", ctx.rev) if view else list(ctx.tags()))


@keyword("bookmarks")
def bookmarks(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Bookmarks on the changeset (list; items have {bookmark})."""
    view = mapping.get("view")
    return ListValue.of("bookmark", view.names("bookmarks", ctx.rev) if view
                        else list(ctx.bookmarks()))


def _parent_items(ctx: Any, natural_hidden: bool) -> list[dict[str, Any]]:
    parents = [p for p in ctx.parents() if p.rev != nullrev or ctx.rev == nullrev]
    if natural_hidden and len(parents) == 1 and parents[0].rev >= ctx.rev - 1:
        return []
    return [{"rev": p.rev, "node": p.hex(), "ctx": p} for p in parents]


@keyword("parents")
def parents(ctx: Any, mapping: Mapping[str, Any]) -> ListValue:
    """Parents as rev:shortnode, left empty when the only parent is the previous revision;
    with --debug both parents, null included, with full nodes."""
    if _debug(mapping):
        items = [{"rev": p.rev, "node": p.hex(), "ctx": p}
                 for p in (ctx.p1(), ctx.p2())]
        return ListValue(items, lambda item: f"{item['rev']}:{item['node']} ", sep="",
                         json=lambda item: item["node"])
    return ListValue(_parent_items(ctx, True), lambda item: f"{item['rev']}:{item['node'][:12]} ",
                     sep="", json=lambda item: item["node"])


@keyword("p1rev")
def p1rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Revision number of the first parent (-1 for none)."""
    return ctx.p1().rev


@keyword("p2rev")
def p2rev(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """Revision number of the second parent (-1 for none)."""
    return ctx.p2().rev


@keyword("p1node")
def p1node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """Full hex node of the first parent (zeroes for none)."""
    return ctx.p1().hex()


@keyword("p2node")
def p2node(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """Full hex node of the second parent (zeroes for none)."""
    return ctx.p2().hex() if ctx.p2().rev != nullrev else hex(nullid)


@keyword("phase")
def phase(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """public, draft or secret."""
    from amalgam.phases import PHASE_NAMES

    return PHASE_NAMES[phaseidx(ctx, mapping)]


@keyword("phaseidx")
def phaseidx(ctx: Any, mapping: Mapping[str, Any]) -> int:
    """The phase as a number: 0 public, 1 draft, 2 secret."""
    view = mapping.get("view")
    return view.phase(ctx.rev) if view else ctx.phase()


@keyword("diffstat")
def diffstat(ctx: Any, mapping: Mapping[str, Any]) -> str:
    """Summary of the diff against the first parent: FILES: +ADDED/-REMOVED lines."""
    import difflib

    mine, theirs = ctx.manifest(), ctx.p1().manifest()
    if ctx.p2().rev != nullrev:
        # A merge's diff against p1 includes everything brought in from p2.
        paths = sorted(p for p in {*mine, *theirs} if mine.get(p) != theirs.get(p))
    else:
        paths = list(ctx.files())
    added = removed = changed = 0
    for path in paths:
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
