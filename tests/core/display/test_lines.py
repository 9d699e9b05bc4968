"""Line matching: the shortcuts and the indexed scan must give the plain split."""
from __future__ import annotations

import random
from collections import Counter

from amalgam.display import lines as L


def plain_pick(a: list[bytes], alo: int, ahi: int, b: list[bytes], blo: int, bhi: int,
               common: frozenset[bytes]) -> L.Block:
    """The split's run, from the rule as written, over every cell of the range."""
    run = {}  # (i, j) -> the run ending on that cell, for cells of non-common equal lines
    besti, bestj, bestk = alo, blo, 0
    for i in range(alo, ahi):
        for j in range(bhi - 1, blo - 1, -1):
            if a[i] != b[j] or a[i] in common:
                continue
            # Count back over common equal lines (never onto a's first
            # line), then add the run ending just before them, if any.
            back = 0
            while (i - 1 - back >= max(alo, 1) and j - 1 - back >= blo
                   and a[i - 1 - back] in common and a[i - 1 - back] == b[j - 1 - back]):
                back += 1
            k = run[i, j] = 1 + back + run.get((i - 1 - back, j - 1 - back), 0)
            if k > bestk:
                besti, bestj, bestk = i, j, k
            elif k == bestk:
                upper_a = 2 * i < alo + ahi
                if (i > besti and upper_a and j > blo) or (
                        i == besti and (i == alo or 2 * bestj >= blo + bhi)):
                    besti, bestj = i, j
    i, j = (besti - bestk + 1, bestj - bestk + 1) if bestk else (alo, blo)
    while i + bestk < ahi and j + bestk < bhi and a[i + bestk] == b[j + bestk]:
        bestk += 1
    return i, j, bestk


def plain_split(a: list[bytes], b: list[bytes]) -> list[L.Block]:
    """The split with no shortcut and no index, written the slow obvious way."""
    limit = L._common_limit(len(b))  # counted here the slow obvious way too
    common = frozenset(line for line, n in Counter(b).items() if n > limit)
    found: list[L.Block] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        if alo >= ahi or blo >= bhi:
            continue
        i, j, k = plain_pick(a, alo, ahi, b, blo, bhi, common)
        if k:
            found.append((i, j, k))
            stack.append((alo, i, blo, j))
            stack.append((i + k, ahi, j + k, bhi))
    found.sort()
    blocks = L._slide_down(a, b, L._merge(found))
    blocks.append((len(a), len(b), 0))
    return blocks


def words(text: str) -> list[bytes]:
    return [w.encode() + b"\n" for w in text.split()]


def clear_winner(a: list[bytes], b: list[bytes]) -> L.Block | None:
    return L._clear_winner(a, 0, len(a), b, 0, len(b), frozenset())


def test_a_clearly_longest_prefix_is_taken_without_a_scan() -> None:
    a, b = words("h1 h2 h3 h4 x t1"), words("h1 h2 h3 h4 y z t1")
    assert clear_winner(a, b) == (0, 0, 4)
    assert L.matching_blocks(a, b) == plain_split(a, b) == [(0, 0, 4), (5, 6, 1), (6, 7, 0)]


def test_a_prefix_no_longer_than_the_suffix_needs_the_scan() -> None:
    # Equally long runs are settled by the tie rules, which only the scan applies.
    a, b = words("h1 h2 x t1 t2"), words("h1 h2 y t1 t2")
    assert clear_winner(a, b) is None
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_a_prefix_line_repeated_later_is_not_trimmed_blindly() -> None:
    # Trimming "a b" first would match the lone "a" at the end; the longest
    # run "a b a" sits later in b, and the split takes it.
    a, b = words("a b a"), words("a b c a b a")
    assert clear_winner(a, b) is None
    assert L.matching_blocks(a, b) == plain_split(a, b) == [(0, 3, 3), (3, 6, 0)]


def test_longest_prefix_is_taken_despite_repeated_lines() -> None:
    a = words("p1 p2 d p3 p4 p5 x s1 d")
    b = words("p1 p2 d p3 p4 p5 y z s1 d")
    assert clear_winner(a, b) == (0, 0, 6)
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_suffix_reaching_into_the_prefix_is_not_a_run_of_its_own() -> None:
    a, b = words("p y s"), words("p y z y s")
    assert L.matching_blocks(a, b) == plain_split(a, b)


def test_identical_texts_are_one_block() -> None:
    a = words("x x y x x")
    assert L.matching_blocks(a, list(a)) == [(0, 0, 5), (5, 5, 0)]


def test_common_limit_only_applies_to_long_texts() -> None:
    assert L._common_limit(999) >= 999
    assert L._common_limit(1000) == 999
    assert L._common_limit(2000) == 499
    assert L._common_limit(30999) == 32
    assert L._common_limit(31000) == 31
    assert L._common_lines([b"x\n"] * 1500 + [b"y\n"]) == {b"x\n"}
    assert L._common_lines([b"x\n"] * 999) == frozenset()


def test_a_common_line_never_seeds_a_run_but_runs_count_it() -> None:
    # 1,500 copies of x make x common: the lone y seeds the run, which
    # counts all the x lines before it.
    x = [b"x\n"] * 1500
    a, b = [b"q\n"] + x + [b"y\n"], x + [b"y\n"]
    assert L.matching_blocks(a, b) == [(1, 0, 1501), (1502, 1501, 0)]
    # ... but never a's first line.
    assert L.matching_blocks(x + [b"y\n"], [b"q\n"] + x + [b"y\n"]) == [
        (1, 2, 1500), (1501, 1502, 0)]
    # With nothing to seed a run, only the equal lines at the start match.
    assert L.matching_blocks(x + [b"z\n"] + x, x + x) == [(0, 0, 1500), (3001, 3000, 0)]


def _edit(rng: random.Random, vocab: list[bytes], a: list[bytes]) -> list[bytes]:
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
    return b


def test_random_edits_match_the_plain_split() -> None:
    """Small alphabets (many repeats) and large ones (mostly distinct lines)."""
    rng = random.Random(20261121)
    shortcuts = 0
    for _round in range(3000):
        vocab = [b"%d\n" % n for n in range(rng.choice((2, 4, 8, 40)))]
        a = [rng.choice(vocab) for _ in range(rng.randint(0, rng.choice((6, 16, 30))))]
        b = _edit(rng, vocab, a)
        if rng.random() < 0.5:
            a, b = b, a
        shortcuts += clear_winner(a, b) is not None
        assert L.matching_blocks(a, b) == plain_split(a, b), (a, b)
    assert shortcuts > 300  # the shortcut was exercised, not just the scan


def test_long_texts_with_common_lines_match_the_plain_split() -> None:
    rng = random.Random(5)
    for _round in range(3):
        vocab = [b"%d\n" % n for n in range(6)]
        a = [b"\n" if rng.random() < 0.8 else rng.choice(vocab) for _ in range(1300)]
        b = _edit(rng, vocab, a)
        assert L._common_lines(b) == {b"\n"}
        assert L.matching_blocks(a, b) == plain_split(a, b)
