"""Relation subscripts: ``x#generations[n]`` and ``x#g[a:b]``.

``x#generations[n]`` is the changesets *n* generations from *x*: 0 is *x*
itself, positive *n* goes to descendants, negative to ancestors.  A range
``a:b`` (either end may be left open) takes every generation in between;
a relation with no subscript takes them all, as hg does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.revset import graph
from amalgam.revset.smartset import BaseSet, SmartSet

if TYPE_CHECKING:
    from amalgam.parser import Tree
    from amalgam.revset.evaluate import Evaluator

#: relation name -> canonical name
RELATIONS = {"generations": "generations", "g": "generations"}


def _bound(ev: Evaluator, tree: Tree | None) -> int | None:
    if tree is None:
        return None
    return ev.integer(tree, "relation subscript bounds must be integers")


def _range(ev: Evaluator, index: Tree | None) -> tuple[int | None, int | None]:
    """(first, last) generation asked for; None is an open end."""
    if index is None or index[0] == "rangeall":
        return None, None
    if index[0] == "range":
        return _bound(ev, index[1]), _bound(ev, index[2])
    if index[0] == "rangepre":
        return None, _bound(ev, index[1])
    if index[0] == "rangepost":
        return _bound(ev, index[1]), None
    n = ev.integer(index, "relation subscript must be an integer or a range")
    return n, n


def relation(ev: Evaluator, subset: SmartSet, inner: Tree, name: Tree,
             index: Tree | None) -> SmartSet:
    """``inner#name[index]`` within *subset* (``index`` None: no subscript)."""
    if name[0] != "symbol" or name[1] not in RELATIONS:
        shown = name[1] if name[0] in ("symbol", "string") else name[0]
        raise ev.error(f"unknown identifier: {shown}")
    first, last = _range(ev, index)
    anc = desc = None
    if first == last == 0:
        anc = (0, 0)
    if first is None or first < 0:
        anc = (-min(last, 0) if last is not None else 0, -first if first is not None else None)
    if last is None or last > 0:
        desc = (max(first, 0) if first is not None else 0, last)
    if anc is None and desc is None:
        return BaseSet()
    revs = list(ev.getset(inner))
    if not revs:
        return BaseSet()
    found: set[int] = set()
    if anc is not None:
        found |= graph.ancestors(ev.view, revs, depth=anc[1], startdepth=anc[0])
    if desc is not None:
        found.update(graph.descendants(ev.view, revs, desc[1], desc[0]))
    depth0 = (anc is not None and anc[0] == 0) or (desc is not None and desc[0] == 0)
    return ev.with_null(subset, subset & BaseSet(sorted(found)), revs, depth0)
