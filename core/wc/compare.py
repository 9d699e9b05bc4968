"""Status between revisions, and between a revision and the working copy (``--rev``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.wc.status import Status, status

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher


def between(repo: Repository, node1: Node, node2: Node, m: Matcher, clean: bool = False
            ) -> Status:
    """Differences from changeset *node1* to changeset *node2* under *m*."""
    m1, m2 = repo.manifest_of(node1), repo.manifest_of(node2)
    result = Status()
    for path, (old, new) in m1.diff(m2).items():
        if not m(path):
            continue
        if old is None:
            result.added.append(path)
        elif new is None:
            result.removed.append(path)
        else:
            result.modified.append(path)
    if clean:
        changed = set(result.modified) | set(result.added)
        result.clean = [p for p in m2 if p in m1 and p not in changed and m(p)]
    result.sort()
    return result


def against(repo: Repository, ds: DirState, node: Node, m: Matcher, *, ignored: bool,
            clean: bool, unknown: bool) -> Status:
    """Differences from changeset *node* to the working copy under *m*."""
    from amalgam.wc import files as wfiles

    work = status(repo, ds, m, ignored=ignored, clean=True, unknown=unknown)
    if node == ds.p1():
        if not clean:
            work.clean = []
        return work
    base = repo.manifest_of(node)
    result = Status(unknown=work.unknown, ignored=work.ignored, deleted=work.deleted)
    present = work.modified + work.added + work.clean
    for path in present:
        entry = base.get(path)
        if entry is None:
            result.added.append(path)
        elif (wfiles.flags(repo, path) != entry[1]
              or repo.file(path).cmp(entry[0], wfiles.read(repo, path))):
            result.modified.append(path)
        elif clean:
            result.clean.append(path)
    tracked = set(present) | set(work.deleted)
    result.removed = [p for p in base if m(p) and p not in tracked]
    result.sort()
    return result


def recorded_copies(repo: Repository, node1: Node, node2: Node, added: list[bytes]
                    ) -> dict[bytes, bytes]:
    """Copy sources recorded in *node2*'s filelogs for *added* files present in *node1*."""
    m1, m2 = repo.manifest_of(node1), repo.manifest_of(node2)
    copies: dict[bytes, bytes] = {}
    for path in added:
        entry = m2.get(path)
        if entry is None:
            continue
        renamed = repo.file(path).renamed(entry[0])
        if renamed is not None and renamed[0] in m1:
            copies[path] = renamed[0]
    return copies
