"""Apply a changegroup to a repository inside one transaction.

Order matters for concurrent readers: a changeset must never be visible
before the manifests and files it references.  We therefore spool the
changelog group to a temporary file (noting only its nodes, to map link
nodes to the revision numbers the changesets will get), add manifests and
files, and append the changelog last.

Nothing from the sender is trusted: every delta base and parent must be
known, every text must hash to its node, every file name must be a safe
relative path, every link node must name a changeset; any failure aborts
and the caller's transaction rolls everything back.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amalgam.error import Abort, SecurityError
from amalgam.exchange.changegroup import DeltaChunk, Unpacker, line_insertions
from amalgam.node import Node, nullid, nullrev, short
from amalgam.storage import mdiff
from amalgam.storage.revlog import hashrevision

if TYPE_CHECKING:
    from amalgam.merge.progress import Progress
    from amalgam.repo import Repository
    from amalgam.storage.revlog import Revlog
    from amalgam.storage.transaction import Transaction
    from amalgam.ui import UI


@dataclass
class Result:
    """What a changegroup added."""

    added: list[Node] = field(default_factory=list)   # new changesets, in order
    revisions: int = 0                                 # new file revisions
    files: int = 0                                     # file groups received
    oldheads: int = 0
    newheads: int = 0

    def heads_delta(self) -> int:
        """hg's return code: 0 nothing added, 1 same heads, 1+n / -1-n heads added/removed."""
        if not self.added:
            return 0
        delta = self.newheads - self.oldheads
        return 1 + delta if delta >= 0 else delta - 1


def check_path(path: bytes) -> None:
    """Refuse file names that would escape the working copy or touch ``.hg``."""
    text = path.decode("utf-8", "replace")
    if not path or path.startswith(b"/") or b"\0" in path or b"\n" in path or b"\r" in path:
        raise SecurityError(f"refusing file name '{text}' from the bundle",
                            hint="file names must be non-empty relative paths")
    for part in path.split(b"/"):
        if part in (b"", b".", b".."):
            raise SecurityError(f"refusing file name '{text}' from the bundle: "
                                f"component '{part.decode('utf-8', 'replace')}'",
                                hint="the bundle tries to write outside the repository")
        lowered = part.lower().rstrip(b". ")
        if lowered == b".hg" or part.lower() == b"hg~1":
            raise SecurityError(f"refusing file name '{text}' from the bundle: it is inside .hg",
                                hint="the bundle tries to write repository metadata")


def _corrupt(what: str) -> Abort:
    return Abort(what, hint="the bundle is corrupt or was tampered with")


def _fulltext(revlog: Revlog, chunk: DeltaChunk, name: str) -> tuple[bytes, int, bytes]:
    """The text *chunk* describes, its delta base rev and text, checked against the node."""
    if chunk.base == nullid:
        baserev, base = nullrev, b""
    elif not revlog.hasnode(chunk.base):
        raise _corrupt(f"{name}: unknown delta base {short(chunk.base)} for {short(chunk.node)}")
    else:
        baserev = revlog.rev(chunk.base)
        base = revlog.rawdata(baserev)
    for parent in (chunk.p1, chunk.p2):
        if not revlog.hasnode(parent):
            raise _corrupt(f"{name}: unknown parent {short(parent)} of {short(chunk.node)}")
    if chunk.flags:
        raise Abort(f"{name}: revision {short(chunk.node)} has flags 0x{chunk.flags:x}",
                    hint="censored, LFS or ellipsis revisions are not supported yet")
    try:
        text = mdiff.patch(base, chunk.delta)
    except Abort as exc:
        raise _corrupt(f"{name}: bad delta for {short(chunk.node)}: {exc.message}") from None
    if hashrevision(text, chunk.p1, chunk.p2) != chunk.node:
        raise _corrupt(f"{name}: integrity check failed for {short(chunk.node)}")
    return text, baserev, base


def _addgroup(revlog: Revlog, group: Iterator[DeltaChunk], tr: Transaction,
              linkrev_of: dict[Node, int], name: str,
              collect: Callable[[DeltaChunk, bytes, bytes], None] | None = None) -> list[Node]:
    added = []
    for chunk in group:
        if chunk.linknode not in linkrev_of:
            raise _corrupt(f"{name}: revision {short(chunk.node)} links to unknown "
                           f"changeset {short(chunk.linknode)}")
        if revlog.hasnode(chunk.node):
            continue
        text, baserev, base = _fulltext(revlog, chunk, name)
        if collect is not None:
            collect(chunk, text, base)
        cachedelta = (baserev, chunk.delta) if baserev != nullrev else None
        revlog.addrevision(text, tr, linkrev_of[chunk.linknode], chunk.p1, chunk.p2,
                           node=chunk.node, cachedelta=cachedelta)
        added.append(chunk.node)
    return added


class _FileNeeds:
    """File revisions the new manifests add, to check once files are applied.

    A manifest sent as a line-aligned delta against its first parent (what
    hg and we send) lists its new entries in the delta itself; anything else
    is compared line by line with the parent's text.
    """

    def __init__(self, mlog: Revlog, progress: Progress) -> None:
        self.mlog = mlog
        self.needed: dict[bytes, set[bytes]] = {}  # path -> binary file nodes
        self.progress = progress
        self.count = 0

    def __call__(self, chunk: DeltaChunk, text: bytes, base: bytes) -> None:
        self.count += 1
        self.progress.update(self.count)
        lines = None
        if chunk.base == chunk.p1 and chunk.base != nullid:
            lines = line_insertions(base, chunk.delta)
        if lines is None:
            parent = self.mlog.rawdata(chunk.p1) if chunk.p1 != nullid else b""
            lines = list(set(text.splitlines()) - set(parent.splitlines()))
        for line in lines:
            path, sep, rest = line.partition(b"\0")
            try:
                # Binary nodes: a clone holds one per file revision until its group.
                node = bytes.fromhex(rest[:40].decode("ascii")) if len(rest) >= 40 else b""
            except ValueError:
                node = b""
            if not sep or not node:
                raise _corrupt(f"manifest {short(chunk.node)} has a malformed line")
            self.needed.setdefault(path, set()).add(node)

    def check(self, path: bytes, revlog: Revlog) -> None:
        """Every revision of *path* the new manifests name is in *revlog*; forget them."""
        for node in sorted(self.needed.pop(path, ())):
            if node == nullid or not revlog.hasnode(node):
                raise _corrupt(f"missing file data for {path.decode('utf-8', 'replace')}:"
                               f"{short(node)}")

    def check_rest(self, repo: Repository) -> None:
        """The same for files that received no group (entries naming older revisions)."""
        for path in sorted(self.needed):
            check_path(path)
            self.check(path, repo.file(path).revlog)


class _LinkMap(dict):
    """Link node -> linkrev: spooled new changesets, then the existing changelog."""

    def __init__(self, cl: Revlog) -> None:
        super().__init__()
        self._cl = cl

    def __contains__(self, node: object) -> bool:
        return dict.__contains__(self, node) or (
            isinstance(node, bytes) and node != nullid and self._cl.hasnode(node))

    def __missing__(self, node: Node) -> int:
        return self._cl.rev(node)


def apply(repo: Repository, tr: Transaction, unpacker: Unpacker, ui: UI,
          expected: int | None = None) -> Result:
    """Add the changegroup read by *unpacker* to *repo* within *tr*.

    *expected* (the sender's changeset count, when it gave one) lets the
    progress line on a terminal show how far along the transfer is.
    """
    from contextlib import ExitStack

    from amalgam.merge.progress import Progress

    cl = repo.changelog.revlog
    result = Result(oldheads=len(cl.headrevs()))  # hg counts an empty repo's null head
    linkmap = _LinkMap(cl)
    with tempfile.TemporaryFile(prefix="amg-changelog-") as spool, ExitStack() as stack:
        ui.status("adding changesets\n")
        order: list[Node] = []
        progress = stack.enter_context(Progress(ui, "changesets", expected or 0, "chunks"))
        for count, chunk in enumerate(unpacker.changelog(), 1):
            if expected:
                progress.update(count)
            if chunk.node in linkmap:
                continue
            if chunk.linknode != chunk.node:
                raise _corrupt(f"changeset {short(chunk.node)} does not link to itself")
            for known in (chunk.p1, chunk.p2, chunk.base):
                if known != nullid and known not in linkmap:
                    raise _corrupt(f"changeset {short(chunk.node)} refers to unknown "
                                   f"changeset {short(known)}")
            linkmap[chunk.node] = len(cl) + len(order)
            order.append(chunk.node)
            record = chunk.node + chunk.p1 + chunk.p2 + chunk.base
            spool.write(len(chunk.delta).to_bytes(4, "big") + record + chunk.delta)
        ui.status("adding manifests\n")
        mlog = repo.manifestlog.revlog
        needs = _FileNeeds(mlog, Progress(ui, "manifests", len(order), "chunks"))
        with needs.progress:
            _addgroup(mlog, unpacker.manifests(), tr, linkmap, "manifest", needs)
        ui.status("adding file changes\n")
        progress = stack.enter_context(Progress(ui, "files", len(needs.needed), "files"))
        for path, group in unpacker.files():
            check_path(path)
            result.files += 1
            progress.update(result.files)
            revlog = repo.file(path).revlog
            added = _addgroup(revlog, group, tr, linkmap, path.decode("utf-8", "replace"))
            result.revisions += len(added)
            needs.check(path, revlog)
        needs.check_rest(repo)
        spool.seek(0)
        for expected in order:
            size = int.from_bytes(spool.read(4), "big")
            record = spool.read(80)
            delta = spool.read(size)
            chunk = DeltaChunk(Node(record[:20]), Node(record[20:40]), Node(record[40:60]),
                               Node(record[60:80]), Node(record[:20]), 0, delta)
            text, baserev, _base = _fulltext(cl, chunk, "changelog")
            _check_changeset(repo, text, chunk.node)
            cachedelta = (baserev, delta) if baserev != nullrev else None
            cl.addrevision(text, tr, len(cl), chunk.p1, chunk.p2, node=expected,
                           cachedelta=cachedelta)
    result.added = order
    result.newheads = len(cl.headrevs())
    return result


def _check_changeset(repo: Repository, text: bytes, node: Node) -> None:
    from amalgam.storage.changelog import parse_entry

    try:
        entry = parse_entry(text)
    except Abort as exc:
        raise _corrupt(f"changeset {short(node)} is malformed: {exc.message}") from None
    if entry.manifest != nullid and not repo.manifestlog.revlog.hasnode(entry.manifest):
        raise _corrupt(f"changeset {short(node)} refers to missing manifest "
                       f"{short(entry.manifest)}")
