"""Checks and figures over a whole revlog, for ``verify`` and ``debugrevlog``.

Checks report problems as a list instead of raising, so that verify can go
on and count every damaged revision.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from amalgam.error import StorageError
from amalgam.storage.revlog_index import ENTRY_SIZE

if TYPE_CHECKING:
    from amalgam.storage.revlog import Revlog


class Problem(NamedTuple):
    """One thing wrong with a revlog; *rev* is None for file-level problems."""

    rev: int | None
    message: str


def _filesize(revlog: Revlog, path: bytes) -> int | None:
    try:
        return revlog.opener.stat(path).st_size
    except FileNotFoundError:
        return None


def checksize(revlog: Revlog) -> list[Problem]:
    """Compare the sizes of ``.i``/``.d`` with what the index describes."""
    problems: list[Problem] = []
    count = len(revlog)
    datasize = revlog.end(count - 1) if count else 0
    isize = _filesize(revlog, revlog.indexfile) or 0
    if revlog.is_inline():
        expected = ENTRY_SIZE * count + datasize
        if isize != expected:
            problems.append(Problem(None, f"index contains {isize - expected} extra bytes"
                                    if isize > expected else
                                    f"index is missing {expected - isize} bytes"))
        return problems
    if isize != ENTRY_SIZE * count:
        problems.append(Problem(None, f"index size {isize} is not {ENTRY_SIZE} x {count}"))
    dsize = _filesize(revlog, revlog.datafile)
    if dsize is None:
        if datasize:
            problems.append(Problem(None, "data file is missing"))
    elif dsize != datasize:
        problems.append(Problem(None, f"data length off by {dsize - datasize} bytes"))
    return problems


def verify_integrity(revlog: Revlog) -> list[Problem]:
    """Check every entry's fields, then rebuild and hash-check every revision."""
    problems: list[Problem] = []
    for rev in revlog.iter_revs():
        entry = revlog.index_entry(rev)
        for name, parent in (("p1", entry.p1), ("p2", entry.p2)):
            if not -1 <= parent < rev:
                problems.append(Problem(rev, f"{name} {parent} is not an earlier revision"))
        if not 0 <= entry.base <= rev:
            problems.append(Problem(rev, f"delta base {entry.base} outside 0..{rev}"))
            continue
        if entry.linkrev < 0:
            problems.append(Problem(rev, f"negative linkrev {entry.linkrev}"))
        try:
            revlog.rawdata(rev)
        except StorageError as exc:
            problems.append(Problem(rev, exc.message))
    return problems


def stats(revlog: Revlog) -> dict[str, Any]:
    """Chain lengths, snapshot/delta counts, sizes and chunk engines."""
    count = len(revlog)
    chainlens = [revlog.chainlen(rev) for rev in range(count)]
    snapshots = sum(1 for length in chainlens if length == 0)
    intermediate = sum(1 for rev in range(count)
                       if chainlens[rev] and revlog.issnapshot(rev))
    empty = sum(1 for rev in range(count) if revlog.length(rev) == 0)
    rawtotal = sum(max(revlog.rawsize(rev), 0) for rev in range(count))
    stored = revlog.end(count - 1) if count else 0
    engines: dict[str, int] = {}
    names = {0x78: "zlib", 0x28: "zstd", 0x75: "none", 0x00: "none"}
    for first in range(0, count, 256):
        for chunk in revlog.storedchunks(list(range(first, min(first + 256, count)))):
            kind = names.get(chunk[0], "unknown") if chunk else "empty"
            engines[kind] = engines.get(kind, 0) + 1
    return {
        "revisions": count,
        "inline": revlog.is_inline(),
        "generaldelta": revlog.generaldelta,
        "snapshots": snapshots,
        "intermediate_snapshots": intermediate,
        "deltas": count - snapshots - intermediate,
        "empty": empty,
        "max_chain_len": max(chainlens, default=0),
        "avg_chain_len": (sum(chainlens) / count) if count else 0.0,
        "raw_size": rawtotal,
        "stored_size": stored,
        "compression_ratio": (rawtotal / stored) if stored else 0.0,
        "chunk_engines": engines,
    }
