"""``sort(set, topo)``: children before parents, one line of development at a time.

Revisions are visited from the highest number down.  Each visited
revision joins the *group* waiting for it (a group waits for the parents
of what it holds); groups waiting for the same revision are merged, and a
revision nobody waits for starts a group of its own.  A group is written
out as soon as it holds something the output is waiting for, so a branch
runs down to its fork before the next branch starts; with nothing awaited
(at the start, or after reaching a root) the oldest other group goes
next.  ``topo.firstbranch`` names the revisions to begin with.  This is
the order hg's ``sort(..., topo)`` and ``log -G`` produce.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator

from amalgam.node import nullrev


def toposort(revs: Iterable[int], parents: Callable[[int], tuple[int, int]],
             first: Iterable[int] = ()) -> Iterator[int]:
    """*revs* in reverse topological order, keeping branches together."""
    wanted = set(revs)
    awaited = set(first)
    # Each group: [revisions to write, revisions it waits for]; group 0 is the current one.
    groups: list[tuple[list[int], set[int]]] = [([], awaited)]
    queued = wanted | awaited
    heap = [-rev for rev in queued]
    heapq.heapify(heap)
    while heap:
        rev = -heapq.heappop(heap)
        waiting = [index for index, group in enumerate(groups) if rev in group[1]]
        if waiting:
            target = waiting[0]
            for index in reversed(waiting[1:]):
                members, blocked = groups.pop(index)
                groups[target][0].extend(members)
                groups[target][1].update(blocked)
        else:
            target = len(groups)
            groups.append(([], {rev}))
        group = groups[target]
        if rev in wanted:
            group[0].append(rev)
        group[1].discard(rev)
        for parent in parents(rev):
            if parent == nullrev:
                continue
            group[1].add(parent)
            if parent not in queued:
                queued.add(parent)
                heapq.heappush(heap, -parent)
        chosen: tuple[list[int], set[int]] | None = group
        if not awaited:
            if len(groups) > 1:
                target, chosen = 1, groups[1]
        elif not group[1] & awaited:
            chosen = None
        if chosen is not None:
            awaited |= chosen[1]
            yield from chosen[0]
            if target:
                del groups[target]
            else:
                chosen[0].clear()
    for members, _blocked in groups:
        yield from members
