"""sort(..., topo) and depth walks on small hand-made graphs (no repository needed)."""
from __future__ import annotations

from amalgam.node import nullrev
from amalgam.revset.graph import ancestors, descendants
from amalgam.revset.toposort import toposort

#  4 (merge of 3 and 1)
#  |\\
#  3 |
#  | 1
#  2 |
#  |/
#  0
PARENTS = {0: (nullrev, nullrev), 1: (0, nullrev), 2: (0, nullrev), 3: (2, nullrev),
           4: (3, 1)}


class View:
    def parents(self, rev: int) -> tuple[int, int]:
        return PARENTS[rev]

    def __len__(self) -> int:
        return len(PARENTS)


def test_branch_runs_down_to_its_fork_before_the_next() -> None:
    assert list(toposort(range(5), PARENTS.__getitem__)) == [4, 3, 2, 1, 0]
    assert list(toposort([1, 2, 3], PARENTS.__getitem__)) == [3, 2, 1]


def test_first_branch_goes_first() -> None:
    assert list(toposort(range(4), PARENTS.__getitem__, [1])) == [1, 3, 2, 0]


def test_every_child_precedes_its_parents() -> None:
    order = list(toposort(range(5), PARENTS.__getitem__))
    for rev, parents in PARENTS.items():
        assert all(order.index(rev) < order.index(p) for p in parents if p != nullrev)


def test_depths_count_every_path_not_only_the_shortest() -> None:
    # 0 is one generation from 1 and two from 3 (via 2): both count.
    assert ancestors(View(), [4], depth=2, startdepth=2) == {0, 2}
    assert ancestors(View(), [4], depth=3, startdepth=3) == {0}
    assert list(descendants(View(), [0], depth=2, startdepth=2)) == [3, 4]
    assert list(descendants(View(), [nullrev], depth=1, startdepth=1)) == [0]


def test_a_depth_beyond_the_history_is_no_limit() -> None:
    # A path cannot be longer than the history, so no billion-bit masks are built.
    assert ancestors(View(), [4], depth=10**9) == ancestors(View(), [4])
    assert ancestors(View(), [4], startdepth=10**9) == set()
    assert list(descendants(View(), [0], depth=10**9, startdepth=2)) == [3, 4]
