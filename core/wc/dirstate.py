"""``DirState``: hg's dirstate v1 (``.hg/dirstate``) read and written exactly.

The byte format lives in :mod:`amalgam.wc.dirstate_v1`, the parsed cache
of big dirstates in :mod:`amalgam.wc.dirstate_cache`.

The "ambiguous mtime" rule: a clean entry's mtime is trusted only when it
is strictly older than the file-system clock at the time the dirstate is
written; otherwise it is written as -1 so the next status compares content
(a file changed again within the same second would otherwise look clean).
"""
from __future__ import annotations

import os
from operator import itemgetter

from amalgam import error
from amalgam.node import Node, nullid
from amalgam.wc import dirstate_cache as dscache
from amalgam.wc.dirstate_v1 import _MASK, pack, parse, splice

__all__ = ["DirState", "Entry", "fs_now", "load", "pack", "parse", "splice"]

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    from amalgam.repo import Repository

#: At most this many changed entries are written by splicing them into the
#: dirstate read (each costs a search of it); more mean a full rewrite.
_SPLICE_MAX = 16
SIZE_NONNORMAL = -1
SIZE_FROM_P2 = -2


class Entry(tuple):
    """One tracked file: state ``n``/``a``/``r``/``m`` and its cached stat.

    A ``(state, mode, size, mtime)`` tuple with named fields, as a
    ``NamedTuple`` would be, without importing typing at start-up.
    """

    __slots__ = ()

    def __new__(cls, state: str, mode: int, size: int, mtime: int) -> Entry:
        return tuple.__new__(cls, (state, mode, size, mtime))

    state = property(itemgetter(0), doc="``n``, ``a``, ``r`` or ``m``")
    mode = property(itemgetter(1), doc="the file's mode when last seen clean")
    size = property(itemgetter(2), doc="its size (or -1, -2: see the module)")
    mtime = property(itemgetter(3), doc="its mtime in seconds (-1: compare content)")

    def __repr__(self) -> str:
        return "Entry(state=%r, mode=%r, size=%r, mtime=%r)" % self

    def __getnewargs__(self) -> tuple[str, int, int, int]:
        return tuple(self)  # so copy and pickle rebuild it through __new__


def load(vfs: Any, data: bytes) -> tuple[Node, Node, dict[bytes, tuple], dict[bytes, bytes]]:
    """:func:`parse` *data*, through the parsed-dirstate cache when it is big."""
    cached = _cached(vfs, data)
    if cached is None:
        return parse(data)
    return Node(cached.p1), Node(cached.p2), cached.entries(), dict(cached.copies)


def _cached(vfs: Any, data: bytes) -> dscache.Cached | None:
    """The cache of *data* (made now if missing or stale), or None when it is small.

    A stale cache is brought up to date from the records that changed
    (another tool wrote the dirstate); only when that fails is *data*
    parsed whole.  A read-only ``.hg`` still gets a cache object, in memory.
    """
    if len(data) < dscache.MIN_SIZE:
        return None
    import hashlib

    key = hashlib.sha1(data).digest()
    try:
        blob = dscache.mapped(vfs.join(dscache.NAME))
    except (OSError, ValueError):
        blob = None
    cached = dscache.read(blob, key) if blob is not None else None
    if cached is not None:
        return cached
    stale = dscache.read(blob, None) if blob is not None else None
    fresh = dscache.refresh(stale, key, data) if stale is not None else None
    if fresh is None:
        marks: list[int] = []
        p1, p2, entries, copies = parse(data, marks)
        fresh = dscache.build(key, p1, p2, entries, copies, data, marks)
    return _store(vfs, key, fresh)


def _store(vfs: Any, key: bytes, pieces: list[Any]) -> dscache.Cached:
    """Write the cache file made of *pieces*; the cache read back from it (mapped)."""
    try:
        with vfs(dscache.NAME, "wb", atomictemp=True) as fp:
            fp.writelines(pieces)
        blob = dscache.mapped(vfs.join(dscache.NAME))
    except (OSError, ValueError):
        blob = b"".join(pieces)  # a read-only repository: this process only
    cached = dscache.read(blob, key)
    if cached is None:  # replaced by another process meanwhile
        cached = dscache.read(b"".join(pieces), key)
    assert cached is not None
    return cached


#: The stat that names a settled dirstate and its SHA-1 (see :func:`_settled`).
SETTLED = "cache/amalgam-dirstate-id"


def _stat_key(vfs: Any) -> str | None:
    try:
        st = os.stat(vfs.join("dirstate"))
    except OSError:
        return None
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"


def _settled(vfs: Any) -> dscache.Cached | None:
    """The cache of ``.hg/dirstate`` found by the file's stat alone, if it is settled.

    Hashing 6 MB costs a few milliseconds on every status of a big
    working copy.  A stat names the file safely once its ctime lies a few
    seconds in the file system's past when the stat is recorded: any later
    replacement (even reusing the inode, with the same size and mtime) gets
    a later ctime, which no tool can set back.
    """
    try:
        recorded = vfs.read(SETTLED).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    stat, _, key = recorded.rpartition(" ")
    if not stat or stat != _stat_key(vfs):
        return None
    try:
        return dscache.read(dscache.mapped(vfs.join(dscache.NAME)), bytes.fromhex(key))
    except (OSError, ValueError):
        return None


def _note_settled(vfs: Any, stat: str, key: bytes) -> None:
    """Record that the dirstate with *stat* has SHA-1 *key*, if its ctime is settled."""
    ctime_ns = int(stat.rsplit(" ", 1)[1])
    try:
        if fs_now_ns(vfs.join()) - ctime_ns < _SETTLE_NS:
            return
        vfs.write(SETTLED, f"{stat} {key.hex()}".encode("ascii"), atomictemp=True)
    except OSError:
        pass  # a read-only repository hashes every time


#: How far in the file system's past a dirstate's ctime must be to name it by its stat
#: (file systems with 2-second timestamps included).
_SETTLE_NS = 3_000_000_000


def _new_file_stat(vfs_dir: str) -> os.stat_result:
    """The stat of a file created now in *vfs_dir*: the file system's own clock."""
    from amalgam.vfs import make_temp

    fd, name = make_temp(vfs_dir, ".dirstate-now-")
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)
        os.unlink(name)


def fs_now_ns(vfs_dir: str) -> int:
    """The file system's clock, in nanoseconds (a new file's ctime)."""
    return _new_file_stat(vfs_dir).st_ctime_ns


def fs_now(vfs_dir: str) -> int:
    """The file system's idea of the current second (masked like stored mtimes).

    Sampled by creating a file in *vfs_dir*, since the file-system clock can
    differ from ``time.time()`` (network file systems).
    """
    return int(_new_file_stat(vfs_dir).st_mtime) & _MASK


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
        #: changes made while the entries are not loaded (None: dropped)
        self._lazy: dict[bytes, tuple | None] = {}
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
        cached = _settled(repo.vfs)
        if cached is not None:  # known by its stat: neither read nor hashed
            return cls(repo, Node(cached.p1), Node(cached.p2), None, dict(cached.copies),
                       data=None, cached=cached)
        before = _stat_key(repo.vfs)
        data = repo.vfs.tryread("dirstate")
        cached = _cached(repo.vfs, data)
        if cached is not None and before is not None and before == _stat_key(repo.vfs):
            _note_settled(repo.vfs, before, cached.key)
        if cached is None:
            p1, p2, entries, copies = parse(data)
            return cls(repo, p1, p2, entries, copies, data=data)
        return cls(repo, Node(cached.p1), Node(cached.p2), None, dict(cached.copies),
                   data=data, cached=cached)

    @property
    def _map(self) -> dict[bytes, tuple]:
        return self._load()

    def _load(self) -> dict[bytes, tuple]:
        """Every entry, loaded from the cache (with the changes made meanwhile) if need be."""
        if self._entries is None:
            assert self._cached is not None
            entries = self._cached.entries()
            for path, value in self._lazy.items():
                if value is None:
                    entries.pop(path, None)
                else:
                    entries[path] = value
            self._lazy = {}
            self._entries = entries
        return self._entries

    def _pristine(self) -> bool:
        """Whether the entries are still only the cache's, unloaded and unchanged."""
        return self._entries is None and not self._lazy

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

    def key(self) -> bytes:
        """The SHA-1 of ``.hg/dirstate`` as last read or written by this object."""
        if self._cached is not None:
            return self._cached.key
        import hashlib

        return hashlib.sha1(self._data).digest()

    def changed_since(self, key: bytes) -> set[bytes] | None:
        """Paths whose entry or copy changed since the dirstate with SHA-1 *key*.

        Known for the last few writes of a few entries each to a big
        dirstate; None when unknown (the caller compares dirstates).
        """
        if self._cached is not None:
            return self._cached.changed_since(key)
        return set() if key == self.key() else None

    # -- reading entries ----------------------------------------------------------

    def rawget(self, path: bytes) -> tuple | None:
        """``raw().get(path)``, without loading every entry of a cached dirstate."""
        if self._entries is None:
            assert self._cached is not None
            if path in self._lazy:
                return self._lazy[path]
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
        if self._pristine():
            assert self._cached is not None
            return self._cached.count
        return len(self._map)

    def shares(self, n: int) -> list[Callable[[], Iterable[tuple[bytes, tuple]]]]:
        """The entries in *n* shares, each read only when called.

        Of a cached dirstate not loaded, share *i* is the cache's runs *i*,
        *i+n*...: a forked worker calling it loads only its own runs, and
        nobody merges 100,000 entries into one dict.
        """
        if self._pristine():
            cached = self._cached
            assert cached is not None
            runs = len(cached.bounds) + 1

            def share(first: int) -> Callable[[], Iterable[tuple[bytes, tuple]]]:
                return lambda: (item for index in range(first, runs, n)
                                for item in cached.run(index).items())
            return [share(i) for i in range(n)]
        from itertools import islice

        entries = self._map
        return [lambda i=i: islice(entries.items(), i, None, n) for i in range(n)]

    def raw(self) -> dict[bytes, tuple]:
        """The entries as plain tuples (state, mode, size, mtime), for fast loops; read-only."""
        return self._map

    def nonnormal(self) -> dict[bytes, tuple]:
        """The entries a status must look at even if nothing changed on disk."""
        if self._pristine():
            assert self._cached is not None
            return self._cached.nonnormal
        odd = dscache.nonnormal
        return {path: value for path, value in self._map.items() if odd(value)}

    def parent_dirs(self) -> list[bytes]:
        """The directories holding tracked files (``b""`` for the root); maybe more."""
        if self._pristine():
            assert self._cached is not None
            return self._cached.dirs
        return list({path.rpartition(b"/")[0] for path in self._map})

    def under(self, prefixes: tuple[bytes, ...]) -> Iterator[tuple[bytes, tuple]]:
        """The entries under the directories *prefixes* (each ending in ``/``)."""
        if self._pristine():
            assert self._cached is not None
            return self._cached.under(prefixes)
        return ((path, value) for path, value in self._map.items()
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
        """Remember *path*'s entry and copy source as read, before its first change.

        Past the few a splice can write, nothing more is remembered: the
        write will pack everything anyway.
        """
        if self._rewrite or path in self._old:
            return
        if len(self._old) >= _SPLICE_MAX:
            self._rewrite = True
            self._old.clear()
            self._oldcopies.clear()
            return
        self._old[path] = self.rawget(path)
        self._oldcopies[path] = self._copies.get(path)

    def _set(self, path: bytes, value: tuple) -> None:
        self._note(path)
        old = self.rawget(path)
        if old is None or (old[0] == "r") != (value[0] == "r"):
            self._dirs = None
        if self._entries is None:
            self._lazy[path] = value  # a few changes need not load 100,000 entries
        else:
            self._entries[path] = value
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
        old = self.rawget(path)
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
        if self.rawget(path) is not None:
            if self._entries is None:
                self._lazy[path] = None
            else:
                del self._entries[path]
            self._dirs = None
            self.dirty = True
        self._copies.pop(path, None)

    def copy(self, source: bytes | None, dest: bytes) -> None:
        """Record that *dest* was copied from *source* (None clears it)."""
        if (source is None or source == dest) and dest not in self._copies:
            return  # nothing to clear: not a change
        self._note(dest)
        if source is None or source == dest:
            self._copies.pop(dest, None)
        else:
            self._copies[dest] = source
        self.dirty = True

    def clear(self) -> None:
        self._entries = {}
        self._lazy = {}
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
        marks = list(cached.marks) if cached is not None else []
        # The changed entries as they are now (splicing may downgrade an mtime in it).
        current = {}
        if cached is not None and not self._rewrite and cached.maxmtime < now:
            for path in self._old:
                value = self.rawget(path)
                if value is not None:
                    current[path] = value
            base = self._data if self._data is not None else cached.data()
            data = splice(base, p1, p2, self._old, self._oldcopies, current,
                          self._copies, now, marks)
        spliced = data is not None
        if spliced:
            if self._entries is not None:
                self._entries.update(current)
            else:
                self._lazy.update(current)
                if len(data) < dscache.MIN_SIZE:
                    self._load()  # small now: no cache will serve it
        else:
            marks = []
            data = pack(p1, p2, self._map, self._copies, now, marks)
        vfs.write("dirstate", data, atomictemp=True)
        self._cached = None
        if len(data) >= dscache.MIN_SIZE:
            import hashlib

            key = hashlib.sha1(data).digest()
            if spliced:
                assert cached is not None
                changes = {path: current.get(path) for path in self._old}
                blob = dscache.patch(cached, key, p1, p2, changes, self._copies, data, marks)
            else:
                blob = dscache.build(key, p1, p2, self._map, self._copies, data, marks)
            self._cached = _store(vfs, key, blob)
            if self._entries is None:
                self._lazy = {}  # the new cache holds them
        self._data = data
        self._old.clear()
        self._oldcopies.clear()
        self._rewrite = False
        self.dirty = False
        self.identity = _identity(self._repo)

    def changed_on_disk(self) -> bool:
        """Whether another writer replaced ``.hg/dirstate`` since we read it."""
        return _identity(self._repo) != self.identity
