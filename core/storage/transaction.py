"""Store transactions: a journal that lets an interrupted write be undone.

Before a file is first appended to, its size is recorded in ``journal``
(``<path>\\0<size>\\n``, flushed to disk before the append); before a file is
rewritten, a copy is taken and listed in ``journal.backupfiles`` (version
``2``: ``<location>\\0<path>\\0<backup name>\\0<cache flag>\\n``; an empty backup
name means the file did not exist).  Closing deletes the journal; aborting
restores the backups and truncates every journaled file (deleting files
that were new).  A journal left behind by a killed process blocks new
transactions until :func:`recover` plays it back.

This is the file format Mercurial uses, so ``hg recover`` undoes an
interrupted Amalgam transaction and :func:`recover` undoes an hg one.
"""
from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.error import AmalgamError, RecoveryNeeded, StorageError
from amalgam.vfs import VFS, audit_path

if TYPE_CHECKING:
    from amalgam.ui import UI

Callback = Callable[["Transaction"], Any]

BACKUP_FORMAT_VERSION = b"2"
# Location names in journal.backupfiles: "" is the store, "plain" is .hg/.
STORE_LOCATION = b""
PLAIN_LOCATION = b"plain"
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                 if hasattr(signal, name))


def _sync(fp: Any) -> None:
    fp.flush()
    getattr(os, "fdatasync", os.fsync)(fp.fileno())


class Transaction:
    """One journaled change to the store; use as a context manager.

    Leaving the ``with`` block normally closes (commits) the transaction;
    an exception, KeyboardInterrupt, SIGTERM or SIGHUP aborts it (rolls
    every journaled file back) and propagates.
    """

    def __init__(self, name: str, store_vfs: VFS, journal_name: bytes = b"journal",
                 *, ui: UI | None = None, plain_vfs: VFS | None = None) -> None:
        self.name = name
        self.ui = ui
        self._vfs = store_vfs
        self._plain_vfs = plain_vfs
        self._journal = journal_name
        self._backupfiles = journal_name + b".backupfiles"
        if store_vfs.exists(self._journal):
            raise RecoveryNeeded("abandoned transaction found",
                                 hint="run 'amg recover'")
        self._offsets: dict[bytes, int] = {}
        self._backups: dict[tuple[bytes, bytes], bytes] = {}
        self._finalizers: dict[bytes, Callback] = {}
        self._aborters: dict[bytes, Callback] = {}
        self._postclose: dict[bytes, Callback] = {}
        self._finished = False
        self._pending_signal: int | None = None
        self._old_handlers: dict[int, Any] = {}
        self._journal_fp = store_vfs(self._journal, "wb")
        try:
            self._backup_fp = store_vfs(self._backupfiles, "wb")
            self._backup_fp.write(BACKUP_FORMAT_VERSION + b"\n")
            _sync(self._backup_fp)
            _sync(self._journal_fp)
        except BaseException:
            self._journal_fp.close()
            store_vfs.tryunlink(self._journal)
            raise
        self._install_signal_handlers()

    # -- recording ---------------------------------------------------------

    @property
    def active(self) -> bool:
        return not self._finished

    def add(self, path: bytes, offset: int) -> None:
        """Record that *path* was *offset* bytes long before this transaction.

        Only the first call per path counts; the record reaches the OS before
        this returns, so the caller may append right after.
        """
        self._check_active()
        if path in self._offsets or (STORE_LOCATION, path) in self._backups:
            return
        if offset < 0:
            raise ValueError("journal offsets cannot be negative")
        audit_path(path)
        self._offsets[path] = offset
        self._journal_fp.write(b"%s\0%d\n" % (path, offset))
        # Flushed, not fsynced: once in the OS the entry survives a killed
        # process, which is what recovery is for.  An fsync per file made a
        # first commit of 100,000 files spend most of its time here (hg
        # does not sync each entry either).
        self._journal_fp.flush()

    def find_offset(self, path: bytes) -> int | None:
        """The journaled pre-transaction size of *path*, if it has one."""
        return self._offsets.get(path)

    def addbackup(self, path: bytes, *, location: bytes = STORE_LOCATION) -> None:
        """Copy *path* aside so a rollback can restore it (once per file).

        A file already journaled by offset is copied too: it may be about to
        be replaced wholesale (an inline revlog being split), and rollback
        restores the copy first, then truncates it to the journaled size.
        """
        self._check_active()
        key = (location, path)
        if key in self._backups:
            return
        vfs = self._location_vfs(location)
        audit_path(path)
        backup = b""
        if vfs.exists(path):
            backup = self._backup_name(location, path)
            with vfs(path, "rb") as src, vfs(backup, "wb") as dst:
                shutil.copyfileobj(src, dst)
                _sync(dst)
        self._backups[key] = backup
        self._backup_fp.write(b"%s\0%s\0%s\0%d\n" % (location, path, backup, 0))
        _sync(self._backup_fp)

    def _backup_name(self, location: bytes, path: bytes) -> bytes:
        # hg keeps a backup beside its file, named through the same vfs
        # (data/journal.backup.a.i.bck), so either tool finds the other's.
        head, _, tail = path.rpartition(b"/")
        prefix = head + b"/" if head else b""
        name = b"%s%s.backup.%s.bck" % (prefix, self._journal, tail)
        taken = {b for (loc, _p), b in self._backups.items() if loc == location}
        serial = 0
        while name in taken:
            serial += 1
            name = b"%s%s.backup.%s.%d.bck" % (prefix, self._journal, tail, serial)
        return name

    def _location_vfs(self, location: bytes) -> VFS:
        return _location_vfs(self._vfs, self._plain_vfs, location)

    def addfinalize(self, key: bytes, callback: Callback) -> None:
        """Run *callback(tr)* at close, before the journal goes (sorted by key)."""
        self._check_active()
        self._finalizers[key] = callback

    def addabort(self, key: bytes, callback: Callback) -> None:
        """Run *callback(tr)* when the transaction is rolled back."""
        self._check_active()
        self._aborters[key] = callback

    def addpostclose(self, key: bytes, callback: Callback) -> None:
        """Run *callback(tr)* after a successful close (sorted by key)."""
        self._check_active()
        self._postclose[key] = callback

    def _check_active(self) -> None:
        if self._finished:
            raise StorageError(f"transaction '{self.name}' is already finished")

    # -- ending ------------------------------------------------------------

    def close(self) -> None:
        """Commit: run finalizers, then forget the journal."""
        self._check_active()
        done: set[bytes] = set()
        # Finalizers may register more finalizers (e.g. a revlog split).
        while pending := sorted(set(self._finalizers) - done):
            for key in pending:
                done.add(key)
                self._finalizers[key](self)
        self._finished = True
        self._journal_fp.close()
        self._backup_fp.close()
        # Deleting the journal is the commit point; leftovers after it are
        # harmless, so the journal goes first.
        self._vfs.unlink(self._journal)
        self._vfs.tryunlink(self._backupfiles)
        for (location, _path), backup in self._backups.items():
            if backup:
                self._location_vfs(location).tryunlink(backup)
        _remove_stale_undo(self._vfs)
        self._restore_signal_handlers()
        for key in sorted(self._postclose):
            self._postclose[key](self)
        self._reraise_pending_signal()

    def abort(self) -> None:
        """Roll back every journaled change; idempotent once finished."""
        if self._finished:
            return
        self._finished = True
        try:
            for key in sorted(self._aborters):
                try:
                    self._aborters[key](self)
                except Exception as exc:  # rollback must go on regardless
                    self._warn(f"error in abort callback {key.decode()}: {exc}\n")
            self._journal_fp.close()
            self._backup_fp.close()
            backups = [(loc, path, name) for (loc, path), name in self._backups.items()]
            _playback(self._vfs, self._plain_vfs, list(self._offsets.items()),
                      backups, self._journal, self.ui)
        finally:
            self._restore_signal_handlers()
        self._reraise_pending_signal()

    def _warn(self, message: str) -> None:
        if self.ui is not None:
            self.ui.warn(message)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- signals -----------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _SIGNALS:
            try:
                self._old_handlers[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                continue

    def _restore_signal_handlers(self) -> None:
        for signum, handler in self._old_handlers.items():
            signal.signal(signum, handler)
        self._old_handlers = {}

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._finished:
            # Mid-close or mid-rollback: finish first, raise afterwards.
            self._pending_signal = signum
            return
        raise KeyboardInterrupt(f"killed by signal {signal.Signals(signum).name}")

    def _reraise_pending_signal(self) -> None:
        if self._pending_signal is not None:
            signum, self._pending_signal = self._pending_signal, None
            raise KeyboardInterrupt(f"killed by signal {signal.Signals(signum).name}")


def _location_vfs(store_vfs: VFS, plain_vfs: VFS | None, location: bytes) -> VFS:
    if location == STORE_LOCATION:
        return store_vfs
    if location == PLAIN_LOCATION:
        # The store lives in .hg/store, so .hg/ is its parent by default.
        return plain_vfs or VFS(os.path.dirname(store_vfs.base.rstrip(os.sep)))
    raise StorageError(f"unknown backup location {location!r} in the journal")


def _remove_stale_undo(vfs: VFS) -> None:
    """Drop the previous transaction's undo files.

    We do not write undo files, and hg's ``rollback`` would apply a stale
    set to the wrong history; without them it refuses cleanly.
    """
    vfs.tryunlink(b"undo")
    vfs.tryunlink(b"undo.backupfiles")


def _playback(vfs: VFS, plain_vfs: VFS | None, offsets: list[tuple[bytes, int]],
              backups: list[tuple[bytes, bytes, bytes]], journal: bytes,
              ui: UI | None) -> None:
    """Restore backups, truncate journaled files, then delete the journal."""
    problems: list[str] = []
    for location, path, backup in backups:
        try:
            target = _location_vfs(vfs, plain_vfs, location)
            if backup:
                if not target.exists(backup):
                    problems.append(f"missing backup {backup.decode(errors='replace')}"
                                    f" of {path.decode(errors='replace')}")
                    continue
                with target(backup, "rb") as src, target(path, "wb", atomictemp=True) as dst:
                    shutil.copyfileobj(src, dst)
            else:
                target.tryunlink(path)
        except (OSError, AmalgamError) as exc:
            problems.append(f"cannot restore {path.decode(errors='replace')}: {exc}")
    for path, offset in offsets:
        try:
            if offset == 0:
                vfs.tryunlink(path)
                continue
            try:
                size = vfs.stat(path).st_size
            except FileNotFoundError:
                continue
            # Never extend: a file shorter than its record was not appended to.
            if size > offset:
                vfs.truncate(path, offset)
        except (OSError, AmalgamError) as exc:
            problems.append(f"cannot truncate {path.decode(errors='replace')}: {exc}")
    for problem in problems:
        if ui is not None:
            ui.warn(f"warning: {problem}\n")
    # The journal goes first: once it is gone the rollback is complete.
    vfs.tryunlink(journal)
    vfs.tryunlink(journal + b".backupfiles")
    for location, _path, backup in backups:
        if backup:
            try:
                _location_vfs(vfs, plain_vfs, location).tryunlink(backup)
            except AmalgamError:
                pass


def _read_journal(data: bytes, ui: UI | None) -> list[tuple[bytes, int]]:
    entries: dict[bytes, int] = {}
    lines = data.split(b"\n")
    # A last line without its newline was cut short by the crash: the
    # append it announced never started.
    for line in lines[:-1]:
        path, sep, size = line.partition(b"\0")
        try:
            if not sep or not size.isdigit():
                raise ValueError(line)
            audit_path(path)
        except (ValueError, AmalgamError):
            if ui is not None:
                ui.warn(f"warning: ignoring bad journal entry {line!r}\n")
            continue
        entries.setdefault(path, int(size))
    return list(entries.items())


def _read_backupfiles(data: bytes, ui: UI | None) -> list[tuple[bytes, bytes, bytes]]:
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[0] != BACKUP_FORMAT_VERSION:
        if ui is not None:
            ui.warn("warning: unknown journal backup format "
                    f"{lines[0][:20]!r}, backups not restored\n")
        return []
    result = []
    for line in lines[1:-1]:
        fields = line.split(b"\0")
        try:
            if len(fields) != 4 or fields[0] not in (STORE_LOCATION, PLAIN_LOCATION):
                raise ValueError(line)
            audit_path(fields[1])
            if fields[2]:
                audit_path(fields[2])
        except (ValueError, AmalgamError):
            if ui is not None:
                ui.warn(f"warning: ignoring bad journal backup entry {line!r}\n")
            continue
        result.append((fields[0], fields[1], fields[2]))
    return result


def has_journal(store_vfs: VFS, journal_name: bytes = b"journal") -> bool:
    """Whether an interrupted transaction awaits :func:`recover`."""
    return store_vfs.exists(journal_name)


def recover(store_vfs: VFS, ui: UI | None = None, *, plain_vfs: VFS | None = None,
            journal_name: bytes = b"journal") -> bool:
    """Roll back a journal left by a killed process; False if there is none.

    The caller must hold the store lock.
    """
    if not store_vfs.exists(journal_name):
        return False
    offsets = _read_journal(store_vfs.read(journal_name), ui)
    backups = _read_backupfiles(store_vfs.tryread(journal_name + b".backupfiles"), ui)
    _playback(store_vfs, plain_vfs, offsets, backups, journal_name, ui)
    return True
