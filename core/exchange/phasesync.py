"""Phase moves that exchange needs, on top of :mod:`amalgam.phases`.

Receiving changesets either publishes them with their ancestors
(:func:`advance`, a publishing receiver or a ``phase-heads`` part) or gives
them a phase no lower than their parents' (:func:`register_new`); both
rewrite ``phaseroots`` inside the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from amalgam import phases as phasemod
from amalgam.node import Node, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction

PUBLIC, DRAFT, SECRET = phasemod.PUBLIC, phasemod.DRAFT, phasemod.SECRET
NAMES = {PUBLIC: "public", DRAFT: "draft", SECRET: "secret"}
phases = phasemod.phases


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


def _store(repo: Repository, tr: Transaction, before: list[int], after: list[int]) -> None:
    if phasemod.changed(before, after):
        phasemod.write_table(repo, tr, after)
        # The repository caches its non-public set for commits; it is stale now.
        repo._nonpublic = None


def advance(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Lower *nodes* and their ancestors to at most phase *target*."""
    cl = repo.changelog.revlog
    revs = [cl.rev(n) for n in nodes if cl.hasnode(n)]
    _store(repo, tr, phases(repo), phasemod.advance(repo, target, revs))


def register_new(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Give the just-added *nodes* phase *target* (or their parents' when higher)."""
    if target == PUBLIC:
        return  # with no root above them they are public already
    cl = repo.changelog.revlog
    before = phases(repo)
    table = list(before)
    for rev in sorted(cl.rev(n) for n in nodes):
        # Ascending order: parents are settled before their children.
        table[rev] = max([target] + [table[p] for p in cl.parentrevs(rev) if p != nullrev])
    _store(repo, tr, before, table)
