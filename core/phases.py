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

# repo -> (key, phase per revision); keyed by changelog length and file content.
_cache: weakref.WeakKeyDictionary[Repository, tuple[tuple[int, bytes], list[int]]] = \
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


def phases(repo: Repository) -> list[int]:
    """The phase of every revision, indexed by revision number."""
    cl = repo.changelog.revlog
    data = repo.svfs.tryread("phaseroots")
    key = (len(cl), data)
    cached = _cache.get(repo)
    if cached is not None and cached[0] == key:
        return cached[1]
    rootphase: dict[int, int] = {}
    for phase, nodes in _parse(data).items():
        for node in nodes:
            if phase > PUBLIC and cl.hasnode(node):
                rev = cl.rev(node)
                rootphase[rev] = max(phase, rootphase.get(rev, PUBLIC))
    result = [PUBLIC] * len(cl)
    for rev in range(min(rootphase, default=len(cl)), len(cl)):
        p1, p2 = cl.parentrevs(rev)
        result[rev] = max(rootphase.get(rev, PUBLIC),
                          result[p1] if p1 >= 0 else PUBLIC,
                          result[p2] if p2 >= 0 else PUBLIC)
    _cache[repo] = (key, result)
    return result


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
    tr.addbackup(b"phaseroots")
    repo.svfs.write("phaseroots", data, atomictemp=True)


def changed(before: list[int], after: list[int]) -> int:
    """How many revisions change phase between two tables."""
    return sum(1 for old, new in zip(before, after) if old != new)
