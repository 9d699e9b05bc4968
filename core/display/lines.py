"""Line matching for human-readable diffs and annotations.

The storage delta (``amalgam.storage.mdiff``) optimises for small patches;
a diff shown to people must instead put hunks where hg puts them, so the
same edit prints the same way in both tools.  hg's matcher splits the
problem at the longest run of equal lines and recurses on both sides;
this module does the same, then slides each pure insertion or deletion
down past equal lines, as hg places them.
"""
from __future__ import annotations

from collections.abc import Sequence

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


def _longest(a: Sequence[bytes], alo: int, ahi: int, blo: int, bhi: int,
             where: dict[bytes, list[int]]) -> Block:
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
    # Lines are their own keys: a bytes object caches its hash, so looking
    # a line up again costs no more than looking up a number for it.
    where: dict[bytes, list[int]] = {}
    for j, line in enumerate(b):
        where.setdefault(line, []).append(j)
    found: list[Block] = []
    stack = [(0, na, 0, nb)]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        if alo >= ahi or blo >= bhi:
            continue
        i, j, k = _longest(a, alo, ahi, blo, bhi, where)
        if not k:
            continue
        found.append((i, j, k))
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
