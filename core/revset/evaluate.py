"""Evaluate a parsed revset tree against a repository.

Every node is evaluated within a *subset* (the revisions still in play) and
returns a :class:`SmartSet` whose members lie in that subset.  ``x and y``
evaluates *y* within *x* and keeps *x*'s order, which is how hg orders
results: the left operand decides, except for operators that define an
order themselves (ranges, ``sort``, ``reverse``, ``or``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from amalgam import error
from amalgam.node import nullrev
from amalgam.parser import ParseError, Tree
from amalgam.revset import lang
from amalgam.revset.names import RepoView
from amalgam.revset.smartset import BaseSet, SmartSet, SpanSet, UnionSet

#: name -> Predicate; filled by amalgam.revset.predicates and plugins.
PREDICATES: dict[str, Predicate] = {}


class Predicate:
    """A revset function: ``func(ev, subset, args) -> SmartSet`` plus its help."""

    def __init__(self, func: Callable[..., SmartSet], decl: str, doc: str) -> None:
        self.func, self.decl, self.doc = func, decl, doc


def predicate(decl: str) -> Callable[[Callable[..., SmartSet]], Callable[..., SmartSet]]:
    """Register a revset function; *decl* is its signature as help shows it."""

    def register(func: Callable[..., SmartSet]) -> Callable[..., SmartSet]:
        name = decl.split("(", 1)[0]
        PREDICATES[name] = Predicate(func, decl, (func.__doc__ or "").strip())
        return func

    return register


class FullSet(SpanSet):
    """All revisions: the starting subset.  ``null`` joins a result only against it, as in hg."""

    def __init__(self, count: int) -> None:
        super().__init__(0, count)


class Evaluator:
    """Evaluates trees for one repository view."""

    def __init__(self, view: RepoView, plugins: list[Mapping[str, Callable[..., bool]]] = ()
                 ) -> None:
        self.view = view
        self.full = FullSet(len(view))
        self.extra: dict[str, Predicate] = {}
        for table in plugins:
            for name, func in table.items():
                if name not in PREDICATES:
                    self.extra[name] = _plugin_predicate(func, name)

    def error(self, message: str, hint: str | None = None) -> ParseError:
        exc = ParseError(message)
        if hint:
            exc.hints.append(hint)
        return exc

    # -- helpers predicates use ----------------------------------------------------------

    def getset(self, tree: Tree, subset: SmartSet | None = None) -> SmartSet:
        subset = self.full if subset is None else subset
        method = getattr(self, "_" + tree[0].lstrip("_"), None)
        if method is None:
            raise self.error(f"can't use {_what(tree[0])} in this context")
        return method(subset, *tree[1:])

    def string(self, tree: Tree | None, message: str) -> str:
        if tree is None or tree[0] not in ("string", "symbol"):
            raise self.error(message)
        return tree[1]

    def integer(self, tree: Tree | None, message: str) -> int:
        try:
            return int(self.string(tree, message))
        except ValueError:
            raise self.error(message) from None

    def args(self, tree: Tree | None, name: str, keys: str) -> dict[str, Tree]:
        """Bind positional and ``key=value`` arguments to *keys* (``"set depth"``)."""
        names = keys.split()
        bound: dict[str, Tree] = {}
        items = lang.getlist(tree)
        for index, item in enumerate(items):
            if item[0] == "keyvalue":
                key = item[1][1] if item[1][0] == "symbol" else None
                if key not in names:
                    raise self.error(f"{name} got an unexpected keyword argument '{key}'")
                if key in bound:
                    raise self.error(f"{name} got multiple values for keyword argument "
                                     f"'{key}'")
                bound[key] = item[2]
            elif index >= len(names):
                raise self.error(f"{name} takes at most {len(names)} positional arguments")
            else:
                bound[names[index]] = item
        return bound

    def with_null(self, subset: SmartSet, out: SmartSet, start: Any, depth0: bool) -> SmartSet:
        """*out*, led by the null revision when a walk started there at depth 0, as in hg.

        Only against the full set: like a plain ``null``, it joins no narrower subset.
        """
        if depth0 and nullrev in start and isinstance(subset, FullSet):
            return BaseSet([nullrev]) + out
        return out

    def count(self, tree: Tree | None, name: str, low: int, high: int, message: str) -> list[Tree]:
        items = lang.getlist(tree)
        if not low <= len(items) <= high:
            raise self.error(message)
        return items

    # -- leaves -------------------------------------------------------------------------

    def symbol_rev(self, name: str) -> int:
        return self.view.lookup(name)

    def _symbol(self, subset: SmartSet, name: str) -> SmartSet:
        if name in PREDICATES:
            raise self.error(f"not a symbol: {name}",
                             hint=f"use {name}() to call the function")
        return self._string(subset, name)

    def _string(self, subset: SmartSet, name: str) -> SmartSet:
        rev = self.symbol_rev(name)
        if rev in subset or (rev == nullrev and isinstance(subset, FullSet)):
            return BaseSet([rev])
        return BaseSet()

    # -- operators ----------------------------------------------------------------------

    def _group(self, subset: SmartSet, inner: Tree) -> SmartSet:
        return self.getset(inner, subset)

    def _and(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        first = self.getset(left, subset)
        return first & self.getset(right, first)

    def _or(self, subset: SmartSet, items: Tree) -> SmartSet:
        return UnionSet([self.getset(item, subset) for item in items[1:]])

    def _not(self, subset: SmartSet, inner: Tree) -> SmartSet:
        return subset - self.getset(inner, subset)

    def _minus(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        return self.getset(left, subset) - self.getset(right, self.full)

    def _only(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        return PREDICATES["only"].func(self, subset, ("list", left, right))

    def _negate(self, subset: SmartSet, inner: Tree) -> SmartSet:
        if inner[0] not in ("symbol", "string"):
            raise self.error("can't negate that")
        return self._string(subset, "-" + inner[1])

    def concat_text(self, left: Tree, right: Tree) -> str:
        parts = []
        for side in (left, right):
            if side[0] == "_concat":
                parts.append(self.concat_text(side[1], side[2]))
            elif side[0] in ("string", "symbol"):
                parts.append(side[1])
            else:
                raise self.error(f"\"##\" can't concatenate \"{side[0]}\" element")
        return "".join(parts)

    def _concat(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        return self._string(subset, self.concat_text(left, right))

    def _keyvalue(self, subset: SmartSet, *_: Any) -> SmartSet:
        raise self.error("can't use a key-value pair in this context")

    def _list(self, subset: SmartSet, *_: Any) -> SmartSet:
        raise self.error("can't use a list in this context",
                         hint="see 'amg help \"revsets.x or y\"'")

    def _relation(self, subset: SmartSet, inner: Tree, name: Tree) -> SmartSet:
        from amalgam.revset.relations import relation

        return relation(self, subset, inner, name, None)

    def _subscript(self, subset: SmartSet, inner: Tree, index: Tree | None) -> SmartSet:
        if inner[0] != "relation":
            raise self.error("can't use a subscript in this context")
        if index is None:
            raise self.error("relation subscript must be an integer or a range")
        from amalgam.revset.relations import relation

        return relation(self, subset, inner[1], inner[2], index)

    def _func(self, subset: SmartSet, name: Tree, args: Tree | None) -> SmartSet:
        if name[0] != "symbol":
            raise self.error("not a function: " + _what(name[0]))
        found = PREDICATES.get(name[1]) or self.extra.get(name[1])
        if found is None:
            from difflib import get_close_matches

            close = get_close_matches(name[1], [*PREDICATES, *self.extra], n=1, cutoff=0.6)
            raise self.error(f"unknown identifier: {name[1]}",
                             hint=f"did you mean {close[0]}?" if close else None)
        return found.func(self, subset, args)

    # -- ranges ---------------------------------------------------------------------------

    def _range(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        first = self.getset(left, self.full).first()
        last = self.getset(right, self.full).last()
        if first is None or last is None:
            return BaseSet()
        return self.span(subset, first, last)

    def span(self, subset: SmartSet, first: int, last: int) -> SmartSet:
        """``first:last`` within *subset*, in the range's own direction."""
        if first <= last:
            revs: SmartSet = SpanSet(max(first, 0), last + 1)
        else:
            revs = SpanSet(max(last, 0), first + 1, ascending=False)
        out = revs & subset
        if nullrev in (first, last) and isinstance(subset, FullSet):
            null = BaseSet([nullrev])
            out = null + out if first == nullrev else out + null
        return out

    def _rangepre(self, subset: SmartSet, right: Tree) -> SmartSet:
        last = self.getset(right, self.full).last()
        return BaseSet() if last is None else self.span(subset, 0, last)

    def _rangepost(self, subset: SmartSet, left: Tree) -> SmartSet:
        first = self.getset(left, self.full).first()
        return BaseSet() if first is None else self.span(subset, first, len(self.view) - 1)

    def _rangeall(self, subset: SmartSet, _: Any = None) -> SmartSet:
        return SpanSet(0, len(self.view)) & subset

    def _dagrange(self, subset: SmartSet, left: Tree, right: Tree) -> SmartSet:
        from amalgam.revset import graph

        roots = self.getset(left, self.full)
        heads = self.getset(right, self.full)
        return subset & BaseSet(graph.dagrange(self.view, list(roots), list(heads)))

    def _dagrangepre(self, subset: SmartSet, right: Tree) -> SmartSet:
        return PREDICATES["ancestors"].func(self, subset, right)

    def _dagrangepost(self, subset: SmartSet, left: Tree) -> SmartSet:
        return PREDICATES["descendants"].func(self, subset, left)

    # -- parents --------------------------------------------------------------------------

    def _parentpost(self, subset: SmartSet, inner: Tree) -> SmartSet:
        return subset & BaseSet(sorted({self.view.parents(rev)[0]
                                        for rev in self.getset(inner, self.full)} - {nullrev}))

    def _parent(self, subset: SmartSet, inner: Tree, number: Tree) -> SmartSet:
        n = self.integer(number, "^ expects a number 0, 1, or 2")
        if n not in (0, 1, 2):
            raise self.error("^ expects a number 0, 1, or 2")
        found: set[int] = set()
        for rev in self.getset(inner, self.full):
            if n == 0:
                found.add(rev)
            else:
                found.add(self.view.parents(rev)[n - 1])
        found.discard(nullrev)
        return subset & BaseSet(sorted(found))

    def _ancestor(self, subset: SmartSet, inner: Tree, number: Tree) -> SmartSet:
        n = self.integer(number, "~ expects a number")
        if n < 0:
            raise self.error("~ expects a number")
        found: set[int] = set()
        for rev in self.getset(inner, self.full):
            for _ in range(n):
                rev = self.view.parents(rev)[0]
                if rev == nullrev:
                    break
            if rev != nullrev:
                found.add(rev)
        return subset & BaseSet(sorted(found))


def _plugin_predicate(func: Callable[..., bool], name: str) -> Predicate:
    """Wrap a plugin's ``func(repo, rev, args) -> bool`` as a lazy filter."""

    def evaluate(ev: Evaluator, subset: SmartSet, args: Tree | None) -> SmartSet:
        strings = [ev.string(arg, f"{name} expects string arguments")
                   for arg in lang.getlist(args)]
        repo = ev.view.repo
        return subset.filter(lambda rev: rev >= 0 and bool(func(repo, rev, strings)))

    return Predicate(evaluate, f"{name}(...)", (func.__doc__ or "").strip())


def _what(kind: str) -> str:
    return {"subscript": "a subscript", "relation": "a relation", "list": "a list",
            "keyvalue": "a key-value pair", "dagrangeall": "'::'", "rangeall": "':'",
            "func": "a function", "symbol": "a symbol", "string": "a string"}.get(kind, kind)


def lookup_error(exc: error.InputError) -> bool:
    """True when *exc* is the 'unknown revision' kind that ``present()`` forgives."""
    return exc.message.startswith(("unknown revision", "ambiguous revision"))
