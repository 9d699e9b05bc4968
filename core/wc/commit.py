"""Committing the working copy: pick the files, store them, update the dirstate.

After the commit every committed file is recorded clean in the dirstate
with the size and mtime seen *before* its content was read, so the first
status after even a huge commit reads nothing; the dirstate's
ambiguous-mtime rule keeps that safe for files changed in the same second.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.node import Node, nullid
from amalgam.wc.audit import show
from amalgam.wc.status import Status, status

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher


def check_named_files(repo: Repository, ds: DirState, m: Matcher, st: Status) -> None:
    """hg's aborts for named files a commit cannot take."""
    deleted = set(st.deleted)
    root = os.fsencode(repo.root)
    for path in m.files():
        if not path or ds.hasdir(path):
            continue
        if path in deleted:
            raise error.InputError(f"{show(path)}: file not found!")
        if path in ds:
            continue
        if os.path.lexists(os.path.join(root, path)):
            if os.path.isdir(os.path.join(root, path)):
                continue
            raise error.InputError(f"{show(path)}: file not tracked!")
        raise error.InputError(f"{show(path)}: file not found!")


def commit(repo: Repository, ds: DirState, match: Matcher, *, message: str, user: str,
           date: tuple[float, int] | None = None, extra: dict[str, str] | None = None,
           close_branch: bool = False, amend: bool = False,
           opts: dict[str, Any] | None = None, st: Status | None = None) -> Node | None:
    """Commit what *match* selects; None when there is nothing to commit.

    The caller holds ``repo.wlock()``.  *st* is a status already computed
    for *match* (the command computes it first to build the editor text).
    """
    from amalgam.repo import FileChange

    if amend:
        raise error.InputError("commit --amend is not supported yet",
                               hint="use 'hg commit --amend' for now")
    p1, p2 = ds.parents()
    if st is None:
        st = status(repo, ds, match, unknown=False)
    changes = pending_files(repo, ds, match, st, close_branch)
    if changes is None:
        return None
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is not None:
        hooks.wc_commit(repo=repo, files=changes, match=match, opts=dict(opts or {}))
    removed = set(st.removed)
    files: dict[bytes, FileChange | None] = {}
    stats: dict[bytes, os.stat_result] = {}
    root = os.fsencode(repo.root)
    from amalgam.merge.progress import Progress
    from amalgam.wc.files import flags_of_mode

    with Progress(repo.ui, "committing", len(changes), "files") as progress:
        for count, path in enumerate(changes):
            progress.update(count)
            if path in removed:
                files[path] = None
                continue
            full = os.path.join(root, path)
            try:
                before = os.lstat(full)
                flags = flags_of_mode(before.st_mode)
                if flags == "l":
                    data = os.readlink(full)
                else:
                    with open(full, "rb") as fp:
                        data = fp.read()
            except OSError as exc:
                raise error.Abort(f"{show(path)}: {exc.strerror}",
                                  hint="the file changed while committing; try again") from None
            stats[path] = before
            files[path] = FileChange(data, flags, ds.copied(path))
    info: dict[str, str] = dict(extra or {})
    if close_branch:
        info["close"] = "1"
    branch = ds.branch()
    node = repo.commit_files(files, p1=p1, p2=p2, user=user, date=date, message=message,
                             branch=branch, extra=info)
    ds.setparents(node)
    for path, change in files.items():
        if change is None:
            ds.drop(path)
        else:
            ds.copy(None, path)
            ds.set_clean(path, stats[path])
    ds.write()
    return node


def pending_files(repo: Repository, ds: DirState, match: Matcher, st: Status,
                  close_branch: bool) -> list[bytes] | None:
    """The sorted paths a commit would record, or None when nothing would change."""
    p1, p2 = ds.parents()
    if p2 != nullid and not match.always():
        raise error.StateError("cannot partially commit a merge "
                               "(do not specify files or patterns)")
    if p2 != nullid and st.deleted:
        raise error.StateError("cannot commit merge with missing files",
                               hint="use 'hg remove' or restore them first")
    check_named_files(repo, ds, match, st)
    changes = sorted(st.modified + st.added + st.removed)
    if changes or close_branch or p2 != nullid:
        return changes
    current = repo.changelog.read(p1).branch if p1 != nullid else "default"
    if ds.branch() != current:
        return changes
    return None
