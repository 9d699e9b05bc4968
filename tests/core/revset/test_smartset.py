"""Smartsets keep their order and produce members only as asked."""
from __future__ import annotations

from amalgam.revset.smartset import BaseSet, GeneratorSet, SpanSet, UnionSet


def counting(values: list[int], seen: list[int]):
    for value in values:
        seen.append(value)
        yield value


def test_spanset_both_directions() -> None:
    assert list(SpanSet(2, 6)) == [2, 3, 4, 5]
    assert list(SpanSet(2, 6, ascending=False)) == [5, 4, 3, 2]
    assert list(SpanSet(2, 6).reversed()) == [5, 4, 3, 2]
    assert 5 in SpanSet(2, 6) and 6 not in SpanSet(2, 6)
    assert len(SpanSet(2, 6)) == 4


def test_and_keeps_left_order_or_concatenates_minus_filters() -> None:
    left, right = BaseSet([5, 1, 3]), BaseSet([3, 5, 7])
    assert list(left & right) == [5, 3]
    assert list(left + right) == [5, 1, 3, 7]
    assert list(left - right) == [1]
    assert list(UnionSet([BaseSet([2]), BaseSet([0, 2]), BaseSet([1])])) == [2, 0, 1]


def test_filter_is_lazy() -> None:
    calls: list[int] = []

    def even(rev: int) -> bool:
        calls.append(rev)
        return rev % 2 == 0

    assert SpanSet(1, 10**9).filter(even).first() == 2
    assert calls == [1, 2]


def test_generator_set_stops_early_on_membership() -> None:
    seen: list[int] = []
    gen = GeneratorSet(counting([1, 3, 5, 7, 9], seen), ascending=True)
    assert 3 in gen
    assert 4 not in gen
    assert seen == [1, 3, 5]
    assert list(gen) == [1, 3, 5, 7, 9]


def test_slice_takes_only_what_it_needs() -> None:
    seen: list[int] = []
    gen = GeneratorSet(counting(list(range(100)), seen), ascending=True)
    assert list(gen.slice(2, 4)) == [2, 3]
    assert len(seen) == 4


def test_sorted_and_reversed() -> None:
    assert list(BaseSet([3, 1, 2]).sorted()) == [1, 2, 3]
    assert list(BaseSet([3, 1, 2]).sorted(descending=True)) == [3, 2, 1]
    assert list(SpanSet(0, 10).filter(lambda r: r % 3 == 0).reversed()) == [9, 6, 3, 0]
    assert BaseSet([4, 8]).last() == 8
