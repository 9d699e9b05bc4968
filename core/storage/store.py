"""The store: how logical store paths become file names, and the fncache.

Revlogs are addressed by *logical* store paths such as ``data/Foo/aux.c.i``.
On disk those names are encoded so that every path is safe on
case-insensitive and Windows file systems (upper case, reserved device
names, trailing dots and spaces, bytes outside printable ASCII) and no
longer than 120 bytes (longer ones are replaced by a hashed form).  The
encoding is exactly Mercurial's ``store``/``fncache``/``dotencode`` layout,
so either tool finds the other's files.

Hashed names cannot be decoded, so a ``fncache`` store keeps the list of
its filelog files in ``fncache``; it is appended to (or rewritten) only
when a transaction closes, under the transaction's journal.
"""
from __future__ import annotations

import os

from amalgam.error import StorageError
from amalgam.vfs import VFS, AtomicTempFile, PathLike, audit_path

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import IO

    from amalgam.storage.transaction import Transaction
    from amalgam.ui import UI

# -- directory escaping ("encodedir") ---------------------------------------


def encodedir(path: bytes) -> bytes:
    """Escape directories named like revlog files (``x.i/`` → ``x.i.hg/``)."""
    if b".hg/" not in path and b".i/" not in path and b".d/" not in path:
        return path
    return (path.replace(b".hg/", b".hg.hg/").replace(b".i/", b".i.hg/")
            .replace(b".d/", b".d.hg/"))


def decodedir(path: bytes) -> bytes:
    """Inverse of :func:`encodedir`."""
    if b".hg/" not in path:
        return path
    return (path.replace(b".d.hg/", b".d/").replace(b".i.hg/", b".i/")
            .replace(b".hg.hg/", b".hg/"))


# -- byte-level encodings ------------------------------------------------------

_WINDOWS_RESERVED = frozenset(b'\\:*?"<>|')


def _escape(byte: int) -> bytes:
    return b"~%02x" % byte


def _build_tables() -> tuple[list[bytes], list[bytes]]:
    reversible: list[bytes] = []
    lower: list[bytes] = []
    for byte in range(256):
        if byte < 32 or byte >= 126 or byte in _WINDOWS_RESERVED:
            out = _escape(byte)
            reversible.append(out)
            lower.append(out)
        elif 65 <= byte <= 90:  # A-Z
            reversible.append(b"_" + bytes([byte + 32]))
            lower.append(bytes([byte + 32]))
        elif byte == 95:  # "_"
            reversible.append(b"__")
            lower.append(b"_")
        else:
            reversible.append(bytes([byte]))
            lower.append(bytes([byte]))
    return reversible, lower


# Bytes every encoding leaves alone (printable ASCII but capitals, "_" and
# the Windows-reserved ones); a path made only of these skips the tables
# (the common case: lowercase ASCII names).
_PLAIN = bytes(range(32, 126)).translate(
    None, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_" + bytes(_WINDOWS_RESERVED))
_TABLES: tuple[list[bytes], list[bytes], dict[bytes, bytes]] | None = None


def _tables() -> tuple[list[bytes], list[bytes], dict[bytes, bytes]]:
    """(reversible, lower, decode) tables, built on first use.

    Building them costs more than the rest of this module's import, and a
    clean ``status`` never encodes a store path.
    """
    global _TABLES
    if _TABLES is None:
        reversible, lower = _build_tables()
        _TABLES = reversible, lower, {v: bytes([k]) for k, v in enumerate(reversible)}
    return _TABLES


def encodefilename(path: bytes) -> bytes:
    """The reversible encoding of the plain ``store`` layout."""
    return _encodebytes(encodedir(path))


def _encodebytes(path: bytes) -> bytes:
    if not path.translate(None, _PLAIN):
        return path
    table = _tables()[0]
    return b"".join([table[b] for b in path])


def decodefilename(name: bytes) -> bytes:
    """Inverse of :func:`encodefilename`; StorageError on a malformed name."""
    decode = _tables()[2]
    out: list[bytes] = []
    i, n = 0, len(name)
    while i < n:
        for size in (1, 2, 3):
            token = name[i:i + size]
            if token in decode:
                out.append(decode[token])
                i += size
                break
        else:
            raise StorageError(f"cannot decode store file name {name!r}")
    return decodedir(b"".join(out))


def lowerencode(path: bytes) -> bytes:
    """Lower-case ASCII letters and escape unsafe bytes (for hashed names)."""
    if not path.translate(None, _PLAIN):
        return path
    table = _tables()[1]
    return b"".join([table[b] for b in path])


_DEVICE3 = frozenset([b"aux", b"con", b"prn", b"nul"])
_DEVICE4 = frozenset([b"com", b"lpt"])


def _auxencode(components: list[bytes], dotencode: bool) -> list[bytes]:
    """Make each path component safe as a Windows file name."""
    out = []
    for comp in components:
        if not comp:
            out.append(comp)
            continue
        if dotencode and comp[0] in b". ":
            comp = _escape(comp[0]) + comp[1:]
        else:
            dot = comp.find(b".")
            stem = comp if dot == -1 else comp[:dot]
            if ((len(stem) == 3 and stem in _DEVICE3)
                    or (len(stem) == 4 and stem[:3] in _DEVICE4
                        and 49 <= stem[3] <= 57)):
                comp = comp[:2] + _escape(comp[2]) + comp[3:]
        if comp[-1] in b". ":
            comp = comp[:-1] + _escape(comp[-1])
        out.append(comp)
    return out


_MAX_STORE_PATH = 120
_DIR_PREFIX_LEN = 8
_MAX_SHORTENED_DIRS = 68


def _hashencode(path: bytes, dotencode: bool) -> bytes:
    """The ``dh/`` form of an over-long path (*path* is encodedir'd)."""
    from hashlib import sha1  # only long paths need it; status never does

    digest = sha1(path).hexdigest().encode("ascii")
    parts = _auxencode(lowerencode(path[5:]).split(b"/"), dotencode)
    basename = parts[-1]
    # Extension as os.path.splitext sees it: leading dots belong to the name.
    lead = len(basename) - len(basename.lstrip(b"."))
    dot = basename.rfind(b".", lead)
    ext = basename[dot:] if dot != -1 else b""
    dirs: list[bytes] = []
    used = 0
    for comp in parts[:-1]:
        piece = comp[:_DIR_PREFIX_LEN]
        if piece[-1:] in (b".", b" "):
            piece = piece[:-1] + b"_"
        needed = used + (1 if dirs else 0) + len(piece)
        if needed > _MAX_SHORTENED_DIRS:
            break
        dirs.append(piece)
        used = needed
    prefix = b"dh/" + b"/".join(dirs) + (b"/" if dirs else b"")
    room = _MAX_STORE_PATH - len(prefix) - len(digest) - len(ext)
    filler = basename[:room] if room > 0 else b""
    return prefix + filler + digest + ext


def hybridencode(path: bytes, dotencode: bool = True) -> bytes:
    """The on-disk name of *path* in a ``fncache`` store."""
    path = encodedir(path)
    encoded = b"/".join(_auxencode(_encodebytes(path).split(b"/"), dotencode))
    if len(encoded) > _MAX_STORE_PATH:
        return _hashencode(path, dotencode)
    return encoded


def _is_data_path(path: bytes) -> bool:
    """Whether *path* is a revlog the fncache must list.

    Only revlog files count: a transaction keeps its backups beside the
    file they save (``data/journal.backup.a.i.bck``), and those must never
    reach the fncache.
    """
    return path.startswith((b"data/", b"meta/")) and path.endswith((b".i", b".d"))


# -- the fncache -----------------------------------------------------------------

FNCACHE = b"fncache"


class Fncache:
    """The set of filelog paths of a store, kept in ``fncache``."""

    def __init__(self, vfs: VFS) -> None:
        self._vfs = vfs
        self._entries: set[bytes] | None = None
        self._added: list[bytes] = []
        self._rewrite = False

    def _load(self) -> set[bytes]:
        if self._entries is None:
            self._entries = parse_fncache(self._vfs.tryread(FNCACHE))
        return self._entries

    def __contains__(self, path: bytes) -> bool:
        return path in self._load()

    def __iter__(self) -> Iterator[bytes]:
        return iter(sorted(self._load()))

    def __len__(self) -> int:
        return len(self._load())

    def add(self, path: bytes) -> None:
        entries = self._load()
        if path not in entries:
            entries.add(path)
            self._added.append(path)

    def discard(self, path: bytes) -> None:
        entries = self._load()
        if path in entries:
            entries.discard(path)
            self._rewrite = True

    @property
    def dirty(self) -> bool:
        return bool(self._added) or self._rewrite

    def write(self, tr: Transaction) -> None:
        """Persist pending changes under *tr*'s journal."""
        if not self.dirty:
            return
        entries = self._load()
        if self._rewrite:
            tr.addbackup(FNCACHE)
            with self._vfs(FNCACHE, "wb", atomictemp=True) as fp:
                _write_lines(fp, sorted(entries))
        else:
            # Additions only: append, so the journal can truncate it back.
            try:
                size = self._vfs.stat(FNCACHE).st_size
            except FileNotFoundError:
                size = 0
            tr.add(FNCACHE, size)
            with self._vfs(FNCACHE, "ab") as fp:
                _write_lines(fp, self._added)
        self._added = []
        self._rewrite = False

    def invalidate(self) -> None:
        """Forget in-memory state (after a rollback changed the file)."""
        self._entries = None
        self._added = []
        self._rewrite = False


#: fncache lines joined per write: a first commit of 100,000 files must not
#: build its whole fncache text (and 100,000 line objects) at once.
_WRITE_BATCH = 4096


def _write_lines(fp: IO[bytes] | AtomicTempFile, paths: list[bytes]) -> None:
    for start in range(0, len(paths), _WRITE_BATCH):
        fp.write(b"".join(encodedir(p) + b"\n" for p in paths[start:start + _WRITE_BATCH]))


def parse_fncache(data: bytes) -> set[bytes]:
    """Entries of an ``fncache`` file; StorageError if it is malformed."""
    if not data:
        return set()
    hint = "rebuild it with 'hg debugrebuildfncache'"
    if not data.endswith(b"\n"):
        raise StorageError("the fncache file does not end with a newline", hint=hint)
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line:
            raise StorageError(f"empty entry in the fncache file at line {number}",
                               hint=hint)
    return {decodedir(line) for line in lines}


# -- VFS that encodes ------------------------------------------------------------


class EncodedVFS(VFS):
    """A VFS over the store directory that encodes logical store paths.

    Opening a ``data/`` or ``meta/`` path for writing records it in the
    fncache (when the store has one).
    """

    def __init__(self, base: PathLike, store: Store) -> None:
        super().__init__(base)
        self._store = store

    def _encode(self, path: bytes) -> bytes:
        return self._store.encode(path)

    def __call__(self, path: PathLike, mode: str = "rb", atomictemp: bool = False,
                 checkambig: bool = False) -> IO[bytes] | AtomicTempFile:
        fp = super().__call__(path, mode, atomictemp=atomictemp, checkambig=checkambig)
        fncache = self._store.fncache
        if fncache is not None and (mode[0] != "r" or "+" in mode):
            # Appending to a non-empty file: it was created, and listed, by an
            # earlier write.  Skipping it spares loading a 100,000-line
            # fncache on every commit to a big repository.
            if not (mode[0] == "a" and not atomictemp and fp.tell() > 0):
                raw = audit_path(path)
                if _is_data_path(raw):
                    fncache.add(raw)
        return fp

    open = __call__


# Encoded names remembered: a path is encoded a few times in a row (read the
# index, append to it, maybe the data file), so a small cache is enough and
# a commit of 100,000 new files does not keep 100,000 names.
_ENCODE_CACHE = 4096


class Store:
    """The ``.hg/store`` directory of a repository.

    ``store.vfs`` opens logical store paths; ``store.rawvfs`` opens names
    as they are on disk (journal, fncache, lock).
    """

    def __init__(self, path: PathLike, requirements: Iterable[str]) -> None:
        reqs = set(requirements)
        self.path = os.fsdecode(path)
        self.fncache_enabled = "fncache" in reqs
        self.dotencode = self.fncache_enabled and "dotencode" in reqs
        self.rawvfs = VFS(self.path)
        self.fncache: Fncache | None = Fncache(self.rawvfs) if self.fncache_enabled else None
        self.vfs = EncodedVFS(self.path, self)
        self._cache: dict[bytes, bytes] = {}

    def encode(self, path: bytes) -> bytes:
        """The on-disk name of the logical store path *path*."""
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        if self.fncache_enabled:
            encoded = hybridencode(path, self.dotencode)
        else:
            encoded = encodefilename(path)
        if len(self._cache) > _ENCODE_CACHE:
            self._cache.clear()
        self._cache[path] = encoded
        return encoded

    def transaction(self, name: str, *, ui: UI | None = None) -> Transaction:
        """Open a transaction on this store that also persists the fncache."""
        from amalgam.storage.transaction import Transaction

        tr = Transaction(name, self.vfs, ui=ui)
        tr.addfinalize(b"flush-fncache", self.write)
        tr.addabort(b"reset-fncache", self._forget_fncache)
        return tr

    def write(self, tr: Transaction) -> None:
        """Flush in-memory store state (the fncache) under *tr*."""
        if self.fncache is not None:
            self.fncache.write(tr)

    def _forget_fncache(self, tr: Transaction) -> None:
        if self.fncache is not None:
            self.fncache.invalidate()

    def fncache_entries(self) -> set[bytes]:
        """The logical paths listed in the fncache (empty without one)."""
        if self.fncache is None:
            return set()
        return set(self.fncache)

    def datafiles(self) -> list[tuple[bytes, int]]:
        """``(logical path, size)`` of every filelog/tree-manifest file present."""
        result = []
        if self.fncache is not None:
            paths: Iterable[bytes] = sorted(self.fncache)
        else:
            paths = sorted(decodefilename(name) for name in self.encoded_datafiles())
        for path in paths:
            try:
                result.append((path, self.vfs.stat(path).st_size))
            except FileNotFoundError:
                continue
        return result

    def encoded_datafiles(self) -> list[bytes]:
        """On-disk names (store-relative) of revlog files under data/, meta/, dh/."""
        found: list[bytes] = []
        root = os.fsencode(self.path)
        for top in (b"data", b"meta", b"dh"):
            for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
                dirnames.sort()
                rel = os.path.relpath(dirpath, root).replace(os.sep.encode(), b"/")
                found.extend(rel + b"/" + name for name in sorted(filenames)
                             if name.endswith((b".i", b".d")))
        return found
