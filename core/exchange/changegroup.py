"""Changegroups: hg's stream of revisions for the changelog, manifests and files.

Framing (hg-formats.md §7.2): chunks of a 4-byte big-endian length that
counts itself, an empty chunk (length 0) ending each group.  A changegroup
is the changelog group, the manifest group, (v3: an empty tree-manifest
list,) then one ``path chunk + group`` per file and an empty chunk.

Versions: ``01`` (80-byte headers, the delta base is implicit: the previous
chunk of the group, p1 for the first), ``02`` (100 bytes, explicit delta
base) and ``03`` (102 bytes, plus revlog flags).  We read all three and
write ``02``/``03``.

:class:`Unpacker` walks a stream group by group without buffering it;
:func:`generate` yields the chunks for a set of changesets; applying one
to a repository is :mod:`amalgam.exchange.cgapply`.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amalgam.error import Abort
from amalgam.exchange.streams import Reader, readexactly, readint
from amalgam.node import Node, nullid, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.revlog import Revlog

_HEADERS = {
    "01": struct.Struct(">20s20s20s20s"),
    "02": struct.Struct(">20s20s20s20s20s"),
    "03": struct.Struct(">20s20s20s20s20sH"),
}
VERSIONS = tuple(_HEADERS)
#: Versions we produce, best first.
OUTGOING_VERSIONS = ("03", "02")
# hg's largest chunks are whole revisions; revlogs cap a text at 2 GiB.
_MAX_CHUNK = 2**31 - 1


def closechunk() -> bytes:
    return b"\0\0\0\0"


def chunkheader(length: int) -> bytes:
    return struct.pack(">i", length + 4)


def readchunk(stream: Reader) -> bytes:
    """One chunk's payload; b"" for the empty chunk that ends a group."""
    length = readint(stream, "chunk length")
    if length == 0:
        return b""
    if length <= 4 or length > _MAX_CHUNK:
        raise Abort(f"invalid changegroup chunk length {length}",
                    hint="the bundle is corrupt")
    return readexactly(stream, length - 4, "changegroup chunk")


@dataclass(frozen=True)
class DeltaChunk:
    """One revision in a changegroup."""

    node: Node
    p1: Node
    p2: Node
    base: Node
    linknode: Node
    flags: int
    delta: bytes


class Unpacker:
    """Read a changegroup of *version* from *stream*, one group at a time.

    Call :meth:`changelog`, :meth:`manifests` and :meth:`files` in this
    order and exhaust each iterator before the next.
    """

    def __init__(self, stream: Reader, version: str) -> None:
        if version not in _HEADERS:
            raise Abort(f"unsupported changegroup version '{version}'",
                        hint=f"supported: {', '.join(VERSIONS)}")
        self.stream = stream
        self.version = version
        self._header = _HEADERS[version]

    def _group(self) -> Iterator[DeltaChunk]:
        prev: Node | None = None
        size = self._header.size
        while True:
            chunk = readchunk(self.stream)
            if not chunk:
                return
            if len(chunk) < size:
                raise Abort(f"changegroup chunk of {len(chunk)} bytes is shorter than its "
                            f"{size}-byte header", hint="the bundle is corrupt")
            fields = self._header.unpack_from(chunk)
            if self.version == "01":
                node, p1, p2, linknode = fields
                base = p1 if prev is None else prev
                flags = 0
            elif self.version == "02":
                node, p1, p2, base, linknode = fields
                flags = 0
            else:
                node, p1, p2, base, linknode, flags = fields
            prev = Node(node)
            yield DeltaChunk(Node(node), Node(p1), Node(p2), Node(base), Node(linknode),
                             flags, chunk[size:])

    def changelog(self) -> Iterator[DeltaChunk]:
        return self._group()

    def manifests(self) -> Iterator[DeltaChunk]:
        yield from self._group()
        if self.version == "03" and readchunk(self.stream):
            raise Abort("tree manifests are not supported",
                        hint="the sending repository uses the treemanifest format")

    def files(self) -> Iterator[tuple[bytes, Iterator[DeltaChunk]]]:
        while True:
            path = readchunk(self.stream)
            if not path:
                return
            yield path, self._group()


# -- generation ----------------------------------------------------------------


def _commonrevs(cl: Revlog, common: Iterable[int]) -> set[int]:
    """*common* and all their ancestors."""
    seen: set[int] = set()
    stack = [r for r in common if r != nullrev]
    while stack:
        rev = stack.pop()
        if rev in seen:
            continue
        seen.add(rev)
        stack.extend(p for p in cl.parentrevs(rev) if p != nullrev and p not in seen)
    return seen


class _Packer:
    def __init__(self, version: str) -> None:
        self.version = version
        self.header = _HEADERS[version]

    def chunk(self, node: bytes, p1: bytes, p2: bytes, base: bytes, linknode: bytes,
              flags: int, delta: bytes) -> Iterator[bytes]:
        if self.version == "03":
            header = self.header.pack(node, p1, p2, base, linknode, flags)
        else:
            header = self.header.pack(node, p1, p2, base, linknode)
        yield chunkheader(len(header) + len(delta))
        yield header
        yield delta


def _group(packer: _Packer, revlog: Revlog, revs: list[int], linknodes: dict[int, Node],
           known: set[int], fulltexts: bool = False,
           ondelta: Callable[[int, bytes], None] | None = None) -> Iterator[bytes]:
    """The delta group of *revs* (ascending); deltas against p1 when the receiver has it.

    *fulltexts* sends every revision whole (hg does so for the changelog,
    whose revlog stores no deltas to reuse).  *ondelta(rev, delta)* sees
    each delta sent.
    """
    from amalgam.storage import mdiff

    for rev in revs:
        p1, p2 = revlog.parentrevs(rev)
        if not fulltexts and p1 != nullrev and p1 in known:
            base = p1
            delta = revlog.revdiff(p1, rev)
        else:
            base = nullrev
            delta = mdiff.trivialdiffheader(revlog.size(rev)) + revlog.rawdata(rev)
        known.add(rev)
        if ondelta is not None:
            ondelta(rev, delta)
        flags = revlog.flags(rev) if packer.version == "03" else 0
        yield from packer.chunk(revlog.node(rev), revlog.node(p1), revlog.node(p2),
                                revlog.node(base), linknodes[rev], flags, delta)
    yield closechunk()


def _parse_insertions(delta: bytes) -> list[tuple[bytes, Node]] | None:
    """Manifest entries a delta inserts, or None if its hunks are not whole lines."""
    entries = []
    pos = 0
    while pos < len(delta):
        _start, _end, size = struct.unpack_from(">lll", delta, pos)
        data = delta[pos + 12:pos + 12 + size]
        pos += 12 + size
        if data and not data.endswith(b"\n"):
            return None
        for line in data.splitlines():
            path, sep, rest = line.partition(b"\0")
            if not sep or len(rest) < 40 or rest[40:] not in (b"", b"x", b"l", b"t"):
                return None
            try:
                entries.append((path, Node(bytes.fromhex(rest[:40].decode("ascii")))))
            except ValueError:
                return None
    return entries


def _new_entries(repo: Repository, mrev: int, delta: bytes) -> list[tuple[bytes, Node]]:
    """File revisions manifest *mrev* adds over its first parent.

    The delta sent against p1 (or a full text) lists them, as hg's
    ``readfast`` assumes; an entry naming a file revision that does not
    exist means the delta was not line-aligned, and the manifests are
    compared in full instead.
    """
    entries = _parse_insertions(delta)
    if entries is not None and all(repo.file(path).revlog.hasnode(fnode)
                                   for path, fnode in entries):
        return entries
    mlog = repo.manifestlog
    mine = mlog.read(mlog.revlog.node(mrev))
    parent = mlog.read(mlog.revlog.node(mlog.revlog.parentrevs(mrev)[0]))
    return [(path, new[0]) for path, (new, _old) in mine.diff(parent).items() if new is not None]


def generate(repo: Repository, missing: Iterable[int], common: Iterable[int],
             version: str = "02", keep: Callable[[bytes], bool] | None = None
             ) -> Iterator[bytes]:
    """The changegroup sending changesets *missing* to a peer that has *common*.

    *common* are changeset revisions the receiver has (their ancestors are
    implied).  Manifests and file revisions are sent when the changeset that
    introduced them (their linkrev) is not common; each is linked to the
    first sent changeset that references it.  *keep*, when given, decides
    which files' groups are sent (narrow-style filtering by plugins).
    """
    if version not in OUTGOING_VERSIONS:
        raise Abort(f"cannot produce changegroup version '{version}'",
                    hint=f"use one of: {', '.join(OUTGOING_VERSIONS)}")
    packer = _Packer(version)
    cl = repo.changelog.revlog
    revs = sorted(set(missing))
    commonrevs = _commonrevs(cl, common)
    clnodes = {rev: cl.node(rev) for rev in revs}
    manifests: list[tuple[int, Node]] = []

    def changeset(rev: int, delta: bytes) -> None:
        # A full text after its 12-byte hunk header; line one is the manifest.
        manifests.append((rev, Node(bytes.fromhex(delta[12:52].decode("ascii")))))

    yield from _group(packer, cl, revs, clnodes, set(), fulltexts=True, ondelta=changeset)

    mlog = repo.manifestlog.revlog
    mlinks: dict[int, Node] = {}
    for rev, mnode in manifests:
        if mnode == nullid:
            continue
        mrev = mlog.rev(mnode)
        if mrev not in mlinks and mlog.linkrev(mrev) not in commonrevs:
            mlinks[mrev] = clnodes[rev]
    mrevs = sorted(mlinks)
    mknown = {r for r in range(len(mlog)) if mlog.linkrev(r) in commonrevs} if mrevs else set()
    needed: dict[bytes, dict[Node, Node]] = {}

    def manifest(mrev: int, delta: bytes) -> None:
        for path, fnode in _new_entries(repo, mrev, delta):
            needed.setdefault(path, {}).setdefault(fnode, mlinks[mrev])

    yield from _group(packer, mlog, mrevs, mlinks, mknown, ondelta=manifest)
    if version == "03":
        yield closechunk()

    for path in sorted(needed):
        if keep is not None and not keep(path):
            continue
        flog = repo.file(path).revlog
        links: dict[int, Node] = {}
        for fnode, linknode in needed[path].items():
            frev = flog.rev(fnode)
            if flog.linkrev(frev) not in commonrevs:
                links[frev] = linknode
        if not links:
            continue
        fknown = {r for r in range(len(flog)) if flog.linkrev(r) in commonrevs}
        yield chunkheader(len(path))
        yield path
        yield from _group(packer, flog, sorted(links), links, fknown)
    yield closechunk()
