"""Committing the working copy: pick the files, store them, update the dirstate.

After the commit every committed file is recorded clean in the dirstate
with the size and mtime seen *before* its content was read, so the first
status after even a huge commit reads nothing; the dirstate's
ambiguous-mtime rule keeps that safe for files changed in the same second.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.node import Node, nullid
from amalgam.wc.audit import show
from amalgam.wc.status import Status, status

if TYPE_CHECKING:
    from amalgam.repo import FileChange, Repository
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
        wanted = bool(changes)
        hooks.wc_commit(repo=repo, files=changes, match=match, opts=dict(opts or {}))
        if wanted and not changes:
            return None  # a plugin took every file over
    from amalgam.merge.state import MergeState

    ms = MergeState.read(repo)
    files = _WorkingFiles(repo, ds, changes, set(st.removed),
                          ms.extras if ms.active() else None)
    info: dict[str, str] = dict(extra or {})
    if close_branch:
        info["close"] = "1"
    branch = ds.branch()
    from amalgam.merge.progress import Progress

    with Progress(repo.ui, "committing", len(changes), "files") as progress:
        files.progress = progress
        node = repo.commit_files(files, p1=p1, p2=p2, user=user, date=date, message=message,
                                 branch=branch, extra=info)
    ds.setparents(node)
    from amalgam import bookmarks

    # As in hg, an active bookmark on the old parent follows the new commit.
    bookmarks.advance_active(repo, p1, node)
    for path in changes:
        stat = files.stats.get(path)
        if stat is None:
            ds.drop(path)
        else:
            ds.copy(None, path)
            ds.set_clean(path, stat)
    ds.write()
    if ms.active():
        MergeState.clear(repo)
    return node


class _WorkingFiles(Mapping):
    """The commit's files, read from disk one at a time as the commit stores them.

    Holding every content at once would cost the whole change set in
    memory; the stat taken *before* each read is what the dirstate records.
    """

    def __init__(self, repo: Repository, ds: DirState, paths: list[bytes],
                 removed: set[bytes], merge_extras: dict[bytes, dict[bytes, bytes]] | None
                 ) -> None:
        self._root = os.fsencode(repo.root)
        self._ds = ds
        self._merge_extras = merge_extras
        self._paths = paths
        self._removed = removed
        self.stats: dict[bytes, os.stat_result] = {}
        self.progress: Any = None

    def __len__(self) -> int:
        return len(self._paths)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._paths)

    def __getitem__(self, path: bytes) -> FileChange | None:
        from amalgam.repo import FileChange
        from amalgam.wc.files import flags_of_mode

        if path in self._removed:
            return None
        if self.progress is not None:
            self.progress.update(len(self.stats))
        full = os.path.join(self._root, path)
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
        self.stats[path] = before
        if self._merge_extras is None:
            return FileChange(data, flags, self._ds.copied(path))
        # During a merge hg keeps two file parents only for files really
        # merged, and reuses p2's file node for files taken from the other side.
        extras = self._merge_extras.get(path, {})
        return FileChange(data, flags, self._ds.copied(path),
                          from_other=extras.get(b"filenode-source") == b"other",
                          merged=extras.get(b"merged") == b"yes")


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
    from amalgam.merge.state import MergeState

    if MergeState.read(repo).unresolved():
        raise error.StateError("unresolved merge conflicts (see 'amg help resolve')")
    check_named_files(repo, ds, match, st)
    changes = sorted(st.modified + st.added + st.removed)
    if changes or close_branch or p2 != nullid:
        return changes
    current = repo.changelog.read(p1).branch if p1 != nullid else "default"
    if ds.branch() != current:
        return changes
    return None
