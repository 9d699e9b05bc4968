"""``copy`` and ``rename``: copy files on disk and record where they came from.

The copy source recorded is the *original* one: copying a file that is
itself an uncommitted copy records the first source, as hg does, so
history follows the content back to a committed file.
"""
from __future__ import annotations

import os
import shutil
import stat as statmod
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.wc.audit import PathAuditor, canonpath
from amalgam.wc.cmdutil import uipathfn
from amalgam.wc.match import match

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState


def _sources(repo: Repository, ds: DirState, pat: str, opts: dict[str, Any]
             ) -> tuple[bytes, list[tuple[bytes, bool]]]:
    """The tracked files *pat* names: ``(pattern path, [(path, named exactly)])``."""
    cwd = os.getcwd()
    m = match(repo.root, cwd, [pat], opts.get("include") or (), opts.get("exclude") or ())
    base = m.files()[0] if m.files() else b""
    found = []
    for path, value in ds.raw().items():
        if value[0] != "r" and m(path):
            found.append((path, path == base))
    found.sort()
    return base, found


def copy(repo: Repository, ds: DirState, pats: list[str], opts: dict[str, Any], *,
         rename: bool = False) -> int:
    """Copy (or move) the files *pats* name; the last item is the destination."""
    ui = repo.ui
    show = uipathfn(repo, True)
    if not pats:
        raise error.InputError("no source or destination specified")
    if len(pats) == 1:
        raise error.InputError("no destination specified")
    after, force, dry_run = opts.get("after"), opts.get("force"), opts.get("dry_run")
    root = os.fsencode(repo.root)
    cwd = os.getcwd()
    dest = canonpath(repo.root, cwd, pats[-1])
    destfull = os.path.join(root, dest)
    destisdir = os.path.isdir(destfull) and not os.path.islink(destfull)
    sources = pats[:-1]
    if (len(sources) > 1 or any(":" in s or "*" in s for s in sources)) and not destisdir:
        raise error.InputError("with multiple sources, destination must be an "
                               "existing directory")
    audit = PathAuditor(repo.root)
    plan: list[tuple[bytes, bytes, bool]] = []
    errors = 0
    for pat in sources:
        base, found = _sources(repo, ds, pat, opts)
        if not found:
            if base and os.path.lexists(os.path.join(root, base)):
                ui.warn(f"{show(base)}: not copying - file is not managed\n")
            else:
                ui.warn(f"{show(base) if base else pat}: No such file or directory\n")
            errors += 1
            continue
        for path, exact in found:
            if exact:
                target = (dest + b"/" if dest else b"") + os.path.basename(path) \
                    if destisdir else dest
            else:
                rest = path[len(base) + 1:] if base else path
                if destisdir:
                    prefix = (dest + b"/" if dest else b"") + os.path.basename(base)
                    target = prefix + b"/" + rest if base else (dest + b"/" + rest)
                else:
                    target = dest + b"/" + rest
            plan.append((path, target.lstrip(b"/"), exact))
    if not plan:
        raise error.InputError("no files to copy")
    verb = "moving" if rename else "copying"
    cmd = "rename" if rename else "copy"
    for src, target, exact in plan:
        audit(target)
        tfull = os.path.join(root, target)
        entry = ds.get(target)
        exists = os.path.lexists(tfull)
        if entry is not None and entry.state != "r" and not (after and force) and \
                not (force and not after):
            ui.warn(f"{show(target)}: not overwriting - file already committed\n"
                    f"('hg {cmd} --force' to replace the file by recording a {cmd})\n")
            errors += 1
            continue
        if exists and (entry is None or entry.state == "r") and not after and not force:
            ui.warn(f"{show(target)}: not overwriting - file exists\n"
                    f"('hg {cmd} --after' to record the {cmd})\n")
            errors += 1
            continue
        if after and not exists:
            ui.warn(f"{show(src)}: not recording {cmd} - {show(target)} does not exist\n")
            errors += 1
            continue
        if ui.verbose or not exact:
            ui.status(f"{verb} {show(src)} to {show(target)}\n")
        if dry_run:
            continue
        if not after:
            _copy_file(os.path.join(root, src), tfull)
        _record(repo, ds, src, target)
        if rename:
            if ds.get(src) is not None and ds.get(src).state == "a":
                ds.drop(src)
            else:
                ds.remove(src)
            if not after:
                from amalgam.wc import files as wfiles

                wfiles.remove(repo, src)
    return 1 if errors else 0


def _copy_file(src: bytes, dst: bytes) -> None:
    try:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        st = os.lstat(src)
        if os.path.lexists(dst):
            os.unlink(dst)
        if statmod.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copyfile(src, dst)
            shutil.copymode(src, dst)
    except OSError as exc:
        raise error.Abort(f"cannot copy {os.fsdecode(src)}: {exc.strerror}") from None


def _record(repo: Repository, ds: DirState, src: bytes, target: bytes) -> None:
    """Track *target* as a copy of *src*'s original source."""
    origin = ds.copied(src) or src
    entry = ds.get(src)
    if entry is not None and entry.state == "a" and ds.copied(src) is None:
        show = uipathfn(repo, True)
        repo.ui.warn(f"{show(src)} has not been committed yet, so no copy data will be "
                     f"stored for {show(target)}.\n")
        if ds.get(target) is None or ds.get(target).state == "r":
            ds.add(target)
        return
    tentry = ds.get(target)
    if tentry is None:
        ds.add(target)
    elif tentry.state == "r":
        ds.set_possibly_dirty(target)
    if origin != target:
        ds.copy(origin, target)
