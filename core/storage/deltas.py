"""Choosing how a new revision is stored: a delta against a good base, or a snapshot.

Reading a revision costs one full text plus every delta of its chain, and
the bytes between the chain's first chunk and its last have to be read.  So
a candidate base is only accepted when the result keeps reads bounded:

* the chain stays at most ``max_chain_len`` deltas long;
* the bytes read to rebuild the new revision (from the chain's snapshot to
  the end of the new chunk) stay within ``4 x`` the text size, with a floor
  of ``SPAN_FLOOR`` so that small files are not re-snapshotted every few
  revisions just because a disk read of a few KiB looks "large" next to
  them;
* the sum of the chain's stored chunks stays within ``2 x`` the text size
  (beyond that a snapshot would be cheaper to decompress);
* the delta is smaller than the text itself.

Candidates, in order: p1 and p2 (with generaldelta, deltas against a parent
are what changegroups send and usually the smallest), then the previous
revision.  Without generaldelta only the previous revision can be a base.
The smallest accepted delta wins.  With none accepted and ``sparse`` on,
the snapshots of p1's chain are tried as bases for an *intermediate
snapshot* (sparse-revlog): a delta at most ``text >> depth`` bytes, which
restarts the chain cheaply when it got too long or too big.  Only then is
the revision stored as a full snapshot.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING, NamedTuple

from amalgam.error import StorageError
from amalgam.storage import mdiff
from amalgam.storage.compression import compress

if TYPE_CHECKING:
    from amalgam.storage.revlog import Revlog

#: a delta hunk's header: start and end in the base, length of the new data
_HUNK = struct.Struct(">lll")
SPAN_FLOOR = 64 * 1024
SPAN_FACTOR = 4
CHAIN_SIZE_FACTOR = 2


class DeltaChoice(NamedTuple):
    """The stored form of a new revision: its base field and its chunk."""

    base: int
    chunk: bytes


def candidates(revlog: Revlog, rev: int, p1r: int, p2r: int) -> list[int]:
    """Revisions worth trying as the delta base of new revision *rev*."""
    if rev == 0:
        return []
    if not revlog.generaldelta:
        return [rev - 1]
    out: list[int] = []
    for base in (p1r, p2r, rev - 1):
        if base >= 0 and base not in out:
            out.append(base)
    return out


def _snapshot_bases(revlog: Revlog, p1r: int, p2r: int) -> list[tuple[int, int]]:
    """(snapshot, depth) pairs of p1's chain, deepest first, parents excluded."""
    if p1r < 0:
        return []
    chain, _ = revlog.deltachain(p1r)
    snapshots = [rev for rev in chain if revlog.issnapshot(rev)]
    pairs = [(rev, depth) for depth, rev in enumerate(snapshots) if rev not in (p1r, p2r)]
    pairs.reverse()
    return pairs


def choose(revlog: Revlog, text: bytes, rev: int, p1r: int, p2r: int,
           offset: int, cachedelta: tuple[int, bytes] | None = None) -> DeltaChoice:
    """The cheapest acceptable way to store *text* as revision *rev*.

    *offset* is where the new chunk will start in the data segment.
    *cachedelta* ``(base, delta)`` is a delta the caller already has (a
    manifest knows its changed lines); it is used as is when it passes the
    same checks as a computed one, which saves diffing big texts.
    """
    options = revlog.options
    engine, level = options["compression"], revlog.compression_level
    textlen = len(text)

    def attempt(base: int, limit: int, delta: bytes | None = None) -> DeltaChoice | None:
        chainlen, chainsize, chainbase = revlog.chaininfo(base)
        if chainlen + 1 > options["max_chain_len"]:
            return None
        if delta is None:
            delta = mdiff.textdiff(revlog.rawdata(base), text)
        if len(delta) >= limit:
            return None
        chunk = compress(delta, engine, level)
        if len(chunk) >= limit:
            return None
        span = offset + len(chunk) - revlog.start(chainbase)
        if span > max(SPAN_FACTOR * textlen, SPAN_FLOOR):
            return None
        if chainsize + len(chunk) > CHAIN_SIZE_FACTOR * textlen:
            return None
        return DeltaChoice(base, chunk)

    best: DeltaChoice | None = None
    if options["max_chain_len"] > 0 and textlen and cachedelta is not None:
        base, delta = cachedelta
        if (0 <= base < rev and (revlog.generaldelta or base == rev - 1)
                and _applies(revlog, base, delta, text)):
            best = attempt(base, textlen, delta)
            if best is not None:
                return _finish(revlog, best)
    if options["max_chain_len"] > 0 and textlen:
        for base in candidates(revlog, rev, p1r, p2r):
            found = attempt(base, textlen)
            if found and (best is None or len(found.chunk) < len(best.chunk)):
                best = found
        if best is None and options["sparse"] and revlog.generaldelta:
            # An intermediate snapshot: a delta against a snapshot, allowed a
            # size that halves with each level so chains of them stay cheap.
            for base, depth in _snapshot_bases(revlog, p1r, p2r):
                best = attempt(base, textlen >> (depth + 1))
                if best:
                    break
    if best is None:
        return DeltaChoice(rev, compress(text, engine, level))
    return _finish(revlog, best)


def _applies(revlog: Revlog, base: int, delta: bytes, text: bytes) -> bool:
    """Whether *delta* really turns *base* into *text* (a wrong hint is ignored).

    Checked in place: every stretch of the base the delta keeps and every
    piece it inserts is compared with *text* where it must be, so checking
    the delta of an 8 MiB manifest makes no patched copy of it.  Hunks are
    held to the rules ``mdiff.patch`` enforces (in order, inside the base).
    """
    try:
        source = revlog.rawdata(base)
    except StorageError:
        return False
    view, pieces = memoryview(source), memoryview(delta)
    size, stop = len(source), len(delta)
    at = done = pos = 0  # in the delta, in the base, in the text
    while at < stop:
        if stop - at < _HUNK.size:
            return False
        start, end, length = _HUNK.unpack_from(delta, at)
        at += _HUNK.size
        if not (done <= start <= end <= size and 0 <= length <= stop - at):
            return False
        if not (text.startswith(view[done:start], pos)
                and text.startswith(pieces[at:at + length], pos + start - done)):
            return False
        pos += start - done + length
        at += length
        done = end
    return len(text) - pos == size - done and text.startswith(view[done:], pos)


def _finish(revlog: Revlog, choice: DeltaChoice) -> DeltaChoice:
    if not revlog.generaldelta:
        # Without generaldelta the base field names the chain's snapshot.
        return DeltaChoice(revlog.chainbase(choice.base), choice.chunk)
    return choice
