"""Named branches: which changesets are the heads of each branch.

A branch head is a changeset of that branch with no child on the same
branch; it is closed when its changeset carries ``close`` in its extra.
The map is kept in memory per repository object and in
``.hg/cache/amalgam-branchheads`` (the heads as of a tip), so each process
only reads the changesets added since; hg's ``branch2-*`` caches are
neither read nor written.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from amalgam.node import Node, bin, hex, nullid

if TYPE_CHECKING:
    from amalgam.repo import Repository


class BranchMap:
    """Heads (ascending revisions) and closed heads of every branch."""

    def __init__(self, heads: dict[str, list[int]], closed: set[int],
                 repo: Repository) -> None:
        self.heads = heads
        self.closed = closed
        self._repo = weakref.ref(repo)
        cl = repo.changelog.revlog
        self._tip = len(cl) - 1
        self._tipnode = cl.node(self._tip) if len(cl) else nullid
        self._names: dict[int, str] = {rev: name for name, revs in heads.items()
                                       for rev in revs}

    def __contains__(self, name: object) -> bool:
        return name in self.heads

    def branch(self, rev: int) -> str:
        """The branch of changeset *rev*."""
        name = self._names.get(rev)
        if name is None:
            repo = self._repo()
            assert repo is not None
            name = self._names[rev] = repo.changelog.read(rev).branch
        return name

    def state(self) -> tuple[int, dict[int, str], set[int]]:
        """``(tip rev, {head rev: branch}, closed heads)``: where an update starts."""
        return self._tip, {rev: name for name, revs in self.heads.items() for rev in revs}, \
            set(self.closed)

    def valid_in(self, repo: Repository) -> bool:
        """Whether *repo*'s changelog still has this map's tip (nothing was stripped)."""
        cl = repo.changelog.revlog
        return self._tip < len(cl) and (self._tip < 0 or cl.node(self._tip) == self._tipnode)

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

#: The heads of every branch as of one tip, so that the next process only
#: reads the changesets added since (hg keeps ``branch2-*`` for the same reason).
CACHE = "cache/amalgam-branchheads"


def _load(repo: Repository) -> tuple[int, dict[int, str], set[int]] | None:
    """The cached ``(tip rev, {head rev: branch}, closed heads)`` if still on this changelog."""
    cl = repo.changelog.revlog
    try:
        lines = repo.vfs.read(CACHE).decode("utf-8").splitlines()
        tipnode, tiprev = lines[0].split(" ")
        tip = int(tiprev)
        if not 0 <= tip < len(cl) or hex(cl.node(tip)) != tipnode:
            return None
        heads: dict[int, str] = {}
        closed: set[int] = set()
        for line in lines[1:]:
            node, state, name = line.split(" ", 2)
            rev = cl.rev(bin(node))
            heads[rev] = name
            if state == "c":
                closed.add(rev)
            elif state != "o":
                return None
        return tip, heads, closed
    except (OSError, UnicodeDecodeError, ValueError, IndexError, LookupError):
        return None  # missing, damaged, or naming a changeset that is gone


def _store(repo: Repository, heads: dict[int, str], closed: set[int]) -> None:
    cl = repo.changelog.revlog
    tip = len(cl) - 1
    lines = [f"{hex(cl.node(tip))} {tip}"]
    lines += [f"{hex(cl.node(rev))} {'c' if rev in closed else 'o'} {name}"
              for rev, name in sorted(heads.items())]
    try:
        repo.vfs.write(CACHE, ("\n".join(lines) + "\n").encode("utf-8"), atomictemp=True)
    except OSError:
        pass  # a read-only repository computes it every time


def _compute(repo: Repository, start: tuple[int, dict[int, str], set[int]] | None
             ) -> BranchMap:
    """The branch map, from *start* (a cached one) plus the changesets after it."""
    cl = repo.changelog.revlog
    changelog = repo.changelog
    first, heads, closed = (start[0] + 1, dict(start[1]), set(start[2])) if start \
        else (0, {}, set())
    for rev in range(first, len(cl)):
        entry = changelog.read(rev)
        name = entry.branch
        for parent in cl.parentrevs(rev):
            if heads.get(parent) == name:
                del heads[parent]
                closed.discard(parent)
        heads[rev] = name
        if "close" in entry.extra:
            closed.add(rev)
    if first < len(cl) and len(cl):
        _store(repo, heads, closed)
    byname: dict[str, list[int]] = {}
    for rev in sorted(heads):
        byname.setdefault(heads[rev], []).append(rev)
    return BranchMap(byname, closed, repo)


def branchmap(repo: Repository) -> BranchMap:
    """The branch map for the repository as it is now."""
    cl = repo.changelog.revlog
    key = (len(cl), cl.node(len(cl) - 1) if len(cl) else nullid)
    cached = _cache.get(repo)
    if cached is None or cached[0] != key:
        bmap = cached[1] if cached is not None else None
        start = bmap.state() if bmap is not None and bmap.valid_in(repo) else _load(repo)
        cached = (key, _compute(repo, start))
        _cache[repo] = cached
    return cached[1]


def branchtip(repo: Repository, name: str) -> Node | None:
    """The node the branch name *name* resolves to, or None when no such branch."""
    rev = branchmap(repo).tiprev(name)
    return None if rev is None else repo.changelog.revlog.node(rev)


def branchheads(repo: Repository, name: str, closed: bool = False) -> list[int]:
    """Heads of branch *name*, newest first (closed ones only with *closed*)."""
    return branchmap(repo).branchheads(name, closed)
