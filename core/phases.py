"""Phases: public, draft and secret changesets, stored as ``.hg/store/phaseroots``.

The file lists ``PHASE HEXNODE`` lines: the roots of each non-public phase.
A changeset's phase is the highest phase of any root it descends from (so a
child is never "more public" than its parent).  This module is the one
place that reads, computes and rewrites phases; it writes the roots in
hg's order (by phase, then revision) so both tools produce the same file.
"""
from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from amalgam import dag
from amalgam.node import Node, bin, hex, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction

PUBLIC, DRAFT, SECRET = 0, 1, 2
#: hg's internal phases; read so a repository using them is not misread.
ARCHIVED, INTERNAL = 32, 96
PHASE_NAMES: dict[int, str] = {PUBLIC: "public", DRAFT: "draft", SECRET: "secret",
                               ARCHIVED: "archived", INTERNAL: "internal"}
NAMED_PHASES = {name: number for number, name in PHASE_NAMES.items()}

# repo -> (phaseroots content, tip node it was computed up to, phase per revision).
# Commits extend the table in place instead of recomputing it, which keeps a
# transaction of thousands of commits linear.
_cache: weakref.WeakKeyDictionary[Repository, tuple[bytes, bytes, list[int]]] = \
    weakref.WeakKeyDictionary()


def read_roots(repo: Repository) -> dict[int, list[Node]]:
    """Roots per phase, as stored; lines hg cannot parse are skipped as hg does."""
    return _parse(repo.svfs.tryread("phaseroots"))


def _parse(data: bytes) -> dict[int, list[Node]]:
    roots: dict[int, list[Node]] = {}
    for line in data.splitlines():
        phase, _, hexnode = line.partition(b" ")
        try:
            number, node = int(phase), bin(hexnode.strip())
        except ValueError:
            continue
        roots.setdefault(number, []).append(node)
    return roots


def invalidate(repo: Repository) -> None:
    """Forget the computed phases of *repo* (after a rollback or a strip)."""
    _cache.pop(repo, None)


def phases(repo: Repository) -> list[int]:
    """The phase of every revision, indexed by revision number.

    The list is shared with the cache: read it, never modify it.
    """
    cl = repo.changelog.revlog
    data = repo.svfs.tryread("phaseroots")
    count = len(cl)
    cached = _cache.get(repo)
    if cached is not None and cached[0] == data:
        table = cached[2]
        done = len(table)
        if done == count and (not done or cached[1] == cl.node(done - 1)):
            return table
        if done < count and (not done or cached[1] == cl.node(done - 1)):
            # Only new revisions since: none of them can be a stored root
            # unless the roots changed, and they did not.
            _extend(cl, table, count, {})
            _cache[repo] = (data, cl.node(count - 1), table)
            return table
    rootphase: dict[int, int] = {}
    for phase, nodes in _parse(data).items():
        for node in nodes:
            if phase > PUBLIC and cl.hasnode(node):
                rev = cl.rev(node)
                rootphase[rev] = max(phase, rootphase.get(rev, PUBLIC))
    start = min(rootphase, default=count)
    result = [PUBLIC] * start
    _extend(cl, result, count, rootphase)
    _cache[repo] = (data, cl.node(count - 1) if count else b"", result)
    return result


def _extend(cl, table: list[int], count: int, rootphase: dict[int, int]) -> None:
    """Append the phases of revisions ``len(table)..count-1`` (parents come first)."""
    for rev in range(len(table), count):
        p1, p2 = cl.parentrevs(rev)
        table.append(max(rootphase.get(rev, PUBLIC),
                         table[p1] if p1 >= 0 else PUBLIC,
                         table[p2] if p2 >= 0 else PUBLIC))


def phase(repo: Repository, rev: int) -> int:
    """The phase of *rev*; the null revision is public."""
    return PUBLIC if rev == nullrev else phases(repo)[rev]


def _descendants(repo: Repository, revs: Iterable[int]) -> set[int]:
    cl = repo.changelog.revlog
    found = {rev for rev in revs if rev >= 0}
    for rev in range(min(found, default=len(cl)), len(cl)):
        if rev not in found and any(p in found for p in cl.parentrevs(rev)):
            found.add(rev)
    return found


def advance(repo: Repository, target: int, revs: Iterable[int]) -> list[int]:
    """Phase table with *revs* and their ancestors lowered to at most *target*."""
    table = list(phases(repo))
    for rev in dag.ancestors(repo, revs):
        table[rev] = min(table[rev], target)
    return table


def retract(repo: Repository, target: int, revs: Iterable[int],
            table: list[int] | None = None) -> list[int]:
    """Phase table with *revs* and their descendants raised to at least *target*."""
    table = list(phases(repo) if table is None else table)
    for rev in _descendants(repo, revs):
        table[rev] = max(table[rev], target)
    return table


def roots_of(repo: Repository, table: list[int]) -> list[tuple[int, Node]]:
    """The minimal roots describing *table*, in the order hg writes them.

    A root of phase P has phase P and only parents of a lower phase; like hg,
    a secret root is not listed again as a draft root.
    """
    cl = repo.changelog.revlog
    out: list[tuple[int, int]] = []
    for phase in sorted({p for p in table if p > PUBLIC}):
        for rev, value in enumerate(table):
            if value == phase and all(parent < 0 or table[parent] < phase
                                      for parent in cl.parentrevs(rev)):
                out.append((phase, rev))
    return [(phase, cl.node(rev)) for phase, rev in out]


def write_table(repo: Repository, tr: Transaction, table: list[int]) -> None:
    """Store *table* as ``phaseroots`` inside transaction *tr* (caller holds the lock)."""
    data = b"".join(b"%d %s\n" % (phase, hex(node).encode("ascii"))
                    for phase, node in roots_of(repo, table))
    _write(repo, tr, data)
    invalidate(repo)


def _write(repo: Repository, tr: Transaction, data: bytes) -> None:
    tr.addbackup(b"phaseroots")
    repo.svfs.write("phaseroots", data, atomictemp=True)


def changed(before: list[int], after: list[int]) -> int:
    """How many revisions change phase between two tables."""
    return sum(1 for old, new in zip(before, after) if old != new)


def advance_boundary(repo: Repository, tr: Transaction, target: int,
                     revs: Iterable[int]) -> int:
    """Lower *revs* and their ancestors to at most *target*; how many moved."""
    before = phases(repo)
    return _store(repo, tr, before, advance(repo, target, revs))


def retract_boundary(repo: Repository, tr: Transaction, target: int,
                     revs: Iterable[int]) -> int:
    """Raise *revs* and their descendants to at least *target*; how many moved."""
    before = phases(repo)
    return _store(repo, tr, before, retract(repo, target, revs))


def _store(repo: Repository, tr: Transaction, before: list[int], after: list[int]) -> int:
    moved = changed(before, after)
    if moved:
        write_table(repo, tr, after)
    return moved


def register_new(repo: Repository, tr: Transaction, target: int, revs: Iterable[int]) -> None:
    """Give just-added *revs* phase *target*, or their parents' phase when higher.

    A new revision above all its parents' phases becomes a new root; the
    existing roots are kept as they are, so one commit costs one small
    rewrite, not a recomputation of every revision's phase.
    """
    table = list(phases(repo))  # covers *revs*: they are in the changelog already
    cl = repo.changelog.revlog
    newroots: list[tuple[int, int]] = []
    for rev in sorted(revs):
        # Ascending order: parents are settled before their children.
        parents = [table[p] for p in cl.parentrevs(rev) if p >= 0]
        if target > max(parents, default=PUBLIC) and table[rev] < target:
            newroots.append((target, rev))
        table[rev] = max([target, table[rev]] + parents)
    if not newroots:
        return
    roots = [(phase, cl.rev(node)) for phase, nodes in read_roots(repo).items()
             for node in nodes if cl.hasnode(node)]
    roots.extend(newroots)
    roots.sort()
    data = b"".join(b"%d %s\n" % (phase, hex(cl.node(rev)).encode("ascii"))
                    for phase, rev in roots)
    _write(repo, tr, data)
    _cache[repo] = (data, cl.node(len(table) - 1), table)
