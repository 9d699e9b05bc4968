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
                   entry: ChangesetEntry, parent_revs: tuple[int, int] | None = None) -> None:
    from amalgam.display.dates import datestr

    if ui.quiet:
        ui.write(f"{rev}:{hex(node)[:12]}\n")
        return
    lines = [f"changeset:   {rev}:{hex(node)[:12]}"]
    if entry.branch != "default":
        lines.append(f"branch:      {entry.branch}")
    if parents[1] != nullid and parent_revs is not None:
        for prev, pnode in zip(parent_revs, parents):
            lines.append(f"parent:      {prev}:{hex(pnode)[:12]}")
    lines.append(f"user:        {entry.user}")
    lines.append(f"date:        {datestr(entry.date)}")
    summary = entry.description.splitlines()[0] if entry.description else ""
    if summary:
        lines.append(f"summary:     {summary}")
    ui.write("\n".join(lines) + "\n\n")


class _Tee:
    def __init__(self, raw: Reader, out: IO[bytes]) -> None:
        self._raw = raw
        self._out = out

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._out.write(data)
        return data


def show_bundle(ui: UI, repo: Repository, stream: Reader, save: str | None) -> int:
    """List the changesets of a bundle2 *stream*; keep a copy in *save* if given."""
    import contextlib

    with contextlib.ExitStack() as stack:
        if save:
            from amalgam.vfs import AtomicTempFile
            import os

            stream = _Tee(stream, stack.enter_context(AtomicTempFile(os.path.abspath(save))))
        shown = _list(ui, repo, stream)
        if save:
            stream.read()  # keep the rest of the bundle in the saved copy
    return 0 if shown else 1


def _list(ui: UI, repo: Repository, stream: Reader) -> int:
    from amalgam.exchange.bundle2 import open_stream
    from amalgam.exchange.changegroup import Unpacker
    from amalgam.storage import mdiff
    from amalgam.storage.changelog import parse_entry

    cl = repo.changelog.revlog
    shown = 0
    for part in open_stream(stream).parts():
        if part.type != "changegroup":
            continue
        texts: dict[Node, bytes] = {}
        revs: dict[Node, int] = {}
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
            entry = parse_entry(text)
            parent_revs = tuple(revs[p] if p in revs else cl.rev(p) if cl.hasnode(p) else -1
                                for p in (chunk.p1, chunk.p2))
            show_changeset(ui, revs[chunk.node], chunk.node, (chunk.p1, chunk.p2), entry,
                           parent_revs)
            shown += 1
        part.consume()
    return shown
