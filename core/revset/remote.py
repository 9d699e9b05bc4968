"""Revset predicates that ask another repository: ``outgoing([path])``.

hg has no ``incoming()`` predicate (the changesets are not here yet to
select), so neither do we; ``amg incoming`` lists them instead.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.revset.evaluate import predicate
from amalgam.revset.smartset import BaseSet, SmartSet

if TYPE_CHECKING:
    from amalgam.parser import Tree
    from amalgam.revset.evaluate import Evaluator


@predicate("outgoing([path])")
def outgoing(ev: Evaluator, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets a push to *path* would send (default-push or default when omitted).

    ``path#branch`` only considers the heads of that local branch, as push does.
    Secret changesets are never outgoing.
    """
    from amalgam import branches
    from amalgam.exchange import discovery, paths
    from amalgam.exchange.peer import peer

    items = ev.count(args, "outgoing", 0, 1, "outgoing takes one or no arguments")
    dest = ev.string(items[0], "outgoing requires a repository path") if items else None
    repo = ev.view.repo
    _label, location = paths.resolve(repo.ui, repo, dest, ("default-push", "default"))
    location, _sep, branch = location.partition("#")
    heads = None
    if branch:
        heads = branches.branchheads(repo, branch, closed=True)
        if not heads:
            from amalgam import error

            raise error.InputError(f"unknown branch '{branch}'")
    with peer(repo.ui, location) as other:
        missing = discovery.outgoing(repo, discovery.discover(repo, other), heads)
    return subset & BaseSet(missing)
