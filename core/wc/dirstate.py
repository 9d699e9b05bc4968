"""``DirState``: hg's dirstate v1 (``.hg/dirstate``) read and written exactly.

The file is both parents followed by one record per tracked file:
``state mode size mtime namelen`` (``>cllll``) and the name, which is
``path\\0source`` for a copy.  Sizes and mtimes are kept masked to 31 bits
as hg does, so either tool's dirstate reads back the same.

The "ambiguous mtime" rule: a clean entry's mtime is trusted only when it
is strictly older than the file-system clock at the time the dirstate is
written; otherwise it is written as -1 so the next status compares content
(a file changed again within the same second would otherwise look clean).
"""
from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from amalgam import error
from amalgam.node import Node, nullid
from amalgam.wc import dirstate_cache as dscache

if TYPE_CHECKING:
    from amalgam.repo import Repository

_HEADER = struct.Struct(">cllll")
#: The same layout with the name length unsigned, so a corrupt negative one
#: cannot move the parser backwards.
_READ = struct.Struct(">clllL")
_STATES = {b"n": "n", b"a": "a", b"r": "r", b"m": "m"}
_CODES = {v: k for k, v in _STATES.items()}
_MASK = 0x7FFFFFFF
#: mtimes this far in the future are kept: a clock that far off is not a race.
_FUTURE_SLACK = 86400
#: At most this many changed entries are written by splicing them into the
#: dirstate read (each costs a search of it); more mean a full rewrite.
_SPLICE_MAX = 16
SIZE_NONNORMAL = -1
SIZE_FROM_P2 = -2


class Entry(NamedTuple):
    """One tracked file: state ``n``/``a``/``r``/``m`` and its cached stat."""

    state: str
    mode: int
    size: int
    mtime: int


def _corrupt(detail: str) -> error.StorageError:
    return error.StorageError(f"working directory state appears damaged: {detail}",
                              hint="run 'hg debugrebuilddirstate' (or 'amg debugrebuilddirstate')"
                                   " to rebuild it from the parent revision")


def parse(data: bytes) -> tuple[Node, Node, dict[bytes, tuple], dict[bytes, bytes]]:
    """Parse a v1 dirstate: ``(p1, p2, {path: (state, mode, size, mtime)}, copies)``."""
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
    try:
        while pos < end:
            state, mode, size, mtime, namelen = unpack(data, pos)
            start = pos + 17
            pos = start + namelen
            name = data[start:pos]
            if b"\0" in name:
                name, source = name.split(b"\0", 1)
                copies[name] = source
            entries[name] = (states[state], mode, size, mtime)
    except struct.error:
        raise _corrupt("truncated entry") from None
    except KeyError as exc:
        raise _corrupt(f"unknown state {exc.args[0]!r}") from None
    if pos != end:  # the last name runs past the end (an unsigned length never goes back)
        raise _corrupt("truncated file name")
    return p1, p2, entries, copies


def pack(p1: bytes, p2: bytes, entries: dict[bytes, tuple], copies: dict[bytes, bytes],
         now: int) -> bytes:
    """Serialise a v1 dirstate.

    Clean entries not strictly older than *now* lose their mtime, in
    *entries* too, so this process does not trust them either.
    """
    chunks = [p1, p2]
    append = chunks.append
    header = _HEADER.pack
    codes = _CODES
    downgraded = []
    for name, (state, mode, size, mtime) in entries.items():  # hg keeps no order either
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            mtime = -1
            downgraded.append(name)
        if copies and name in copies:
            name = name + b"\0" + copies[name]
        append(header(codes[state], mode, size, mtime, len(name)))
        append(name)
    for name in downgraded:
        state, mode, size, _ = entries[name]
        entries[name] = (state, mode, size, -1)
    return b"".join(chunks)


def load(vfs: Any, data: bytes) -> tuple[Node, Node, dict[bytes, tuple], dict[bytes, bytes]]:
    """:func:`parse` *data*, through the parsed-dirstate cache when it is big."""
    cached = _cached(vfs, data)
    if cached is None:
        return parse(data)
    return Node(cached.p1), Node(cached.p2), cached.entries(), dict(cached.copies)


def _cached(vfs: Any, data: bytes) -> dscache.Cached | None:
    """The cache of *data* (built now if missing or stale), or None when it is small.

    A read-only ``.hg`` still gets a cache object, built in memory.
    """
    if len(data) < dscache.MIN_SIZE:
        return None
    import hashlib

    key = hashlib.sha1(data).digest()
    try:
        cached = dscache.read(dscache.mapped(vfs.join(dscache.NAME)), key)
    except (OSError, ValueError):
        cached = None
    if cached is None:
        p1, p2, entries, copies = parse(data)
        cached = _store(vfs, key, dscache.build(key, p1, p2, entries, copies))
    return cached


def _store(vfs: Any, key: bytes, blob: bytes) -> dscache.Cached:
    try:
        vfs.write(dscache.NAME, blob, atomictemp=True)
    except OSError:
        pass  # a read-only repository: parse every time
    cached = dscache.read(blob, key)
    assert cached is not None
    return cached


def _record(path: bytes, value: tuple, source: bytes | None) -> bytes:
    name = path if source is None else path + b"\0" + source
    state, mode, size, mtime = value
    return _HEADER.pack(_CODES[state], mode, size, mtime, len(name)) + name


def splice(data: bytes, p1: bytes, p2: bytes, old: dict[bytes, tuple | None],
           oldcopies: dict[bytes, bytes | None], entries: dict[bytes, tuple],
           copies: dict[bytes, bytes], now: int) -> bytes | None:
    """*data* with the records of the paths in *old* replaced by their *entries* now.

    *old* holds each changed path's entry as *data* has it (None: absent)
    and *oldcopies* its copy source there.  Records keep their order and
    the new ones go at the end (the format has no order).  None when an
    old record is not where it should be; the caller packs everything.
    The caller has made sure no unchanged entry needs the ambiguous-mtime
    downgrade; changed ones get it here, as :func:`pack` gives it.
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
    for path in old:
        value = entries.get(path)
        if value is None:
            continue
        state, mode, size, mtime = value
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            value = entries[path] = (state, mode, size, -1)
        chunks.append(_record(path, value, copies.get(path)))
    return b"".join(chunks)


def fs_now(vfs_dir: str) -> int:
    """The file system's idea of the current second (masked like stored mtimes).

    Sampled by creating a file in *vfs_dir*, since the file-system clock can
    differ from ``time.time()`` (network file systems).
    """
    import tempfile

    fd, name = tempfile.mkstemp(prefix=".dirstate-now-", dir=vfs_dir)
    try:
        return int(os.fstat(fd).st_mtime) & _MASK
    finally:
        os.close(fd)
        os.unlink(name)


def _identity(repo: Repository) -> tuple[int, int, int] | None:
    try:
        st = os.stat(repo.vfs.join("dirstate"))
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class DirState:
    """The working copy's parents and the state of every tracked file.

    A big dirstate served by its cache is consulted piecemeal until some
    code needs every entry (:meth:`raw`) or changes one; then all entries
    are loaded.  Changes remember each entry's previous value, so that a
    write of a few changes splices their records into the file read
    instead of packing 100,000 records again.
    """

    def __init__(self, repo: Repository, p1: Node, p2: Node,
                 entries: dict[bytes, tuple] | None, copies: dict[bytes, bytes], *,
                 data: bytes = b"", cached: dscache.Cached | None = None) -> None:
        self._repo = repo
        self._parents = (p1, p2)
        self._entries = entries
        self._copies = copies
        self._data = data
        self._cached = cached
        #: changed paths: entry and copy source as the file read has them
        self._old: dict[bytes, tuple | None] = {}
        self._oldcopies: dict[bytes, bytes | None] = {}
        self._rewrite = False
        self._branch: str | None = None
        self._dirs: set[bytes] | None = None
        self.dirty = False
        #: stat signature of the file read, to notice another writer
        self.identity = _identity(repo)

    @classmethod
    def open(cls, repo: Repository) -> DirState:
        """Read ``.hg/dirstate`` of *repo* (missing file: an empty dirstate)."""
        if "dirstate-v2" in repo.requirements:
            raise error.RequirementError(
                "this working copy uses dirstate-v2, which amalgam does not support",
                hint="convert it with 'hg debugupgrade --config format.use-dirstate-v2=0 --run'")
        data = repo.vfs.tryread("dirstate")
        cached = _cached(repo.vfs, data)
        if cached is None:
            p1, p2, entries, copies = parse(data)
            return cls(repo, p1, p2, entries, copies, data=data)
        return cls(repo, Node(cached.p1), Node(cached.p2), None, dict(cached.copies),
                   data=data, cached=cached)

    @property
    def _map(self) -> dict[bytes, tuple]:
        if self._entries is None:
            assert self._cached is not None
            self._entries = self._cached.entries()
        return self._entries

    # -- parents and branch -------------------------------------------------

    def parents(self) -> tuple[Node, Node]:
        return self._parents

    def p1(self) -> Node:
        return self._parents[0]

    def p2(self) -> Node:
        return self._parents[1]

    def setparents(self, p1: Node, p2: Node = nullid) -> None:
        """Set the parents; leaving a merge turns merge states back into plain ones."""
        if self._parents[1] != nullid and p2 == nullid:
            for path, (state, mode, size, mtime) in list(self._map.items()):
                if state == "m" or (state == "n" and size == SIZE_FROM_P2):
                    self._set(path, ("n", 0, SIZE_NONNORMAL, -1))
                elif state == "r" and size in (SIZE_NONNORMAL, SIZE_FROM_P2):
                    self._set(path, ("r", 0, 0, 0))
        self._parents = (p1, p2)
        self.dirty = True

    def branch(self) -> str:
        if self._branch is None:
            raw = self._repo.vfs.tryread("branch").strip()
            self._branch = raw.decode("utf-8", "replace") or "default"
        return self._branch

    def setbranch(self, name: str) -> None:
        self._branch = name
        self._repo.vfs.write("branch", name.encode("utf-8") + b"\n", atomictemp=True)

    # -- reading entries ----------------------------------------------------------

    def rawget(self, path: bytes) -> tuple | None:
        """``raw().get(path)``, without loading every entry of a cached dirstate."""
        if self._entries is None:
            assert self._cached is not None
            return self._cached.get(path)
        return self._entries.get(path)

    def get(self, path: bytes) -> Entry | None:
        raw = self.rawget(path)
        return None if raw is None else Entry(*raw)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, bytes) and self.rawget(path) is not None

    def __iter__(self) -> Iterator[bytes]:
        return iter(sorted(self._map))

    def __len__(self) -> int:
        if self._entries is None:
            assert self._cached is not None
            return self._cached.count
        return len(self._entries)

    def raw(self) -> dict[bytes, tuple]:
        """The entries as plain tuples (state, mode, size, mtime), for fast loops; read-only."""
        return self._map

    def nonnormal(self) -> dict[bytes, tuple]:
        """The entries a status must look at even if nothing changed on disk."""
        if self._entries is None:
            assert self._cached is not None
            return self._cached.nonnormal
        odd = dscache.nonnormal
        return {path: value for path, value in self._entries.items() if odd(value)}

    def parent_dirs(self) -> list[bytes]:
        """The directories holding tracked files (``b""`` for the root); maybe more."""
        if self._entries is None:
            assert self._cached is not None
            return self._cached.dirs
        return list({path.rpartition(b"/")[0] for path in self._entries})

    def under(self, prefixes: tuple[bytes, ...]) -> Iterator[tuple[bytes, tuple]]:
        """The entries under the directories *prefixes* (each ending in ``/``)."""
        if self._entries is None:
            assert self._cached is not None
            return self._cached.under(prefixes)
        return ((path, value) for path, value in self._entries.items()
                if path.startswith(prefixes))

    def copies(self) -> dict[bytes, bytes]:
        return dict(self._copies)

    def copied(self, dest: bytes) -> bytes | None:
        return self._copies.get(dest)

    def hasdir(self, path: bytes) -> bool:
        """Whether some tracked (not removed) file lives under directory *path*."""
        if self._dirs is None:
            dirs: set[bytes] = set()
            for name, value in self._map.items():
                if value[0] == "r":
                    continue
                pos = name.rfind(b"/")
                while pos > 0:
                    name = name[:pos]
                    if name in dirs:
                        break
                    dirs.add(name)
                    pos = name.rfind(b"/")
            self._dirs = dirs
        return path in self._dirs

    # -- changing entries ---------------------------------------------------------

    def _note(self, path: bytes) -> None:
        """Remember *path*'s entry and copy source as read, before its first change."""
        if path not in self._old:
            self._old[path] = self._map.get(path)
            self._oldcopies[path] = self._copies.get(path)

    def _set(self, path: bytes, value: tuple) -> None:
        self._note(path)
        old = self._map.get(path)
        if old is None or (old[0] == "r") != (value[0] == "r"):
            self._dirs = None
        self._map[path] = value
        self.dirty = True

    def set_clean(self, path: bytes, st: os.stat_result) -> None:
        """Mark *path* clean with the size, mode and mtime of *st*."""
        self._set(path, ("n", st.st_mode, st.st_size & _MASK, int(st.st_mtime) & _MASK))

    def set_possibly_dirty(self, path: bytes) -> None:
        """Tracked in p1; the next status must compare content."""
        self._set(path, ("n", 0, SIZE_NONNORMAL, -1))

    def add(self, path: bytes) -> None:
        self._set(path, ("a", 0, -1, -1))

    def remove(self, path: bytes) -> None:
        """Mark removed; remembers whether the entry came from a merge, as hg does."""
        self._note(path)
        old = self._map.get(path)
        size = 0
        if old is not None and self._parents[1] != nullid:
            if old[0] == "m":
                size = SIZE_NONNORMAL
            elif old[0] == "n" and old[2] == SIZE_FROM_P2:
                size = SIZE_FROM_P2
        self._copies.pop(path, None)
        self._set(path, ("r", 0, size, 0))

    def merge(self, path: bytes) -> None:
        """Merged from both parents (shown as modified)."""
        self._set(path, ("m", 0, SIZE_FROM_P2, -1))

    def otherparent(self, path: bytes) -> None:
        """Taken from the second parent during a merge."""
        self._set(path, ("n", 0, SIZE_FROM_P2, -1))

    def drop(self, path: bytes) -> None:
        """Forget *path* entirely."""
        self._note(path)
        if self._map.pop(path, None) is not None:
            self._dirs = None
            self.dirty = True
        self._copies.pop(path, None)

    def copy(self, source: bytes | None, dest: bytes) -> None:
        """Record that *dest* was copied from *source* (None clears it)."""
        self._note(dest)
        if source is None or source == dest:
            self._copies.pop(dest, None)
        else:
            self._copies[dest] = source
        self.dirty = True

    def clear(self) -> None:
        self._entries = {}
        self._copies.clear()
        self._dirs = None
        self._rewrite = True
        self.dirty = True

    # -- writing ------------------------------------------------------------

    def write(self) -> None:
        """Write ``.hg/dirstate`` atomically; the caller holds ``repo.wlock()``."""
        vfs = self._repo.vfs
        now = fs_now(vfs.join())
        p1, p2 = self._parents
        cached = self._cached
        data = None
        if cached is not None and not self._rewrite and len(self._old) <= _SPLICE_MAX \
                and cached.maxmtime < now:
            data = splice(self._data, p1, p2, self._old, self._oldcopies, self._map,
                          self._copies, now)
        spliced = data is not None
        if data is None:
            data = pack(p1, p2, self._map, self._copies, now)
        vfs.write("dirstate", data, atomictemp=True)
        self._cached = None
        if len(data) >= dscache.MIN_SIZE:
            import hashlib

            key = hashlib.sha1(data).digest()
            if spliced:
                assert cached is not None
                changes = {path: self._map.get(path) for path in self._old}
                blob = dscache.patch(cached, key, p1, p2, changes, self._copies)
            else:
                blob = dscache.build(key, p1, p2, self._map, self._copies)
            self._cached = _store(vfs, key, blob)
        self._data = data
        self._old.clear()
        self._oldcopies.clear()
        self._rewrite = False
        self.dirty = False
        self.identity = _identity(self._repo)

    def changed_on_disk(self) -> bool:
        """Whether another writer replaced ``.hg/dirstate`` since we read it."""
        return _identity(self._repo) != self.identity
