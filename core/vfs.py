"""``VFS``: file access relative to one base directory.

Every file the kernel writes under ``.hg/`` goes through a VFS, so paths are
checked in one place, parent directories appear on demand, and rewritten
files are replaced atomically (written to a temporary sibling, renamed over
the target on close).  Paths are ``bytes`` relative to the base; ``str`` is
accepted and encoded with ``os.fsencode``.
"""
from __future__ import annotations

import errno
import os
import stat as statmod

from amalgam.error import SecurityError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

PathLike = bytes | str

_WINDOWS = os.name == "nt"
_umask: int | None = None


def _current_umask() -> int:
    # os.umask can only be read by setting it; do that once per process.
    global _umask
    if _umask is None:
        _umask = os.umask(0)
        os.umask(_umask)
    return _umask


# What tempfile.mkstemp opens with; O_NOFOLLOW and O_CLOEXEC where they exist.
_TEMP_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def make_temp(directory: str, prefix: str, suffix: str = "") -> tuple[int, str]:
    """Create a new file readable only by us; return its descriptor and path.

    tempfile.mkstemp does the same, but importing tempfile (with shutil and
    random) costs milliseconds of every command that writes one small file.
    """
    for _ in range(100):
        name = os.path.join(directory, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            return os.open(name, _TEMP_FLAGS, 0o600), name
        except FileExistsError:
            continue  # 48 random bits collided: draw again
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", directory)


def _tobytes(path: PathLike) -> bytes:
    return path if isinstance(path, bytes) else os.fsencode(path)


def audit_path(path: PathLike) -> bytes:
    """Return *path* as bytes; SecurityError if it could leave the base."""
    raw = _tobytes(path)
    if b"\0" in raw:
        raise SecurityError(f"path contains a NUL byte: {raw!r}")
    if raw.startswith(b"/") or (_WINDOWS and (raw.startswith(b"\\")
                                             or raw[1:2] == b":")):
        raise SecurityError(f"path is absolute: {os.fsdecode(raw)!r}",
                            hint="paths inside the repository are relative")
    if b".." in (raw.replace(b"\\", b"/") if _WINDOWS else raw).split(b"/"):
        raise SecurityError(f"path contains '..': {os.fsdecode(raw)!r}",
                            hint="paths inside the repository may not "
                                 "refer to a parent directory")
    return raw


class AtomicTempFile:
    """A file written under a temporary name and renamed onto *target* on close.

    Readers see either the old content or the new, never a half-written
    file.  Leaving the ``with`` block by an exception (or calling
    ``discard``) throws the new content away.
    """

    def __init__(self, target: str, mode: str = "wb", checkambig: bool = False) -> None:
        self.target = target
        self._checkambig = checkambig
        directory, name = os.path.split(target)
        fd, self.tempname = make_temp(directory or ".", f".{name}-")
        try:
            try:
                perm = statmod.S_IMODE(os.stat(target).st_mode)
            except FileNotFoundError:
                perm = 0o666 & ~_current_umask()
            os.fchmod(fd, perm)
            self._fp: IO[bytes] = os.fdopen(fd, mode)
        except BaseException:
            os.close(fd)
            os.unlink(self.tempname)
            raise
        self.closed = False

    def write(self, data: bytes) -> int:
        return self._fp.write(data)

    def writelines(self, lines: Any) -> None:
        self._fp.writelines(lines)

    def fileno(self) -> int:
        return self._fp.fileno()

    def flush(self) -> None:
        self._fp.flush()

    def close(self) -> None:
        """Make the new content visible under the target name."""
        if self.closed:
            return
        self._fp.close()
        old = _stat_or_none(self.target) if self._checkambig else None
        os.replace(self.tempname, self.target)
        self.closed = True
        if old is not None:
            _avoid_ambiguity(self.target, old)

    def discard(self) -> None:
        """Drop the new content; the target is left untouched."""
        if self.closed:
            return
        self.closed = True
        self._fp.close()
        try:
            os.unlink(self.tempname)
        except FileNotFoundError:
            pass

    def __enter__(self) -> AtomicTempFile:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __del__(self) -> None:
        # An atomictemp file that is never closed must not leave litter.
        if not getattr(self, "closed", True):
            self.discard()


def _stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _avoid_ambiguity(path: str, old: os.stat_result) -> None:
    """Bump mtime when a rewrite would look unchanged to a stat-based cache.

    Caches keyed by (size, mtime, ctime) cannot see a rewrite that lands in
    the same second with the same size; advancing mtime by one second makes
    the change visible, as hg does for the same reason.
    """
    new = os.stat(path)
    if (new.st_size == old.st_size
            and int(new.st_mtime) == int(old.st_mtime)
            and int(new.st_ctime) == int(old.st_ctime)):
        advanced = (int(old.st_mtime) + 1) & 0x7FFFFFFF
        try:
            os.utime(path, (new.st_atime, advanced))
        except PermissionError:
            pass


def _own_copy(path: str, keep: bool = True) -> None:
    """Give *path* an inode of its own when other hard links share it.

    A local clone hard-links its store to the source's (hg's clones do
    too); writing such a file in place would change every repository
    sharing it.  With *keep* it is first replaced by a private copy of its
    content, else (it is about to be truncated) simply unlinked.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if info.st_nlink < 2 or not statmod.S_ISREG(info.st_mode):
        return
    if not keep:
        os.unlink(path)
        return
    import shutil
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=".", suffix="-copy", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            shutil.copyfileobj(src, out)
        os.chmod(temp, statmod.S_IMODE(info.st_mode))
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


class VFS:
    """Open, read and write files below ``base``."""

    #: In-place writes first break a file's hard links (``_own_copy``), so a
    #: local clone may hard-link its store to the source's.
    breaks_hardlinks = True

    def __init__(self, base: PathLike) -> None:
        self.base: str = os.fsdecode(base)

    # -- paths -------------------------------------------------------------

    def _encode(self, path: bytes) -> bytes:
        """Map a caller's path to the on-disk name (identity here)."""
        return path

    def join(self, path: PathLike | None = None) -> str:
        """The host path (``str``) of *path* below the base."""
        if path is None or path in (b"", ""):
            return self.base
        return os.path.join(self.base, os.fsdecode(self._encode(audit_path(path))))

    # -- opening -----------------------------------------------------------

    def __call__(self, path: PathLike, mode: str = "rb", atomictemp: bool = False,
                 checkambig: bool = False) -> IO[bytes] | AtomicTempFile:
        """Open *path*; writing modes create missing parent directories."""
        if "b" not in mode:
            mode += "b"
        target = self.join(path)
        if mode[0] in "wax":
            self._ensure_parent(target)
        if atomictemp:
            if mode[0] != "w":
                raise ValueError("atomictemp files are write-only ('w' mode)")
            return AtomicTempFile(target, mode, checkambig=checkambig)
        if mode[0] in "wa" or "+" in mode:
            _own_copy(target, keep=mode[0] != "w")
        old = _stat_or_none(target) if checkambig and mode[0] == "w" else None
        fp = open(target, mode)
        if old is not None:
            return _AmbiguityCheckingFile(fp, target, old)
        return fp

    open = __call__

    @staticmethod
    def _ensure_parent(target: str) -> None:
        parent = os.path.dirname(target)
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)

    # -- whole-file helpers ------------------------------------------------

    def read(self, path: PathLike) -> bytes:
        with self(path, "rb") as fp:
            return fp.read()

    def tryread(self, path: PathLike) -> bytes:
        """The content of *path*, or ``b""`` when it does not exist."""
        try:
            return self.read(path)
        except FileNotFoundError:
            return b""

    def write(self, path: PathLike, data: bytes, atomictemp: bool = False,
              checkambig: bool = False) -> None:
        with self(path, "wb", atomictemp=atomictemp, checkambig=checkambig) as fp:
            fp.write(data)

    def append(self, path: PathLike, data: bytes) -> None:
        with self(path, "ab") as fp:
            fp.write(data)

    # -- metadata and directory operations ---------------------------------

    def exists(self, path: PathLike | None = None) -> bool:
        return os.path.lexists(self.join(path))

    def isdir(self, path: PathLike | None = None) -> bool:
        return os.path.isdir(self.join(path))

    def isfile(self, path: PathLike) -> bool:
        return os.path.isfile(self.join(path))

    def stat(self, path: PathLike | None = None) -> os.stat_result:
        return os.stat(self.join(path))

    def lstat(self, path: PathLike | None = None) -> os.stat_result:
        return os.lstat(self.join(path))

    def unlink(self, path: PathLike) -> None:
        os.unlink(self.join(path))

    def tryunlink(self, path: PathLike) -> bool:
        """Remove *path* if it exists; say whether something was removed."""
        try:
            os.unlink(self.join(path))
        except FileNotFoundError:
            return False
        return True

    def rename(self, src: PathLike, dst: PathLike, checkambig: bool = False) -> None:
        """Move *src* onto *dst*, atomically replacing an existing *dst*."""
        target = self.join(dst)
        self._ensure_parent(target)
        old = _stat_or_none(target) if checkambig else None
        os.replace(self.join(src), target)
        if old is not None:
            _avoid_ambiguity(target, old)

    def truncate(self, path: PathLike, size: int) -> None:
        """Cut *path* back to *size* bytes (it must exist)."""
        target = self.join(path)
        _own_copy(target)
        os.truncate(target, size)

    def makedirs(self, path: PathLike | None = None, mode: int | None = None) -> None:
        target = self.join(path)
        if mode is None:
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(target, mode=mode, exist_ok=True)

    def listdir(self, path: PathLike | None = None) -> list[bytes]:
        """Names (bytes) in the directory *path*, unsorted."""
        return os.listdir(os.fsencode(self.join(path)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base!r})"


class _AmbiguityCheckingFile:
    """A plain writable file that applies the mtime bump when closed."""

    def __init__(self, fp: IO[bytes], target: str, old: os.stat_result) -> None:
        self._fp = fp
        self._target = target
        self._old = old

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)

    def close(self) -> None:
        if self._fp.closed:
            return
        self._fp.close()
        try:
            _avoid_ambiguity(self._target, self._old)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise

    def __enter__(self) -> _AmbiguityCheckingFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
