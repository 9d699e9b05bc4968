"""Phase moves that exchange needs: new changesets, advancing, reading heads.

Phases live in ``.hg/store/phaseroots`` as ``<phase> <hex node>`` lines
(hg-formats.md §6.1): a changeset's phase is the highest phase of the roots
among its ancestors (itself included).  Exchange computes every revision's
phase, changes what it must, and writes back the minimal roots, which is
exactly what hg would write.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from amalgam.node import Node, bin, hex, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction

PUBLIC, DRAFT, SECRET = 0, 1, 2
NAMES = {PUBLIC: "public", DRAFT: "draft", SECRET: "secret"}


def _roots(repo: Repository) -> dict[int, int]:
    cl = repo.changelog.revlog
    roots: dict[int, int] = {}
    for line in repo.svfs.tryread("phaseroots").splitlines():
        phase, _, hexnode = line.partition(b" ")
        try:
            node, value = bin(hexnode.decode("ascii")), int(phase)
        except ValueError:
            continue  # hg ignores lines it cannot parse
        if value > 0 and cl.hasnode(node):
            rev = cl.rev(node)
            roots[rev] = max(value, roots.get(rev, 0))
    return roots


def phases(repo: Repository) -> list[int]:
    """The phase of every changeset, indexed by revision."""
    cl = repo.changelog.revlog
    roots = _roots(repo)
    result = [PUBLIC] * len(cl)
    for rev in range(min(roots, default=len(cl)), len(cl)):
        phase = roots.get(rev, PUBLIC)
        for parent in cl.parentrevs(rev):
            if parent != nullrev and result[parent] > phase:
                phase = result[parent]
        result[rev] = phase
    return result


def _write(repo: Repository, tr: Transaction, values: list[int]) -> None:
    cl = repo.changelog.revlog
    lines = []
    for rev, phase in enumerate(values):
        if phase == PUBLIC:
            continue
        if all(p == nullrev or values[p] < phase for p in cl.parentrevs(rev)):
            lines.append((phase, rev))
    data = b"".join(b"%d %s\n" % (phase, hex(cl.node(rev)).encode()) for phase, rev in sorted(lines))
    if data == repo.svfs.tryread("phaseroots"):
        return
    tr.addbackup(b"phaseroots")
    repo.svfs.write("phaseroots", data, atomictemp=True)
    # The repository caches its non-public set for commits; it is stale now.
    repo._nonpublic = None


def ancestors(repo: Repository, revs: Iterable[int]) -> set[int]:
    """*revs* and all their ancestors."""
    cl = repo.changelog.revlog
    seen: set[int] = set()
    stack = [r for r in revs if r != nullrev]
    while stack:
        rev = stack.pop()
        if rev not in seen:
            seen.add(rev)
            stack.extend(p for p in cl.parentrevs(rev) if p != nullrev and p not in seen)
    return seen


def advance(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Lower *nodes* and their ancestors to at most phase *target*."""
    cl = repo.changelog.revlog
    revs = [cl.rev(n) for n in nodes if cl.hasnode(n)]
    values = phases(repo)
    changed = False
    for rev in ancestors(repo, revs):
        if values[rev] > target:
            values[rev] = target
            changed = True
    if changed:
        _write(repo, tr, values)


def register_new(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Give the just-added *nodes* phase *target* (or their parents' when higher)."""
    if target == PUBLIC:
        return  # with no root above them they are public already
    cl = repo.changelog.revlog
    values = phases(repo)
    for rev in sorted(cl.rev(n) for n in nodes):
        phase = max([target] + [values[p] for p in cl.parentrevs(rev) if p != nullrev])
        values[rev] = phase  # ascending order: parents are settled first
    _write(repo, tr, values)


def heads(repo: Repository, phase: int) -> list[Node]:
    """Heads of the set of changesets whose phase is *phase* (for phase-heads parts)."""
    cl = repo.changelog.revlog
    values = phases(repo)
    members = {rev for rev, value in enumerate(values) if value == phase}
    inner = {p for rev in members for p in cl.parentrevs(rev) if p in members}
    return [cl.node(rev) for rev in sorted(members - inner)]
