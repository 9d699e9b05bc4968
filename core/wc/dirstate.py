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
#: Parsed dirstates this big are kept in .hg/cache, keyed by the content's
#: SHA-1: loading the cache costs half a parse (100,000 entries: 45 ms
#: against 90 ms).  Smaller ones parse faster than the cache loads.
_CACHE = "cache/amalgam-dirstate"
_CACHE_MIN = 1 << 20
_CACHE_VERSION = 1
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
    """:func:`parse` *data*, through the parsed-dirstate cache when it is big.

    The cache is only an accelerator: a missing, stale or unreadable one
    is replaced (when .hg is writable) by a fresh parse of *data*.
    """
    if len(data) < _CACHE_MIN:
        return parse(data)
    import hashlib
    import marshal

    key = hashlib.sha1(data).digest()
    try:
        version, cached_key, p1, p2, entries, copies = marshal.loads(vfs.read(_CACHE))
        if version == _CACHE_VERSION and cached_key == key \
                and type(entries) is dict and type(copies) is dict:
            return Node(p1), Node(p2), entries, copies
    except (OSError, ValueError, EOFError, TypeError):
        pass
    parsed = parse(data)
    _remember(vfs, key, *parsed)
    return parsed


def _remember(vfs: Any, key: bytes, p1: bytes, p2: bytes, entries: dict[bytes, tuple],
              copies: dict[bytes, bytes]) -> None:
    import marshal

    try:
        vfs.write(_CACHE, marshal.dumps((_CACHE_VERSION, key, bytes(p1), bytes(p2),
                                         entries, copies)), atomictemp=True)
    except OSError:
        pass  # a read-only repository: parse every time


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
    """The working copy's parents and the state of every tracked file."""

    def __init__(self, repo: Repository, p1: Node, p2: Node,
                 entries: dict[bytes, tuple], copies: dict[bytes, bytes]) -> None:
        self._repo = repo
        self._parents = (p1, p2)
        self._map = entries
        self._copies = copies
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
        p1, p2, entries, copies = load(repo.vfs, repo.vfs.tryread("dirstate"))
        return cls(repo, p1, p2, entries, copies)

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
                    self._map[path] = ("n", 0, SIZE_NONNORMAL, -1)
                elif state == "r" and size in (SIZE_NONNORMAL, SIZE_FROM_P2):
                    self._map[path] = ("r", 0, 0, 0)
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

    def get(self, path: bytes) -> Entry | None:
        raw = self._map.get(path)
        return None if raw is None else Entry(*raw)

    def __contains__(self, path: object) -> bool:
        return path in self._map

    def __iter__(self) -> Iterator[bytes]:
        return iter(sorted(self._map))

    def __len__(self) -> int:
        return len(self._map)

    def raw(self) -> dict[bytes, tuple]:
        """The entries as plain tuples (state, mode, size, mtime), for fast loops; read-only."""
        return self._map

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

    def _set(self, path: bytes, value: tuple) -> None:
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
        if self._map.pop(path, None) is not None:
            self._dirs = None
            self.dirty = True
        self._copies.pop(path, None)

    def copy(self, source: bytes | None, dest: bytes) -> None:
        """Record that *dest* was copied from *source* (None clears it)."""
        if source is None or source == dest:
            self._copies.pop(dest, None)
        else:
            self._copies[dest] = source
        self.dirty = True

    def clear(self) -> None:
        self._map.clear()
        self._copies.clear()
        self._dirs = None
        self.dirty = True

    # -- writing ------------------------------------------------------------

    def write(self) -> None:
        """Write ``.hg/dirstate`` atomically; the caller holds ``repo.wlock()``."""
        vfs = self._repo.vfs
        now = fs_now(vfs.join())
        data = pack(self._parents[0], self._parents[1], self._map, self._copies, now)
        vfs.write("dirstate", data, atomictemp=True)
        if len(data) >= _CACHE_MIN:
            import hashlib

            _remember(vfs, hashlib.sha1(data).digest(), *self._parents, self._map, self._copies)
        self.dirty = False
        self.identity = _identity(self._repo)

    def changed_on_disk(self) -> bool:
        """Whether another writer replaced ``.hg/dirstate`` since we read it."""
        return _identity(self._repo) != self.identity
