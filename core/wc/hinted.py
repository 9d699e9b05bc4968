"""Status when a ``wc_walk`` plugin answered the walk (e.g. a file system monitor).

The plugin names the paths that may have changed; every other dirstate
entry with a reliable size and mtime is clean without a look.  Hinted
paths are held to the walk's rules, so a plugin cannot make status read
through a symlinked directory or list names outside the working copy.

A plugin may leave out the files under a directory that vanished or
became a symlink, so every tracked directory is looked at (one ``lstat``
each) unless the answer is a :class:`NamesDirectories`: then only the
directories of the hinted names are.
"""
from __future__ import annotations

import os
import stat as statmod
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.wc.status import DirMemo, _Collector, _lstat, _RealDirs

if TYPE_CHECKING:
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher


class NamesDirectories(list):
    """A ``wc_walk`` answer that names each directory gone or replaced since its last status.

    Naming the directory itself or any file that was under it is enough
    (a file system monitor reports both).  The kernel then looks only at
    the directories of the hinted names instead of at every tracked
    directory, which is what a big working copy's status costs otherwise.
    """


class _Prefixes(tuple):
    """``name/`` prefixes from :func:`from_hint`; ``complete``: with every unreal directory."""

    complete = False


def trusted(root: bytes, ds: DirState, m: Matcher, out: _Collector,
            changed_dirs: tuple[bytes, ...]) -> list[tuple[bytes, tuple]]:
    """The entries still to check when a ``wc_walk`` plugin answered the walk.

    Every entry the plugin did not name is unchanged on disk, so one with a
    reliable size and mtime is clean without a look (listed only with
    *clean*); the rest are returned for :func:`amalgam.wc.status._unseen`:
    added, removed, merged, waiting for a content check, or under a
    directory that is gone or became a symlink, or under a hinted name
    that is not a tracked file (*changed_dirs*, ``name/`` prefixes).  An
    answer that is not a :class:`NamesDirectories` may leave out the files
    under a vanished directory, so then each tracked directory costs one
    ``lstat``.  Of a big cached dirstate it reads only the entries it
    returns, unless *clean* files are wanted.
    """
    if getattr(changed_dirs, "complete", False):
        changed_dirs = _tracked_only(ds, changed_dirs) if changed_dirs else ()
    else:
        tracked_dirs = _tracked_dirs(ds)
        changed_dirs = tuple(d for d in changed_dirs if d[:-1] in tracked_dirs) \
            + tuple(d + b"/" for d in _unreal(root, tracked_dirs))
    seen = out.seen
    if out.clean:
        matchall = m.always()
        out.result.clean.extend(
            path for path, (state, _, size, mtime) in ds.raw().items()
            if state == "n" and size >= 0 and mtime != -1 and path not in seen
            and (matchall or m(path)) and not (changed_dirs and path.startswith(changed_dirs)))
    check = {path: value for path, value in ds.nonnormal().items() if path not in seen}
    if changed_dirs:
        check.update((path, value) for path, value in ds.under(changed_dirs)
                     if path not in seen)
    return list(check.items())


def _tracked_only(ds: DirState, prefixes: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The ``dir/`` *prefixes* some tracked file lives under (a bisection each)."""
    parents = sorted(ds.parent_dirs())
    count = len(parents)
    found = []
    for prefix in prefixes:
        i = bisect_left(parents, prefix[:-1])
        if i < count and parents[i] == prefix[:-1]:
            found.append(prefix)
            continue
        i = bisect_left(parents, prefix, i)
        if i < count and parents[i].startswith(prefix):
            found.append(prefix)
    return tuple(found)


def _tracked_dirs(ds: DirState) -> set[bytes]:
    """Every directory holding a tracked file, and their parents (not the root)."""
    parents = set(ds.parent_dirs())
    parents.discard(b"")
    tracked_dirs = set(parents)
    for d in parents:
        d = d.rpartition(b"/")[0]
        while d and d not in tracked_dirs:
            tracked_dirs.add(d)
            d = d.rpartition(b"/")[0]
    return tracked_dirs


def _unreal(root: bytes, dirs: set[bytes]) -> list[bytes]:
    """The highest of *dirs* (closed under parents) that are not real directories now.

    One ``lstat`` each, parents first (sorted order), so a directory is
    never judged through a symlinked parent; below a bad one nothing is
    looked at.
    """
    lstat = os.lstat
    isdir = statmod.S_ISDIR
    prefix = root + b"/"
    bad: list[bytes] = []
    for d in sorted(dirs):
        if bad and d.startswith(bad[-1]) and d[len(bad[-1])] == 47:  # under the last bad one
            continue
        try:
            if isdir(lstat(prefix + d).st_mode):
                continue
        except OSError:
            pass
        bad.append(d)
    return bad


def from_hint(root: bytes, hinted: Iterable[bytes], lookup: Callable[[bytes], tuple | None],
              m: Matcher, out: _Collector) -> tuple[list[bytes], tuple[bytes, ...]]:
    """Stat only what a ``wc_walk`` plugin says may have changed.

    Returns the untracked files and the ``name/`` prefixes of hinted names
    that are not tracked files (directories, maybe replaced): the tracked
    files under them are not trusted.  A hinted path is held to the walk's
    rules: nothing is read through a symlinked directory (a tracked file
    there is deleted), and an untracked name outside the working copy, in
    ``.hg`` or inside a nested repository is not ours.  Each directory of a
    hinted path costs one ``lstat``, once; for a :class:`NamesDirectories`
    answer the highest of them that are not real directories are among the
    prefixes returned (marked ``complete``).
    """
    from amalgam.wc.audit import PathAuditor

    untracked: list[bytes] = []
    changed_dirs: list[bytes] = []
    realdir = _RealDirs(root)
    nested = _NestedRepos(root)
    audit = PathAuditor(root, check_fs=False)
    for path in hinted:
        slash = path.rfind(b"/")
        inreal = slash <= 0 or realdir(path[:slash])
        value = lookup(path)
        if value is None:
            changed_dirs.append(path.rstrip(b"/") + b"/")
        if value is not None:
            if path not in out.seen and m(path):
                out.seen.add(path)
                st = _lstat(root, path) if inreal or value[0] == "r" else None
                out.classify(path, value, st)
        elif _inside(audit, path) and inreal and (slash <= 0 or not nested(path[:slash])) \
                and _lstat(root, path) is not None:
            untracked.append(path)
    prefixes = _Prefixes(changed_dirs)
    if isinstance(hinted, NamesDirectories):
        known = realdir.known
        prefixes = _Prefixes([*changed_dirs, *(d + b"/" for d, real in known.items()
                                               if not real and known.get(d.rpartition(b"/")[0],
                                                                         True))])
        prefixes.complete = True
    return untracked, prefixes


def _inside(audit: Callable[[bytes], None], path: bytes) -> bool:
    """Whether *path* names a file of the working copy (not outside, not in ``.hg``)."""
    try:
        audit(path)
    except error.InputError:
        return False
    return True


class _NestedRepos(DirMemo):
    """``nested(d)``: whether directory *d* or one of its parents holds another repository."""

    decisive = True  # inside a nested repository, everything is

    def test(self, path: bytes) -> bool:
        return os.path.isdir(os.path.join(self.root, path, b".hg"))
