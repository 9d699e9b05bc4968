"""hg's dirstate v1 format: parse, pack, splice, and compare two versions.

The file is both parents followed by one record per tracked file:
``state mode size mtime namelen`` (``>cllll``) and the name, which is
``path\\0source`` for a copy.  Records have no order.  Sizes and mtimes
are kept masked to 31 bits as hg does, so either tool's dirstate reads
back the same.  :mod:`amalgam.wc.dirstate` holds the rules (the ambiguous
mtime) and the working-copy API.

*Marks* are record offsets, one every :data:`MARK_EVERY` records, noted
while parsing or packing.  They let :func:`changed_records` start reading
a file in the middle: both hg and amg rewrite a dirstate in the order it
was read, so two versions differ in a few places, and only those places
need parsing.
"""
from __future__ import annotations

import struct
from bisect import bisect_right

from amalgam import error
from amalgam.node import Node, nullid

_HEADER = struct.Struct(">cllll")
#: The same layout with the name length unsigned, so a corrupt negative one
#: cannot move the parser backwards.
_READ = struct.Struct(">clllL")
_STATES = {b"n": "n", b"a": "a", b"r": "r", b"m": "m"}
_CODES = {v: k for k, v in _STATES.items()}
_MASK = 0x7FFFFFFF
#: One mark per this many records (about 4 KiB of a typical dirstate).
MARK_EVERY = 64
#: Two versions of a dirstate are compared in blocks of this many bytes.
_BLOCK = 4096
#: Bytes that must agree after two records before they are taken for the same place.
_VERIFY = 256
#: mtimes this far in the future are kept: a clock that far off is not a race.
_FUTURE_SLACK = 86400


def _corrupt(detail: str) -> error.StorageError:
    return error.StorageError(f"working directory state appears damaged: {detail}",
                              hint="run 'hg debugrebuilddirstate' (or 'amg debugrebuilddirstate')"
                                   " to rebuild it from the parent revision")


def parse(data: bytes, marks: list[int] | None = None
          ) -> tuple[Node, Node, dict[bytes, tuple], dict[bytes, bytes]]:
    """Parse a v1 dirstate: ``(p1, p2, {path: (state, mode, size, mtime)}, copies)``.

    *marks*, when given, receives the offset of every :data:`MARK_EVERY`-th record.
    """
    if not data:
        return nullid, nullid, {}, {}
    if data.startswith(b"dirstate-v2\n"):
        raise error.RequirementError(
            "this working copy uses dirstate-v2, which amalgam does not support",
            hint="convert it with 'hg debugupgrade --config format.use-dirstate-v2=0 --run'")
    if len(data) < 40:
        raise _corrupt("the file is shorter than its header")
    p1, p2 = Node(data[:20]), Node(data[20:40])
    entries: dict[bytes, tuple] = {}
    copies: dict[bytes, bytes] = {}
    unpack = _READ.unpack_from
    states = _STATES
    pos, end = 40, len(data)
    block = range(MARK_EVERY)
    try:
        while pos < end:
            if marks is not None:
                marks.append(pos)
            for _ in block:
                state, mode, size, mtime, namelen = unpack(data, pos)
                start = pos + 17
                pos = start + namelen
                name = data[start:pos]
                if b"\0" in name:
                    name, source = name.split(b"\0", 1)
                    copies[name] = source
                entries[name] = (states[state], mode, size, mtime)
                if pos >= end:
                    break
    except struct.error:
        raise _corrupt("truncated entry") from None
    except KeyError as exc:
        raise _corrupt(f"unknown state {exc.args[0]!r}") from None
    if pos != end:  # the last name runs past the end (an unsigned length never goes back)
        raise _corrupt("truncated file name")
    return p1, p2, entries, copies


def pack(p1: bytes, p2: bytes, entries: dict[bytes, tuple], copies: dict[bytes, bytes],
         now: int, marks: list[int] | None = None) -> bytes:
    """Serialise a v1 dirstate (*marks*, when given, receives the marks).

    Clean entries not strictly older than *now* lose their mtime, in
    *entries* too, so this process does not trust them either.
    """
    # Appended to one buffer: a list of 200,000 pieces joined at the end
    # held about four times the file's size at once.
    out = bytearray(p1)
    out += p2
    header = _HEADER.pack
    codes = _CODES
    downgraded = []
    every = MARK_EVERY if marks is not None else 0
    for count, (name, (state, mode, size, mtime)) in enumerate(entries.items()):
        # hg keeps no order either
        if every and not count % every:
            marks.append(len(out))  # type: ignore[union-attr]
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            mtime = -1
            downgraded.append(name)
        if copies and name in copies:
            name = name + b"\0" + copies[name]
        out += header(codes[state], mode, size, mtime, len(name))
        out += name
    for name in downgraded:
        state, mode, size, _ = entries[name]
        entries[name] = (state, mode, size, -1)
    return bytes(out)


def _record(path: bytes, value: tuple, source: bytes | None) -> bytes:
    name = path if source is None else path + b"\0" + source
    state, mode, size, mtime = value
    return _HEADER.pack(_CODES[state], mode, size, mtime, len(name)) + name


def splice(data: bytes, p1: bytes, p2: bytes, old: dict[bytes, tuple | None],
           oldcopies: dict[bytes, bytes | None], entries: dict[bytes, tuple],
           copies: dict[bytes, bytes], now: int,
           marks: list[int] | None = None) -> bytes | None:
    """*data* with the records of the paths in *old* replaced by their *entries* now.

    *old* holds each changed path's entry as *data* has it (None: absent)
    and *oldcopies* its copy source there.  Records keep their order and
    the new ones go at the end (the format has no order).  None when an
    old record is not where it should be; the caller packs everything.
    The caller has made sure no unchanged entry needs the ambiguous-mtime
    downgrade; changed ones get it here, as :func:`pack` gives it.
    *marks* of *data*, when given, are moved to where their records are now.
    """
    spans = []
    for path, value in old.items():
        if value is None:
            continue
        record = _record(path, value, oldcopies.get(path))
        pos = data.find(record, 40)
        end = pos + len(record)
        if pos < 0 or (end < len(data) and data[end:end + 1] not in _STATES):
            return None
        spans.append((pos, end))
    spans.sort()
    chunks = [p1, p2]
    last = 40
    for pos, end in spans:
        if pos < last:
            return None
        chunks.append(data[last:pos])
        last = end
    chunks.append(data[last:])
    if marks is not None:
        # A removed record's mark now names the record after it (or the end).
        moved, gone, at = [], 0, 0
        for mark in marks:
            while at < len(spans) and spans[at][1] <= mark:
                gone += spans[at][1] - spans[at][0]
                at += 1
            moved.append(mark - gone)
        marks[:] = sorted(set(moved))
    for path in old:
        value = entries.get(path)
        if value is None:
            continue
        state, mode, size, mtime = value
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            value = entries[path] = (state, mode, size, -1)
        chunks.append(_record(path, value, copies.get(path)))
    return b"".join(chunks)


def _read_record(data: bytes, pos: int, end: int) -> tuple[bytes, tuple, int] | None:
    """The record at *pos*: ``(name field, value, next offset)``; None if damaged."""
    if pos + 17 > end:
        return None
    state, mode, size, mtime, namelen = _READ.unpack_from(data, pos)
    nxt = pos + 17 + namelen
    if nxt > end or state not in _STATES:
        return None
    return data[pos + 17:nxt], (_STATES[state], mode, size, mtime), nxt


def changed_records(old: bytes, new: bytes, marks: list[int], limit: int
                    ) -> tuple[dict[bytes, tuple[tuple, bytes | None] | None], list[int]] | None:
    """The records that differ between two versions of a dirstate.

    *marks* are *old*'s.  Returns ``({path: ((state, mode, size, mtime),
    copy source or None), or None if it went}, marks of new)``, or None
    when more than *limit* bytes of records had to be read or a record is
    damaged (the caller then parses *new* whole).

    The versions are compared block by block at a pair of offsets known to
    be record boundaries in both.  Where a block differs, both are read
    record by record from the last mark before it until a record read on
    one side is found, with the same bytes after it, on the other: that
    pair of offsets is the next pair to compare from.  Any such pair is
    safe, since equal bytes hold equal records; records read on both sides
    cancel out.
    """
    lo, ln = len(old), len(new)
    if lo < 40 or ln < 40:
        return None
    before: dict[bytes, tuple] = {}
    after: dict[bytes, tuple] = {}
    newmarks: list[int] = []
    # (old start, old end, new minus old) of the stretches found equal
    kept: list[tuple[int, int, int]] = []
    so = sn = 40  # a pair of record boundaries with equal bytes after them
    budget = limit
    while True:
        skip = 0
        while True:
            piece = old[so + skip:so + skip + _BLOCK]
            if piece != new[sn + skip:sn + skip + _BLOCK]:
                break
            if len(piece) < _BLOCK:  # equal to the end of both
                kept.append((so, lo, sn - so))
                return _result(before, after, _moved_marks(marks, kept, newmarks))
            skip += _BLOCK
        # The first differing byte: halve the block while its first half agrees.
        width = _BLOCK
        while width > 1:
            width //= 2
            if old[so + skip:so + skip + width] == new[sn + skip:sn + skip + width]:
                skip += width
        first = bisect_right(marks, so + skip) - 1
        po = marks[first] if first >= 0 and marks[first] > so else so
        pn = po + sn - so
        kept.append((so, po, sn - so))
        found = _realign(old, new, po, pn, so + skip, sn + skip, before, after, newmarks,
                         budget)
        if found is None:
            return None
        so, sn, used = found
        budget -= used


class _Side:
    """One version's reading position in :func:`_realign`, and what it read."""

    __slots__ = ("data", "pos", "end", "records", "seen", "read")

    def __init__(self, data: bytes, pos: int, records: dict) -> None:
        self.data, self.pos, self.end, self.records = data, pos, len(data), records
        self.seen: dict[bytes, int] = {}  # field -> offset, this stretch
        self.read: list[tuple[int, bytes]] = []

    def step(self) -> bytes | None:
        """Read the record at the position: its name field, None if damaged."""
        found = _read_record(self.data, self.pos, self.end)
        if found is None:
            return None
        field, value, nxt = found
        self.records[field] = value
        self.seen[field] = self.pos
        self.read.append((self.pos, field))
        self.pos = nxt
        return field

    def unread(self, at: int) -> None:
        """Forget what was read from offset *at* on."""
        while self.read and self.read[-1][0] >= at:
            self.records.pop(self.read.pop()[1], None)


def _realign(old: bytes, new: bytes, po: int, pn: int, diff_old: int, diff_new: int,
             before: dict, after: dict, newmarks: list[int], budget: int
             ) -> tuple[int, int, int] | None:
    """Read both versions from the boundaries *po*, *pn* until they realign.

    *diff_old* and *diff_new* are the first byte that differs; a pair of
    offsets is only taken past it on one side at least, so every call
    makes progress.  Records read go into *before* and *after*; returns
    the new pair and the bytes read, or None past *budget* or on damage.
    """
    a, b = _Side(old, po, before), _Side(new, pn, after)

    def advance(side: _Side, other: _Side) -> tuple[int, int] | bool:
        """One record on *side*; the (old, new) pair it makes with *other*, if any.

        False when the record is damaged.
        """
        here = side.pos
        field = side.step()
        if field is None:
            return False
        there = other.seen.get(field)
        if there is None:
            return True
        at_old, at_new = (here, there) if side is a else (there, here)
        return (at_old, at_new) if (at_old > diff_old or at_new > diff_new) and \
            old[at_old:at_old + _VERIFY] == new[at_new:at_new + _VERIFY] else True

    count = 0
    while a.pos < a.end or b.pos < b.end:
        if (a.pos - po) + (b.pos - pn) > budget:
            return None
        pair: tuple[int, int] | bool = True
        if b.pos < b.end:
            if not count % MARK_EVERY:
                newmarks.append(b.pos)
            count += 1
            pair = advance(b, a)
        if pair is True and a.pos < a.end:
            pair = advance(a, b)
        if pair is False:
            return None
        if pair is not True:
            # What was read from the pair on is equal on both sides: unread it.
            a.unread(pair[0])
            b.unread(pair[1])
            return pair[0], pair[1], (a.pos - po) + (b.pos - pn)
    return a.pos, b.pos, (a.pos - po) + (b.pos - pn)


def _result(before: dict[bytes, tuple], after: dict[bytes, tuple], marks: list[int]
            ) -> tuple[dict[bytes, tuple[tuple, bytes | None] | None], list[int]]:
    changes: dict[bytes, tuple[tuple, bytes | None] | None] = {}
    for field, value in after.items():
        if before.pop(field, None) != value:
            name, _, source = field.partition(b"\0")
            changes[name] = (value, source or None)
    for field in before:
        changes.setdefault(field.partition(b"\0")[0], None)
    return changes, marks


def _moved_marks(marks: list[int], kept: list[tuple[int, int, int]],
                 extra: list[int]) -> list[int]:
    """*marks* inside the stretches found equal, moved with them, plus *extra*."""
    moved = list(extra)
    at = 0
    for mark in marks:
        while at < len(kept) and kept[at][1] <= mark:
            at += 1
        if at == len(kept):
            break
        if kept[at][0] <= mark:
            moved.append(mark + kept[at][2])
    return sorted(set(moved))
