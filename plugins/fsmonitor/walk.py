"""The two hooks' work: name the candidate paths, then save the new clock.

``candidates`` (``wc_walk``) returns the paths Watchman saw change since
the saved clock, plus the saved notable files, plus the dirstate entries
another command changed since then, or None for a full walk.  Every
reason for a full walk is shown with ``--debug`` and counted.  ``after``
(``wc_status``) saves the clock the walk obtained together with the
status's notable files, but only after a complete status (no file
patterns, unknown files listed) and only if the working-copy lock is free;
when Watchman reported nothing and the dirstate and notable files are
those saved, the saved clock is as good and nothing is written.
The clock is read *before* the kernel looks at the files, so anything
that changes while the status runs is reported again next time.
"""
from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.plugins.fsmonitor import paranoid
from amalgam.plugins.fsmonitor import state as statemod
from amalgam.plugins.fsmonitor.client import Unavailable, Watch
from amalgam.plugins.fsmonitor.paranoid import CHECKING
from amalgam.plugins.fsmonitor.state import Invalid

if TYPE_CHECKING:
    from amalgam.repo import Repository

MODES = ("on", "off", "paranoid")
PENDING_LINK = statemod.DIRSTATE_LINK + ".pending"


class Settings:
    """The ``[fsmonitor]`` config items, checked."""

    __slots__ = ("mode", "timeout", "walk_on_invalidate", "sockpath", "sockcache", "threshold")

    def __init__(self, repo: Repository) -> None:
        config = repo.ui.config
        self.mode = str(config.get("fsmonitor", "mode") or "on")
        if self.mode not in MODES:
            raise error.ConfigError(f"fsmonitor.mode must be one of {', '.join(MODES)}, "
                                    f"not {self.mode!r}",
                                    hint="set it to 'on', 'off' or 'paranoid' (or remove it)")
        self.timeout = float(config.get("fsmonitor", "timeout"))
        if not self.timeout > 0:
            raise error.ConfigError(f"fsmonitor.timeout must be positive, not {self.timeout}",
                                    hint="give the seconds to wait for watchman, e.g. 2")
        self.walk_on_invalidate = bool(config.get("fsmonitor", "walk-on-invalidate"))
        sockpath = config.get("fsmonitor", "sockpath") or repo.ui.environ.get("WATCHMAN_SOCK")
        self.sockpath = str(sockpath) if sockpath else None
        environ = repo.ui.environ
        base = environ.get("XDG_CACHE_HOME") or (
            os.path.join(environ["HOME"], ".cache") if environ.get("HOME") else None)
        #: where the socket ``watchman get-sockname`` named is remembered (per user)
        self.sockcache = os.path.join(base, "amalgam", "watchman-sockname") if base else None
        self.threshold = int(config.get("fsmonitor", "threshold"))


class _Pending:
    """What a walk learnt, kept until the status it started is complete."""

    __slots__ = ("clock", "ignore", "dirstate", "unknown", "ignored", "paranoid", "hinted",
                 "key", "same")

    def __init__(self, clock: str, ignore: str, dirstate: statemod.Identity | None,
                 unknown: bool, ignored: bool, paranoid: bool) -> None:
        self.clock = clock
        self.ignore = ignore
        self.dirstate = dirstate
        self.unknown = unknown
        self.ignored = ignored
        self.paranoid = paranoid
        self.hinted = False
        self.key: bytes | None = None
        #: the saved state, when nothing changed since it but (maybe) its notable files
        self.same: statemod.State | None = None


_PENDING: weakref.WeakKeyDictionary[Any, _Pending] = weakref.WeakKeyDictionary()


def fallback(repo: Repository, kind: str, message: str, *, warn: bool = False) -> None:
    """Log and count one full walk."""
    if warn:
        repo.ui.warn(f"warning: fsmonitor: {message} (walking the working copy)\n")
    repo.ui.debug(f"fsmonitor: full walk ({kind}): {message}\n")
    statemod.record_fallback(repo, kind, message)


def candidates(repo: Repository, match: Any, unknown: bool, ignored: bool,
               ds: Any = None) -> list[bytes] | None:
    """The ``wc_walk`` answer; see the module docstring."""
    if repo in CHECKING:
        return None  # paranoid mode's own full walk
    _PENDING.pop(repo, None)
    settings = Settings(repo)
    if settings.mode == "off":
        return None
    try:
        watch = Watch(repo.root, settings.sockpath, settings.timeout, settings.sockcache)
    except Unavailable as exc:
        fallback(repo, exc.kind, str(exc), warn=True)
        return None
    try:
        return _candidates(repo, watch, settings, unknown, ignored, ds)
    except Unavailable as exc:
        watch.forget_socket()
        fallback(repo, exc.kind, str(exc), warn=True)
        return None
    finally:
        watch.close()


def _candidates(repo: Repository, watch: Watch, settings: Settings, unknown: bool,
                ignored: bool, ds: Any) -> list[bytes] | None:
    ignore = statemod.ignore_hash(repo)
    dirstate = _link_pending(repo)
    key = _key(ds, dirstate)
    check_all = settings.mode == "paranoid"
    try:
        saved = statemod.load(repo)
        if saved.ignore != ignore:
            raise Invalid("ignore-changed", "the ignore rules changed")
        if ignored:
            raise Invalid("ignored-wanted", "ignored files were asked for")
    except Invalid as exc:
        pending = _Pending(watch.clock(), ignore, dirstate, unknown, ignored, check_all)
        pending.key = key
        _PENDING[repo] = pending
        return _invalid(repo, watch, settings, pending, exc)
    changes = watch.since(saved.clock)
    pending = _Pending(changes.clock, ignore, dirstate, unknown, ignored, check_all)
    pending.key = key
    _PENDING[repo] = pending
    if changes.fresh:
        exc = Invalid("fresh-instance", "watchman was restarted or lost track (fresh instance)")
        return _invalid(repo, watch, settings, pending, exc)
    try:
        extra = None if ds is None or saved.key is None else ds.changed_since(saved.key)
        if extra is None:
            extra = _dirstate_changes(repo, saved.dirstate)
    except Invalid as exc:
        return _invalid(repo, watch, settings, pending, exc)
    found = set(changes.files)
    found.update(saved.notable)
    found.update(extra)
    if len(found) > settings.threshold:
        fallback(repo, "threshold", f"{len(found)} candidate paths exceed "
                                    f"fsmonitor.threshold={settings.threshold}")
        return None
    pending.hinted = True
    if not changes.files and not extra and dirstate == saved.dirstate and key == saved.key:
        pending.same = saved
    repo.ui.debug(f"fsmonitor: {len(changes.files)} changed since {saved.clock}, "
                  f"{len(saved.notable)} notable, {len(extra)} from the dirstate\n")
    return _named(found)


def _invalid(repo: Repository, watch: Watch, settings: Settings, pending: _Pending,
             exc: Invalid) -> list[bytes] | None:
    """The saved clock is unusable: walk, or with walk-on-invalidate off, list everything."""
    if settings.walk_on_invalidate or exc.kind == "ignored-wanted":
        fallback(repo, exc.kind, str(exc))
        return None
    files = watch.all_files()
    from amalgam.wc.dirstate import parse

    tracked = parse(repo.vfs.tryread("dirstate"))[2]
    found = set(files)
    found.update(tracked)
    if len(found) > settings.threshold:
        fallback(repo, exc.kind, f"{exc}; {len(found)} paths exceed fsmonitor.threshold")
        return None
    repo.ui.debug(f"fsmonitor: {exc}: checking watchman's {len(files)} files\n")
    statemod.record_fallback(repo, exc.kind, f"{exc} (listed by watchman)")
    pending.hinted = True
    return _named(found)


def _key(ds: Any, linked: statemod.Identity | None) -> bytes | None:
    """The SHA-1 of the dirstate just linked, if it is the one the kernel read."""
    if ds is None or linked is None or getattr(ds, "identity", None) != linked:
        return None
    return ds.key()


def _link_pending(repo: Repository) -> statemod.Identity | None:
    """Keep the dirstate this status runs against (a hard link), for the next diff."""
    pending = repo.vfs.join(PENDING_LINK)
    try:
        os.unlink(pending)
    except OSError:
        pass
    try:
        os.link(repo.vfs.join("dirstate"), pending)
    except FileNotFoundError:
        return None  # no dirstate yet: an empty one
    except OSError:
        # No hard links here: an unchanged dirstate is still recognised, a
        # changed one means a full walk (there is no old copy to compare).
        return statemod.identity(repo.vfs.join("dirstate"))
    return statemod.identity(pending)


def _dirstate_changes(repo: Repository, saved: statemod.Identity | None) -> set[bytes]:
    """Paths whose dirstate entry (or copy record) changed since the saved status."""
    from amalgam.wc.dirstate import parse

    current = statemod.identity(repo.vfs.join("dirstate"))
    if current == saved:
        return set()
    if saved is None:
        old = b""
    else:
        link = repo.vfs.join(statemod.DIRSTATE_LINK)
        if statemod.identity(link) != saved:
            raise Invalid("dirstate-changed", "the dirstate changed and its saved copy is gone")
        with open(link, "rb") as fp:
            old = fp.read()
    try:
        _, _, oldmap, oldcopies = parse(old)
        _, _, newmap, newcopies = parse(repo.vfs.tryread("dirstate"))
    except error.AmalgamError as exc:
        raise Invalid("dirstate-changed", f"cannot compare dirstates: {exc}") from None
    get = newmap.get
    changed = {path for path, value in oldmap.items() if get(path) != value}
    changed.update(path for path in newmap if path not in oldmap)
    copies = set(oldcopies.items()).symmetric_difference(newcopies.items())
    changed.update(dest for dest, _ in copies)
    return changed


def _named(paths: set[bytes]) -> list[bytes]:
    """The candidates as the kernel's answer that names vanished directories.

    Watchman reports a directory that was removed or replaced together
    with every file it knew under it, and a file it never knew is in the
    saved notable files or the dirstate changes, so the kernel may skip
    its look at every tracked directory.  A name that could leave the
    working copy or enter ``.hg`` (only a damaged state file can hold one)
    is never a candidate.
    """
    from amalgam.wc.hinted import NamesDirectories

    return NamesDirectories(p for p in paths if _sane(p))


def _sane(path: bytes) -> bool:
    parts = path.split(b"/")
    return parts[0] != b".hg" and not any(part in (b"", b".", b"..") for part in parts)


def after(repo: Repository, match: Any, status: Any) -> None:
    """The ``wc_status`` work; see the module docstring."""
    pending = _PENDING.pop(repo, None)
    if pending is None:
        return  # another plugin answered the walk, or fsmonitor is off
    if pending.hinted:
        root = os.fsencode(repo.root)
        status.unknown[:] = _outside_nested(root, status.unknown)
        status.ignored[:] = _outside_nested(root, status.ignored)
        if pending.paranoid:
            paranoid.check(repo, match, status, pending.unknown, pending.ignored)
    if not match.always() or not pending.unknown:
        return
    notable = [*status.modified, *status.added, *status.removed, *status.deleted,
               *status.unknown]
    if pending.same is not None and set(notable) == set(pending.same.notable):
        # Nothing changed since the saved clock: it is as good as the new one.
        repo.ui.debug("fsmonitor: nothing changed, state kept\n")
        return
    saved = statemod.State(statemod.hostname(), pending.clock, pending.ignore,
                           pending.dirstate, notable, pending.key)
    _save(repo, saved)


def _save(repo: Repository, saved: statemod.State) -> None:
    from amalgam.storage import lock as lockmod

    try:
        wlock = lockmod.lock(repo.vfs, "wlock", ui=repo.ui, timeout=0,
                             desc=f"working directory of {repo.root}")
    except (error.LockError, OSError):
        repo.ui.debug("fsmonitor: working copy locked, state not saved\n")
        return
    try:
        link = repo.vfs.join(statemod.DIRSTATE_LINK)
        try:
            os.unlink(link)  # rename() between two links of one file does nothing
        except OSError:
            pass
        try:
            os.rename(repo.vfs.join(PENDING_LINK), link)
        except OSError:
            pass  # no link: a changed dirstate will mean a full walk
        statemod.save(repo, saved)
    except OSError as exc:
        repo.ui.debug(f"fsmonitor: state not saved: {exc}\n")
    finally:
        wlock.release()


def _outside_nested(root: bytes, paths: list[bytes]) -> list[bytes]:
    """Drop unknown files inside nested repositories, which a full walk never enters."""
    nested: dict[bytes, bool] = {b"": False}

    def inside(directory: bytes) -> bool:
        found = nested.get(directory)
        if found is None:
            found = inside(directory.rpartition(b"/")[0]) or os.path.isdir(
                os.path.join(root, directory, b".hg"))
            nested[directory] = found
        return found

    return [p for p in paths if not inside(p.rpartition(b"/")[0])]
