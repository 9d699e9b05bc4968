"""Carry out the actions of an update or merge on the working copy and dirstate."""
from __future__ import annotations

import os
import stat as statmod
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.merge import actions as act
from amalgam.node import nullid
from amalgam.wc import files as wfiles
from amalgam.wc.audit import show

if TYPE_CHECKING:
    from amalgam.merge import Stats
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState

_CD_PROMPT = ("file '{f}' was deleted in other [{other}] but was modified in local [{local}].\n"
              "You can use (c)hanged version, (d)elete, or leave (u)nresolved.\n"
              "What do you want to do? u\n")
_DC_PROMPT = ("file '{f}' was deleted in local [{local}] but was modified in other [{other}].\n"
              "You can use (c)hanged version, leave (d)eleted, or leave (u)nresolved.\n"
              "What do you want to do? u\n")


def check_untracked(repo: Repository, ds: DirState, actions: dict[bytes, tuple],
                    m2: dict[bytes, tuple[bytes, str]], force: bool) -> None:
    """Refuse to overwrite an untracked file whose content differs from the target's."""
    if force:
        return
    root = os.fsencode(repo.root)
    raw = ds.raw()
    differ = []
    dirs: dict[bytes, bool | bytes] = {b"": True}
    for path, action in actions.items():
        if action[0] != act.GET or (path in raw and raw[path][0] != "r"):
            continue
        where = _parent_state(root, path.rpartition(b"/")[0], dirs)
        if where is False:
            continue
        full = os.path.join(root, path)
        if where is not True and (where not in raw or raw[where][0] == "r"):
            # An untracked file stands where a directory goes: refuse as
            # hg does (its lstat fails with "Not a directory").
            os.lstat(full)
        if not os.path.lexists(full):
            continue
        entry = m2.get(path)
        try:
            same = entry is not None and wfiles.read(repo, path) == repo.file(path).read(entry[0])
        except error.Abort:
            same = False
        if not same:
            differ.append(path)
    if differ:
        for path in sorted(differ):
            repo.ui.warn(f"{show(path)}: untracked file differs\n")
        raise error.StateError("untracked files in working directory differ from files "
                               "in requested revision")


def _parent_state(root: bytes, path: bytes, known: dict[bytes, bool | bytes]) -> bool | bytes:
    """Directory *path*: True if it exists (through symlinks), False if missing, or
    the path of the non-directory standing at it or above it.  Memoised in *known*.

    Nothing can be in the way below a missing directory, so an update into
    an empty working copy looks at each directory once, not at every file.
    """
    unknown = []
    while path not in known:  # b"" (the root) is always known
        unknown.append(path)
        path = path.rpartition(b"/")[0]
    state = known[path]
    for path in reversed(unknown):
        if state is True:
            try:
                mode = os.stat(os.path.join(root, path)).st_mode
            except OSError:
                state = False
            else:
                state = True if statmod.S_ISDIR(mode) else path
        known[path] = state
    return state


def apply(repo: Repository, ds: DirState, actions: dict[bytes, tuple], *, p1: Node,
          node: Node, base: Node | None, m2: dict[bytes, tuple[bytes, str]],
          branchmerge: bool, tool: str,
          labels: list[str]) -> Stats:
    """Apply *actions*; returns the counts hg prints."""
    from amalgam.merge import Stats, filemerge, getfiles
    from amalgam.merge.progress import Progress
    from amalgam.merge.state import MergeState

    stats = Stats()
    m1 = repo.manifest_of(p1)
    by_kind: dict[str, list[bytes]] = {}
    for path in sorted(actions):
        by_kind.setdefault(actions[path][0], []).append(path)
    ms = MergeState.start(repo, p1, node, labels)
    merges = by_kind.get(act.MERGE, [])
    # Keep the local side of every merge before anything on disk changes.
    base_node = base if base is not None else p1
    for path in merges:
        _, apath, anode = actions[path]
        local = wfiles.read(repo, path)
        ms.add(path, local, wfiles.flags(repo, path),
               (apath or path, anode or nullid), (path, m2[path][0]),
               base_node if base_node != nullid else None)
    with Progress(repo.ui, "updating", len(actions), "files") as progress:
        removes = by_kind.get(act.REMOVE, [])
        getfiles.remove(repo, removes, progress, 0)
        for path in removes:
            if branchmerge:
                ds.remove(path)
            else:
                ds.drop(path)
        stats.removed += len(removes)
        done = len(removes)
        for path in by_kind.get(act.FORGET, []):
            ds.drop(path)
        gets = by_kind.get(act.GET, [])
        copied = ds.copies()
        for path, st in zip(gets, getfiles.get(repo, m2, gets, progress, done)):
            if path in copied:
                ds.copy(None, path)
            if branchmerge:
                # hg's v1 encoding: 'm' when p1 also tracks it, else 'n' from p2.
                if path in m1:
                    ds.merge(path)
                else:
                    ds.otherparent(path)
                ms.set_extra(path, b"filenode-source", b"other")
            else:
                ds.set_clean(path, st)
        stats.updated += len(gets)
    for path in by_kind.get(act.FLAGS, []):
        data = wfiles.read(repo, path)
        wfiles.write(repo, path, data, actions[path][1])
        ds.set_possibly_dirty(path)
        stats.updated += 1
    for path in merges:
        if filemerge.filemerge(repo, ms, path, tool):
            ms.mark(path, "r")
            stats.merged += 1
        else:
            stats.unresolved += 1
        if branchmerge:
            ds.merge(path)
        elif ds.get(path) is None or ds.get(path).state != "a":
            ds.set_possibly_dirty(path)
    names = {"local": labels[0], "other": labels[1]}
    for path in by_kind.get(act.CHANGED_DELETED, []):
        repo.ui.status(_CD_PROMPT.format(f=show(path), **names))
        ms.add(path, wfiles.read(repo, path), wfiles.flags(repo, path),
               (path, _node_in(repo, base_node, path)), (path, nullid), None, kind=b"C")
        if not branchmerge:
            ds.add(path)
        stats.unresolved += 1
    for path in by_kind.get(act.DELETED_CHANGED, []):
        repo.ui.status(_DC_PROMPT.format(f=show(path), **names))
        entry = m2.get(path)
        ms.add(path, None, "", (path, _node_in(repo, base_node, path)), (path, entry[0]),
               None, kind=b"C")
        wfiles.write(repo, path, repo.file(path).read(entry[0]), entry[1])
        if branchmerge:
            ds.otherparent(path)
        else:
            ds.set_possibly_dirty(path)
        stats.unresolved += 1
    if branchmerge or ms.files:
        ms.write()  # hg keeps it after a linear update with merges too, resolved or not
    else:
        MergeState.clear(repo)
    return stats


def _node_in(repo: Repository, changeset: Node, path: bytes) -> Node:
    entry = repo.manifest_of(changeset).get(path)
    return entry[0] if entry is not None else nullid
