"""Set discovery: which changesets a peer and we have in common.

Like hg's, it asks the peer about samples of the undecided changesets with
``known``: a known node makes all its ancestors common, an unknown one makes
all its descendants missing.  Samples take the heads of the undecided set
and nodes at exponentially growing distances below them, so a few round
trips settle even long histories with many heads.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amalgam.exchange import phasesync
from amalgam.node import Node, nullid, nullrev

if TYPE_CHECKING:
    from amalgam.exchange.peer import Peer
    from amalgam.repo import Repository
    from amalgam.ui import UI

MAX_SAMPLE = 200


@dataclass
class Discovery:
    common: set[int]            # local revisions the peer has (ancestor-closed)
    commonheads: list[Node]     # heads of common ([nullid] when nothing is shared)
    remoteheads: list[Node]
    roundtrips: int

    def incoming_possible(self, repo: Repository) -> bool:
        cl = repo.changelog.revlog
        return any(n != nullid and not cl.hasnode(n) for n in self.remoteheads)


def heads_of(repo: Repository, revs: set[int]) -> list[int]:
    cl = repo.changelog.revlog
    inner = {p for r in revs for p in cl.parentrevs(r) if p in revs}
    return sorted(revs - inner)


def _sample(repo: Repository, undecided: set[int], size: int, rng: random.Random) -> list[int]:
    cl = repo.changelog.revlog
    sample = set(heads_of(repo, undecided)[:size])
    frontier = list(sample)
    distance, step = 1, 0
    while frontier and len(sample) < size:
        step += 1
        nxt = []
        for rev in frontier:
            nxt.extend(p for p in cl.parentrevs(rev) if p in undecided)
        frontier = list(dict.fromkeys(nxt))
        if step == distance:
            sample.update(frontier[:size - len(sample)])
            distance *= 2
    if len(sample) < size:
        rest = sorted(undecided - sample)
        sample.update(rng.sample(rest, min(len(rest), size - len(sample))))
    return sorted(sample)


def discover(repo: Repository, peer: Peer, ui: UI | None = None) -> Discovery:
    """Find the common set with *peer* (secret changesets are never offered).

    A peer offering ``heads_known`` answers the remote heads and the first
    sample in one round trip, as hg's discovery does; otherwise the heads
    are asked first, so the first sample already leaves out their ancestors.
    """
    cl = repo.changelog.revlog
    values = phasesync.phases(repo)
    offered = {r for r in range(len(cl)) if values[r] < phasesync.SECRET}
    rng = random.Random(len(cl))
    common: set[int] = set()
    missing: set[int] = set()
    answers: list[bool] = []
    sample: list[int] = []
    batched = getattr(peer, "heads_known", None)
    if batched is not None and offered:
        # Like hg, the first question is only about our heads: when the peer
        # has them all (the usual pull), nothing else needs asking.
        sample = heads_of(repo, offered)
        if len(sample) > MAX_SAMPLE:
            sample = sorted(rng.sample(sample, MAX_SAMPLE))
        remoteheads, answers = batched([cl.node(r) for r in sample])
    else:
        remoteheads = peer.heads()
    known_heads = [cl.rev(n) for n in remoteheads if n != nullid and cl.hasnode(n)]
    common = phasesync.ancestors(repo, known_heads)
    undecided = offered - common
    roundtrips = 1
    while True:
        if sample:
            yes = [r for r, ok in zip(sample, answers) if ok]
            no = {r for r, ok in zip(sample, answers) if not ok}
            common |= phasesync.ancestors(repo, yes)
            if no:
                for rev in range(min(no), len(cl)):
                    if rev in no or any(p in missing for p in cl.parentrevs(rev)):
                        missing.add(rev)
            undecided -= common | missing
        if not undecided:
            break
        sample = _sample(repo, undecided, MAX_SAMPLE, rng)
        answers = peer.known([cl.node(r) for r in sample])
        roundtrips += 1
    if ui is not None:
        ui.debug(f"discovery: {roundtrips} round trips, {len(common)} common\n")
    heads = [cl.node(r) for r in heads_of(repo, common)] or [nullid]
    return Discovery(common, heads, remoteheads, roundtrips)


def outgoing(repo: Repository, disc: Discovery, heads: list[int] | None = None) -> list[int]:
    """Non-secret revisions under *heads* (default: all) the peer lacks."""
    values = phasesync.phases(repo)
    if heads is None:
        base = set(range(len(values)))
    else:
        base = phasesync.ancestors(repo, heads)
    return sorted(r for r in base - disc.common if values[r] < phasesync.SECRET
                  and r != nullrev)
