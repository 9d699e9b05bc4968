"""Graph walks over the changelog index: ancestors, descendants, DAG ranges.

They read parent revisions only, never changeset texts, so they stay cheap
on long histories.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from amalgam.node import nullrev
from amalgam.revset.names import RepoView


class _Depths:
    """Generation bookkeeping for depth-limited walks, one bit per distance.

    hg counts a revision at every distance some path reaches it from a
    start, not just the shortest, so each revision carries the set of its
    distances as an int bitmask.  Distances past *stop* are dropped; with
    no *stop*, those at or past *start* collapse into one bit, which keeps
    the masks small on long histories.
    """

    def __init__(self, start: int, stop: int | None) -> None:
        self.cap = stop if stop is not None else start
        self.keep = (1 << (self.cap + 1)) - 1
        self.want = self.keep & ~((1 << start) - 1) if stop is not None else 1 << start
        self.collapse = stop is None

    def step(self, mask: int) -> int:
        """The distances one generation further."""
        mask <<= 1
        if self.collapse and mask >> self.cap:
            return (mask & ((1 << self.cap) - 1)) | (1 << self.cap)
        return mask & self.keep


def _limit(view: RepoView, depth: int | None) -> int | None:
    """No path is longer than the history: a bigger *depth* is no limit (and no huge masks)."""
    return None if depth is not None and depth >= len(view) else depth


def ancestors(view: RepoView, revs: Iterable[int], inclusive: bool = True,
              depth: int | None = None, startdepth: int = 0) -> set[int]:
    """Ancestors of *revs* reachable by a path of *startdepth* to *depth* generations."""
    level = {rev for rev in revs if rev != nullrev}
    if depth is None and startdepth == 0:
        seen = set(level) if inclusive else set()
        stack = list(level)
        while stack:
            for parent in view.parents(stack.pop()):
                if parent != nullrev and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen
    import heapq

    depth = _limit(view, depth)
    if startdepth > len(view):
        return set()
    depths = _Depths(startdepth, depth)
    masks = dict.fromkeys(level, 1)
    pending = [-rev for rev in level]
    heapq.heapify(pending)
    found: set[int] = set()
    while pending:
        rev = -heapq.heappop(pending)
        mask = masks.pop(rev)
        if mask & depths.want:
            found.add(rev)
        further = depths.step(mask)
        if not further:
            continue
        for parent in view.parents(rev):
            if parent == nullrev:
                continue
            if parent not in masks:
                masks[parent] = 0
                heapq.heappush(pending, -parent)
            masks[parent] |= further
    return found


def descendants(view: RepoView, revs: Iterable[int], depth: int | None = None,
                startdepth: int = 0) -> Iterator[int]:
    """Descendants of *revs* (themselves at depth 0) within the depths, ascending, lazily."""
    start = set(revs)
    if not start:
        return
    if depth is None and startdepth == 0:
        reached = set(range(len(view))) if nullrev in start else set(start)
        for rev in range(max(min(start), 0), len(view)):
            if rev not in reached and any(p in reached for p in view.parents(rev)):
                reached.add(rev)
            if rev in reached:
                yield rev
        return
    depth = _limit(view, depth)
    if startdepth > len(view):
        return
    depths = _Depths(startdepth, depth)
    # The null revision is the parent of every root (p1 null), never a p2.
    masks: dict[int, int] = {nullrev: 1} if nullrev in start else {}
    for rev in range(max(min(start), 0), len(view)):
        mask = 1 if rev in start else 0
        p1, p2 = view.parents(rev)
        for parent in (p1, p2) if p2 != nullrev else (p1,):
            if parent in masks:
                mask |= depths.step(masks[parent])
        if mask:
            masks[rev] = mask
            if mask & depths.want:
                yield rev


def dagrange(view: RepoView, roots: list[int], heads: list[int]) -> list[int]:
    """``roots::heads``: revisions descending from a root and leading to a head."""
    if not roots or not heads:
        return []
    above = ancestors(view, heads)
    lowest = min(roots)
    if nullrev in roots:
        return sorted(above)
    rootset = set(roots) & above
    reach: set[int] = set(rootset)
    for rev in range(lowest, max(heads) + 1):
        if rev in reach or rev not in above:
            continue
        if any(p in reach for p in view.parents(rev)):
            reach.add(rev)
    return sorted(reach)


def common_ancestor(view: RepoView, revs: list[int]) -> int:
    """The greatest common ancestor of *revs*, folded pairwise as hg does.

    When two revisions have several common-ancestor heads, hg picks the one
    with the smallest node id; doing the same keeps results identical.
    """
    best = revs[0]
    for rev in revs[1:]:
        common = ancestors(view, [best]) & ancestors(view, [rev])
        if not common:
            return nullrev
        heads = [r for r in common if not any(c in common for c in view.children(r))]
        best = min(heads, key=view.cl.node)
    return best
