"""The built-in revset functions.

Each is registered with :func:`amalgam.revset.evaluate.predicate`; its
docstring is what ``amg help revsets`` shows.  Functions that only test one
changeset at a time filter their subset lazily, so ``first(user(x))`` stops
at the first match.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from amalgam import error
from amalgam.node import nullrev
from amalgam.parser import Tree
from amalgam.revset import graph
from amalgam.revset.evaluate import Evaluator, lookup_error, predicate
from amalgam.revset.smartset import BaseSet, GeneratorSet, SmartSet, SpanSet

Ev = Evaluator


def stringmatcher(pattern: str, casesensitive: bool = True
                  ) -> tuple[str, str, Callable[[str], bool]]:
    """``re:``, ``literal:`` or plain text -> (kind, pattern, matches-whole-string)."""
    if pattern.startswith("re:"):
        try:
            regex = re.compile(pattern[3:], 0 if casesensitive else re.IGNORECASE)
        except re.error as exc:
            raise error.ParseError(f"invalid regular expression: {exc}") from None
        return "re", pattern[3:], lambda text: regex.search(text) is not None
    if pattern.startswith("literal:"):
        pattern = pattern[8:]
    if casesensitive:
        return "literal", pattern, pattern.__eq__
    folded = pattern.lower()
    return "literal", pattern, lambda text: text.lower() == folded


def _substring(pattern: str) -> Callable[[str], bool]:
    kind, pat, matcher = stringmatcher(pattern, casesensitive=False)
    if kind == "literal":
        folded = pat.lower()
        return lambda text: folded in text.lower()
    return matcher


def _onearg(ev: Ev, args: Tree | None, name: str, message: str) -> str:
    items = ev.count(args, name, 1, 1, f"{name} requires one argument")
    return ev.string(items[0], message)


def _set_arg(ev: Ev, args: Tree | None, message: str) -> SmartSet:
    items = ev.count(args, "", 1, 1, message)
    return ev.getset(items[0])


# -- graph -------------------------------------------------------------------------------


@predicate("all()")
def all_(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """All changesets, the same as ``0:tip``."""
    ev.count(args, "all", 0, 0, "all takes no arguments")
    return subset & SpanSet(0, len(ev.view))


@predicate("none()")
def none(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """No changesets."""
    ev.count(args, "none", 0, 0, "none takes no arguments")
    return BaseSet()


def _depths(ev: Ev, bound: dict[str, Tree], name: str) -> tuple[int | None, int]:
    depth = startdepth = None
    if "depth" in bound:
        depth = ev.integer(bound["depth"], f"{name} expects an integer depth")
        if depth < 0:
            raise ev.error("negative depth")
    if "startdepth" in bound:
        startdepth = ev.integer(bound["startdepth"], f"{name} expects an integer startdepth")
        if startdepth < 0:
            raise ev.error("negative startdepth")
    return depth, startdepth or 0


@predicate("ancestors(set[, depth])")
def ancestors(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets that are ancestors of one in *set*, the set included.

    *depth* limits how many generations to go back; *startdepth* skips the
    nearest ones.
    """
    bound = ev.args(args, "ancestors", "set depth startdepth")
    if "set" not in bound:
        raise ev.error("ancestors takes at least 1 argument")
    depth, start = _depths(ev, bound, "ancestors")
    heads = list(ev.getset(bound["set"]))
    found = subset & BaseSet(sorted(graph.ancestors(ev.view, heads, depth=depth,
                                                    startdepth=start)))
    return ev.with_null(subset, found, heads, start == 0)


@predicate("descendants(set[, depth])")
def descendants(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets that descend from one in *set*, the set included."""
    bound = ev.args(args, "descendants", "set depth startdepth")
    if "set" not in bound:
        raise ev.error("descendants takes at least 1 argument")
    depth, start = _depths(ev, bound, "descendants")
    roots = list(ev.getset(bound["set"]))
    found = subset & GeneratorSet(graph.descendants(ev.view, roots, depth, start), True)
    return ev.with_null(subset, found, roots, start == 0)


@predicate("commonancestors(set)")
def commonancestors(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets that are ancestors of every changeset in *set* (themselves included)."""
    if args is None:
        raise ev.error("missing argument")
    common: set[int] | None = None
    for rev in ev.getset(args):
        mine = graph.ancestors(ev.view, [rev])
        common = mine if common is None else common & mine
        if not common:
            break
    return subset & BaseSet(sorted(common or ()))


@predicate("ancestor(*changeset)")
def ancestor(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The greatest common ancestor of the changesets given."""
    revs: list[int] = []
    for item in lang_list(args):
        revs.extend(ev.getset(item))
    if not revs:
        return BaseSet()
    rev = graph.common_ancestor(ev.view, revs)
    return BaseSet([rev]) if rev in subset else BaseSet()


def lang_list(args: Tree | None) -> list[Tree]:
    from amalgam.revset.lang import getlist

    return getlist(args)


@predicate("only(set, [set])")
def only(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Ancestors of the first set that are not ancestors of the second.

    Without a second set: not ancestors of any other head.
    """
    items = ev.count(args, "only", 1, 2, "only takes one or two arguments")
    include = list(ev.getset(items[0]))
    if len(items) == 2:
        exclude = list(ev.getset(items[1]))
    else:
        # Every other head, unless it descends from what we were given.
        below = set(graph.descendants(ev.view, include)) | set(include)
        exclude = [h for h in ev.view.cl.headrevs() if h not in below]
    found = graph.ancestors(ev.view, include) - graph.ancestors(ev.view, exclude)
    return subset & BaseSet(sorted(found))


def _parentset(ev: Ev, subset: SmartSet, args: Tree | None, which: tuple[int, ...],
               message: str) -> SmartSet:
    items = ev.count(args, "", 0, 1, message)
    if not items:
        return subset & BaseSet(sorted({ev.view.lookup(".")} - {nullrev}))
    found = {ev.view.parents(rev)[i] for rev in ev.getset(items[0]) for i in which}
    found.discard(nullrev)
    return subset & BaseSet(sorted(found))


@predicate("parents([set])")
def parents(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The parents of the changesets in *set*, or of the working directory."""
    items = ev.count(args, "parents", 0, 1, "parents takes at most 1 argument")
    if not items:
        p1, p2 = ev.view.repo.dirstate_parents()
        revs = {ev.view.cl.rev(n) for n in (p1, p2) if ev.view.cl.hasnode(n)}
        return subset & BaseSet(sorted(revs))
    return _parentset(ev, subset, args, (0, 1), "")


@predicate("p1([set])")
def p1(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """First parent of each changeset in *set*, or of the working directory."""
    return _parentset(ev, subset, args, (0,), "p1 takes one or no arguments")


@predicate("p2([set])")
def p2(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Second parent of each changeset in *set*, or of the working directory."""
    if not lang_list(args):
        p2node = ev.view.repo.dirstate_parents()[1]
        if not ev.view.cl.hasnode(p2node):
            return BaseSet()
        return subset & BaseSet([ev.view.cl.rev(p2node)])
    return _parentset(ev, subset, args, (1,), "p2 takes one or no arguments")


@predicate("children(set)")
def children(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Child changesets of changesets in *set*."""
    found = {child for rev in _set_arg(ev, args, "children takes one argument")
             for child in ev.view.children(rev)}
    return subset & BaseSet(sorted(found))


@predicate("heads(set)")
def heads(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Members of *set* with no children in *set*."""
    members = _set_arg(ev, args, "heads takes one argument")
    inner = set(members)
    parents_ = {p for rev in inner for p in ev.view.parents(rev)}
    return subset & BaseSet(sorted(inner - parents_))


@predicate("roots(set)")
def roots(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Members of *set* with no parent in *set*."""
    inner = set(_set_arg(ev, args, "roots takes one argument"))
    found = {rev for rev in inner if not any(p in inner for p in ev.view.parents(rev))}
    return subset & BaseSet(sorted(found))


@predicate("head()")
def head(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets that are heads of a named branch (closed ones too)."""
    ev.count(args, "head", 0, 0, "head takes no arguments")
    view = ev.view
    found = {rev for rev in range(len(view))
             if not any(view.entry(c).branch == view.entry(rev).branch
                        for c in view.children(rev))}
    return subset & BaseSet(sorted(found))


@predicate("merge()")
def merge(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets with two parents."""
    ev.count(args, "merge", 0, 0, "merge takes no arguments")
    return subset.filter(lambda rev: ev.view.parents(rev)[1] != nullrev)


@predicate("branchpoint()")
def branchpoint(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets with more than one child."""
    ev.count(args, "branchpoint", 0, 0, "branchpoint takes no arguments")
    return subset.filter(lambda rev: len(ev.view.children(rev)) > 1)


@predicate("closed()")
def closed(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets that close a branch."""
    ev.count(args, "closed", 0, 0, "closed takes no arguments")
    return subset.filter(lambda rev: rev >= 0 and "close" in ev.view.entry(rev).extra)


# -- picking and ordering ---------------------------------------------------------------


@predicate("rev(number)")
def rev(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The revision with the given number (no symbol lookup)."""
    items = ev.count(args, "rev", 1, 1, "rev requires one argument")
    number = ev.integer(items[0], "rev requires a number")
    if number not in subset and not (number == nullrev and subset is ev.full):
        return BaseSet()
    return BaseSet([number])


@predicate("id(string)")
def id_(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The revision whose node id starts with the hex *string*."""
    prefix = _onearg(ev, args, "id", "id requires a string")
    found = ev.view.prefix(prefix) if prefix else None
    if found is None:
        return BaseSet()
    return BaseSet([found]) if found in subset or found == nullrev else BaseSet()


@predicate("limit(set[, n[, offset]])")
def limit(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The first *n* members of *set* (default 1), after skipping *offset*."""
    bound = ev.args(args, "limit", "set n offset")
    if "set" not in bound:
        raise ev.error("limit requires one to three arguments")
    count = ev.integer(bound["n"], "limit expects a number") if "n" in bound else 1
    offset = ev.integer(bound["offset"], "limit expects a number") if "offset" in bound else 0
    if count < 0:
        raise ev.error("negative number to select")
    if offset < 0:
        raise ev.error("negative offset")
    return ev.getset(bound["set"]).slice(offset, offset + count) & subset


@predicate("first(set, [n])")
def first(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The first *n* members of *set* (default 1)."""
    items = ev.count(args, "first", 1, 2, "first requires one or two arguments")
    count = ev.integer(items[1], "first expects a number") if len(items) > 1 else 1
    if count < 0:
        raise ev.error("negative number to select")
    return ev.getset(items[0]).slice(0, count) & subset


@predicate("last(set, [n])")
def last(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The last *n* members of *set* (default 1)."""
    items = ev.count(args, "last", 1, 2, "last requires one or two arguments")
    count = ev.integer(items[1], "last expects a number") if len(items) > 1 else 1
    if count < 0:
        raise ev.error("negative number to select")
    picked = ev.getset(items[0]).reversed().slice(0, count)
    return picked.reversed() & subset


@predicate("max(set)")
def max_(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The highest-numbered member of *set*."""
    members = list(_set_arg(ev, args, "max takes one argument"))
    if not members or max(members) not in subset:
        return BaseSet()
    return BaseSet([max(members)])


@predicate("min(set)")
def min_(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The lowest-numbered member of *set*."""
    members = list(_set_arg(ev, args, "min takes one argument"))
    if not members or min(members) not in subset:
        return BaseSet()
    return BaseSet([min(members)])


@predicate("reverse(set)")
def reverse(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """*set* in reverse order."""
    items = ev.count(args, "reverse", 1, 1, "reverse requires one argument")
    return ev.getset(items[0], subset).reversed()


@predicate("present(set)")
def present(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """*set*, or nothing when a revision in it is not found."""
    items = ev.count(args, "present", 1, 1, "present takes one argument")
    try:
        return BaseSet(list(ev.getset(items[0], subset)))
    except error.InputError as exc:
        if isinstance(exc, error.ParseError) or not lookup_error(exc):
            raise
        return BaseSet()


# -- phases -------------------------------------------------------------------------------


def _phase(ev: Ev, subset: SmartSet, args: Tree | None, name: str, value: int) -> SmartSet:
    ev.count(args, name, 0, 0, f"{name} takes no arguments")
    return subset.filter(lambda rev: rev >= 0 and ev.view.phase(rev) == value)


@predicate("public()")
def public(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets in the public phase."""
    return _phase(ev, subset, args, "public", 0)


@predicate("draft()")
def draft(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets in the draft phase."""
    return _phase(ev, subset, args, "draft", 1)


@predicate("secret()")
def secret(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets in the secret phase."""
    return _phase(ev, subset, args, "secret", 2)
