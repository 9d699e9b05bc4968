"""Working-copy file access with hg's flags: ``l`` (symlink) and ``x`` (executable).

A symlink's content is its target, as hg stores it.  Writes go through
the path auditor, so a crafted manifest cannot write through a symlink or
into ``.hg``.
"""
from __future__ import annotations

import errno
import os
import stat as statmod

from amalgam import error
from amalgam.wc.audit import PathAuditor, show

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from amalgam.repo import Repository

_auditors: dict[str, PathAuditor] = {}


def _auditor(repo: Repository) -> PathAuditor:
    auditor = _auditors.get(repo.root)
    if auditor is None:
        auditor = _auditors[repo.root] = PathAuditor(repo.root)
    return auditor


def join(repo: Repository, path: bytes) -> bytes:
    """Absolute file-system path of repository path *path*."""
    return os.path.join(os.fsencode(repo.root), path)


def flags_of_mode(mode: int) -> str:
    if statmod.S_ISLNK(mode):
        return "l"
    return "x" if mode & 0o100 else ""


def read(repo: Repository, path: bytes) -> bytes:
    """The content hg would commit for *path*: the link target for a symlink."""
    full = join(repo, path)
    try:
        st = os.lstat(full)
        if statmod.S_ISLNK(st.st_mode):
            return os.readlink(full)
        with open(full, "rb") as fp:
            return fp.read()
    except OSError as exc:
        raise error.Abort(f"{show(path)}: {exc.strerror}") from None


def read_revision(repo: Repository, path: bytes, node: bytes) -> bytes:
    """Content of revision *node* of *path*, without keeping its filelog.

    ``repo.file`` keeps every filelog it opens, each with its index and
    last text; an update of 100,000 files reads each file once, and keeping
    them all cost hundreds of MiB.  Filelogs and the manifest share their
    revlog options.  A small inline filelog (most of them) is read from
    disk once: the revlog then finds its index and its chunks in those bytes
    instead of opening the file twice.
    """
    from amalgam.storage.filelog import Filelog
    from amalgam.storage.revlog import Revlog

    options = repo.manifestlog.revlog.options
    svfs = repo.svfs
    radix = b"data/" + path
    index = radix + b".i"
    opener = svfs
    data = _read_small(svfs.join(index))
    if data is not None:
        opener = _ReadOnce(svfs, index, data)
    return Filelog(Revlog(opener, radix, options=options), path).read(node)


# Bigger index files go through the store opener, which maps big ones rather
# than reading them (they need a real file).
_SMALL_INDEX = 32 * 1024


def _read_small(name: str) -> bytes | None:
    """The whole of file *name* if it holds at most ``_SMALL_INDEX`` bytes, else None.

    Plain ``os`` calls: a buffered file object costs twice as much per small file.
    """
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None  # missing or unreadable: the revlog reports it itself
    try:
        parts = []
        size = 0
        while size <= _SMALL_INDEX:
            part = os.read(fd, _SMALL_INDEX + 1 - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
    finally:
        os.close(fd)
    if size > _SMALL_INDEX:
        return None
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _ReadOnce:
    """A store opener that serves one file, already read, from memory.

    Revlogs only grow by appending, so the bytes read are a consistent
    snapshot of that revlog; everything else goes to the real opener.
    """

    __slots__ = ("_opener", "_path", "_data")

    def __init__(self, opener, path: bytes, data: bytes) -> None:
        self._opener = opener
        self._path = path
        self._data = data

    def __call__(self, path: bytes, mode: str = "rb", *args, **kwargs):
        if path == self._path and mode == "rb":
            import io

            return io.BytesIO(self._data)
        return self._opener(path, mode, *args, **kwargs)


def flags(repo: Repository, path: bytes) -> str:
    """``"l"``, ``"x"`` or ``""`` for the file on disk (``""`` when missing)."""
    try:
        return flags_of_mode(os.lstat(join(repo, path)).st_mode)
    except OSError:
        return ""


def write(repo: Repository, path: bytes, data: bytes, flags: str = "") -> os.stat_result:
    """Write *path* with *flags*, replacing whatever is there; returns its lstat.

    Called once per file by an update of the whole tree, so it makes the
    fewest system calls: open (never through a symlink), write, fstat,
    close.  The parent directory is created only when opening fails, a new
    file gets its exec bit from ``open``'s mode, and an existing file is
    chmodded only when its exec bit is wrong.
    """
    _auditor(repo)(path)
    full = join(repo, path)
    if "l" in flags:
        _clear_for_link(path, full)
        _make_parent(repo, os.path.dirname(full))
        os.symlink(data, full)
        return os.lstat(full)
    want_x = "x" in flags
    fd = _open_for_write(repo, path, full, 0o777 if want_x else 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        st = os.fstat(fd)
        if bool(st.st_mode & 0o100) != want_x:
            old = st.st_mode & 0o7777
            new = (old | (0o777 & ~_umask() & 0o111)) if want_x else (old & ~0o111)
            if new != old:
                os.fchmod(fd, new)
                st = os.fstat(fd)
        return st
    finally:
        os.close(fd)


# O_NOFOLLOW: a symlink standing where a file goes is replaced, never written through.
_WRITE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
                | getattr(os, "O_BINARY", 0))


_IN_THE_WAY = frozenset([errno.EISDIR, errno.ELOOP, errno.EMLINK])


def _open_for_write(repo: Repository, path: bytes, full: bytes, mode: int) -> int:
    """A descriptor on *full*, truncated or created with *mode* (the umask applies)."""
    try:
        return os.open(full, _WRITE_FLAGS, mode)
    except (FileNotFoundError, NotADirectoryError):
        _make_parent(repo, os.path.dirname(full))
    except OSError as exc:
        # A directory or a symlink (ELOOP; EMLINK on the BSDs) in the way.
        if exc.errno not in _IN_THE_WAY:
            raise
        _clear_for_file(path, full)
    return os.open(full, _WRITE_FLAGS, mode)


def _clear_for_file(path: bytes, full: bytes) -> None:
    st = os.lstat(full)
    if statmod.S_ISDIR(st.st_mode):
        raise error.Abort(f"cannot write {show(path)}: a directory is in the way",
                          hint="move the directory out of the way and try again")
    if statmod.S_ISLNK(st.st_mode):
        os.unlink(full)


def _clear_for_link(path: bytes, full: bytes) -> None:
    try:
        st = os.lstat(full)
    except (FileNotFoundError, NotADirectoryError):
        return
    if statmod.S_ISDIR(st.st_mode):
        raise error.Abort(f"cannot write {show(path)}: a directory is in the way",
                          hint="move the directory out of the way and try again")
    os.unlink(full)


def remove(repo: Repository, path: bytes) -> None:
    """Delete *path* and then its directories that became empty."""
    full = join(repo, path)
    try:
        os.unlink(full)
    except FileNotFoundError:
        pass
    root = os.fsencode(repo.root)
    parent = os.path.dirname(full)
    while parent != root and parent.startswith(root):
        try:
            os.rmdir(parent)
        except OSError:
            break
        parent = os.path.dirname(parent)


def _make_parent(repo: Repository, parent: bytes) -> None:
    """Create *parent*, replacing a file or symlink that stands in its way."""
    try:
        os.makedirs(parent, exist_ok=True)
        return
    except (FileExistsError, NotADirectoryError):
        pass
    root = os.fsencode(repo.root)
    rel = parent[len(root) + 1:]
    current = root
    for part in rel.split(b"/"):
        current = os.path.join(current, part)
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            os.mkdir(current)
            continue
        if not statmod.S_ISDIR(st.st_mode):
            os.unlink(current)
            os.mkdir(current)


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        current = os.umask(0)
        os.umask(current)
        _UMASK = current
    return _UMASK
