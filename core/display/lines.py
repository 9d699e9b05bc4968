"""Line matching for human-readable diffs and annotations.

The storage delta (``amalgam.storage.mdiff``) optimises for small patches;
a diff shown to people must instead put hunks where hg puts them, so the
same edit prints the same way in both tools.  hg's matcher splits the
problem at the longest run of equal lines and recurses on both sides;
this module does the same after trimming the common prefix and suffix,
which keeps the usual "small edit in a big file" case linear.
"""
from __future__ import annotations

from collections.abc import Sequence

# (a start, b start, length) runs of equal lines, ending with (len(a), len(b), 0).
Block = tuple[int, int, int]


def splitlines(text: bytes) -> list[bytes]:
    """Lines of *text* split at ``\\n`` only, newline kept (the last may lack it)."""
    if not text:
        return []
    lines = text.split(b"\n")
    last = lines.pop()
    out = [line + b"\n" for line in lines]
    if last:
        out.append(last)
    return out


def _longest(a: Sequence[int], b: Sequence[int], alo: int, ahi: int,
             blo: int, bhi: int, where: dict[int, list[int]]) -> Block:
    """The longest run of equal items; ties go to the earliest in *a*, then in *b*."""
    besti, bestj, bestk = alo, blo, 0
    runs: dict[int, int] = {}
    for i in range(alo, ahi):
        newruns: dict[int, int] = {}
        for j in where.get(a[i], ()):
            if j < blo:
                continue
            if j >= bhi:
                break
            k = newruns[j] = runs.get(j - 1, 0) + 1
            if k > bestk:
                besti, bestj, bestk = i - k + 1, j - k + 1, k
        runs = newruns
    return besti, bestj, bestk


def matching_blocks(a: Sequence[bytes], b: Sequence[bytes]) -> list[Block]:
    """Runs of equal lines between *a* and *b*, in order, with a final sentinel."""
    na, nb = len(a), len(b)
    lo = 0
    while lo < na and lo < nb and a[lo] == b[lo]:
        lo += 1
    hia, hib = na, nb
    while hia > lo and hib > lo and a[hia - 1] == b[hib - 1]:
        hia -= 1
        hib -= 1
    blocks: list[Block] = []
    if lo:
        blocks.append((0, 0, lo))
    if lo < hia and lo < hib:
        ids: dict[bytes, int] = {}
        ia = [ids.setdefault(line, len(ids)) for line in a]
        ib = [ids.setdefault(line, len(ids)) for line in b]
        where: dict[int, list[int]] = {}
        for j in range(lo, hib):
            where.setdefault(ib[j], []).append(j)
        middle: list[Block] = []
        stack = [(lo, hia, lo, hib)]
        while stack:
            alo, ahi, blo, bhi = stack.pop()
            i, j, k = _longest(ia, ib, alo, ahi, blo, bhi, where)
            if not k:
                continue
            middle.append((i, j, k))
            if alo < i and blo < j:
                stack.append((alo, i, blo, j))
            if i + k < ahi and j + k < bhi:
                stack.append((i + k, ahi, j + k, bhi))
        middle.sort()
        blocks.extend(middle)
    if hia < na:
        blocks.append((hia, hib, na - hia))
    merged: list[Block] = []
    for block in blocks:
        if merged and merged[-1][0] + merged[-1][2] == block[0] \
                and merged[-1][1] + merged[-1][2] == block[1]:
            last = merged.pop()
            block = (last[0], last[1], last[2] + block[2])
        merged.append(block)
    merged.append((na, nb, 0))
    return merged
