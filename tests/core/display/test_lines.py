"""Line matching: the prefix/suffix shortcuts must give the plain longest-run split."""
from __future__ import annotations

import random

from amalgam.display import lines as L


def plain_split(a: list[bytes], b: list[bytes]) -> list[L.Block]:
    """The longest-run split with no shortcut, written the slow obvious way."""
    found: list[L.Block] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        best = (alo, blo, 0)
        for i in range(alo, ahi):          # earliest in a, then in b, wins a tie
            for j in range(blo, bhi):
                k = 0
                while i + k < ahi and j + k < bhi and a[i + k] == b[j + k]:
                    k += 1
                if k > best[2]:
                    best = (i, j, k)
        i, j, k = best
        if k:
            found.append(best)
            stack.append((alo, i, blo, j))
            stack.append((i + k, ahi, j + k, bhi))
    found.sort()
    blocks = L._slide_down(a, b, L._merge(found))
    blocks.append((len(a), len(b), 0))
    return blocks


def words(text: str) -> list[bytes]:
    return [w.encode() + b"\n" for w in text.split()]


def test_isolated_prefix_and_suffix_are_taken_whole() -> None:
    a, b = words("h1 h2 h3 x t1 t2"), words("h1 h2 h3 y z t1 t2")
    assert L._safe_first(a, 0, len(a), b, 0, len(b)) == (0, 0, 3)
    assert L.matching_blocks(a, b) == [(0, 0, 3), (4, 5, 2), (6, 7, 0)]


def test_a_prefix_line_repeated_later_is_not_trimmed_blindly() -> None:
    # Trimming "a b" first would match the lone "a" at the end; the longest
    # run "a b a" sits later in b, and hg's split takes it.
    a, b = words("a b a"), words("a b c a b a")
    assert L._safe_first(a, 0, len(a), b, 0, len(b)) is None
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_longest_prefix_is_taken_despite_repeated_lines() -> None:
    # "d" repeats in both texts, so the prefix is not isolated, but no other
    # run can be as long as the 6-line prefix: it is the split's first pick.
    a = words("p1 p2 d p3 p4 p5 x s1 d")
    b = words("p1 p2 d p3 p4 p5 y z s1 d")
    assert L._safe_first(a, 0, len(a), b, 0, len(b)) == (0, 0, 6)
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_suffix_needs_to_be_strictly_longest() -> None:
    # Equal-length runs: the earlier one wins, so the suffix is no shortcut.
    a, b = words("q r q x q r q"), words("q r q y y q r q")
    block = L._safe_first(a, 0, len(a), b, 0, len(b))
    assert block is None or block[:2] == (0, 0)
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_suffix_reaching_into_the_prefix_is_not_a_run_of_its_own() -> None:
    a, b = words("p y s"), words("p y z y s")
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_random_edits_match_the_plain_split() -> None:
    """Small alphabets (many repeats) and large ones (mostly distinct lines)."""
    rng = random.Random(20261121)
    shortcuts = 0
    for _round in range(3000):
        vocab = [b"%d\n" % n for n in range(rng.choice((2, 4, 8, 40)))]
        a = [rng.choice(vocab) for _ in range(rng.randint(0, rng.choice((6, 16, 30))))]
        b = list(a)
        for _edit in range(rng.randint(0, 3)):
            pos = rng.randint(0, len(b))
            roll = rng.random()
            if b and roll < 0.4:
                del b[min(pos, len(b) - 1)]
            elif roll < 0.7:
                b.insert(pos, rng.choice(vocab))
            else:
                b[pos:pos] = b[max(0, pos - 4):pos]  # a repeated block
        if rng.random() < 0.5:
            a, b = b, a
        shortcuts += L._safe_first(a, 0, len(a), b, 0, len(b)) is not None
        assert L.matching_blocks(a, b) == plain_split(a, b), (a, b)
    assert shortcuts > 1000  # the shortcuts were exercised, not just the scan
