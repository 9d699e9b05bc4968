"""Revision specifications: turn what a user typed after ``-r`` into revisions.

This is the small language issue 5 needs: single symbols (numbers, negative
numbers, hex prefixes, ``tip``, ``.``, ``null``, bookmarks, tags, branch
names) and the ranges ``A:B``, ``A::B``, ``:B``, ``A:``, ``::B``, ``A::``.
Symbols resolve in hg's order, so the same spec means the same revision to
both tools.  Any other spec is a revset: :func:`revrange` hands it to the
revset engine (``amalgam.revset``, or one installed with :func:`set_engine`),
which uses :func:`lookup_symbol` for the leaves.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from amalgam import dag, error
from amalgam.node import bin, nullid, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository

#: ``engine(repo, specs) -> list[int]``: the revset engine, when one is installed.
Engine = Callable[["Repository", Sequence[str]], list[int]]

_engine: Engine | None = None

_HEXDIGITS = frozenset("0123456789abcdefABCDEF")


def set_engine(func: Engine | None) -> Engine | None:
    """Install a revset engine that takes over :func:`revrange`; returns the previous one."""
    global _engine
    previous, _engine = _engine, func
    return previous


class AmbiguousPrefix(error.InputError):
    """A hex prefix matches more than one changeset."""


def _unknown(symbol: str) -> error.InputError:
    return error.InputError(f"unknown revision '{symbol}'")


def _as_number(repo: Repository, symbol: str) -> int | None:
    """The revision a decimal *symbol* names, or None (hg's rules: no '+', no '01')."""
    digits = symbol[1:] if symbol.startswith("-") else symbol
    if not digits.isdigit() or not digits.isascii() or str(int(symbol)) != symbol:
        return None
    rev = int(symbol)
    count = len(repo.changelog)
    if rev < 0:
        rev += count
    return rev if 0 <= rev < count else None


def _prefix_match(repo: Repository, symbol: str) -> int | None:
    """The revision whose node starts with hex *symbol*; the null node counts too."""
    if not symbol or len(symbol) > 40 or not _HEXDIGITS.issuperset(symbol):
        return None
    from amalgam.storage.revlog import LookupFailed

    cl = repo.changelog.revlog
    lowered = symbol.lower()
    matchesnull = "0" * len(lowered) == lowered
    try:
        node = cl.lookup_prefix(lowered)
    except LookupFailed:
        raise AmbiguousPrefix(f"ambiguous revision identifier: {symbol}") from None
    if node is not None and matchesnull:
        raise AmbiguousPrefix(f"ambiguous revision identifier: {symbol}")
    if node is not None:
        return cl.rev(node)
    return nullrev if matchesnull else None


def _named(repo: Repository, symbol: str) -> int | None:
    """Bookmarks, then tags, then branch names (each branch's tip), as hg orders them."""
    from amalgam import bookmarks, branches, tags

    cl = repo.changelog.revlog
    node = bookmarks.read(repo).get(symbol)
    if node is None:
        node = tags.tags(repo).get(symbol)
    if node is None:
        node = branches.branchtip(repo, symbol)
    if node is None:
        return None
    if node == nullid:
        return nullrev
    return cl.rev(node) if cl.hasnode(node) else None


def lookup_symbol(repo: Repository, symbol: str) -> int:
    """Resolve one symbol (no range operators) to a revision number.

    Raises :class:`amalgam.error.InputError` ``unknown revision 'X'``, or
    :class:`AmbiguousPrefix` when a hex prefix matches several changesets.
    """
    if symbol == "null":
        return nullrev
    if symbol == "tip":
        return len(repo.changelog) - 1
    if symbol == ".":
        from amalgam.context import workingctx

        return workingctx(repo).p1().rev
    rev = _as_number(repo, symbol)
    if rev is not None:
        return rev
    if len(symbol) == 40:
        try:
            node = bin(symbol)
        except ValueError:
            node = None
        if node is not None and repo.changelog.revlog.hasnode(node):
            return repo.changelog.revlog.rev(node)
    rev = _named(repo, symbol)
    if rev is not None:
        return rev
    rev = _prefix_match(repo, symbol)
    if rev is not None:
        return rev
    raise _unknown(symbol)


def _descendants(repo: Repository, rev: int) -> list[int]:
    """*rev* and its descendants, ascending (the null revision reaches everything)."""
    cl = repo.changelog.revlog
    if rev < 0:
        return list(range(len(cl)))
    found = {rev}
    for candidate in range(rev + 1, len(cl)):
        p1, p2 = cl.parentrevs(candidate)
        if p1 in found or p2 in found:
            found.add(candidate)
    return sorted(found)


def _dagrange(repo: Repository, start: int | None, end: int | None) -> list[int]:
    """``start::end``: revisions that descend from *start* and lead to *end*, ascending."""
    below = dag.ancestors(repo, [end]) if end is not None else None
    if start is None:
        return sorted(below or ())
    if below is not None and start not in below and start >= 0:
        return []
    return [rev for rev in _descendants(repo, start) if below is None or rev in below]


def _numrange(start: int, end: int) -> list[int]:
    """``start:end``: every number between the two, descending when start > end."""
    step = 1 if start <= end else -1
    return [rev for rev in range(start, end + step, step) if rev >= 0]


def _single(repo: Repository, spec: str) -> list[int]:
    """Revisions one spec of the issue-5 grammar names, in hg's order."""
    if not spec:
        raise error.ParseError("empty query")
    try:
        return [lookup_symbol(repo, spec)]
    except AmbiguousPrefix:
        raise
    except error.InputError:
        if ":" not in spec:
            raise
    if "::" in spec:
        left, _, right = spec.partition("::")
        start = lookup_symbol(repo, left) if left else None
        end = lookup_symbol(repo, right) if right else None
        return _dagrange(repo, start, end)
    left, _, right = spec.partition(":")
    start = lookup_symbol(repo, left) if left else 0
    end = lookup_symbol(repo, right) if right else len(repo.changelog) - 1
    return _numrange(start, end)


#: Specs the plain resolver answers alone: a symbol, a number (negative too)
#: or a ``:``/``::`` range of those.  Anything else is a revset.
_PLAIN = re.compile(r"(?:-?[\w.]+)?(?:::?(?:-?[\w.]+)?)?\Z")


def revrange(repo: Repository, specs: Iterable[str | int]) -> list[int]:
    """All revisions named by *specs*, in the order given, each listed once.

    Plain symbols and ranges are resolved here; any other spec goes to the
    revset engine, imported only then so simple ``-r`` options stay cheap.
    """
    texts = [str(spec) for spec in specs]
    engine = _engine
    if engine is None and not all(_PLAIN.match(text) for text in texts):
        from amalgam.revset import revrange as engine
    if engine is not None:
        return engine(repo, texts)
    out: list[int] = []
    seen: set[int] = set()
    for spec in texts:
        for rev in _single(repo, spec):
            if rev not in seen:
                seen.add(rev)
                out.append(rev)
    return out


def revsingle(repo: Repository, spec: str | int | None, default: str = ".") -> int:
    """The one revision *spec* names (the last one for a range); *default* when empty."""
    if spec is None or spec == "":
        spec = default
    revs = revrange(repo, [spec])
    if not revs:
        raise error.InputError("empty revision set")
    return revs[-1]


def revpair(repo: Repository, specs: Sequence[str]) -> tuple[int, int | None]:
    """Two revisions for ``--rev A --rev B`` style options; second None means the working copy."""
    if not specs:
        return revsingle(repo, "."), None
    revs = revrange(repo, specs)
    if not revs:
        raise error.InputError("empty revision range")
    if len(specs) == 1 and len(revs) == 1 and ":" not in specs[0]:
        return revs[0], None
    return revs[0], revs[-1]
