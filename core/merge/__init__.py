"""Working-copy updates and merges: :func:`update`, :func:`merge`, :func:`abort`.

Both run the same machine: compute per-file actions from three manifests
(:mod:`amalgam.merge.actions`), check untracked files in the way, write
``.hg/updatestate`` (an interrupted update is then detected), apply the
actions reading each manifest once, merge files through
:mod:`amalgam.merge.filemerge` with the state kept in ``.hg/merge``, and
finally write the dirstate with the stat of every written file so the next
status reads nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from amalgam import dag, error
from amalgam.merge import actions as act
from amalgam.node import hex, nullid, short

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState

UPDATE_LABELS = ["working copy", "destination", "common ancestor"]
MERGE_LABELS = ["working copy", "merge rev", "common ancestor"]


@dataclass
class Stats:
    updated: int = 0
    merged: int = 0
    removed: int = 0
    unresolved: int = 0

    def line(self) -> str:
        return (f"{self.updated} files updated, {self.merged} files merged, "
                f"{self.removed} files removed, {self.unresolved} files unresolved\n")


def ancestor(repo: Repository, a: Node, b: Node) -> Node:
    """The greatest common ancestor of two changesets (nullid if none)."""
    if nullid in (a, b):
        return nullid
    cl = repo.changelog.revlog

    common = dag.ancestors(repo, [cl.rev(a)]) & dag.ancestors(repo, [cl.rev(b)])
    return cl.node(max(common)) if common else nullid


def _working_changes(repo: Repository, ds: DirState):
    from amalgam.wc import match as matchmod
    from amalgam.wc.status import status

    return status(repo, ds, matchmod.always(repo.root, repo.root), unknown=False)


def update(repo: Repository, node: Node, *, force: bool = False, check: bool = False,
           tool: str | None = None, linear_check: bool = True) -> Stats:
    """Bring the working copy to changeset *node*, carrying local changes along.

    *force* (``-C``) discards local changes, *check* (``-c``) refuses a
    dirty working copy; otherwise uncommitted changes are merged into the
    target, which must be an ancestor or descendant of the parent unless
    *linear_check* is off.  The caller holds ``repo.wlock()``.
    """
    from amalgam.wc.dirstate import DirState

    ds = DirState.open(repo)
    p1, p2 = ds.parents()
    if p2 != nullid and not force:
        raise error.StateError("outstanding uncommitted merge")
    if force:
        return _run(repo, ds, node, None, force=True, branchmerge=False, tool=tool,
                    labels=UPDATE_LABELS)
    st = _working_changes(repo, ds)
    dirty = bool(st.modified or st.added or st.removed or st.deleted)
    if check and dirty:
        raise error.StateError("uncommitted changes")
    if dirty and linear_check:
        pa = ancestor(repo, p1, node)
        if pa not in (p1, node):
            raise error.StateError("uncommitted changes",
                                   hint="commit or update --clean to discard changes")
    return _run(repo, ds, node, p1, force=False, branchmerge=False, tool=tool,
                labels=UPDATE_LABELS, status=st)


def merge(repo: Repository, node: Node, tool: str | None = None) -> Stats:
    """Merge changeset *node* into the working copy (which must be clean)."""
    from amalgam.wc.dirstate import DirState

    ds = DirState.open(repo)
    p1, p2 = ds.parents()
    if p2 != nullid:
        raise error.StateError("outstanding uncommitted merge")
    st = _working_changes(repo, ds)
    if st.modified or st.added or st.removed or st.deleted:
        raise error.StateError("uncommitted changes",
                               hint="use 'amg status' to list changes")
    pa = ancestor(repo, p1, node)
    if pa == node or node == p1:
        raise error.StateError("merging with a working directory ancestor has no effect")
    return _run(repo, ds, node, pa, force=False, branchmerge=True, tool=tool,
                labels=MERGE_LABELS, status=st)


def abort(repo: Repository) -> Stats:
    """Abandon an unfinished merge: back to the first parent, local state dropped."""
    from amalgam.merge.state import MergeState
    from amalgam.wc.dirstate import DirState

    ds = DirState.open(repo)
    ms = MergeState.read(repo)
    if not ms.active() and ds.p2() == nullid:
        raise error.StateError("no merge in progress")
    target = ms.local if ms.active() else ds.p1()
    repo.ui.status(f"aborting the merge, updating back to {short(target)}\n")
    return _run(repo, ds, target, None, force=True, branchmerge=False, tool=None,
                labels=UPDATE_LABELS)


def _run(repo: Repository, ds: DirState, node: Node, base: Node | None, *, force: bool,
         branchmerge: bool, tool: str | None, labels: list[str], status=None) -> Stats:
    from amalgam.merge import apply, filemerge

    tool = filemerge.check_tool(tool)
    p1 = ds.p1()
    # Each manifest is parsed once (no per-file lookups later), and only once
    # when two of them are the same: an update's base is p1.
    m1 = dict(repo.manifest_of(p1).items())
    m2 = m1 if node == p1 else dict(repo.manifest_of(node).items())
    tracked = {path: value[0] for path, value in ds.raw().items()}
    if force:
        dirty = {p for p, s in tracked.items() if s != "n"} | _unclean(repo, ds)
        actions = act.overwrite(m1, m2, tracked, dirty)
    else:
        from amalgam.wc import files as wfiles

        ma = m1 if base in (None, p1) else m2 if base == node \
            else dict(repo.manifest_of(base).items())
        wm = act.working_manifest(m1, status.modified, status.added,
                                  status.removed + status.deleted,
                                  lambda path: wfiles.flags(repo, path))
        actions = act.calculate(wm, m2, ma)
    apply.check_untracked(repo, ds, actions, m2, force)
    hooks = repo.ui.hooks
    distance = _distance(repo, p1, node)
    if hooks is not None:
        hooks.wc_update_begin(repo=repo, node=node, distance=distance, partial=False)
    failure: BaseException | None = None
    try:
        if not branchmerge:
            repo.vfs.write("updatestate", hex(node).encode() + b"\n")
        stats = apply.apply(repo, ds, actions, p1=p1, node=node, base=base, m2=m2,
                            branchmerge=branchmerge, tool=tool, labels=labels)
        if branchmerge:
            ds.setparents(p1, node)
        else:
            ds.setparents(node)
            # A removal of a file the new parent does not have is no change any more.
            for path in [p for p, v in ds.raw().items() if v[0] == "r" and p not in m2]:
                ds.drop(path)
        if not branchmerge:
            ds.setbranch(repo.changelog.read(node).branch if node != nullid else "default")
        ds.write()
        try:
            # An update finished here; a merge also ends one left interrupted, as in hg.
            repo.vfs.unlink("updatestate")
        except FileNotFoundError:
            pass
    except BaseException as exc:
        failure = exc
        raise
    finally:
        if hooks is not None:
            hooks.wc_update_end(repo=repo, node=node, files=sorted(actions), error=failure)
    return stats


def _unclean(repo: Repository, ds: DirState) -> set[bytes]:
    """Tracked files whose working content may differ from p1 (for ``update -C``)."""
    st = _working_changes(repo, ds)
    return set(st.modified) | set(st.deleted)


def _distance(repo: Repository, a: Node, b: Node) -> int:
    cl = repo.changelog.revlog
    ra = cl.rev(a) if a != nullid else -1
    rb = cl.rev(b) if b != nullid else -1
    return abs(rb - ra)
