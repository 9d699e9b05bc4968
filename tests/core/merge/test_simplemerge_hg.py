"""Three-way merges of random small texts give exactly hg's merged text."""
from __future__ import annotations

import random

import pytest

from amalgam.merge.simplemerge import merge_lines

simplemerge = pytest.importorskip("mercurial.simplemerge")


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randrange(0, 5)):
        op, at = rng.randrange(3), rng.randrange(len(lines) + 1)
        if op == 0:
            lines.insert(at, rng.choice("abcxy"))
        elif lines and op == 1:
            del lines[min(at, len(lines) - 1)]
        elif lines:
            lines[min(at, len(lines) - 1)] = rng.choice("abxyz")
    return lines


def _text(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


@pytest.mark.parametrize("seed", range(4))
def test_random_merges_match_hg(seed):
    rng = random.Random(seed)
    for _ in range(2500):
        base = [rng.choice("abc") for _ in range(rng.randrange(0, 14))]
        texts = [_text(base), _text(_edit(rng, base)), _text(_edit(rng, base))]
        theirs, conflicts = simplemerge.render_minimized(
            simplemerge.Merge3Text(*texts), b"local", b"other")
        ours, had = merge_lines(*texts, labels=("local", "other"))
        assert (ours, had) == (b"".join(theirs), bool(conflicts)), texts


def test_a_line_equal_at_both_edges_of_a_conflict_counts_twice_as_in_hg():
    text, conflicts = merge_lines(b"c\n", b"x\nx\n", b"x\n", labels=("local", "other"))
    assert conflicts
    assert text == b"x\n<<<<<<< local\n=======\n>>>>>>> other\nx\n"
