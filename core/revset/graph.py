"""Graph walks over the changelog index: ancestors, descendants, DAG ranges.

They read parent revisions only, never changeset texts, so they stay cheap
on long histories.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from amalgam.node import nullrev
from amalgam.revset.names import RepoView


def ancestors(view: RepoView, revs: Iterable[int], inclusive: bool = True,
              depth: int | None = None, startdepth: int = 0) -> set[int]:
    """Ancestors of *revs* between *startdepth* and *depth* generations away."""
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
    found: set[int] = set()
    seen = set(level)
    generation = 0
    while level and (depth is None or generation <= depth):
        if generation >= startdepth:
            found |= level
        nxt = set()
        for rev in level:
            for parent in view.parents(rev):
                if parent != nullrev and parent not in seen:
                    seen.add(parent)
                    nxt.add(parent)
        level = nxt
        generation += 1
    return found


def descendants(view: RepoView, revs: Iterable[int], depth: int | None = None,
                startdepth: int = 0) -> Iterator[int]:
    """Descendants of *revs* (themselves included at depth 0), ascending, lazily."""
    start = {rev for rev in revs}
    if not start:
        return
    distance: dict[int, int] = {rev: 0 for rev in start if rev != nullrev}
    if nullrev in start:
        distance = {rev: 0 for rev in range(len(view))}
    for rev in range(max(min(start), 0), len(view)):
        if rev not in distance:
            near = [distance[p] + 1 for p in view.parents(rev) if p in distance]
            if not near:
                continue
            distance[rev] = min(near)
        d = distance[rev]
        if d >= startdepth and (depth is None or d <= depth):
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
