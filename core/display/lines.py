"""Line matching for human-readable diffs and annotations.

The storage delta (``amalgam.storage.mdiff``) optimises for small patches;
a diff shown to people must instead put hunks where hg puts them, so the
same edit prints the same way in both tools.  hg's matcher splits the
problem at the longest run of equal lines and recurses on both sides;
this module does the same, then slides each pure insertion or deletion
down past equal lines, as hg places them.

Trimming the common prefix and suffix first would be much cheaper, but in
general it picks other matches than the longest-run split (a run can
continue past the prefix, or a prefix line can match elsewhere).  Each
split step therefore first checks, in C-speed set and list operations,
whether taking the prefix (or suffix) run first provably gives the same
result as the full search (see :func:`_safe_first`); only when it cannot
tell does it scan for the longest run.  A small edit of a file with few
repeated lines then costs a few list comparisons instead of a scan.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, count
from operator import ne

# (a start, b start, length) runs of equal lines, ending with (len(a), len(b), 0).
Block = tuple[int, int, int]


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


def _longest(a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int,
             bhi: int) -> Block:
    """The longest run of equal items; ties go to the earliest in *a*, then in *b*."""
    # Lines are their own keys: a bytes object caches its hash, so looking
    # a line up again costs no more than looking up a number for it.
    where: dict[bytes, list[int]] = {}
    for j, line in enumerate(b[blo:bhi], blo):
        where.setdefault(line, []).append(j)
    if where.keys().isdisjoint(a[alo:ahi]):
        return alo, blo, 0  # a wholly rewritten stretch: skip the row loop
    besti, bestj, bestk = alo, blo, 0
    runs: dict[int, int] = {}
    for i in range(alo, ahi):
        newruns: dict[int, int] = {}
        for j in where.get(a[i], ()):
            k = newruns[j] = runs.get(j - 1, 0) + 1
            if k > bestk:
                besti, bestj, bestk = i - k + 1, j - k + 1, k
        runs = newruns
    return besti, bestj, bestk


def _common(a: Iterable[bytes], b: Iterable[bytes], limit: int) -> int:
    """How many leading items *a* and *b* (at least *limit* long) share, in C loops."""
    return next(compress(count(), map(ne, a, b)), limit)


def _isolated(head: Sequence[bytes], *rests: Sequence[bytes]) -> bool:
    """Whether no line of *head* occurs in any of *rests*."""
    seen = set(head)
    return all(seen.isdisjoint(rest) for rest in rests)


def _safe_first(a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int,
                bhi: int) -> Block | None:
    """The common prefix or suffix run when the split may take it first.

    Taking the prefix run P first (nothing is left above or before it)
    gives the full search's result when either

    * P is *isolated*: none of its lines occurs again in the rest of either
      range.  Then no match links P's rows or columns to the rest, P is
      never cut, every other run lies below and after it, and the rest is
      split exactly as it would be alone; or
    * P is the run the search would pick: no other run is longer (ties go
      to the earliest, which P is).  Any other run has at most
      ``min(middle sizes)`` matches between prefix and suffix, plus one per
      row whose line repeats in a range (a match off the prefix and suffix
      runs outside the middle needs a repeated line), and
      ``2 * (n - distinct(a)) + (m - distinct(b))`` bounds those rows.

    The suffix run works the same way, except that it must be strictly the
    longest, a tie going to the earlier run.  None: only a scan can tell.
    """
    # The whole texts (the usual first call) need no copy.
    ra = a if alo == 0 and ahi == len(a) else a[alo:ahi]
    rb = b if blo == 0 and bhi == len(b) else b[blo:bhi]
    n, m = len(ra), len(rb)
    head = _common(ra, rb, min(n, m))
    if head and _isolated(ra[:head], ra[head:], rb[head:]):
        return alo, blo, head
    tail = _common(reversed(ra), reversed(rb), min(n, m))
    if head + tail > min(n, m):
        tail = 0  # the suffix run reaches into the prefix: not a run of its own
    if tail and _isolated(ra[n - tail:], ra[:n - tail], rb[:m - tail]):
        return ahi - tail, bhi - tail, tail
    if head or tail:
        others = min(n, m) - head - tail + 2 * (n - len(set(ra))) + (m - len(set(rb)))
        if head >= tail and head >= others:
            return alo, blo, head
        if tail > head and tail > others:
            return ahi - tail, bhi - tail, tail
    return None


def matching_blocks(a: Sequence[bytes], b: Sequence[bytes]) -> list[Block]:
    """Runs of equal lines between *a* and *b*, in order, with a final sentinel."""
    na, nb = len(a), len(b)
    found: list[Block] = []
    stack = [(0, na, 0, nb)]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        if alo >= ahi or blo >= bhi:
            continue
        block = _safe_first(a, alo, ahi, b, blo, bhi)
        if block is None:
            block = _longest(a, alo, ahi, b, blo, bhi)
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
