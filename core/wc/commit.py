"""Committing the working copy: pick the files, store them, update the dirstate.

After the commit every committed file is recorded clean in the dirstate
with the size and mtime seen *before* its content was read, so the first
status after even a huge commit reads nothing; the dirstate's
ambiguous-mtime rule keeps that safe for files changed in the same second.
"""
from __future__ import annotations

import os
from array import array
from bisect import bisect_left
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
        return amend_parent(repo, ds, match, message=message, user=user, date=date,
                            extra=extra, close_branch=close_branch, opts=opts, st=st)
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
    repo.drop_caches()
    _record_committed(ds, files)
    if ms.active():
        MergeState.clear(repo)
    return node


def _record_committed(ds: DirState, files: _WorkingFiles) -> None:
    """Mark committed files clean (with the stat seen before reading them) and write."""
    for path, stat in files.stats():
        if stat is None:
            ds.drop(path)
        else:
            if ds.copied(path) is not None:
                ds.copy(None, path)
            ds.set_clean(path, stat)
    ds.write()


def _stat_of(mode: int, size: int, mtime_ns: int) -> os.stat_result:
    """A stat result carrying what the dirstate records, rebuilt from three integers.

    ``st_mtime`` is computed as the os module computes it (seconds plus
    nanoseconds times 1e-9), so rounding matches a real ``lstat``.
    """
    seconds, nanos = divmod(mtime_ns, 1_000_000_000)
    return os.stat_result((mode, 0, 0, 0, 0, 0, size, 0, seconds, 0),
                          {"st_mtime": seconds + nanos * 1e-9, "st_mtime_ns": mtime_ns})


class _WorkingFiles(Mapping):
    """The commit's files, read from disk one at a time as the commit stores them.

    Holding every content at once would cost the whole change set in
    memory; the stat taken *before* each read is what the dirstate records.
    It is kept as three integers per file in one flat array, indexed like
    the sorted paths: a dict of ``os.stat_result`` cost ~650 bytes per file,
    65 MB of a first commit of 100,000 files.
    """

    def __init__(self, repo: Repository, ds: DirState, paths: list[bytes],
                 removed: set[bytes], merge_extras: dict[bytes, dict[bytes, bytes]] | None,
                 copies: Mapping[bytes, bytes | None] | None = None) -> None:
        self._root = os.fsencode(repo.root)
        # Copy sources to record; the dirstate's when not given (amend resolves
        # them against the amended changeset's parent instead).
        self._copies = copies
        self._ds = ds
        self._merge_extras = merge_extras
        self._paths = sorted(paths)
        self._removed = removed
        # (mode, size, mtime_ns) per path, mode 0 while the file is not read
        # (a real lstat mode always has file-type bits).
        self._stats = array("q", bytes(24 * len(paths)))
        self._read = 0
        self.progress: Any = None

    def __len__(self) -> int:
        return len(self._paths)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._paths)

    def _slot(self, path: bytes) -> int:
        slot = bisect_left(self._paths, path)
        if slot == len(self._paths) or self._paths[slot] != path:
            raise KeyError(path)
        return slot

    def stats(self) -> Iterator[tuple[bytes, os.stat_result | None]]:
        """Every path with the stat taken before it was read (None: not read)."""
        values = self._stats
        for slot, path in enumerate(self._paths):
            mode, size, mtime_ns = values[3 * slot:3 * slot + 3]
            yield path, _stat_of(mode, size, mtime_ns) if mode else None

    def __getitem__(self, path: bytes) -> FileChange | None:
        from amalgam.repo import FileChange
        from amalgam.wc.files import flags_of_mode

        slot = self._slot(path)
        if path in self._removed:
            return None
        if self.progress is not None:
            self.progress.update(self._read)
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
            hint = ("make it readable, or leave it out with -X"
                    if isinstance(exc, PermissionError)
                    else "the file changed while committing; try again")
            raise error.Abort(f"{show(path)}: {exc.strerror}", hint=hint) from None
        self._stats[3 * slot:3 * slot + 3] = array(
            "q", (before.st_mode, before.st_size, before.st_mtime_ns))
        self._read += 1
        source = self._ds.copied(path) if self._copies is None else self._copies.get(path)
        if self._merge_extras is None:
            return FileChange(data, flags, source)
        # During a merge hg keeps two file parents only for files really
        # merged, and reuses p2's file node for files taken from the other side.
        extras = self._merge_extras.get(path, {})
        return FileChange(data, flags, source,
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
    from amalgam.wc.tracking import check_clashes

    check_clashes(ds, st.added)
    changes = sorted(st.modified + st.added + st.removed)
    if changes or close_branch or p2 != nullid:
        return changes
    current = repo.changelog.read(p1).branch if p1 != nullid else "default"
    if ds.branch() != current:
        return changes
    return None


# -- amend ---------------------------------------------------------------------


def check_amendable(repo: Repository, ds: DirState) -> Node:
    """The working copy's parent if ``commit --amend`` may rewrite it; hg's refusals otherwise."""
    from amalgam import phases
    from amalgam.node import short
    from amalgam.repair import descendants

    p1, p2 = ds.parents()
    if p2 != nullid:
        raise error.StateError("cannot amend changesets while merging")
    if p1 == nullid:
        raise error.InputError("cannot amend the null revision",
                               hint="no changeset checked out")
    rev = repo.changelog.revlog.rev(p1)
    if phases.phase(repo, rev) == phases.PUBLIC:
        raise error.InputError(f"cannot amend public changesets: {short(p1)}",
                               hint="see 'hg help phases' for details")
    orphans = len(descendants(repo, [rev])) - 1
    if orphans:
        raise error.InputError(f"cannot amend changeset, as that will orphan {orphans} "
                               "descendants", hint="see 'hg help evolution.instability'")
    return p1


def amend_parent(repo: Repository, ds: DirState, match: Matcher, *, message: str, user: str,
                 date: tuple[float, int] | None, extra: dict[str, str] | None = None,
                 close_branch: bool = False, opts: dict[str, Any] | None = None,
                 st: Status | None = None) -> Node | None:
    """Replace the working copy's parent by itself plus the changes *match* selects.

    The new changeset has the old one's parents, files, extras (plus hg's
    ``amend_source``) and phase (at least draft); its bookmarks follow it,
    then the old changeset is stripped with a backup bundle like hg's.
    None when the result would be the old changeset again.
    """
    from amalgam import bookmarks, phases, repair
    from amalgam.context import changectx
    from amalgam.merge.state import MergeState
    from amalgam.node import hex

    old = check_amendable(repo, ds)
    if st is None:
        st = status(repo, ds, match, unknown=False)
    changes = pending_files(repo, ds, match, st, close_branch) or []
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is not None and changes:
        hooks.wc_commit(repo=repo, files=changes, match=match, opts=dict(opts or {}))
    octx = changectx(repo, old)
    info = {k: v for k, v in octx.extra().items() if k not in ("branch", "amend_source")}
    info.update(extra or {})
    if close_branch:
        info["close"] = "1"
    when = date or octx.date()
    branch = ds.branch()
    if (not changes and message == octx.description() and user == octx.user()
            and tuple(when) == tuple(octx.date()) and branch == octx.branch()
            and info == {k: v for k, v in octx.extra().items()
                         if k not in ("branch", "amend_source")}):
        return None
    info["amend_source"] = hex(old)
    base = octx.p1()
    basemf = base.manifest()
    copies = _amend_copies(ds, octx, basemf, changes)
    working = _WorkingFiles(repo, ds, changes, set(st.removed), None, copies)
    files = _AmendFiles(octx, basemf, working, set(changes), copies)
    oldphase = octx.phase()
    with repo.transaction("amend") as tr:
        node = repo.commit_files(files, p1=base.node, p2=octx.p2().node, user=user, date=when,
                                 message=message, branch=branch, extra=info)
        if oldphase > phases.DRAFT:
            phases.retract_boundary(repo, tr, oldphase, [repo.changelog.revlog.rev(node)])
    ds.setparents(node)
    _record_committed(ds, working)
    ms = MergeState.read(repo)
    if ms.active():
        MergeState.clear(repo)
    marks = bookmarks.read(repo)
    if any(target == old for target in marks.values()):
        bookmarks.write(repo, {name: node if target == old else target
                               for name, target in marks.items()})
    repair.strip(repo, repo.ui, [repo.changelog.revlog.rev(old)], topic="amend")
    return node


def _amend_copies(ds: DirState, octx: Any, base: Any,
                  changes: list[bytes]) -> dict[bytes, bytes | None]:
    """Copy sources of the amended files, relative to the amended changeset's parent.

    A copy made in the working copy of a file the old changeset itself copied
    chains back to the original; a source absent from the parent is dropped.
    """
    oldcopies: dict[bytes, bytes] = {}
    for path in octx.files():
        if path in octx:
            renamed = octx.filectx(path).renamed()
            if renamed is not None:
                oldcopies[path] = renamed[0]
    result: dict[bytes, bytes | None] = {}
    for path in set(changes) | set(oldcopies):
        source = ds.copied(path) if path in changes else None
        if source is None:
            source = oldcopies.get(path)
        elif source not in base and source in oldcopies:
            source = oldcopies[source]
        result[path] = source if source is not None and source in base else None
    return result


class _AmendFiles(Mapping):
    """The amended changeset's files: working-copy changes over the old changeset's."""

    def __init__(self, octx: Any, base: Any, working: _WorkingFiles, changed: set[bytes],
                 copies: dict[bytes, bytes | None]) -> None:
        self._octx = octx
        self._working = working
        self._changed = changed
        self._copies = copies
        # Everything the old changeset differs in from its first parent, not
        # only its files list: a merge takes files from p2 without listing them.
        self._paths = sorted(changed | set(octx.files()) | set(octx.manifest().diff(base)))

    def __len__(self) -> int:
        return len(self._paths)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._paths)

    def __getitem__(self, path: bytes) -> FileChange | None:
        from amalgam.repo import FileChange

        if path in self._changed:
            return self._working[path]
        if path not in self._octx:
            return None  # the old changeset removed it
        fctx = self._octx.filectx(path)
        return FileChange(fctx.data(), fctx.flags(), self._copies.get(path))
