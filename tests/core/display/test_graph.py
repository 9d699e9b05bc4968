"""The ASCII graph renderer on small DAGs, pinned to hg's pictures."""
from __future__ import annotations

from amalgam.display.graph import Grapher


def draw(entries: list[tuple[int, list[int]]]) -> str:
    """The picture for one-line entries; like hg -q it ends with an empty line."""
    grapher = Grapher()
    out: list[str] = []
    for rev, parents in entries:
        out.extend(grapher.entry(rev, "o", parents, [str(rev)]))
    return "\n".join(out) + "\n"


def test_linear_history() -> None:
    assert draw([(2, [1]), (1, [0]), (0, [])]) == "o  2\n|\no  1\n|\no  0\n\n"


def test_two_heads_joining() -> None:
    # hg log -G -q on: 0 <- 1 <- 2, 0 <- 3
    assert draw([(3, [0]), (2, [1]), (1, [0]), (0, [])]) == (
        "o  3\n|\n| o  2\n| |\n| o  1\n|/\no  0\n\n")


def test_merge_fans_out_and_joins() -> None:
    # 0 <- 1 <- 3(merge of 1 and 2), 0 <- 2
    assert draw([(3, [1, 2]), (2, [0]), (1, [0]), (0, [])]) == (
        "o    3\n|\\\n| o  2\n| |\no |  1\n|/\no  0\n\n")
