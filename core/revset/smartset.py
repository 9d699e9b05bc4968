"""Lazy, ordered sets of revision numbers.

A revset result has an order (``2:0`` is descending, ``0 + 2 + 1`` keeps
what was typed) and may be huge.  These sets compute members only as they
are iterated, so ``first(all())`` or ``limit(ancestors(tip), 10)`` stop
after a few revisions instead of walking the whole history.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice


class SmartSet:
    """An ordered set of revisions; subclasses decide how members are produced."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __contains__(self, rev: object) -> bool:
        raise NotImplementedError

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def reversed(self) -> SmartSet:
        return BaseSet(list(self)[::-1])

    def sorted(self, descending: bool = False) -> SmartSet:
        return BaseSet(sorted(self, reverse=descending))

    def filter(self, condition: Callable[[int], bool]) -> SmartSet:
        return FilteredSet(self, condition)

    def __and__(self, other: SmartSet) -> SmartSet:
        return self.filter(other.__contains__)

    def __sub__(self, other: SmartSet) -> SmartSet:
        return self.filter(lambda rev: rev not in other)

    def __add__(self, other: SmartSet) -> SmartSet:
        return UnionSet([self, other])

    def first(self) -> int | None:
        return next(iter(self), None)

    def last(self) -> int | None:
        return next(iter(self.reversed()), None)

    def slice(self, start: int, stop: int) -> SmartSet:
        """Members *start* to *stop* in order, taking only what is needed."""
        return BaseSet(list(islice(self, start, stop)))

    def tolist(self) -> list[int]:
        return [rev for rev in self]


class BaseSet(SmartSet):
    """A set given as an explicit ordered list."""

    def __init__(self, revs: Iterable[int] = ()) -> None:
        self._list = list(revs)
        self._set: set[int] | None = None

    def __iter__(self) -> Iterator[int]:
        return iter(self._list)

    def __contains__(self, rev: object) -> bool:
        if self._set is None:
            self._set = set(self._list)
        return rev in self._set

    def __len__(self) -> int:
        return len(self._list)

    def __repr__(self) -> str:
        return f"<baseset {self._list!r}>"


class SpanSet(SmartSet):
    """Every revision from *start* up to *stop* (exclusive), either direction."""

    def __init__(self, start: int, stop: int, ascending: bool = True) -> None:
        self.start, self.stop, self.ascending = start, max(start, stop), ascending

    def __iter__(self) -> Iterator[int]:
        span = range(self.start, self.stop)
        return iter(span if self.ascending else reversed(span))

    def __contains__(self, rev: object) -> bool:
        return isinstance(rev, int) and self.start <= rev < self.stop

    def __len__(self) -> int:
        return self.stop - self.start

    def reversed(self) -> SmartSet:
        return SpanSet(self.start, self.stop, not self.ascending)

    def sorted(self, descending: bool = False) -> SmartSet:
        return SpanSet(self.start, self.stop, not descending)

    def __repr__(self) -> str:
        return f"<spanset {'+' if self.ascending else '-'}{self.start}:{self.stop}>"


class FilteredSet(SmartSet):
    """The members of *base* for which *condition* holds, in *base*'s order."""

    def __init__(self, base: SmartSet, condition: Callable[[int], bool]) -> None:
        self.base, self.condition = base, condition
        #: every member, once something needed them all (len, list)
        self._members: list[int] | None = None

    def __iter__(self) -> Iterator[int]:
        if self._members is not None:
            return iter(self._members)
        return (rev for rev in self.base if self.condition(rev))

    def __len__(self) -> int:
        # list(x) asks len() first: remember the members so they are not computed twice.
        if self._members is None:
            self._members = [rev for rev in self.base if self.condition(rev)]
        return len(self._members)

    def __contains__(self, rev: object) -> bool:
        return rev in self.base and self.condition(rev)  # type: ignore[arg-type]

    def reversed(self) -> SmartSet:
        return FilteredSet(self.base.reversed(), self.condition)

    def sorted(self, descending: bool = False) -> SmartSet:
        return FilteredSet(self.base.sorted(descending), self.condition)

    def __repr__(self) -> str:
        return f"<filteredset {self.base!r}>"


class UnionSet(SmartSet):
    """The members of each part in turn, each revision once (``a + b + c``).

    One flat list of parts rather than nested pairs, so a union of
    thousands of terms iterates without deep recursion.
    """

    def __init__(self, parts: list[SmartSet]) -> None:
        self.parts = parts

    def __iter__(self) -> Iterator[int]:
        seen: set[int] = set()
        for part in self.parts:
            for rev in part:
                if rev not in seen:
                    seen.add(rev)
                    yield rev

    def __contains__(self, rev: object) -> bool:
        return any(rev in part for part in self.parts)


class GeneratorSet(SmartSet):
    """Members produced by an iterator, remembered as they come.

    *ascending* (True/False) says the iterator yields in that order, which
    lets membership tests stop early; None means no known order.
    """

    def __init__(self, source: Iterator[int], ascending: bool | None = None) -> None:
        self._source: Iterator[int] | None = source
        self._seen: list[int] = []
        self._set: set[int] = set()
        self.ascending = ascending

    def __iter__(self) -> Iterator[int]:
        index = 0
        while True:
            if index < len(self._seen):
                yield self._seen[index]
                index += 1
            elif not self._pull():
                return

    def _pull(self) -> bool:
        if self._source is None:
            return False
        for rev in self._source:
            if rev not in self._set:
                self._set.add(rev)
                self._seen.append(rev)
                return True
        self._source = None
        return False

    def __contains__(self, rev: object) -> bool:
        if rev in self._set:
            return True
        while self._source is not None:
            last = self._seen[-1] if self._seen else None
            if last is not None and self.ascending is not None and isinstance(rev, int):
                if (self.ascending and last > rev) or (not self.ascending and last < rev):
                    return False
            if not self._pull():
                break
            if self._seen[-1] == rev:
                return True
        return False
