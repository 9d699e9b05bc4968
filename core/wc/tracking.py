"""Changing what is tracked: add, forget and remove, with hg's messages and exit codes.

Each function takes the matcher built from the command line, changes the
dirstate (the caller holds the working-copy lock and writes it) and
returns the list of "bad" paths that make the command exit 1.
"""
from __future__ import annotations

import os
import stat as statmod
from typing import TYPE_CHECKING, Any

from amalgam.error import Abort
from amalgam.wc.audit import PathAuditor, show
from amalgam.wc.cmdutil import uipathfn, warn_missing
from amalgam.wc.status import status

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher

#: Files this big get hg's memory warning when added.
_LARGE = 10 * 1024 * 1024


def _named_missing(repo: Repository, ds: DirState, m: Matcher) -> list[bytes]:
    """Named paths neither on disk nor tracked (hg's "No such file" warning)."""
    return warn_missing(repo, m, lambda path: path in ds or ds.hasdir(path))


def _kind(mode: int) -> str:
    for test, name in ((statmod.S_ISFIFO, "fifo"), (statmod.S_ISSOCK, "socket"),
                       (statmod.S_ISCHR, "character device"), (statmod.S_ISBLK, "block device"),
                       (statmod.S_ISDIR, "directory")):
        if test(mode):
            return name
    return "unknown"


def candidates_to_add(repo: Repository, ds: DirState, m: Matcher) -> list[bytes]:
    """Untracked, unignored files under *m*, plus named untracked files even if ignored."""
    audit = PathAuditor(repo.root)
    for path in m.files():
        if path:
            audit(path)
    found = set(status(repo, ds, m, unknown=True).unknown)
    root = os.fsencode(repo.root)
    for path in m.files():
        if path and path not in found and (path not in ds or ds.get(path).state == "r"):
            try:
                st = os.lstat(os.path.join(root, path))
            except OSError:
                continue
            if not statmod.S_ISDIR(st.st_mode):
                found.add(path)
    return sorted(found)


def check_clashes(ds: DirState, added: list[bytes]) -> None:
    """Refuse a file and a directory of one name: hg could not check that manifest out.

    ``add`` refuses these before tracking anything, as hg does; commit
    checks again, guarding the store against a dirstate that got them
    anyway (an older amg, a hand-edited dirstate).
    """
    for path in added:
        if ds.hasdir(path):
            raise Abort(f"directory '{show(path)}' already in dirstate")
        pos = path.rfind(b"/")
        while pos > 0:
            prefix = path[:pos]
            entry = ds.get(prefix)
            if entry is not None and entry.state != "r":
                raise Abort(f"file '{show(prefix)}' in dirstate clashes with "
                                  f"'{show(path)}'")
            pos = prefix.rfind(b"/")


def add(repo: Repository, ds: DirState, m: Matcher, *, dry_run: bool = False,
        opts: dict[str, Any] | None = None) -> list[bytes]:
    """``hg add``: start tracking the untracked files under *m*."""
    ui = repo.ui
    show = uipathfn(repo, True)
    bad = _named_missing(repo, ds, m)
    names = candidates_to_add(repo, ds, m)
    verbose = ui.verbose
    ui.status("".join([f"adding {show(path)}\n" for path in names
                       if verbose or not m.exact(path)]))
    hooks = getattr(ui, "hooks", None)
    if hooks is not None and names:
        handled = hooks.wc_add(repo=repo, paths=list(names), opts=dict(opts or {}))
        taken = {path for result in handled for path in (result or ())}
        names = [p for p in names if p not in taken]
    if dry_run:
        return bad
    check_clashes(ds, [p for p in names if p not in ds])
    prefix = os.fsencode(repo.root) + b"/"
    lstat = os.lstat
    for path in names:
        try:
            st = lstat(prefix + path)
        except OSError:
            ui.warn(f"{show(path)} does not exist!\n")
            bad.append(path)
            continue
        if not (statmod.S_ISREG(st.st_mode) or statmod.S_ISLNK(st.st_mode)):
            ui.warn(f"{show(path)}: unsupported file type (type is {_kind(st.st_mode)})\n")
            bad.append(path)
            continue
        if st.st_size > _LARGE:
            ui.warn(f"{show(path)}: up to {st.st_size * 3 // 1000000} MB of RAM may be "
                    f"required to manage this file\n(use 'hg revert {show(path)}' to cancel "
                    "the pending addition)\n")
        if path in ds:  # removed, now added back
            ds.set_possibly_dirty(path)
        else:
            ds.add(path)
    for path in m.files():
        entry = ds.get(path)
        if entry is not None and entry.state != "r" and path not in names and m.exact(path):
            ui.warn(f"{show(path)} already tracked!\n")
    return bad


def forget(repo: Repository, ds: DirState, m: Matcher, *, dry_run: bool = False
           ) -> list[bytes]:
    """``hg forget``: stop tracking files but keep them on disk."""
    ui = repo.ui
    show = uipathfn(repo, True)
    bad = _named_missing(repo, ds, m)
    st = status(repo, ds, m, clean=True, unknown=False)
    targets = sorted(st.modified + st.added + st.deleted + st.clean)
    root = os.fsencode(repo.root)
    for path in m.files():
        if path and path not in ds and not ds.hasdir(path) \
                and os.path.lexists(os.path.join(root, path)) \
                and not os.path.isdir(os.path.join(root, path)):
            ui.warn(f"not removing {show(path)}: file is already untracked\n")
            bad.append(path)
    for path in targets:
        if ui.verbose or not m.exact(path):
            ui.status(f"removing {show(path)}\n")
    if not dry_run:
        for path in targets:
            if ds.get(path).state == "a":
                ds.drop(path)
            else:
                ds.remove(path)
    return bad


def remove(repo: Repository, ds: DirState, m: Matcher, *, after: bool = False,
           force: bool = False, dry_run: bool = False) -> int:
    """``hg remove``: stop tracking files and delete them; returns the exit code."""
    from amalgam.wc import files as wfiles

    ui = repo.ui
    show = uipathfn(repo, True)
    ret = 1 if _named_missing(repo, ds, m) else 0
    named = set(m.files())
    root = os.fsencode(repo.root)
    for path in m.files():
        if not path or path in ds or ds.hasdir(path):
            continue
        full = os.path.join(root, path)
        if os.path.lexists(full):
            what = "no tracked files" if os.path.isdir(full) else "file is untracked"
            ui.warn(f"not removing {show(path)}: {what}\n")
            ret = 1
    st = status(repo, ds, m, clean=True, unknown=False)
    warnings: list[str] = []
    forget_: list[bytes] = []
    if after:
        gone = st.deleted
        for path in st.modified + st.added + st.clean:
            if ui.verbose or path in named:
                warnings.append(f"not removing {show(path)}: file still exists\n")
            ret = 1
    elif force:
        gone = st.modified + st.deleted + st.clean
        forget_ = st.added
    else:
        gone = st.deleted + st.clean
        for path in st.modified:
            if ui.verbose or path in named:
                warnings.append(f"not removing {show(path)}: file is modified "
                                "(use -f to force removal)\n")
            ret = 1
        for path in st.added:
            if ui.verbose or path in named:
                warnings.append(f"not removing {show(path)}: file has been marked for add "
                                "(use 'hg forget' to undo add)\n")
            ret = 1
    for warning in sorted(warnings):
        ui.warn(warning)
    for path in sorted(gone + forget_):
        if ui.verbose or not m.exact(path):
            ui.status(f"removing {show(path)}\n")
    if dry_run:
        return ret
    for path in forget_:
        ds.drop(path)
    for path in gone:
        if not after:
            wfiles.remove(repo, path)
        ds.remove(path)
    return ret


def addremove(repo: Repository, ds: DirState, m: Matcher, *, similarity: float = 0,
              dry_run: bool = False, opts: dict[str, Any] | None = None) -> list[bytes]:
    """``hg addremove``: add unknown files, remove missing ones, optionally find renames."""
    ui = repo.ui
    show = uipathfn(repo, True)
    bad = _named_missing(repo, ds, m)
    st = status(repo, ds, m, unknown=True)
    added = list(st.unknown)
    root = os.fsencode(repo.root)
    for path in m.files():
        entry = ds.get(path)
        if path and path not in added and (entry is None or entry.state == "r") \
                and os.path.isfile(os.path.join(root, path)):
            added.append(path)
    added.sort()
    removed = list(st.deleted)
    for path in sorted(added + removed):
        if ui.verbose or not m.exact(path):
            verb = "adding" if path in added else "removing"
            ui.status(f"{verb} {show(path)}\n")
    renames: dict[bytes, bytes] = {}
    if similarity > 0:
        from amalgam.wc.similar import find_renames

        # Files already added or removed take part too, as in hg.
        renames = find_renames(repo, ds, sorted(set(added) | set(st.added)),
                               sorted(set(removed) | set(st.removed)), similarity)
        for dest, (source, score) in sorted(renames.items()):
            if ui.verbose or not m.exact(source) or not m.exact(dest):
                ui.status(f"recording removal of {show(source)} as rename to "
                          f"{show(dest)} ({int(score * 100)}% similar)\n")
    hooks = getattr(ui, "hooks", None)
    if hooks is not None and added and not dry_run:
        handled = hooks.wc_add(repo=repo, paths=list(added), opts=dict(opts or {}))
        taken = {path for result in handled for path in (result or ())}
        added = [p for p in added if p not in taken]
    if dry_run:
        return bad
    for path in added:
        if ds.get(path) is not None:
            ds.set_possibly_dirty(path)
        else:
            ds.add(path)
    for path in removed:
        if ds.get(path).state == "a":
            ds.drop(path)
        else:
            ds.remove(path)
    for dest, (source, _score) in renames.items():
        ds.copy(source, dest)
    return bad
