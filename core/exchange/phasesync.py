"""Phase moves that exchange needs, on top of :mod:`amalgam.phases`.

Receiving changesets either publishes them with their ancestors
(:func:`advance`, a publishing receiver or a ``phase-heads`` part) or gives
them a phase no lower than their parents' (:func:`register_new`); both
rewrite ``phaseroots`` inside the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from amalgam import dag
from amalgam import phases as phasemod
from amalgam.node import Node

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction

PUBLIC, DRAFT, SECRET = phasemod.PUBLIC, phasemod.DRAFT, phasemod.SECRET
NAMES = {PUBLIC: "public", DRAFT: "draft", SECRET: "secret"}
phases = phasemod.phases
ancestors = dag.ancestors


def advance(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Lower *nodes* and their ancestors to at most phase *target*."""
    cl = repo.changelog.revlog
    phasemod.advance_boundary(repo, tr, target, [cl.rev(n) for n in nodes if cl.hasnode(n)])


def register_new(repo: Repository, tr: Transaction, target: int, nodes: Iterable[Node]) -> None:
    """Give the just-added *nodes* phase *target* (or their parents' when higher)."""
    cl = repo.changelog.revlog
    phasemod.register_new(repo, tr, target, [cl.rev(n) for n in nodes])
