"""``sort(set[, keys])``: order by revision, branch, text, user, date, node or topology."""
from __future__ import annotations

from collections.abc import Callable

from amalgam.parser import Tree
from amalgam.revset.evaluate import Evaluator, predicate
from amalgam.revset.smartset import BaseSet, SmartSet

Ev = Evaluator

_SORTKEYS: dict[str, Callable[[Ev, int], object]] = {
    "rev": lambda ev, r: r,
    "branch": lambda ev, r: ev.view.entry(r).branch,
    "desc": lambda ev, r: ev.view.entry(r).description,
    "user": lambda ev, r: ev.view.user(r),
    "author": lambda ev, r: ev.view.user(r),
    "date": lambda ev, r: ev.view.when(r),
    "node": lambda ev, r: ev.view.cl.node(r),
}


@predicate("sort(set[, [-]key...])")
def sort(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """*set* sorted by the keys: rev, branch, desc, user (author), date, node; ``-key``
    reverses.  ``topo`` (alone) puts children before parents one branch at a time,
    starting with the revisions of ``topo.firstbranch=SET``.
    """
    bound = ev.args(args, "sort", "set keys topo.firstbranch")
    if "set" not in bound:
        raise ev.error("sort requires one or two arguments")
    keys = ev.string(bound["keys"], "sort spec must be a string") if "keys" in bound else "rev"
    members = list(ev.getset(bound["set"], subset))
    parsed = [(key.startswith("-"), key.lstrip("-")) for key in keys.split()]
    for _descending, name in parsed:
        if name not in _SORTKEYS and name != "topo":
            raise ev.error(f"unknown sort key '{name}'")
    if any(name == "topo" for _, name in parsed):
        if len(parsed) > 1:
            raise ev.error("topo sort order cannot be combined with other sort keys")
        from amalgam.revset.toposort import toposort

        first = (list(ev.getset(bound["topo.firstbranch"]))
                 if "topo.firstbranch" in bound else ())
        ordered = list(toposort(members, ev.view.parents, first))
        return BaseSet(ordered[::-1] if parsed[0][0] else ordered)
    if "topo.firstbranch" in bound:
        raise ev.error("topo.firstbranch can only be used when using the topo sort key")
    for descending, name in reversed(parsed):
        func = _SORTKEYS[name]
        members.sort(key=lambda r, f=func: f(ev, r), reverse=descending)  # type: ignore[misc]
    return BaseSet(members)
