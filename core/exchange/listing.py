"""Changeset listings for ``incoming`` and ``outgoing`` in hg's default log layout.

Incoming changesets are not in the repository, so they are read straight
from the peer's bundle: only changelog texts are kept, never the bundle.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING

from amalgam.error import Abort
from amalgam.node import Node, hex, nullid

if TYPE_CHECKING:
    from amalgam.exchange.streams import Reader
    from amalgam.repo import Repository
    from amalgam.storage.changelog import ChangesetEntry
    from amalgam.ui import UI


def show_changeset(ui: UI, rev: int, node: Node, parents: tuple[Node, Node],
                   entry: ChangesetEntry, parent_revs: tuple[int, int], *,
                   marks: list[str] = (), tip: bool = False) -> None:
    """One changeset as ``hg log`` shows it (parents only when not the previous rev)."""
    from amalgam.display.dates import datestr

    if ui.quiet:
        ui.write(f"{rev}:{hex(node)[:12]}\n")
        return
    lines = [f"changeset:   {rev}:{hex(node)[:12]}"]
    if entry.branch != "default":
        lines.append(f"branch:      {entry.branch}")
    lines.extend(f"bookmark:    {name}" for name in marks)
    if tip:
        lines.append("tag:         tip")
    shown = list(zip(parent_revs, parents))
    if parents[1] == nullid:
        shown = shown[:1] if parent_revs[0] not in (rev - 1, -1) else []
    lines.extend(f"parent:      {prev}:{hex(pnode)[:12]}" for prev, pnode in shown)
    lines.append(f"user:        {entry.user}")
    lines.append(f"date:        {datestr(entry.date)}")
    summary = entry.description.splitlines()[0] if entry.description else ""
    if summary:
        lines.append(f"summary:     {summary}")
    ui.write("\n".join(lines) + "\n\n")


def show_revs(ui: UI, repo: Repository, revs: list[int]) -> None:
    """Show changesets of *repo* with its own numbers, bookmarks and tip."""
    from amalgam import bookmarks

    cl = repo.changelog.revlog
    marks = bookmarks.read(repo)
    for rev in revs:
        node = cl.node(rev)
        show_changeset(ui, rev, node, cl.parents(node), repo.changelog.read(rev),
                       cl.parentrevs(rev), tip=rev == len(cl) - 1,
                       marks=sorted(name for name, mark in marks.items() if mark == node))


class _Tee:
    def __init__(self, raw: Reader, out: IO[bytes]) -> None:
        self._raw = raw
        self._out = out

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._out.write(data)
        return data


def show_bundle(ui: UI, repo: Repository, stream: Reader, save: str | None,
                marks: dict[str, Node]) -> int:
    """List the changesets of a bundle2 *stream*; keep a copy in *save* if given.

    *marks* are the remote's bookmarks, shown on the changesets they name.
    """
    import contextlib

    with contextlib.ExitStack() as stack:
        if save:
            from amalgam.vfs import AtomicTempFile
            import os

            stream = _Tee(stream, stack.enter_context(AtomicTempFile(os.path.abspath(save))))
        shown = _list(ui, repo, stream, marks)
        if save:
            stream.read()  # keep the rest of the bundle in the saved copy
    return 0 if shown else 1


def _list(ui: UI, repo: Repository, stream: Reader, marks: dict[str, Node]) -> int:
    from amalgam.exchange.bundle2 import open_stream
    from amalgam.exchange.changegroup import Unpacker
    from amalgam.storage import mdiff

    cl = repo.changelog.revlog
    shown = 0
    for part in open_stream(stream).parts():
        if part.type != "changegroup":
            continue
        texts: dict[Node, bytes] = {}
        revs: dict[Node, int] = {}
        pending = None
        for chunk in Unpacker(part, part.params.get("version", "01")).changelog():
            if chunk.base in texts:
                base = texts[chunk.base]
            elif chunk.base == nullid or cl.hasnode(chunk.base):
                base = cl.rawdata(chunk.base)
            else:
                raise Abort("incoming changeset delta against an unknown base",
                            hint="the remote sent a corrupt bundle")
            text = mdiff.patch(base, chunk.delta)
            texts[chunk.node] = text
            revs[chunk.node] = len(cl) + len(revs)
            # Shown one behind, so the last one can carry the tip tag.
            if pending is not None:
                _show_pending(ui, pending, marks, tip=False)
            pending = (revs, chunk, text, cl)
            shown += 1
        if pending is not None:
            _show_pending(ui, pending, marks, tip=True)
        part.consume()
    return shown


def _show_pending(ui: UI, pending: tuple, marks: dict[str, Node], tip: bool) -> None:
    from amalgam.storage.changelog import parse_entry

    revs, chunk, text, cl = pending
    parent_revs = tuple(revs[p] if p in revs else cl.rev(p) if cl.hasnode(p) else -1
                        for p in (chunk.p1, chunk.p2))
    names = sorted(name for name, node in marks.items() if node == chunk.node)
    show_changeset(ui, revs[chunk.node], chunk.node, (chunk.p1, chunk.p2), parse_entry(text),
                   parent_revs, marks=names, tip=tip)
