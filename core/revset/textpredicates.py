"""Revset functions that look inside changesets: people, text, names, dates, files."""
from __future__ import annotations

import re
from collections.abc import Callable

from amalgam import error
from amalgam.parser import Tree
from amalgam.revset.evaluate import Evaluator, predicate
from amalgam.revset.predicates import _onearg, _substring, stringmatcher
from amalgam.revset.smartset import BaseSet, SmartSet

Ev = Evaluator


@predicate("user(string)")
def user(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets whose author contains *string* (case-insensitive); ``re:`` for a regex."""
    match = _substring(_onearg(ev, args, "user", "user requires a string"))
    return subset.filter(lambda rev: rev >= 0 and match(ev.view.user(rev)))


@predicate("author(string)")
def author(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Alias for ``user(string)``."""
    match = _substring(_onearg(ev, args, "author", "author requires a string"))
    return subset.filter(lambda rev: rev >= 0 and match(ev.view.user(rev)))


@predicate("desc(string)")
def desc(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets whose description contains *string* (case-insensitive)."""
    match = _substring(_onearg(ev, args, "desc", "desc requires a string"))
    return subset.filter(lambda rev: rev >= 0 and match(ev.view.entry(rev).description))


@predicate("keyword(string)")
def keyword(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets where *string* occurs in the author, description or a file name."""
    word = _onearg(ev, args, "keyword", "keyword requires a string").lower()

    def test(rev: int) -> bool:
        entry = ev.view.entry(rev)
        texts = [entry.user, entry.description] + [f.decode("utf-8", "surrogateescape")
                                                   for f in entry.files]
        return any(word in text.lower() for text in texts)

    return subset.filter(lambda rev: rev >= 0 and test(rev))


@predicate("grep(regex)")
def grep(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Like ``keyword(string)`` with a regular expression (case-sensitive)."""
    pattern = _onearg(ev, args, "grep", "grep requires a string")
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ev.error(f"invalid match pattern: {exc}") from None

    def test(rev: int) -> bool:
        entry = ev.view.entry(rev)
        texts = [entry.user, entry.description] + [f.decode("utf-8", "surrogateescape")
                                                   for f in entry.files]
        return any(regex.search(text) for text in texts)

    return subset.filter(lambda rev: rev >= 0 and test(rev))


@predicate("date(interval)")
def date(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets within the date range: ``<D``, ``>D``, ``D to D``, ``-DAYS`` or ``D``."""
    from amalgam.revset import dates

    test = dates.matcher(_onearg(ev, args, "date", "date requires a string"))
    return subset.filter(lambda rev: rev >= 0 and test(ev.view.when(rev)))


# -- names ----------------------------------------------------------------------------------


@predicate("branch(string or set)")
def branch(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets on the named branch (``re:`` for a pattern), or on the branches of *set*."""
    items = ev.count(args, "branch", 1, 1, "branch requires one argument")
    view = ev.view
    names: Callable[[str], bool] | None = None
    if items[0][0] == "string" or items[0][0] == "symbol":
        kind, pattern, match = stringmatcher(items[0][1])
        if kind == "re":
            names = match
        elif any(view.entry(r).branch == pattern for r in range(len(view))):
            names = pattern.__eq__
    if names is None:
        wanted = {view.entry(r).branch for r in ev.getset(items[0]) if r >= 0}
        names = wanted.__contains__
    test = names
    return subset.filter(lambda rev: rev >= 0 and test(view.entry(rev).branch))


@predicate("extra(label[, value])")
def extra(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets with the extra field *label*, equal to *value* when given (``re:``)."""
    bound = ev.args(args, "extra", "label value")
    if "label" not in bound:
        raise ev.error("extra takes at least 1 argument")
    label = ev.string(bound["label"], "first argument to extra must be a string")
    match = None
    if "value" in bound:
        match = stringmatcher(ev.string(bound["value"],
                                        "second argument to extra must be a string"))[2]

    def test(rev: int) -> bool:
        fields = ev.view.entry(rev).extra
        value = fields.get(label, "default" if label == "branch" else None)
        return value is not None and (match is None or match(value))

    return subset.filter(lambda rev: rev >= 0 and test(rev))


def _named(ev: Ev, subset: SmartSet, args: Tree | None, name: str,
           table: dict[str, int], what: str) -> SmartSet:
    items = ev.count(args, name, 0, 1, f"{name} takes one or no arguments")
    if not items:
        return subset & BaseSet(sorted(set(table.values())))
    kind, pattern, match = stringmatcher(ev.string(items[0], f"the argument to {name}() "
                                                   "must be a string"))
    if kind == "literal":
        if pattern not in table:
            raise error.InputError(f"{what} '{pattern}' does not exist")
        return subset & BaseSet([table[pattern]])
    return subset & BaseSet(sorted({rev for key, rev in table.items() if match(key)}))


@predicate("bookmark([name])")
def bookmark(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The changeset the bookmark *name* points at, or every bookmarked changeset."""
    return _named(ev, subset, args, "bookmark", ev.view.bookmarks(), "bookmark")


@predicate("tag([name])")
def tag(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """The changeset tagged *name*, or every tagged changeset (``tip`` aside)."""
    tags = ev.view.tags()
    if args is None:
        return subset & BaseSet(sorted({rev for name, rev in tags.items() if name != "tip"}))
    return _named(ev, subset, args, "tag", tags, "tag")


# -- files ----------------------------------------------------------------------------------


def _matcher(ev: Ev, pattern: str, default: str) -> Callable[[bytes], bool]:
    from amalgam.wc.match import match

    root = ev.view.repo.root
    return match(root, root, [pattern], default=default)


def _status_filter(ev: Ev, subset: SmartSet, args: Tree | None, name: str,
                   field: int) -> SmartSet:
    """Changesets whose status against p1 has a matching file in column *field*."""
    pattern = _onearg(ev, args, name, f"{name} requires a pattern")
    matches = _matcher(ev, pattern, "glob")
    view = ev.view

    def test(rev: int) -> bool:
        candidates = [f for f in view.files(rev) if matches(f)]
        if not candidates:
            return False
        mine = view.repo.manifest_of(view.cl.node(rev))
        p1 = view.parents(rev)[0]
        theirs = view.repo.manifest_of(view.cl.node(p1)) if p1 >= 0 else {}
        for path in candidates:
            here, there = mine.get(path), theirs.get(path)
            status = (0 if here and there and here != there else
                      1 if here and not there else 2 if there and not here else None)
            if status == field:
                return True
        return False

    return subset.filter(lambda rev: rev >= 0 and test(rev))


@predicate("modifies(pattern)")
def modifies(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets modifying (not adding or removing) files that match *pattern*."""
    return _status_filter(ev, subset, args, "modifies", 0)


@predicate("adds(pattern)")
def adds(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets adding files that match *pattern*."""
    return _status_filter(ev, subset, args, "adds", 1)


@predicate("removes(pattern)")
def removes(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets removing files that match *pattern*."""
    return _status_filter(ev, subset, args, "removes", 2)


@predicate("file(pattern)")
def file(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets touching a file that matches *pattern* (a glob by default)."""
    matches = _matcher(ev, _onearg(ev, args, "file", "file requires a pattern"), "glob")
    return subset.filter(lambda rev: rev >= 0 and any(matches(f) for f in
                                                      ev.view.files(rev)))


@predicate("contains(pattern)")
def contains(ev: Ev, subset: SmartSet, args: Tree | None) -> SmartSet:
    """Changesets whose manifest holds a file matching *pattern* (a path by default)."""
    pattern = _onearg(ev, args, "contains", "contains requires a pattern")
    matches = _matcher(ev, pattern, "path")
    view = ev.view

    def test(rev: int) -> bool:
        manifest = view.repo.manifest_of(view.cl.node(rev))
        return any(matches(path) for path in manifest)

    return subset.filter(lambda rev: rev >= 0 and test(rev))
