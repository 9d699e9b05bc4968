"""The revlog v1 index: header, 64-byte entries, inline layout.

Entries are decoded on demand with ``struct.unpack_from`` straight from the
file's bytes (an mmap for big indexes), so opening a revlog costs nothing
per revision except, for inline revlogs, one walk to find where each entry
sits between the data chunks.  Entries appended in this process are kept in
a list next to the on-disk part.
"""
from __future__ import annotations

import struct
from operator import itemgetter

from amalgam.error import StorageError

ENTRY = struct.Struct(">Qiiiiii20s12x")
ENTRY_SIZE = ENTRY.size
_COMPLEN = struct.Struct(">i")
_HEADER = struct.Struct(">I")

REVLOGV1 = 1
FLAG_INLINE_DATA = 1 << 16
FLAG_GENERALDELTA = 1 << 17
FLAG_FILELOG_HASMETA = 1 << 18
FLAG_DELTA_INFO = 1 << 19
_KNOWN_HEADER_FLAGS = (FLAG_INLINE_DATA | FLAG_GENERALDELTA | FLAG_FILELOG_HASMETA
                       | FLAG_DELTA_INFO)

# Per-revision flags (index bytes 6-7).
REVIDX_ISCENSORED = 0x8000
REVIDX_ELLIPSIS = 0x4000
REVIDX_EXTSTORED = 0x2000
REVIDX_HASCOPIESINFO = 0x1000
REVIDX_HASMETA = 0x0800
REVIDX_DELTA_INFO = 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0040
REVIDX_KNOWN = (REVIDX_ISCENSORED | REVIDX_ELLIPSIS | REVIDX_EXTSTORED
                | REVIDX_HASCOPIESINFO)
# Flags whose revisions legitimately fail the node hash check.
REVIDX_NOHASH = REVIDX_ISCENSORED | REVIDX_ELLIPSIS | REVIDX_EXTSTORED


class Entry(tuple):
    """One decoded index entry (rev 0's offset is always 0).

    A named tuple written out by hand: typing.NamedTuple and
    collections.namedtuple import typing or collections (with re, enum,
    functools...), milliseconds at start-up for every command that reads a
    revlog.
    """

    __slots__ = ()
    _fields = ("offset", "flags", "complen", "rawsize", "base", "linkrev", "p1", "p2",
               "node")

    def __new__(cls, offset: int, flags: int, complen: int, rawsize: int, base: int,
                linkrev: int, p1: int, p2: int, node: bytes) -> Entry:
        return tuple.__new__(cls, (offset, flags, complen, rawsize, base, linkrev, p1, p2,
                                   node))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"Entry({fields})"

    def __getnewargs__(self) -> tuple:
        return tuple(self)

    offset: int = property(itemgetter(0))  # type: ignore[assignment]
    flags: int = property(itemgetter(1))  # type: ignore[assignment]
    complen: int = property(itemgetter(2))  # type: ignore[assignment]
    rawsize: int = property(itemgetter(3))  # type: ignore[assignment]
    base: int = property(itemgetter(4))  # type: ignore[assignment]
    linkrev: int = property(itemgetter(5))  # type: ignore[assignment]
    p1: int = property(itemgetter(6))  # type: ignore[assignment]
    p2: int = property(itemgetter(7))  # type: ignore[assignment]
    node: bytes = property(itemgetter(8))  # type: ignore[assignment]


_new_tuple = tuple.__new__
_NO_ENTRY = Entry(0, 0, 0, 0, 0, 0, 0, 0, b"")


def _corrupt(radix: bytes, what: str) -> StorageError:
    return StorageError(f"index {radix.decode('utf-8', 'replace')}.i is corrupt: {what}",
                        hint="run 'amg verify' to see what is damaged")


def parse_header(radix: bytes, data: bytes) -> int:
    """The header word of a non-empty index; refuse what we cannot read."""
    if len(data) < 4:
        raise _corrupt(radix, "truncated header")
    header = _HEADER.unpack_from(data, 0)[0]
    version = header & 0xFFFF
    features = header & ~0xFFFF
    if version != REVLOGV1:
        raise StorageError(
            f"{radix.decode('utf-8', 'replace')}.i: unknown revlog version {version}",
            hint="this revlog was written by a newer or older format")
    if features & ~_KNOWN_HEADER_FLAGS:
        raise StorageError(
            f"{radix.decode('utf-8', 'replace')}.i: unknown revlog feature flags "
            f"0x{features & ~_KNOWN_HEADER_FLAGS:x}",
            hint="this revlog needs a feature this version does not support")
    return header


def known_flags(header: int) -> int:
    """Per-revision flags a revlog with this header may carry."""
    known = REVIDX_KNOWN
    if header & FLAG_FILELOG_HASMETA:
        known |= REVIDX_HASMETA
    if header & FLAG_DELTA_INFO:
        known |= REVIDX_DELTA_INFO
    return known


class Index:
    """Entries of one revlog: the on-disk part plus those appended since."""

    def __init__(self, radix: bytes, data: bytes, inline: bool) -> None:
        self._radix = radix
        self._data = data
        self.inline = inline
        self._added: list[Entry] = []
        self._positions: list[int] | None = None
        # The last on-disk entry decoded: readers ask for the same revision's
        # fields several times in a row (flags, chain, parents, node).
        self._last: tuple[int | None, Entry] = (None, _NO_ENTRY)
        if inline:
            self._positions = self._walk_inline()
            self._ondisk = len(self._positions)
        else:
            if len(data) % ENTRY_SIZE:
                raise _corrupt(radix, f"size {len(data)} is not a multiple of "
                                      f"{ENTRY_SIZE} (truncated entry)")
            self._ondisk = len(data) // ENTRY_SIZE

    def _walk_inline(self) -> list[int]:
        data, size = self._data, len(self._data)
        positions: list[int] = []
        pos = 0
        while pos < size:
            if size - pos < ENTRY_SIZE:
                raise _corrupt(self._radix, f"truncated entry at byte {pos}")
            complen = _COMPLEN.unpack_from(data, pos + 8)[0]
            if complen < 0:
                raise _corrupt(self._radix, f"negative chunk length at byte {pos}")
            positions.append(pos)
            pos += ENTRY_SIZE + complen
        if pos != size:
            raise _corrupt(self._radix, "last inline chunk is truncated")
        return positions

    def __len__(self) -> int:
        return self._ondisk + len(self._added)

    def __getitem__(self, rev: int) -> Entry:
        last = self._last
        if rev == last[0]:
            return last[1]
        if 0 <= rev < self._ondisk:
            pos = self._positions[rev] if self._positions is not None else rev * ENTRY_SIZE
            offset_flags, complen, rawsize, base, link, p1, p2, node = \
                ENTRY.unpack_from(self._data, pos)
            offset = 0 if rev == 0 else offset_flags >> 16
            # tuple.__new__ skips Entry's Python-level __new__.
            entry = _new_tuple(Entry, (offset, offset_flags & 0xFFFF, complen, rawsize, base,
                                       link, p1, p2, node))
            self._last = (rev, entry)
            return entry
        if rev >= self._ondisk and rev - self._ondisk < len(self._added):
            return self._added[rev - self._ondisk]
        raise IndexError(rev)

    def node(self, rev: int) -> bytes:
        if 0 <= rev < self._ondisk:
            pos = (self._positions[rev] if self._positions is not None
                   else rev * ENTRY_SIZE) + 32
            return bytes(self._data[pos:pos + 20])
        return self[rev].node

    def nodes(self) -> list[bytes]:
        positions = self._positions if self._positions is not None else range(
            0, self._ondisk * ENTRY_SIZE, ENTRY_SIZE)
        data = self._data
        return [bytes(data[p + 32:p + 52]) for p in positions] + [
            e.node for e in self._added]

    def append(self, entry: Entry) -> None:
        self._added.append(entry)


def pack_entry(entry: Entry, rev: int, header: int) -> bytes:
    """The 64 bytes of *entry*; rev 0 carries the revlog header in front."""
    packed = ENTRY.pack((entry.offset << 16) | entry.flags, entry.complen, entry.rawsize,
                        entry.base, entry.linkrev, entry.p1, entry.p2, entry.node)
    if rev == 0:
        packed = _HEADER.pack(header) + packed[4:]
    return packed
