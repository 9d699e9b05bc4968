"""Line matching for human-readable diffs and annotations.

The storage delta (``amalgam.storage.mdiff``) optimises for small patches;
a diff shown to people must instead put hunks where hg puts them, so the
same edit prints the same way in both tools.  hg's choices were worked out
by black-box experiments against it (tests/core/display/test_lines_hg.py
compares the two on many thousands of random inputs); this module is our
own description of the observed behaviour:

* The problem is split at one run of equal lines, then both sides are
  split the same way.  The run is the longest one ending on a line that is
  not *common*; a line is common when it occurs in the new text more often
  than :func:`_common_limit` allows (only texts of 1,000 lines or more
  have common lines).  Runs are found through the other lines only, but
  count the common lines on their way (see :func:`_pick`).  A few rare
  arrangements of many common lines still split differently from hg
  (about 5 in 10,000 contrived cases; none seen in real files).
* Among equally long runs the choice leans towards the middle of the
  range (see :func:`_pick`), which keeps the split balanced.
* Afterwards each pure insertion or deletion is slid down past equal
  lines (:func:`_slide_down`).

A split step may skip the scan when the common prefix (or suffix) is
provably longer than any other run (:func:`_clear_winner`); the scan would
pick it anyway.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress, count
from operator import ne

# (a start, b start, length) runs of equal lines, ending with (len(a), len(b), 0).
Block = tuple[int, int, int]
_NOTHING: dict[int, int] = {}  # no runs: read only


def splitlines(text: bytes) -> list[bytes]:
    """Lines of *text* split at ``\\n`` only, newline kept (the last may lack it)."""
    if not text:
        return []
    if b"\r" not in text:  # bytes.splitlines also splits at \r, which hg does not
        return text.splitlines(True)
    lines = text.split(b"\n")
    last = lines.pop()
    out = [line + b"\n" for line in lines]
    if last:
        out.append(last)
    return out


def _common_limit(nb: int) -> int:
    """How many times a line may occur in a new text of *nb* lines and still seed a run."""
    return 1_000_000 // (nb + 1) if nb < 31_000 else nb // 1000


def _common_lines(b: Sequence[bytes]) -> frozenset[bytes]:
    """The lines of *b* that occur too often to seed a run."""
    limit = _common_limit(len(b))
    if limit >= len(b):  # fewer than 1,000 lines: nothing can be common
        return frozenset()
    return frozenset(line for line, n in Counter(b).items() if n > limit)


def _pick(a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int, bhi: int,
          common: frozenset[bytes]) -> Block:
    """The run the split takes in ``a[alo:ahi]`` against ``b[blo:bhi]``.

    Rows (lines of *a*) are visited top down and, within a row, the
    matching columns bottom up; only lines that are not common are visited.
    A run is known by the cell where it ends and counts the equal lines
    before it on its diagonal: the run ending on the cell diagonally before
    it (the previous visited row), or, when common lines lie in between,
    those common lines plus the run ending just before them.  Counting back
    never reaches the first line of *a* (a quirk of hg's we copy).  A
    longer run always wins; an equally long one wins

    * on a later row: if that row lies in the upper half of the a-range and
      its column is not the range's first;
    * on the same row: if the row is the range's first, or the current
      choice ends in the lower half of the b-range.

    So within a row the last column in the upper half of the b-range wins
    (the first column on the range's first row), and across rows the last
    row in the upper half of the a-range.  The winner then grows over the
    equal lines after it.  With no run at all, the equal lines at the start
    of the range are taken.
    """
    # Lines are their own keys: a bytes object caches its hash, so looking
    # a line up again costs no more than looking up a number for it.
    where: dict[bytes, list[int]] = {}
    for j, line in enumerate(b[blo:bhi], blo):
        where.setdefault(line, []).append(j)
    for line in common.intersection(where):
        del where[line]
    besti, bestj, bestk = alo, blo, 0
    twoa, twob = alo + ahi, blo + bhi
    lowest = max(alo, 1)
    runs: dict[int, int] = {}  # column -> run ending there on row *runs_row*
    runs_row = alo - 1
    # Only rows with a match are visited; a run never continues over a row
    # left out, except over common lines, counted back below.
    for i in compress(range(alo, ahi), map(where.__contains__, a[alo:ahi])):
        js = where[a[i]]
        newruns: dict[int, int] = {}
        chained = runs.get if runs_row == i - 1 else _NOTHING.get
        for j in reversed(js):
            k = chained(j - 1, 0)
            if not k and common:
                ii, jj = i - 1, j - 1
                while ii >= lowest and jj >= blo and a[ii] == b[jj] and a[ii] in common:
                    ii, jj = ii - 1, jj - 1
                if ii < i - 1:
                    k = i - 1 - ii + (runs.get(jj, 0) if runs_row == ii else 0)
            k = newruns[j] = k + 1
            if k < bestk:
                continue
            if k > bestk:
                besti, bestj, bestk = i, j, k
            elif i > besti:
                if i + i < twoa and j > blo:
                    besti, bestj = i, j
            elif i == alo or bestj + bestj >= twob:
                besti, bestj = i, j
        runs, runs_row = newruns, i
    if bestk:
        i, j = besti - bestk + 1, bestj - bestk + 1
    else:
        i, j = alo, blo
    while i + bestk < ahi and j + bestk < bhi and a[i + bestk] == b[j + bestk]:
        bestk += 1
    return i, j, bestk


def _single(a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int, bhi: int,
            common: frozenset[bytes]) -> Block:
    """What :func:`_pick` returns when one range is a single line, in C loops.

    A single row takes its first matching column (the range's first row
    does); a single column its first matching row (a later row would need
    a column past the first).  Neither can count back or grow.
    """
    line = a[alo] if ahi - alo == 1 else b[blo]
    if line in common:  # no run: only an equal start matches
        return alo, blo, int(a[alo] == b[blo])
    try:
        if ahi - alo == 1:
            return alo, b.index(line, blo, bhi), 1
        return a.index(line, alo, ahi), blo, 1
    except ValueError:
        return alo, blo, 0


def _common(a: Sequence[bytes], b: Sequence[bytes], limit: int) -> int:
    """How many leading items *a* and *b* (at least *limit* long) share, in C loops."""
    return next(compress(count(), map(ne, a, b)), limit)


def _clear_winner(a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int,
                  bhi: int, common: frozenset[bytes]) -> Block | None:
    """The common prefix or suffix run when it is longer than any other run.

    Such a run is what :func:`_pick` returns, whatever the tie rules: it is
    the longest, and being a maximal prefix (suffix) it cannot grow.  Any
    other run has at most ``min(middle sizes)`` matches between prefix and
    suffix, plus one per row whose line repeats in a range (a match off the
    prefix and suffix runs outside the middle needs a repeated line), and
    ``2 * (n - distinct(a)) + (m - distinct(b))`` bounds those rows.  A run
    holding a common line is not one run to the scan, so it never
    qualifies.  None: only a scan can tell.
    """
    # The whole texts (the usual first call) need no copy.
    ra = a if alo == 0 and ahi == len(a) else a[alo:ahi]
    rb = b if blo == 0 and bhi == len(b) else b[blo:bhi]
    n, m = len(ra), len(rb)
    head = _common(ra, rb, min(n, m))
    if head == n == m:
        return (alo, blo, head) if common.isdisjoint(ra) else None
    tail = _common(reversed(ra), reversed(rb), min(n, m))
    if head + tail > min(n, m):
        tail = 0  # the suffix run reaches into the prefix: not a run of its own
    if not (head or tail):
        return None
    others = min(n, m) - head - tail + 2 * (n - len(set(ra))) + (m - len(set(rb)))
    if head > tail and head > others and common.isdisjoint(ra[:head]):
        return alo, blo, head
    if tail > head and tail > others and common.isdisjoint(ra[n - tail:]):
        return ahi - tail, bhi - tail, tail
    return None


def matching_blocks(a: Sequence[bytes], b: Sequence[bytes]) -> list[Block]:
    """Runs of equal lines between *a* and *b*, in order, with a final sentinel."""
    na, nb = len(a), len(b)
    common = _common_lines(b)
    found: list[Block] = []
    stack = [(0, na, 0, nb)]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        if alo >= ahi or blo >= bhi:
            continue
        if ahi - alo == 1 or bhi - blo == 1:
            block = _single(a, alo, ahi, b, blo, bhi, common)
        else:
            block = _clear_winner(a, alo, ahi, b, blo, bhi, common)
        if block is None:
            block = _pick(a, alo, ahi, b, blo, bhi, common)
        i, j, k = block
        if not k:
            continue
        found.append(block)
        stack.append((alo, i, blo, j))
        stack.append((i + k, ahi, j + k, bhi))
    found.sort()
    blocks = _slide_down(a, b, _merge(found))
    blocks.append((na, nb, 0))
    return blocks


def _merge(blocks: list[Block]) -> list[Block]:
    """Join blocks that touch."""
    merged: list[Block] = []
    for block in blocks:
        if merged and merged[-1][0] + merged[-1][2] == block[0] \
                and merged[-1][1] + merged[-1][2] == block[1]:
            last = merged.pop()
            block = (last[0], last[1], last[2] + block[2])
        merged.append(block)
    return merged


def _slide_down(a: Sequence[bytes], b: Sequence[bytes], blocks: list[Block]) -> list[Block]:
    """Move each pure insertion or deletion as far down as equal lines allow.

    An inserted ``x`` next to an existing ``x`` can be shown before or after
    it; hg shows it after, so a gap between two blocks, followed by a block
    starting with the gap's first line, trades places with that line.  A gap
    before the first block stays where it is, as in hg.
    """
    out = list(blocks)
    n = 0
    while n < len(out) - 1:
        i, j, k = out[n]
        ni, nj, nk = out[n + 1]
        gap_a, gap_b = ni - (i + k), nj - (j + k)
        moved = False
        if nk and gap_a == 0 and gap_b and b[j + k] == b[nj]:
            moved = True
        elif nk and gap_b == 0 and gap_a and a[i + k] == a[ni]:
            moved = True
        if moved:
            out[n] = (i, j, k + 1)
            out[n + 1] = (ni + 1, nj + 1, nk - 1)
            if not out[n + 1][2]:
                del out[n + 1]
                out = out[:n] + _merge(out[n:])
            continue
        n += 1
    return [block for block in out if block[2]]
