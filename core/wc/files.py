"""Working-copy file access with hg's flags: ``l`` (symlink) and ``x`` (executable).

A symlink's content is its target, as hg stores it.  Writes go through
the path auditor, so a crafted manifest cannot write through a symlink or
into ``.hg``.
"""
from __future__ import annotations

import os
import stat as statmod
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.wc.audit import PathAuditor, show

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
    revlog options.
    """
    from amalgam.storage.filelog import Filelog
    from amalgam.storage.revlog import Revlog

    options = repo.manifestlog.revlog.options
    return Filelog(Revlog(repo.svfs, b"data/" + path, options=options), path).read(node)


def flags(repo: Repository, path: bytes) -> str:
    """``"l"``, ``"x"`` or ``""`` for the file on disk (``""`` when missing)."""
    try:
        return flags_of_mode(os.lstat(join(repo, path)).st_mode)
    except OSError:
        return ""


def write(repo: Repository, path: bytes, data: bytes, flags: str = "") -> os.stat_result:
    """Write *path* with *flags*, replacing whatever is there; returns its lstat.

    Called once per file by an update of the whole tree, so it makes the
    fewest system calls: the parent directory is created only when opening
    fails, a new file gets its exec bit from ``open``'s mode, and the stat
    returned comes from the open descriptor.
    """
    _auditor(repo)(path)
    full = join(repo, path)
    try:
        st: os.stat_result | None = os.lstat(full)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None and statmod.S_ISDIR(st.st_mode):
        raise error.Abort(f"cannot write {show(path)}: a directory is in the way",
                          hint="move the directory out of the way and try again")
    if st is not None and (statmod.S_ISLNK(st.st_mode) or "l" in flags):
        os.unlink(full)
        st = None
    if "l" in flags:
        _make_parent(repo, os.path.dirname(full))
        os.symlink(data, full)
        return os.lstat(full)
    want_x = "x" in flags
    mode = 0o777 if want_x else 0o666  # the umask applies, as for any new file
    openflags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(full, openflags, mode)
    except (FileNotFoundError, NotADirectoryError):
        _make_parent(repo, os.path.dirname(full))
        fd = os.open(full, openflags, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if st is not None and bool(st.st_mode & 0o100) != want_x:
            old = st.st_mode & 0o7777
            new = (old | (0o777 & ~_umask() & 0o111)) if want_x else (old & ~0o111)
            os.fchmod(fd, new)
        return os.fstat(fd)
    finally:
        os.close(fd)


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
