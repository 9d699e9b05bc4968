"""hg's changeset layout for ``log`` and friends: default, ``-v``, ``--debug``, ``-q``.

The printer works on a ``ChangeContext`` (``amalgam.context``) and writes
through the ``UI``; patches and diffstats after a changeset come from
``amalgam.display.diff`` via :func:`show`'s *patch* callback, so the graph
renderer can indent everything the same way.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.display.dates import datestr
from amalgam.node import hex, nullid, nullrev

if TYPE_CHECKING:
    from amalgam.ui import UI

_PHASES = ("public", "draft", "secret")


def _field(name: str, value: str) -> str:
    return f"{name + ':':<13}{value}\n"


def meaningful_parents(ctx: Any, debug: bool) -> list[Any]:
    """Parents hg prints: both for merges and in debug, p1 when it is not rev-1."""
    parents = [ctx.p1(), ctx.p2()]
    if debug:
        return parents
    if parents[1].rev != nullrev:
        return parents
    if parents[0].rev >= ctx.rev - 1:
        return []
    return parents[:1]


# Bookmarks by node, read once per repository object: ``log`` shows thousands of
# changesets and ctx.bookmarks() re-reads .hg/bookmarks every time.
_BOOKMARKS: weakref.WeakKeyDictionary[Any, dict[bytes, list[str]]] = weakref.WeakKeyDictionary()


def _bookmarks(ctx: Any) -> list[str]:
    repo = ctx.repo
    bynode = _BOOKMARKS.get(repo)
    if bynode is None:
        from amalgam import bookmarks

        bynode = {}
        for name, node in sorted(bookmarks.read(repo).items()):
            bynode.setdefault(node, []).append(name)
        _BOOKMARKS[repo] = bynode
    return bynode.get(ctx.node, [])


def _ident(ui: UI, ctx: Any) -> str:
    return f"{ctx.rev}:{ctx.hex() if ui.debugflag else ctx.short()}"


def _debug_files(ctx: Any) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(modified, added, removed) against the first parent, as ``--debug`` splits them."""
    before = ctx.p1().manifest()
    after = ctx.manifest()
    modified, added, removed = [], [], []
    for path in ctx.files():
        if path not in after:
            removed.append(path)
        elif path not in before:
            added.append(path)
        else:
            modified.append(path)
    return modified, added, removed


def changeset_text(ui: UI, ctx: Any) -> str:
    """The lines hg prints for *ctx* at the UI's verbosity (no trailing patch)."""
    if ui.quiet:
        return _ident(ui, ctx) + "\n"
    debug = ui.debugflag
    out = [_field("changeset", _ident(ui, ctx))]
    branch = ctx.branch()
    if branch != "default":
        out.append(_field("branch", branch))
    out.extend(_field("bookmark", name) for name in _bookmarks(ctx))
    out.extend(_field("tag", name) for name in ctx.tags())
    if debug:
        out.append(_field("phase", _PHASES[ctx.phase()]))
    for parent in meaningful_parents(ctx, debug):
        out.append(_field("parent", _ident(ui, parent)))
    if debug:
        mnode = ctx.manifestnode()
        mrev = ctx.repo.manifestlog.revlog.rev(mnode) if mnode != nullid else nullrev
        out.append(_field("manifest", f"{mrev}:{hex(mnode)}"))
    out.append(_field("user", ctx.user()))
    out.append(_field("date", datestr(ctx.date())))
    if debug:
        for label, group in zip(("files", "files+", "files-"), _debug_files(ctx)):
            if group:
                out.append(_field(label, _names(group)))
    elif ui.verbose and ctx.files():
        out.append(_field("files", _names(ctx.files())))
    if debug:
        for key, value in sorted(ctx.extra().items()):
            out.append(_field("extra", f"{key}={_escape(value)}"))
    description = ctx.description().strip()
    if ui.verbose:
        if description:
            out.append("description:\n" + description + "\n\n")
    elif description:
        out.append(_field("summary", description.splitlines()[0]))
    out.append("\n")
    return "".join(out)


def _names(paths: list[bytes]) -> str:
    return " ".join(p.decode("utf-8", "surrogateescape") for p in paths)


def _escape(value: str) -> str:
    return value.encode("unicode_escape").decode("ascii") if any(
        c in value for c in "\\\n\r\t\0") else value


def show(ui: UI, ctx: Any, *, patch: Callable[[Any], bytes] | None = None) -> None:
    """Print *ctx*; *patch(ctx)* gives the diff/stat text to print after it.

    hg separates the patch from the changeset block by the block's blank
    line and ends it with one more.
    """
    text = changeset_text(ui, ctx).encode("utf-8", "surrogateescape")
    if patch is not None:
        body = patch(ctx)
        if ui.quiet:
            text += body
        else:
            text += body + b"\n"
    ui.write(text)
