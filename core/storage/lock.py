"""Repository locks: ``.hg/store/lock`` and ``.hg/wlock``, as hg takes them.

A lock is a symbolic link whose target names the holder, ``HOST:PID``
(on Linux ``HOST/PIDNS:PID``, PIDNS being the pid namespace's inode in
hex, so containers sharing a host name do not judge each other's pids).
Where symlinks are unavailable it is a file created exclusively with the
same content.  Both tools use this format, so each sees the other's locks.

Locks are reentrant within a thread; another thread of the same process
waits for the holder like another process would.  A lock left by a dead
process on this host is broken; any other holder is waited for up to a
timeout.
Take ``wlock`` before ``lock`` when both are needed.
"""
from __future__ import annotations

import errno
import os
import time

# _thread is what threading wraps; threading itself costs a module import
# (with _weakrefset) at start-up.
from _thread import allocate_lock, get_ident

from amalgam.error import LockError, LockHeld
from amalgam.vfs import VFS

# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.ui import UI

DEFAULT_TIMEOUT = 600.0
_POLL_START = 0.05
_POLL_MAX = 1.0

_held: dict[str, Lock] = {}
_held_guard = allocate_lock()
_host_id: str | None = None


def host_id() -> str:
    """This machine's part of the lock content (host and pid namespace)."""
    global _host_id
    if _host_id is None:
        if hasattr(os, "uname"):
            host = os.uname().nodename  # what gethostname() says, without importing socket
        else:
            import socket

            host = socket.gethostname()
        try:
            host += "/%x" % os.stat("/proc/self/ns/pid").st_ino
        except OSError:
            pass
        _host_id = host
    return _host_id


def lock_info() -> str:
    """What this process writes into a lock it takes."""
    return f"{host_id()}:{os.getpid()}"


def _read_holder(path: str) -> str | None:
    """The holder named in the lock at *path*, or None if it is gone."""
    try:
        return os.readlink(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # EINVAL: a regular file, not a link
            raise
    try:
        with open(path, "rb") as fp:
            return fp.read(4096).decode("utf-8", "replace")
    except FileNotFoundError:
        return None


def _create(path: str, info: str) -> bool:
    """Try to create the lock; False if somebody else holds it."""
    try:
        os.symlink(info, path)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP,
                             errno.EINVAL) and not isinstance(exc, NotImplementedError):
            raise
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, info.encode("utf-8"))
    finally:
        os.close(fd)
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _is_stale(holder: str) -> bool:
    """Whether *holder* is a process of this host that no longer runs."""
    host, sep, pid = holder.rpartition(":")
    if not sep or host != host_id() or not pid.isdigit():
        return False
    return not _pid_alive(int(pid))


class Lock:
    """One held lock; release it (or leave the ``with`` block) to free it."""

    def __init__(self, path: str, desc: str) -> None:
        self.path = path
        self.desc = desc
        self.pid = os.getpid()
        self.thread = get_ident()
        self.count = 1

    @property
    def held(self) -> bool:
        return self.count > 0

    def release(self) -> None:
        """Drop one level; the lock file goes when the outermost level ends."""
        if self.count <= 0:
            return
        self.count -= 1
        if self.count:
            return
        with _held_guard:
            if _held.get(self.path) is self:
                del _held[self.path]
        if os.getpid() == self.pid:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<Lock {self.path} held={self.held}>"


def _try_break(path: str, holder: str, ui: UI | None) -> bool:
    """Remove a stale lock, guarded by ``<lock>.break`` against races."""
    guard = path + ".break"
    if not _create(guard, lock_info()):
        return False
    try:
        # Somebody may have broken and retaken it while we looked.
        if _read_holder(path) != holder:
            return False
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        if ui is not None:
            ui.warn(f"removed stale lock {path} held by dead process '{holder}'\n")
        return True
    finally:
        try:
            os.unlink(guard)
        except FileNotFoundError:
            pass


def _configured_timeout(ui: UI | None) -> float:
    """``ui.timeout`` from the configuration, else hg's default of 600 s."""
    config = getattr(ui, "config", None)
    if config is None:
        return DEFAULT_TIMEOUT
    value = config.get("ui", "timeout", DEFAULT_TIMEOUT)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise LockError(f"ui.timeout must be a number of seconds, not {value!r}",
                        hint="set it with --config ui.timeout=SECONDS") from None


def lock(vfs: VFS, name: bytes | str, *, ui: UI | None = None,
         timeout: float | None = None, desc: str | None = None) -> Lock:
    """Take the lock *name* in *vfs*, waiting up to *timeout* seconds.

    Without *timeout*, ``ui.timeout`` from *ui*'s configuration applies.

    *desc* names what is locked in messages (e.g. ``repository /r``).
    Raises LockHeld when the holder does not let go in time.
    """
    path = os.path.abspath(vfs.join(name))
    desc = desc or path
    with _held_guard:
        current = _held.get(path)
        if (current is not None and current.pid == os.getpid() and current.held
                and current.thread == get_ident()):
            current.count += 1
            return current
    if timeout is None:
        timeout = _configured_timeout(ui)
    wait = max(0.0, float(timeout))
    deadline = time.monotonic() + wait
    info = lock_info()
    announced = False
    delay = _POLL_START
    while True:
        try:
            created = _create(path, info)
        except FileNotFoundError as exc:
            raise LockError(f"cannot create lock {path}: directory is missing",
                            hint="is this a repository?") from exc
        except PermissionError as exc:
            raise LockError(f"cannot create lock {path}: permission denied",
                            hint="check the permissions of the repository") from exc
        if created:
            held = Lock(path, desc)
            with _held_guard:
                _held[path] = held
            return held
        holder = _read_holder(path)
        if holder is None:
            continue
        if _is_stale(holder) and _try_break(path, holder, ui):
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LockHeld(f"timed out waiting for lock on {desc} held by '{holder}'",
                           hint="if that process is gone, remove the lock file "
                                f"{path}")
        if not announced and ui is not None:
            ui.warn(f"waiting for lock on {desc} held by '{holder}'\n")
            announced = True
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, _POLL_MAX)


def is_locked(vfs: VFS, name: bytes | str) -> str | None:
    """The holder of lock *name* if somebody holds it, else None."""
    return _read_holder(vfs.join(name))
