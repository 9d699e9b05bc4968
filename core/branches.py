"""Named branches: which changesets are the heads of each branch.

A branch head is a changeset of that branch with no child on the same
branch; it is closed when its changeset carries ``close`` in its extra.
The map is computed from the changelog and kept in memory per repository
object; hg's on-disk ``branch2-*`` caches are neither read nor written.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from amalgam.node import Node, nullid

if TYPE_CHECKING:
    from amalgam.repo import Repository


class BranchMap:
    """Heads (ascending revisions) and closed heads of every branch."""

    def __init__(self, heads: dict[str, list[int]], closed: set[int],
                 branchof: list[str]) -> None:
        self.heads = heads
        self.closed = closed
        self._branchof = branchof

    def __contains__(self, name: object) -> bool:
        return name in self.heads

    def branch(self, rev: int) -> str:
        return self._branchof[rev]

    def branchheads(self, name: str, closed: bool = False) -> list[int]:
        """Heads of *name*, newest first; closed heads only when *closed*."""
        return [rev for rev in reversed(self.heads.get(name, []))
                if closed or rev not in self.closed]

    def tiprev(self, name: str) -> int | None:
        """hg's branch tip: the newest open head, else the newest head."""
        heads = self.heads.get(name)
        if not heads:
            return None
        opened = [rev for rev in heads if rev not in self.closed]
        return (opened or heads)[-1]

    def isclosed(self, name: str) -> bool:
        """A branch is closed when every one of its heads is."""
        return all(rev in self.closed for rev in self.heads.get(name, []))


_cache: weakref.WeakKeyDictionary[Repository, tuple[object, BranchMap]] = \
    weakref.WeakKeyDictionary()


def _compute(repo: Repository) -> BranchMap:
    cl = repo.changelog.revlog
    changelog = repo.changelog
    branchof: list[str] = []
    closing: list[bool] = []
    heads: dict[str, list[int]] = {}
    headset: set[int] = set()
    for rev in range(len(cl)):
        entry = changelog.read(rev)
        name = entry.branch
        branchof.append(name)
        closing.append("close" in entry.extra)
        for parent in cl.parentrevs(rev):
            if parent >= 0 and parent in headset and branchof[parent] == name:
                headset.discard(parent)
        headset.add(rev)
        heads.setdefault(name, [])
    for rev in sorted(headset):
        heads[branchof[rev]].append(rev)
    closed = {rev for rev in headset if closing[rev]}
    return BranchMap(heads, closed, branchof)


def branchmap(repo: Repository) -> BranchMap:
    """The branch map for the repository as it is now."""
    cl = repo.changelog.revlog
    key = (len(cl), cl.node(len(cl) - 1) if len(cl) else nullid)
    cached = _cache.get(repo)
    if cached is None or cached[0] != key:
        cached = (key, _compute(repo))
        _cache[repo] = cached
    return cached[1]


def branchtip(repo: Repository, name: str) -> Node | None:
    """The node the branch name *name* resolves to, or None when no such branch."""
    rev = branchmap(repo).tiprev(name)
    return None if rev is None else repo.changelog.revlog.node(rev)


def branchheads(repo: Repository, name: str, closed: bool = False) -> list[int]:
    """Heads of branch *name*, newest first (closed ones only with *closed*)."""
    return branchmap(repo).branchheads(name, closed)
