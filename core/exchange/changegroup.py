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


#: revisions and stored bytes read from a revlog at once while generating
_BATCH_REVS = 256
_BATCH_BYTES = 4 << 20


def _batches(revlog: Revlog, revs: list[int]) -> Iterator[list[int]]:
    """*revs* in runs whose stored chunks are read together (bounded memory)."""
    batch: list[int] = []
    size = 0
    for rev in revs:
        batch.append(rev)
        size += revlog.length(rev)
        if len(batch) >= _BATCH_REVS or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _group(packer: _Packer, revlog: Revlog, revs: list[int], linknodes: dict[int, Node],
           known: set[int], fulltexts: bool = False,
           ondelta: Callable[[int, int, bytes], None] | None = None,
           stored_base: bool = True) -> Iterator[bytes]:
    """The delta group of *revs* (ascending), each against a revision the receiver has.

    Like hg, the stored delta is sent as is when its base is known to the
    receiver (or sent before it in this group), else a delta against p1,
    else the full text; *stored_base* False keeps p1 as the only base (the
    manifest deltas must be against p1 to list the new file revisions).
    *fulltexts* sends every revision whole (hg does so for the changelog).
    Stored chunks are read a batch at a time, not one open per revision.
    *ondelta(rev, base, delta)* sees each delta sent.
    """
    from amalgam.storage import mdiff, revlog_io
    from amalgam.storage.revlog_index import REVIDX_NOHASH

    for batch in _batches(revlog, revs):
        plan: list[tuple[int, int, bool]] = []  # rev, base, whether the stored chunk is it
        for rev in batch:
            p1, _p2 = revlog.parentrevs(rev)
            flags = revlog.flags(rev)
            stored = revlog.deltaparent(rev)
            if fulltexts:
                base = nullrev
            elif stored_base and stored != nullrev and stored in known:
                base = stored
            elif p1 != nullrev and p1 in known:
                base = p1
            else:
                base = nullrev
            plan.append((rev, base, not flags & REVIDX_NOHASH and stored == base
                         and (base != nullrev or not flags)))
            known.add(rev)
        direct = [rev for rev, _base, usable in plan if usable]
        chunks = dict(zip(direct, revlog.storedchunks(direct)))
        for rev, base, usable in plan:
            if usable and base != nullrev:
                delta = revlog_io.decompress_chunk(revlog.rawsize(rev), chunks.pop(rev),
                                                   max(revlog.rawsize(base), 0))
            elif base != nullrev:
                delta = revlog.revdiff(base, rev)
            else:
                if usable:
                    text = revlog_io.decompress_chunk(revlog.rawsize(rev), chunks.pop(rev), -1)
                    revlog.checkhash(text, rev)
                else:
                    text = revlog.rawdata(rev)
                delta = mdiff.trivialdiffheader(len(text)) + text
                del text
            if ondelta is not None:
                ondelta(rev, base, delta)
            p1, p2 = revlog.parentrevs(rev)
            flags = revlog.flags(rev) if packer.version == "03" else 0
            yield from packer.chunk(revlog.node(rev), revlog.node(p1), revlog.node(p2),
                                    revlog.node(base), linknodes[rev], flags, delta)
    yield closechunk()


def line_insertions(base: bytes, delta: bytes) -> list[bytes] | None:
    """The whole lines *delta* inserts into *base*, or None when a hunk is not line-aligned.

    A line-aligned delta against a manifest's first parent lists exactly
    the entries that manifest adds or changes (hg's ``readfast`` relies on
    the same fact), which spares parsing both manifests.
    """
    lines: list[bytes] = []
    pos = 0
    while pos < len(delta):
        start, end, size = struct.unpack_from(">lll", delta, pos)
        data = delta[pos + 12:pos + 12 + size]
        pos += 12 + size
        if ((start and base[start - 1] != 0x0A) or (end and base[end - 1] != 0x0A)
                or (data and not data.endswith(b"\n"))):
            return None
        lines.extend(data.splitlines())
    return lines


class _ManifestEntries:
    """File revisions each sent manifest adds over its first parent.

    Keeps the text of each manifest sent (rebuilt from its parent's with the
    delta just sent) until the last sent manifest having it as first parent
    has been handled, so checking that a delta is line-aligned costs one
    patch, not a rebuild of the parent from its chain's snapshot (which also
    filled the revlog caches with whole manifests).  *children* counts, per
    manifest revision, the sent revisions that have it as first parent;
    without it only the last few texts are kept.  At most ``_KEEP_BYTES`` are
    kept: beyond that the oldest go and are read again if needed.
    """

    _KEEP = 4
    _KEEP_BYTES = 8 << 20

    def __init__(self, repo: Repository, children: dict[int, int] | None = None) -> None:
        self.repo = repo
        self.mlog = repo.manifestlog.revlog
        self.texts: dict[int, bytes] = {}
        self.children = children
        self.kept_bytes = 0

    def _keep(self, mrev: int, text: bytes) -> None:
        children = self.children
        if children is None or children.get(mrev, 0) > 0:
            self.texts[mrev] = text
            self.kept_bytes += len(text)
        limit = self._KEEP if children is None else len(self.texts)
        while self.texts and (len(self.texts) > limit or self.kept_bytes > self._KEEP_BYTES):
            self._drop(next(iter(self.texts)))

    def _drop(self, mrev: int) -> None:
        self.kept_bytes -= len(self.texts.pop(mrev))

    def _used(self, p1: int) -> None:
        """One more child of *p1* handled: forget its text after the last one."""
        children = self.children
        if children is None or p1 not in children:
            return
        children[p1] -= 1
        if children[p1] <= 0:
            del children[p1]
            if p1 in self.texts:
                self._drop(p1)

    def __call__(self, mrev: int, base: int, delta: bytes) -> list[tuple[bytes, Node]]:
        from amalgam.storage import mdiff

        mlog = self.mlog
        p1 = mlog.parentrevs(mrev)[0]
        basetext = b"" if base == nullrev else self.texts.get(base)
        if basetext is None:
            basetext = mlog.rawdata(base)
        text = mdiff.patch(basetext, delta)
        lines = line_insertions(basetext, delta) if base == p1 else None
        del basetext
        entries = _parse_entries(lines) if lines is not None else None
        if entries is None:
            parent = b"" if p1 == nullrev else self.texts.get(p1) or mlog.rawdata(p1)
            entries = _parse_entries(sorted(set(text.splitlines()) - set(parent.splitlines())))
            if entries is None:
                raise Abort(f"manifest revision {mrev} has a malformed line",
                            hint="the repository is corrupt; run 'amg verify'")
        self._used(p1)
        self._keep(mrev, text)
        return entries


def _parse_entries(lines: list[bytes]) -> list[tuple[bytes, Node]] | None:
    """``(path, file node)`` of manifest lines; None if one is malformed."""
    entries = []
    for line in lines:
        path, sep, rest = line.partition(b"\0")
        if not sep or len(rest) < 40 or rest[40:] not in (b"", b"x", b"l", b"t"):
            return None
        try:
            entries.append((path, Node(bytes.fromhex(rest[:40].decode("ascii")))))
        except ValueError:
            return None
    return entries


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

    def changeset(rev: int, _base: int, delta: bytes) -> None:
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

    children: dict[int, int] = {}
    for mrev in mrevs:
        p1 = mlog.parentrevs(mrev)[0]
        children[p1] = children.get(p1, 0) + 1
    new_entries = _ManifestEntries(repo, children)

    def manifest(mrev: int, base: int, delta: bytes) -> None:
        for path, fnode in new_entries(mrev, base, delta):
            needed.setdefault(path, {}).setdefault(fnode, mlinks[mrev])

    # The chain steps a rebuild keeps serve newest-first readers; this walk
    # goes forward and would only fill them with whole manifests.
    keep_steps = mlog.keep_steps(False)
    try:
        yield from _group(packer, mlog, mrevs, mlinks, mknown, ondelta=manifest,
                          stored_base=False)
    finally:
        mlog.keep_steps(keep_steps)
    new_entries.texts.clear()
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
