"""The parsed-dirstate cache (``.hg/cache/amalgam-dirstate``), readable piecemeal.

Parsing a v1 dirstate of 100,000 entries costs about 90 ms of Python; this
cache holds the same entries in ``marshal`` form, keyed by the SHA-1 of the
dirstate it was built from, so it is only ever used for that exact file.

It is split so that a status which only needs a few entries (a file system
monitor named ten paths) loads only those:

- a summary: both parents, the copies, the entries ``stat`` cannot vouch
  for ("non-normal": added, removed, merged, or without size or mtime), the
  directories holding tracked files, the newest mtime, the entry count;
- the entries sorted by name and cut into up to 256 runs, each marshalled
  on its own, with the first name of every run in the summary, so one name
  or one directory costs a binary search and one or a few small loads;
- for the last few writes that changed only a few entries, the key of the
  dirstate before and the names changed, so "what changed since dirstate
  K" needs no comparison of two dirstates;
- the dirstate itself with its marks (record offsets): when another tool
  (hg) rewrites the dirstate, :func:`refresh` compares the two versions,
  parses only where they differ and patches the cache, instead of parsing
  100,000 entries and building it all again.

Layout: ``>I`` summary length, the marshalled summary, the runs, then the
dirstate.
Any doubt (another version, another key, damage) makes the caller parse
the dirstate instead; the cache is only an accelerator.
"""
from __future__ import annotations

import marshal
import struct
from bisect import bisect_right

from amalgam.wc.dirstate_v1 import changed_records

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

NAME = "cache/amalgam-dirstate"
#: Dirstates smaller than this parse faster than the cache loads.
MIN_SIZE = 1 << 20
VERSION = 4
RUNS = 256
#: How many earlier writes' changed names the summary keeps, and at most how
#: many names in all (a file system monitor asks what changed since its last look).
HISTORY = 8
HISTORY_NAMES = 2000
_LEN = struct.Struct(">I")


def nonnormal(value: tuple) -> bool:
    """Whether an entry must be looked at even when nothing changed on disk."""
    return value[0] != "n" or value[2] < 0 or value[3] == -1


class Cached:
    """One cache file's summary, with its runs loaded on demand."""

    __slots__ = ("key", "p1", "p2", "copies", "nonnormal", "dirs", "maxmtime", "count",
                 "bounds", "history", "marks", "_blob", "_offsets", "_runs")

    def __init__(self, summary: tuple, blob: Any, start: int) -> None:
        (_, self.key, self.p1, self.p2, self.copies, self.nonnormal, self.dirs,
         self.maxmtime, self.count, self.bounds, sizes, self.history, self.marks,
         datasize) = summary
        self._blob = blob
        offsets = [start]
        for size in sizes:
            offsets.append(offsets[-1] + size)
        if offsets[-1] + datasize != len(blob) or len(sizes) != len(self.bounds) + 1:
            raise ValueError("cache runs do not match their sizes")
        self._offsets = offsets
        self._runs: dict[int, dict[bytes, tuple]] = {}

    def run(self, index: int) -> dict[bytes, tuple]:
        found = self._runs.get(index)
        if found is None:
            data = memoryview(self._blob)[self._offsets[index]:self._offsets[index + 1]]
            found = marshal.loads(data)
            if type(found) is not dict:
                raise ValueError("a cache run is not a mapping")
            self._runs[index] = found
        return found

    def get(self, path: bytes) -> tuple | None:
        return self.run(bisect_right(self.bounds, path)).get(path)

    def under(self, prefixes: Iterable[bytes]) -> Iterator[tuple[bytes, tuple]]:
        """Entries whose names start with one of *prefixes* (``dir/`` forms)."""
        for prefix in prefixes:
            first = bisect_right(self.bounds, prefix)
            last = bisect_right(self.bounds, prefix + b"\xff")
            for index in range(first, last + 1):
                for path, value in self.run(index).items():
                    if path.startswith(prefix):
                        yield path, value

    def changed_since(self, key: bytes) -> set[bytes] | None:
        """Names whose entry or copy source changed since the dirstate *key*; None: unknown."""
        changed: set[bytes] = set()
        if key == self.key:
            return changed
        for before, names in reversed(self.history):
            changed.update(names)
            if before == key:
                return changed
        return None

    def data(self) -> bytes:
        """The dirstate this cache was built from."""
        return self._blob[self._offsets[-1]:]

    def entries(self) -> dict[bytes, tuple]:
        """Every entry, in one new dict."""
        merged: dict[bytes, tuple] = {}
        for index in range(len(self.bounds) + 1):
            merged.update(self.run(index))
        return merged


def mapped(path: str) -> Any:
    """The cache file at *path*, memory-mapped: only the runs consulted are read."""
    import mmap

    with open(path, "rb") as fp:
        return mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ)


def read(blob: Any, key: bytes | None) -> Cached | None:
    """The cache in *blob* if it was built from the dirstate with SHA-1 *key* (None: any)."""
    try:
        (size,) = _LEN.unpack_from(blob)
        summary = marshal.loads(memoryview(blob)[4:4 + size])
        if type(summary) is not tuple or len(summary) != 14 or summary[0] != VERSION \
                or (key is not None and summary[1] != key):
            return None
        return Cached(summary, blob, 4 + size)
    except (struct.error, ValueError, EOFError, TypeError):
        return None


def build(key: bytes, p1: bytes, p2: bytes, entries: dict[bytes, tuple],
          copies: dict[bytes, bytes], data: bytes, marks: list[int]) -> list[Any]:
    """A cache file, in pieces, for the dirstate *data* (SHA-1 *key*, *marks*) holding
    these entries (pieces: written one after the other, nothing joins 13 MB)."""
    names = sorted(entries)
    per = max(1, -(-len(names) // RUNS))
    cuts = range(0, len(names), per) if names else range(1)
    runs = [marshal.dumps({name: entries[name] for name in names[i:i + per]}) for i in cuts]
    bounds = [names[i] for i in cuts[1:]]
    dirs = sorted({name.rpartition(b"/")[0] for name in entries})
    maxmtime = max((value[3] for value in entries.values()), default=-1)
    odd = {name: value for name, value in entries.items() if nonnormal(value)}
    return _assemble(key, p1, p2, copies, odd, dirs, maxmtime, len(entries), bounds, runs, [],
                     data, marks)


def patch(old: Cached, key: bytes, p1: bytes, p2: bytes, changes: dict[bytes, tuple | None],
          copies: dict[bytes, bytes], data: bytes, marks: list[int]) -> list[Any]:
    """*old* with *changes* applied (None drops an entry), for the dirstate *data*.

    Only the runs holding a changed name are marshalled again.  The list of
    directories only grows here: a directory whose last entry went stays
    listed until the next full build, which is harmless (callers use it to
    decide where to look, never to claim a file exists).
    """
    touched: dict[int, dict[bytes, tuple]] = {}
    odd = dict(old.nonnormal)
    dirs = set(old.dirs)
    count = old.count
    maxmtime = old.maxmtime
    for path, value in changes.items():
        index = bisect_right(old.bounds, path)
        run = touched.get(index)
        if run is None:
            run = touched[index] = dict(old.run(index))
        had = path in run
        odd.pop(path, None)
        if value is None:
            if had:
                del run[path]
                count -= 1
            continue
        count += not had
        run[path] = value
        dirs.add(path.rpartition(b"/")[0])
        maxmtime = max(maxmtime, value[3])
        if nonnormal(value):
            odd[path] = value
    blob = memoryview(old._blob)
    runs = [marshal.dumps(touched[i]) if i in touched
            else blob[old._offsets[i]:old._offsets[i + 1]] for i in range(len(old.bounds) + 1)]
    history = [*old.history, (old.key, sorted(changes))]
    while len(history) > HISTORY or sum(len(names) for _, names in history) > HISTORY_NAMES:
        history.pop(0)
    return _assemble(key, p1, p2, copies, odd, sorted(dirs), maxmtime, count, old.bounds, runs,
                     history, data, marks)


def refresh(old: Cached, key: bytes, data: bytes) -> list[Any] | None:
    """*old* brought up to the dirstate *data* (SHA-1 *key*) another writer made.

    Only the records where the two versions differ are parsed; None when
    they differ too much (or do not line up) and *data* must be parsed whole.
    """
    found = changed_records(old.data(), data, old.marks, len(data) // 4)
    if found is None:
        return None
    changed, marks = found
    copies = dict(old.copies)
    changes: dict[bytes, tuple | None] = {}
    for path, record in changed.items():
        copies.pop(path, None)
        if record is None:
            changes[path] = None
            continue
        changes[path], source = record
        if source is not None:
            copies[path] = source
    return patch(old, key, data[:20], data[20:40], changes, copies, data, marks)


def _assemble(key: bytes, p1: bytes, p2: bytes, copies: dict[bytes, bytes],
              odd: dict[bytes, tuple], dirs: list[bytes], maxmtime: int, count: int,
              bounds: list[bytes], runs: list, history: list, data: bytes,
              marks: list[int]) -> list[Any]:
    summary = marshal.dumps((VERSION, key, bytes(p1), bytes(p2), dict(copies), odd, dirs,
                             maxmtime, count, bounds, [len(run) for run in runs], history,
                             [mark for mark in marks if mark < len(data)], len(data)))
    return [_LEN.pack(len(summary)), summary, *runs, data]
