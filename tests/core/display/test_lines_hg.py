"""Line matching against hg's own (C) matcher, used as an oracle only.

``diff`` and ``annotate`` must place every hunk where hg places it, so the
blocks must be hg's on any input, not merely a valid matching.  hg may
report a zero-length block or two touching blocks where we report one; both
describe the same alignment, so they are normalised before comparing.
"""
from __future__ import annotations

import random

import pytest

from amalgam.display import lines as L

bdiff = pytest.importorskip("mercurial.cext.bdiff")  # oracle only


def hg_blocks(a: list[bytes], b: list[bytes]) -> list[L.Block]:
    blocks: list[L.Block] = []
    for a1, a2, b1, _b2 in bdiff.blocks(b"".join(a), b"".join(b)):
        size = a2 - a1
        last = blocks[-1] if blocks else None
        if last and size and last[0] + last[2] == a1 and last[1] + last[2] == b1:
            blocks[-1] = (last[0], last[1], last[2] + size)
        elif size:
            blocks.append((a1, b1, size))
    blocks.append((len(a), len(b), 0))
    return blocks


def words(text: str) -> list[bytes]:
    return [w.encode() + b"\n" for w in text.split()]


@pytest.mark.parametrize(("old", "new", "blocks"), [
    # The case that showed the old earliest-run rule wrong: `hg diff` keeps
    # the second 23, not the first.
    ("16 23 15", "23 23 20 23 23 20", [(1, 1, 1), (3, 6, 0)]),
    # On the range's first row the first column wins ...
    ("x", "x x x", [(0, 0, 1), (1, 3, 0)]),
    # ... on a later row the last column in the upper half of the b-range.
    ("p x", "x x x", [(1, 1, 1), (2, 3, 0)]),
    ("p x", "x x x x x x", [(1, 2, 1), (2, 6, 0)]),
    # A later row wins a tie when it lies in the upper half of the a-range ...
    ("x p x p p", "q x", [(2, 1, 1), (5, 2, 0)]),
    # ... unless its column is the b-range's first.
    ("x p x p p", "x", [(0, 0, 1), (5, 1, 0)]),
    ("x x p", "x q x", [(1, 0, 1), (3, 3, 0)]),
    # Runs longer than one line are judged by where they end.
    ("x y", "x y x y x y x y", [(0, 2, 2), (2, 8, 0)]),
    ("p x y z", "x y z x y z x y z x y z", [(1, 3, 3), (4, 12, 0)]),
    # The longest run wins over a shorter common prefix.
    ("a b a", "a b c a b a", [(0, 3, 3), (3, 6, 0)]),
])
def test_named_cases(old: str, new: str, blocks: list[L.Block]) -> None:
    a, b = words(old), words(new)
    assert hg_blocks(a, b) == blocks  # the oracle still says so
    assert L.matching_blocks(a, b) == blocks


def expand(text: str) -> list[bytes]:
    """Words as lines; ``K`` stands for 1,000 lines ``C``, which makes ``C`` common."""
    out: list[bytes] = []
    for word in text.split():
        out.extend([b"C\n"] * 1000 if word == "K" else [word.encode() + b"\n"])
    return out


@pytest.mark.parametrize(("old", "new"), [
    ("y K q", "K q"),  # a run counts the common lines before it ...
    ("p q K", "q K"),  # ... and grows over those after it
    ("K", "K y"),  # nothing seeds a run: the equal start is taken
    ("K z K", "K K"),
    ("y K", "K"),  # no equal start: nothing matches
    ("P P x K", "F C C C C C C C C C C x K"),  # counting back stops before a's first line
    ("Q1 Q2 Q3 P P x K", "Q1 Q2 Q3 F P P x K"),  # ... but not before a range's first
    ("0 0 K 0", "0 K 0 0"),  # the count makes the longer run win
    ("0 C C 0 K", "K 0 C C 0"),  # counting back joins the run before the common lines
    ("1 K", "1 1 K"),  # common lines after a run do not make it longer
    ("K C 0 C 0", "K 0 0 C C C 0 C C 0"),
])
def test_common_lines_against_hg(old: str, new: str) -> None:
    a, b = expand(old), expand(new)
    assert L._common_lines(b) == {b"C\n"}
    assert L.matching_blocks(a, b) == hg_blocks(a, b)


def test_random_texts_with_common_lines_match_hg() -> None:
    rng = random.Random(7)
    for _round in range(150):
        vocab = ["C"] * rng.randint(1, 4) + [str(n) for n in range(rng.randint(1, 3))]
        x = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 10)))
        y = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 10)))
        old, new = rng.choice([(f"{x} K", f"{y} K"), (f"K {x}", f"K {y}"),
                               (f"{x} K {y}", f"{y} K {x}")])
        a, b = expand(old), expand(new)
        assert L.matching_blocks(a, b) == hg_blocks(a, b), (old, new)


def _random_pair(rng: random.Random) -> tuple[list[bytes], list[bytes]]:
    vocab = [b"%d\n" % n for n in range(rng.choice((1, 2, 3, 4, 6, 10, 30)))]
    a = [rng.choice(vocab) for _ in range(rng.randint(0, rng.choice((5, 10, 20, 40, 60))))]
    if rng.random() < 0.6:  # an edit of a
        b = list(a)
        for _edit in range(rng.randint(0, 6)):
            pos = rng.randint(0, len(b))
            roll = rng.random()
            if b and roll < 0.35:
                del b[min(pos, len(b) - 1)]
            elif roll < 0.7:
                b.insert(pos, rng.choice(vocab))
            else:
                b[pos:pos] = b[max(0, pos - rng.randint(1, 5)):pos]
    else:  # unrelated texts over the same lines
        b = [rng.choice(vocab) for _ in range(rng.randint(0, rng.choice((5, 10, 20, 40, 60))))]
    if rng.random() < 0.5:
        a, b = b, a
    if a and rng.random() < 0.1:
        a[-1] = a[-1].rstrip(b"\n")  # a last line without its newline
    return a, b


@pytest.mark.parametrize("seed", range(4))
def test_random_texts_match_hg(seed: int) -> None:
    rng = random.Random(seed)
    for _round in range(2500):
        a, b = _random_pair(rng)
        assert L.matching_blocks(a, b) == hg_blocks(a, b), (a, b)


def test_longer_edited_texts_match_hg() -> None:
    """Hundreds of lines with repeats, below the size where lines become common."""
    rng = random.Random(99)
    for _round in range(40):
        vocab = [b"%d\n" % n for n in range(rng.choice((3, 20, 200)))]
        a = [rng.choice(vocab) for _ in range(rng.randint(200, 900))]
        b = list(a)
        for _edit in range(rng.randint(1, 12)):
            pos = rng.randint(0, len(b))
            if rng.random() < 0.5 and b:
                del b[min(pos, len(b) - 1):pos + rng.randint(1, 4)]
            else:
                b[pos:pos] = [rng.choice(vocab) for _ in range(rng.randint(1, 4))]
        assert L.matching_blocks(a, b) == hg_blocks(a, b)
