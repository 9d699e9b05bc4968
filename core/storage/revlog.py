"""Revlog v1: hg's append-only store of the revisions of one object.

A revlog ``RADIX`` is an index ``RADIX.i`` of 64-byte entries and the
chunks (compressed full texts or deltas), either interleaved with the index
("inline", for small revlogs) or in ``RADIX.d``.  Layout facts:
``hg help internals.revlogs`` and hg-formats.md sections 2 and 3.

Reading never trusts the file: bases, parents, offsets, lengths and
decompressed sizes are checked against what the index and the files allow
before anything is sliced or allocated, and every problem is a
``StorageError``.  Writing appends the chunk before the index entry, under a
transaction, and turns an inline revlog into a split one once its data
reaches ``inline_threshold`` bytes.
"""
from __future__ import annotations

import sys
# typing.TYPE_CHECKING without importing typing, and plain dicts (ordered)
# as LRU tables: typing and collections cost milliseconds of every command
# that reads a revlog.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

from amalgam.error import StorageError
from amalgam.node import Node, hex, nullid, nullrev
from amalgam.storage import compression, mdiff, revlog_io
from amalgam.storage.revlog_cache import STEP, STEP_MAX_TEXT, Stops, remember_step
from amalgam.storage.revlog_index import (
    ENTRY_SIZE, FLAG_GENERALDELTA, FLAG_INLINE_DATA, REVIDX_ELLIPSIS, REVIDX_EXTSTORED,
    REVIDX_ISCENSORED, REVIDX_KNOWN, REVIDX_NOHASH, REVLOGV1, Entry, Index, known_flags,
    pack_entry, parse_header)

if TYPE_CHECKING:
    from amalgam.storage.revlog_stats import Problem

__all__ = ["Revlog", "LookupFailed", "CensoredNode", "hashrevision",
           "DEFAULT_OPTIONS"]

DEFAULT_OPTIONS: dict[str, Any] = {
    "compression": "zlib",
    "zstd_level": 3,
    "zlib_level": None,
    "generaldelta": True,
    "sparse": True,
    "max_chain_len": 1000,
    # hg splits an inline revlog once its data reaches 128 KiB.
    "inline_threshold": 131072,
    # hg creates filelogs and manifests inline, the changelog split.
    "new_inline": True,
    # Bytes of recent full texts kept (the manifest of a big repository is
    # bigger than a file's budget, and a commit reads it twice).
    "cache_bytes": 8 << 20,
}
# Index size fields are signed 32-bit.
_MAX_TEXT = 2**31 - 1
# Full-text cache per revlog: recent texts, bounded in bytes (the
# "cache_bytes" option) because a repository may keep thousands of filelogs
# open during a big commit.  Enough entries to hold the tips of the branches
# a pull interleaves, whose texts are the bases of the next deltas.
_CACHE_ENTRIES = 24


class LookupFailed(StorageError, LookupError):
    """A node, prefix or revision number is not in this revlog."""


class CensoredNode(StorageError):
    """The revision's content was removed by ``censor``."""


#: Small texts hashed with the builtin SHA-1 before switching to OpenSSL's.
_BUILTIN_BUDGET = 256
_builtin_left = _BUILTIN_BUDGET


def _sha1_for(size: int) -> Any:
    """OpenSSL's SHA-1, unless it is not loaded yet and only a few small texts need one.

    Importing ``hashlib`` (OpenSSL) costs 2-3 ms; the builtin ``_sha1`` loads
    in 0.2 ms but is several times slower per byte.  A command that checks
    a hundred changesets (``log -l 100``) stays on the builtin one; bulk
    work (verify, clone) moves to OpenSSL after a few hundred texts.
    """
    global _builtin_left
    if _builtin_left > 0 and size < 16384 and "hashlib" not in sys.modules:
        try:
            from _sha1 import sha1
        except ImportError:  # an interpreter built without it
            _builtin_left = 0
        else:
            _builtin_left -= 1
            return sha1
    from hashlib import sha1

    return sha1


def hashrevision(text: bytes, p1: bytes, p2: bytes) -> Node:
    """hg's node id: SHA-1 of both parent nodes, smaller first, then the text."""
    a, b = (p1, p2) if p1 < p2 else (p2, p1)
    digest = _sha1_for(len(text))(a)
    digest.update(b)
    digest.update(text)
    return Node(digest.digest())


class Revlog:
    """Read and append the revisions stored under ``radix`` in ``opener``."""

    def __init__(self, opener: Any, radix: bytes, *,
                 options: dict[str, Any] | None = None) -> None:
        self.opener = opener
        self.radix = radix
        self.indexfile = radix + b".i"
        self.datafile = radix + b".d"
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        engine = self.options["compression"]
        if engine not in compression.ENGINES:
            raise StorageError(f"unknown revlog compression engine '{engine}'",
                               hint=f"use one of: {', '.join(compression.ENGINES)}")
        self.compression_level = self.options.get(f"{engine}_level")
        self._load()

    # -- loading -----------------------------------------------------------

    def _load(self) -> None:
        data = revlog_io.read_index(self.opener, self.indexfile)
        if data:
            self._header = parse_header(self.radix, data)
        else:
            self._header = REVLOGV1
            if self.options["new_inline"]:
                self._header |= FLAG_INLINE_DATA
            if self.options["generaldelta"]:
                self._header |= FLAG_GENERALDELTA
        self._index = Index(self.radix, data, bool(self._header & FLAG_INLINE_DATA))
        self._known_flags = known_flags(self._header)
        self._nodemap: dict[bytes, int] | None = None
        self._cache: dict[int, bytes] = {}
        self._cache_bytes = 0
        # Identifies this load's texts in the shared step cache; a reload
        # (rollback, another writer) starts afresh.
        self._stops = Stops(self._cache, object())
        # A revlog being written (clone, pull, commit) rebuilds bases in
        # passing, not newest-first walks: keeping steps there only costs
        # memory, so the first write turns it off for this load.
        self._keep_steps = True
        self._chaininfo: dict[int, tuple[int, int, int]] = {}
        self._reader = revlog_io.ReadAhead()

    def reload(self) -> None:
        """Forget in-memory state and re-read the files (e.g. after a rollback)."""
        self._load()

    # -- index queries -----------------------------------------------------

    @property
    def generaldelta(self) -> bool:
        return bool(self._header & FLAG_GENERALDELTA)

    def is_inline(self) -> bool:
        return self._index.inline

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._index)))

    iter_revs = __iter__

    def _entry(self, rev: int) -> Entry:
        try:
            return self._index[rev]
        except IndexError:
            raise LookupFailed(f"{self._name}: no revision {rev}",
                               hint="the revision number is out of range") from None

    @property
    def _name(self) -> str:
        return self.radix.decode("utf-8", "replace")

    def tip(self) -> Node:
        return self.node(len(self) - 1)

    def node(self, rev: int) -> Node:
        if rev == nullrev:
            return nullid
        if not 0 <= rev < len(self._index):
            raise LookupFailed(f"{self._name}: no revision {rev}",
                               hint="the revision number is out of range")
        return Node(self._index.node(rev))

    def _nodes(self) -> dict[bytes, int]:
        if self._nodemap is None:
            self._nodemap = {node: rev for rev, node in enumerate(self._index.nodes())}
        return self._nodemap

    def keep_steps(self, keep: bool) -> bool:
        """Whether rebuilds keep chain steps for newest-first readers; returns the old value.

        A forward walk (bundle generation) turns it off: it would only fill
        the step cache with texts nobody reads again.
        """
        old, self._keep_steps = self._keep_steps, keep
        return old

    def rev(self, node: bytes) -> int:
        if node == nullid:
            return nullrev
        rev = self._nodes().get(node)
        if rev is None:
            raise LookupFailed(f"{self._name}@{hex(node)}: no node",
                               hint="the revision is not in this revlog")
        return rev

    def hasnode(self, node: bytes) -> bool:
        return node == nullid or node in self._nodes()

    def index_entry(self, rev: int) -> Entry:
        """The decoded index entry of *rev* (for debugindex)."""
        return self._entry(rev)

    def parentrevs(self, rev: int) -> tuple[int, int]:
        if rev == nullrev:
            return nullrev, nullrev
        entry = self._entry(rev)
        return entry.p1, entry.p2

    def parents(self, node: bytes) -> tuple[Node, Node]:
        p1, p2 = self.parentrevs(self.rev(node))
        return self.node(p1), self.node(p2)

    def linkrev(self, rev: int) -> int:
        return self._entry(rev).linkrev

    def flags(self, rev: int) -> int:
        return self._entry(rev).flags

    def rawsize(self, rev: int) -> int:
        return self._entry(rev).rawsize

    def start(self, rev: int) -> int:
        return self._entry(rev).offset

    def length(self, rev: int) -> int:
        return self._entry(rev).complen

    def end(self, rev: int) -> int:
        entry = self._entry(rev)
        return entry.offset + entry.complen

    def _datasize(self) -> int:
        return self.end(len(self) - 1) if len(self) else 0

    def deltaparent(self, rev: int) -> int:
        entry = self._entry(rev)
        if entry.base == rev:
            return nullrev
        return entry.base if self.generaldelta else rev - 1

    def _chainbase_checked(self, rev: int, base: int) -> int:
        if not 0 <= base <= rev:
            raise StorageError(
                f"{self._name}: revision {rev} has delta base {base} outside 0..{rev}",
                hint="the index is corrupt; run 'amg verify'")
        return base

    def deltachain(self, rev: int, stoprev: int | None = None) -> tuple[list[int], bool]:
        """Revisions whose chunks rebuild *rev*, oldest first; and whether *stoprev* cut it."""
        revs, _entries, stopped = self._walkchain(rev, () if stoprev is None else (stoprev,))
        return revs, stopped

    def _walkchain(self, rev: int, stop: Any) -> tuple[list[int], list[Entry], bool]:
        """Chain of *rev* (oldest first) with its entries, cut at a rev in *stop*."""
        revs: list[int] = []
        entries: list[Entry] = []
        current = rev
        stopped = True
        while current not in stop:
            entry = self._entry(current)
            revs.append(current)
            entries.append(entry)
            base = self._chainbase_checked(current, entry.base)
            if base == current:
                stopped = False
                break
            # Bases are strictly below their revision, so the walk ends.
            current = base if self.generaldelta else current - 1
        revs.reverse()
        entries.reverse()
        return revs, entries, stopped

    def chaininfo(self, rev: int) -> tuple[int, int, int]:
        """(number of deltas, total stored bytes, snapshot rev) of *rev*'s chain."""
        info = self._chaininfo.get(rev)
        if info is None:
            walk: list[int] = []
            current = rev
            while current not in self._chaininfo:
                walk.append(current)
                base = self._chainbase_checked(current, self._entry(current).base)
                if base == current:
                    self._chaininfo[current] = (0, self.length(current), current)
                    walk.pop()
                    break
                current = base if self.generaldelta else current - 1
            for r in reversed(walk):
                parent = self.deltaparent(r)
                plen, psize, pbase = self._chaininfo[parent]
                self._chaininfo[r] = (plen + 1, psize + self.length(r), pbase)
            info = self._chaininfo[rev]
        return info

    def chainlen(self, rev: int) -> int:
        return self.chaininfo(rev)[0]

    def chainbase(self, rev: int) -> int:
        return self.chaininfo(rev)[2]

    def issnapshot(self, rev: int) -> bool:
        """Whether *rev* is stored as a full text or as an intermediate snapshot.

        An intermediate snapshot is a delta against another snapshot that is
        not one of its parents (sparse-revlog's definition).
        """
        while True:
            if rev == nullrev:
                return True
            base = self._chainbase_checked(rev, self._entry(rev).base)
            if base == rev:
                return True
            if not self.generaldelta or base in self.parentrevs(rev):
                return False
            rev = base

    def headrevs(self) -> list[int]:
        count = len(self)
        ishead = [True] * count
        for rev in range(count):
            p1, p2 = self.parentrevs(rev)
            if 0 <= p1 < count:
                ishead[p1] = False
            if 0 <= p2 < count:
                ishead[p2] = False
        return [rev for rev in range(count) if ishead[rev]] or [nullrev]

    def lookup_prefix(self, hexprefix: str | bytes) -> Node | None:
        """The node whose hex form starts with *hexprefix*; None when none does."""
        if isinstance(hexprefix, bytes):
            hexprefix = hexprefix.decode("ascii", "replace")
        hexprefix = hexprefix.lower()
        if not hexprefix or len(hexprefix) > 40 or any(
                c not in "0123456789abcdef" for c in hexprefix):
            return None
        even = bytes.fromhex(hexprefix[:len(hexprefix) & ~1])
        found = [node for node in self._nodes()
                 if node.startswith(even) and hex(node).startswith(hexprefix)]
        if len(found) > 1:
            raise LookupFailed(f"{self._name}@{hexprefix}: ambiguous identifier",
                               hint="use more digits of the node id")
        return Node(found[0]) if found else None

    # -- reading -----------------------------------------------------------

    def storedchunks(self, revs: list[int]) -> list[bytes]:
        """The stored chunks of *revs* (ascending), read with as few reads as sensible."""
        return self._readchunks(revs, [self._entry(rev) for rev in revs])

    def _readchunks(self, revs: list[int], entries: list[Entry]) -> list[bytes]:
        inline = self._index.inline
        starts = [e.offset + ENTRY_SIZE * (r + 1) if inline else e.offset
                  for r, e in zip(revs, entries)]
        path = self.indexfile if inline else self.datafile
        known = len(self) * ENTRY_SIZE + self._datasize() if inline else self._datasize()
        return self._reader.read(self.opener, path, starts, [e.complen for e in entries],
                                 known)

    def _check_flags(self, rev: int) -> int:
        flags = self.flags(rev)
        if flags & ~self._known_flags:
            raise StorageError(
                f"{self._name}: revision {rev} has unknown flags 0x{flags & ~self._known_flags:x}",
                hint="this revision needs a feature this version does not support")
        return flags

    def _rebuild(self, rev: int) -> bytes:
        stops = self._stops
        revs, entries, stopped = self._walkchain(rev, stops)
        if not revs:  # *rev* itself was kept while rebuilding a longer chain
            return stops.get(rev)
        chunks = self._readchunks(revs, entries)
        if stopped:
            text = stops.get(self.deltaparent(revs[0]))
            first = 0
        else:
            text = revlog_io.decompress_chunk(entries[0].rawsize, chunks[0], -1)
            first = 1
        deltalist = _deltas(entries[first:], chunks[first:], len(text))
        done = 0
        if len(deltalist) > STEP and entries[-1].rawsize <= STEP_MAX_TEXT \
                and self._keep_steps:
            if first:  # the chain's snapshot, decompressed
                remember_step((stops.token, revs[0]), text)
            while len(deltalist) - done > STEP:
                text = mdiff.patches(text, deltalist[done:done + STEP])
                done += STEP
                index = first + done - 1
                self._checkrebuilt(revs[index], entries[index].rawsize, text)
                remember_step((stops.token, revs[index]), text)
        text = mdiff.patches(text, deltalist[done:])
        self._checkrebuilt(rev, entries[-1].rawsize, text)
        return text

    def revision_from(self, rev_or_node: int | bytes, baserev: int,
                      basetext: bytes) -> bytes | None:
        """The text of a revision rebuilt from *basetext*, the text of *baserev*.

        A caller holding the text of a revision further along the delta
        chain than its snapshot (a cache on disk) applies only the deltas
        after it.  None when *baserev* is not in the chain, *basetext* has
        not its size, or the revision has flags (read it with
        :meth:`revision`).  The result is hash-checked like any read, so a
        wrong *basetext* raises ``StorageError`` rather than passing.
        """
        rev = self._torev(rev_or_node)
        if rev == nullrev or self._check_flags(rev) or not 0 <= baserev <= rev:
            return None
        if self.rawsize(baserev) not in (-1, len(basetext)):
            return None
        cached = self._cache.get(rev)
        if cached is not None:
            return cached
        revs, entries, stopped = self._walkchain(rev, (baserev,))
        if not stopped:
            return None
        text = basetext
        if revs:
            deltalist = _deltas(entries, self._readchunks(revs, entries), len(text))
            text = mdiff.patches(text, deltalist)
            self._checkrebuilt(rev, entries[-1].rawsize, text)
        self.checkhash(text, rev)
        self._remember(rev, text)
        return text

    def remember(self, rev_or_node: int | bytes, text: bytes) -> None:
        """Keep *text*, which the caller checked, as the text of a revision.

        A checked copy from elsewhere (a cache on disk) then spares later
        reads, such as a new delta's check against its base, a rebuild.
        """
        rev = self._torev(rev_or_node)
        if rev != nullrev and not self.flags(rev) and self.rawsize(rev) in (-1, len(text)):
            self._remember(rev, text)

    def _checkrebuilt(self, rev: int, rawsize: int, text: bytes) -> None:
        if 0 <= rawsize != len(text):
            raise StorageError(
                f"{self._name}: revision {rev} rebuilt to {len(text)} bytes, "
                f"index says {rawsize}", hint="the revlog is corrupt; run 'amg verify'")

    def _remember(self, rev: int, text: bytes) -> None:
        budget = self.options["cache_bytes"]
        if len(text) > budget or rev in self._cache:
            return
        self._cache[rev] = text
        self._cache_bytes += len(text)
        while len(self._cache) > _CACHE_ENTRIES or self._cache_bytes > budget:
            self._cache_bytes -= len(self._cache.pop(next(iter(self._cache))))

    def _torev(self, rev_or_node: int | bytes) -> int:
        if isinstance(rev_or_node, int):
            if rev_or_node != nullrev:
                self._entry(rev_or_node)
            return rev_or_node
        return self.rev(rev_or_node)

    def rawdata(self, rev_or_node: int | bytes) -> bytes:
        """The stored text of a revision, hash-checked unless its flags forbid it."""
        rev = self._torev(rev_or_node)
        if rev == nullrev:
            return b""
        cached = self._cache.get(rev)
        if cached is not None:
            self._cache[rev] = self._cache.pop(rev)
            return cached
        flags = self._check_flags(rev)
        text = self._rebuild(rev)
        if not flags & REVIDX_NOHASH:
            self.checkhash(text, rev)
        self._remember(rev, text)
        return text

    def revision(self, rev_or_node: int | bytes) -> bytes:
        """The text of a revision, hash-checked."""
        rev = self._torev(rev_or_node)
        if rev != nullrev:
            flags = self._check_flags(rev)
            if flags & REVIDX_ISCENSORED:
                raise CensoredNode(f"{self._name}: revision {rev} is censored",
                                   hint="its content was removed with 'censor'")
            if flags & REVIDX_EXTSTORED:
                raise StorageError(
                    f"{self._name}: revision {rev} is stored externally",
                    hint="enable the plugin that handles the 'lfs' requirement")
        return self.rawdata(rev)

    def checkhash(self, text: bytes, rev: int) -> None:
        p1, p2 = self.parentrevs(rev)
        node = self.node(rev)
        if hashrevision(text, self.node(p1), self.node(p2)) != node:
            raise StorageError(f"integrity check failed on {self._name}:{rev}",
                               hint="the revlog is corrupt; run 'amg verify'")

    def iter_texts(self, keep_bytes: int = 64 << 20
                   ) -> Iterator[tuple[int, bytes | None, int, bytes | None]]:
        """``(rev, text, base, delta)`` for every revision in order, each read once.

        A bulk reader (verify) gets each text by applying the stored delta to
        the text of its base, kept since that base was yielded (only while a
        later revision still needs it, within *keep_bytes*), instead of
        rebuilding every chain from its snapshot.  *text* is hash-checked and
        remembered as :meth:`revision` would; *delta* is the decompressed
        delta against *base* (None for a full text).  *text* is None when this
        path cannot give it (flags, damage, a base not kept): :meth:`revision`
        then gives the text or the precise error.  An index whose chunks are
        not laid end to end is damaged: every text is then left to
        :meth:`revision`, so the errors are those of any reader.
        """
        count = len(self)
        try:
            entries = [self._entry(rev) for rev in range(count)]
        except StorageError:
            entries = []
        general = self.generaldelta
        bases = [nullrev if e.base == rev else e.base if general else rev - 1
                 for rev, e in enumerate(entries)]
        pos = 0
        for entry in entries:
            if entry.offset != pos or entry.complen < 0:
                entries = []
                break
            pos += entry.complen
        if not entries:
            for rev in range(count):
                yield rev, None, nullrev, None
            return
        lastuse = {base: rev for rev, base in enumerate(bases)}
        inline = self._index.inline
        path = self.indexfile if inline else self.datafile
        kept: dict[int, bytes] = {}
        kept_bytes = 0
        for first in range(0, count, 256):
            revs = range(first, min(first + 256, count))
            try:
                chunks = revlog_io.read_chunks(
                    self.opener, path,
                    [entries[r].offset + (ENTRY_SIZE * (r + 1) if inline else 0) for r in revs],
                    [entries[r].complen for r in revs])
            except StorageError:
                chunks = []  # a short file: revision() reports each revision
            for rev in revs:
                text = delta = None
                base = bases[rev]
                if chunks and not entries[rev].flags and (base == nullrev or base in kept):
                    try:
                        text, delta = self._apply_stored(rev, entries[rev],
                                                         chunks[rev - first], kept.get(base))
                    except Exception:  # revision() reports the damage precisely
                        text = delta = None
                if lastuse.get(base) == rev:
                    kept_bytes -= len(kept.pop(base, b""))
                if text is not None:
                    self._remember(rev, text)
                    if lastuse.get(rev, -1) > rev and kept_bytes + len(text) <= keep_bytes:
                        kept[rev] = text
                        kept_bytes += len(text)
                yield rev, text, base, delta

    def _apply_stored(self, rev: int, entry: Entry, chunk: bytes,
                      basetext: bytes | None) -> tuple[bytes, bytes | None]:
        """*rev*'s checked text from its stored *chunk* (and its base's text), and the delta."""
        if basetext is None:
            text = revlog_io.decompress_chunk(entry.rawsize, chunk, -1)
            delta = None
        else:
            delta = revlog_io.decompress_chunk(entry.rawsize, chunk, len(basetext))
            text = mdiff.patch(basetext, delta)
        self._checkrebuilt(rev, entry.rawsize, text)
        # checkhash() on the entry at hand (a failure is reported by revision())
        if hashrevision(text, self.node(entry.p1), self.node(entry.p2)) != entry.node:
            raise StorageError("integrity check failed")
        return text, delta

    def revdiff(self, rev1: int, rev2: int) -> bytes:
        """A delta from revision *rev1* to *rev2* (the stored one when it fits)."""
        if (rev1 != nullrev and self.deltaparent(rev2) == rev1
                and not self._check_flags(rev2) & REVIDX_NOHASH):
            chunk = self.storedchunks([rev2])[0]
            return revlog_io.decompress_chunk(self.rawsize(rev2), chunk,
                                              max(self.rawsize(rev1), 0))
        return mdiff.textdiff(self.rawdata(rev1), self.rawdata(rev2))

    def size(self, rev: int) -> int:
        """Length of the text of *rev*."""
        rawsize = self.rawsize(rev)
        return rawsize if rawsize >= 0 else len(self.rawdata(rev))

    # -- writing -----------------------------------------------------------

    def addrevision(self, text: bytes, transaction: Any, linkrev: int, p1: bytes,
                    p2: bytes, *, node: bytes | None = None, flags: int = 0,
                    cachedelta: tuple[int, bytes] | None = None) -> Node:
        """Append *text* as a child of *p1*/*p2*; an existing node is returned as is.

        *cachedelta* ``(baserev, delta)``, a delta from revision *baserev* to
        *text* the caller already knows, spares diffing when it is acceptable.
        """
        if node is None:
            node = hashrevision(text, p1, p2)
        if self.hasnode(node):
            return Node(node)
        if flags & ~REVIDX_KNOWN:
            raise StorageError(f"{self._name}: cannot store unknown flags 0x{flags:x}",
                               hint="this is a bug in the caller")
        if len(text) > _MAX_TEXT:
            raise StorageError(f"{self._name}: a revision of {len(text)} bytes is too big "
                               "for a revlog (2 GiB at most)",
                               hint="store big files with the largefiles plugin")
        self._keep_steps = False
        p1r, p2r = self.rev(p1), self.rev(p2)
        rev = len(self)
        offset = self._datasize()
        # The write path and verification load on first use: reading
        # commands (status, log) do not need them at start-up.
        from amalgam.storage import deltas

        if flags & REVIDX_NOHASH:
            choice = deltas.DeltaChoice(rev, compression.compress(
                text, self.options["compression"], self.compression_level))
        else:
            choice = deltas.choose(self, text, rev, p1r, p2r, offset, cachedelta)
        entry = Entry(offset, flags, len(choice.chunk), len(text), choice.base, linkrev,
                      p1r, p2r, bytes(node))
        packed = pack_entry(entry, rev, self._header)
        isize = ENTRY_SIZE * rev + (offset if self._index.inline else 0)
        if self._index.inline:
            transaction.add(self.indexfile, isize)
            with self.opener(self.indexfile, "ab") as fp:
                fp.write(packed + choice.chunk)
        else:
            transaction.add(self.datafile, offset)
            with self.opener(self.datafile, "ab") as fp:
                fp.write(choice.chunk)
            transaction.add(self.indexfile, isize)
            with self.opener(self.indexfile, "ab") as fp:
                fp.write(packed)
        self._index.append(entry)
        if self._nodemap is not None:
            self._nodemap[bytes(node)] = rev
        if not flags & REVIDX_ELLIPSIS:
            self._remember(rev, text)
        if self._index.inline and offset + len(choice.chunk) >= self.options["inline_threshold"]:
            self._split(transaction)
        return Node(node)

    def _split(self, transaction: Any) -> None:
        """Move the chunks of an inline revlog to ``.d`` and rewrite ``.i`` without them.

        The old ``.i`` is backed up first: a rollback restores it and then cuts
        it back to its size before the transaction.
        """
        count = len(self)
        chunks = self.storedchunks(list(range(count)))
        transaction.addbackup(self.indexfile)
        transaction.add(self.datafile, 0)
        with self.opener(self.datafile, "wb") as fp:
            for chunk in chunks:
                fp.write(chunk)
        header = self._header & ~FLAG_INLINE_DATA
        with self.opener(self.indexfile, "wb", atomictemp=True) as fp:
            for rev in range(count):
                fp.write(pack_entry(self._index[rev], rev, header))
        cache, cache_bytes, stops = self._cache, self._cache_bytes, self._stops
        self._load()
        # The texts did not change, only where the chunks live.
        self._cache, self._cache_bytes, self._stops = cache, cache_bytes, stops

    # -- verification and statistics ----------------------------------------

    def checksize(self) -> list[Problem]:
        """Size mismatches between the index and the files."""
        from amalgam.storage.revlog_stats import checksize

        return checksize(self)

    def verify_integrity(self) -> list[Problem]:
        """Every revision rebuilt and hash-checked; problems listed, not raised."""
        from amalgam.storage.revlog_stats import verify_integrity

        return verify_integrity(self)

    def stats(self) -> dict[str, Any]:
        """Chain and compression figures for debugrevlog."""
        from amalgam.storage.revlog_stats import stats

        return stats(self)


def _deltas(entries: list[Entry], chunks: list[bytes], basesize: int) -> list[bytes]:
    """The decompressed deltas of a chain's *chunks*, applied to a *basesize*-byte text."""
    out = []
    for entry, chunk in zip(entries, chunks):
        out.append(revlog_io.decompress_chunk(entry.rawsize, chunk, max(basesize, 0)))
        basesize = entry.rawsize
    return out
