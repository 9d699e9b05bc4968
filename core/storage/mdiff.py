"""Binary deltas in Mercurial's patch format: make them, apply them, fold chains.

A delta is a sequence of hunks, each a big-endian ``>lll`` header (start,
end, length) followed by ``length`` bytes: replace ``old[start:end]`` by the
data.  Hunks are sorted and do not overlap; offsets refer to the old text.

How ``textdiff`` finds the hunks (our own matcher, no difflib):

1. The common prefix and suffix are found with C-level slice comparisons
   (binary search), then trimmed back to line boundaries, so a small edit in
   a huge file costs almost nothing.
2. The middle parts are cut into lines.  Overlong "lines" (binary data with
   few newlines) are re-cut after each run of secondary boundary bytes (NUL,
   space, comma, semicolon, brace), and after 4 KiB without one; the cut
   points depend only on nearby content, so an insertion does not shift
   every later token and deltas stay small.
3. Each distinct token gets an integer id.  Matching is patience-like: tokens
   that occur exactly once on each side are anchors; the longest increasing
   run of anchors (patience sort with bisect) splits the problem, and every
   gap is solved the same way after extending matches over its equal
   prefix and suffix.  A gap without unique tokens falls back to a
   longest-common-block search with a work budget, so adversarial inputs
   (many repeated lines) cannot make it quadratic.
4. One hunk is emitted per gap between matched runs, with byte offsets
   taken from prefix sums of the token lengths.

``patches`` folds a chain without building N intermediate texts (small
texts, where a copy costs less than bookkeeping, are simply re-sliced per
delta): the text is a list of memoryview fragments of the base and of the deltas, each delta
rewrites that list (bisect over fragment offsets, list slicing), and the
final text is joined once.  Every hunk is validated before any slicing, so a
corrupt delta raises ``StorageError`` instead of allocating or misbehaving.
"""
from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from itertools import accumulate

from amalgam.error import StorageError

# typing.TYPE_CHECKING without importing typing: readers only patch, and
# re, collections and typing cost milliseconds of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable, Sequence

_HUNK = struct.Struct(">lll")
_LONG = 4096
# Token patterns of the diff, compiled by its first call (_patterns).
_LINE = rb"[^\n]*\n|[^\n]+"
_CHUNK = rb"[^\x00 ,;}]{0,%d}[\x00 ,;}]+|[^\x00 ,;}]{1,%d}" % (_LONG, _LONG)
_compiled: list[re.Pattern[bytes]] = []
# Work allowed to the fallback longest-block search of one gap (dict probes).
_BLOCK_BUDGET = 200_000
# Fragment lists are folded back into one buffer once they grow past this
# plus one fragment per 4 KiB of text: copying the text once (memcpy speed)
# is cheaper than dragging thousands of fragments through every later delta.
_FOLD_FRAGMENTS = 32
# Texts up to this size are patched by plain slicing (see ``patches``).
_SMALL_TEXT = 32 * 1024


def _common_prefix(a: bytes, b: bytes) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    la, lb = len(a), len(b)
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid:la - lo] == b[lb - mid:lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _patterns() -> list[re.Pattern[bytes]]:
    if not _compiled:
        import re

        _compiled.extend((re.compile(_LINE), re.compile(_CHUNK)))
    return _compiled


def _tokens(text: bytes) -> list[bytes]:
    line, chunk = _patterns()
    toks = line.findall(text)
    if toks and max(map(len, toks)) > _LONG:
        cut: list[bytes] = []
        for tok in toks:
            if len(tok) > _LONG:
                cut.extend(chunk.findall(tok))
            else:
                cut.append(tok)
        toks = cut
    return toks


def _anchors(a: Sequence[int], alo: int, ahi: int,
             b: Sequence[int], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Tokens unique on both sides, longest run increasing in both texts."""
    from collections import Counter

    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    pos_a = {t: i for i, t in enumerate(a[alo:ahi], alo) if count_a[t] == 1}
    pairs = [(pos_a[t], j) for j, t in enumerate(b[blo:bhi], blo)
             if t in pos_a and count_b[t] == 1]
    if not pairs:
        return []
    # Patience sort on the a-positions: tails[k] = smallest end of a run of k+1.
    tails: list[int] = []
    tail_idx: list[int] = []
    back: list[int] = []
    for idx, (i, _j) in enumerate(pairs):
        k = bisect_left(tails, i)
        back.append(tail_idx[k - 1] if k else -1)
        if k == len(tails):
            tails.append(i)
            tail_idx.append(idx)
        else:
            tails[k] = i
            tail_idx[k] = idx
    run: list[tuple[int, int]] = []
    idx = tail_idx[-1]
    while idx >= 0:
        run.append(pairs[idx])
        idx = back[idx]
    run.reverse()
    return run


def _longest_block(a: Sequence[int], alo: int, ahi: int,
                   b: Sequence[int], blo: int, bhi: int) -> tuple[int, int, int]:
    """Longest common run of tokens in the ranges, within a work budget."""
    where: dict[int, list[int]] = {}
    for j in range(blo, bhi):
        where.setdefault(b[j], []).append(j)
    best = (alo, blo, 0)
    runs: dict[int, int] = {}
    work = 0
    for i in range(alo, ahi):
        hits = where.get(a[i], ())
        work += len(hits) + 1
        if work > _BLOCK_BUDGET:
            break
        new: dict[int, int] = {}
        for j in hits:
            k = runs.get(j - 1, 0) + 1
            new[j] = k
            if k > best[2]:
                best = (i - k + 1, j - k + 1, k)
        runs = new
    return best


def _matching_blocks(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int, int]]:
    """Sorted, merged (a_index, b_index, size) runs of equal tokens."""
    found: list[tuple[int, int, int]] = []
    todo = [(0, len(a), 0, len(b))]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        n = 0
        while alo + n < ahi and blo + n < bhi and a[alo + n] == b[blo + n]:
            n += 1
        if n:
            found.append((alo, blo, n))
            alo += n
            blo += n
        n = 0
        while ahi - n > alo and bhi - n > blo and a[ahi - n - 1] == b[bhi - n - 1]:
            n += 1
        if n:
            found.append((ahi - n, bhi - n, n))
            ahi -= n
            bhi -= n
        if alo == ahi or blo == bhi:
            continue
        run = _anchors(a, alo, ahi, b, blo, bhi)
        if run:
            pi, pj = alo, blo
            k, count = 0, len(run)
            while k < count:
                i, j = run[k]
                size = 1
                # Adjacent anchors form one block; only real gaps are revisited.
                while k + size < count and run[k + size] == (i + size, j + size):
                    size += 1
                found.append((i, j, size))
                if i > pi or j > pj:
                    todo.append((pi, i, pj, j))
                pi, pj = i + size, j + size
                k += size
            todo.append((pi, ahi, pj, bhi))
            continue
        i, j, size = _longest_block(a, alo, ahi, b, blo, bhi)
        if size:
            found.append((i, j, size))
            todo.append((alo, i, blo, j))
            todo.append((i + size, ahi, j + size, bhi))
    found.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, size in found:
        if merged:
            pi, pj, psize = merged[-1]
            if pi + psize == i and pj + psize == j:
                merged[-1] = (pi, pj, psize + size)
                continue
        merged.append((i, j, size))
    return merged


def textdiff(a: bytes, b: bytes) -> bytes:
    """A delta turning *a* into *b* (empty when they are equal)."""
    if a == b:
        return b""
    if not a:
        return _HUNK.pack(0, 0, len(b)) + b
    prefix = _common_prefix(a, b)
    # Only whole lines count as common, so hunks start at a line start.
    prefix = a.rfind(b"\n", 0, prefix) + 1
    suffix = _common_suffix(a, b, min(len(a), len(b)) - prefix)
    if suffix:
        # The suffix must start at a line start in both texts.
        tail_start = len(a) - suffix
        if tail_start > 0 and a[tail_start - 1] != 0x0A:
            nl = a.find(b"\n", tail_start)
            suffix = len(a) - nl - 1 if nl >= 0 else 0
    a_mid = a[prefix:len(a) - suffix]
    b_mid = b[prefix:len(b) - suffix]
    a_toks, b_toks = _tokens(a_mid), _tokens(b_mid)
    ids: dict[bytes, int] = {}
    a_ids = [ids.setdefault(t, len(ids)) for t in a_toks]
    b_ids = [ids.setdefault(t, len(ids)) for t in b_toks]
    a_off = list(accumulate(map(len, a_toks), initial=0))
    b_off = list(accumulate(map(len, b_toks), initial=0))
    out: list[bytes] = []
    ai = bj = 0
    blocks = _matching_blocks(a_ids, b_ids)
    blocks.append((len(a_toks), len(b_toks), 0))
    for i, j, size in blocks:
        if i > ai or j > bj:
            data = b_mid[b_off[bj]:b_off[j]]
            out.append(_HUNK.pack(prefix + a_off[ai], prefix + a_off[i], len(data)))
            out.append(data)
        ai, bj = i + size, j + size
    return b"".join(out)


def _pieces(frags: list[memoryview], starts: list[int], lo: int,
            hi: int) -> list[memoryview]:
    """Fragments covering text[lo:hi] (lo < hi, inside the text)."""
    i = bisect_right(starts, lo) - 1
    j = bisect_left(starts, hi) - 1
    if i == j:
        return [frags[i][lo - starts[i]:hi - starts[i]]]
    return [frags[i][lo - starts[i]:], *frags[i + 1:j], frags[j][:hi - starts[j]]]


def _hunks(delta: bytes, size: int) -> list[tuple[int, int, int, int]]:
    """``(start, end, data offset, data length)`` of each hunk, all validated first."""
    out = []
    end_of_delta = len(delta)
    last = pos = 0
    while pos < end_of_delta:
        if end_of_delta - pos < _HUNK.size:
            raise StorageError("patch cannot be decoded: truncated hunk header",
                               hint="the revlog data is corrupt; run 'amg verify'")
        start, end, length = _HUNK.unpack_from(delta, pos)
        pos += _HUNK.size
        if not last <= start <= end <= size:
            raise StorageError(
                f"patch cannot be decoded: hunk [{start}, {end}) is out of range, "
                f"unsorted or overlapping (text length {size}, previous end {last})",
                hint="the revlog data is corrupt; run 'amg verify'")
        if not 0 <= length <= end_of_delta - pos:
            raise StorageError(
                f"patch cannot be decoded: hunk claims {length} bytes, "
                f"{end_of_delta - pos} available",
                hint="the revlog data is corrupt; run 'amg verify'")
        out.append((start, end, pos, length))
        pos += length
        last = end
    return out


def _apply_small(text: bytes, delta: bytes) -> bytes:
    """One delta applied by slicing: for small texts, cheaper than fragment lists."""
    parts = []
    last = 0
    for start, end, pos, length in _hunks(delta, len(text)):
        parts.append(text[last:start])
        parts.append(delta[pos:pos + length])
        last = end
    parts.append(text[last:])
    return b"".join(parts)


def _apply(frags: list[memoryview], size: int,
           delta: bytes) -> tuple[list[memoryview], int]:
    view = memoryview(delta)
    starts = list(accumulate(map(len, frags), initial=0))
    out: list[memoryview] = []
    last = 0
    newsize = size
    for start, end, pos, length in _hunks(delta, size):
        if start > last:
            out.extend(_pieces(frags, starts, last, start))
        if length:
            out.append(view[pos:pos + length])
        newsize += length - (end - start)
        last = end
    if size > last:
        out.extend(_pieces(frags, starts, last, size))
    if len(out) > _FOLD_FRAGMENTS + (newsize >> 12):
        out = [memoryview(b"".join(out))]
    return out, newsize


def patches(a: bytes, deltas: Iterable[bytes]) -> bytes:
    """Apply *deltas* in order to *a*, building the result text only once.

    Texts up to ``_SMALL_TEXT`` bytes are rebuilt per delta by slicing (a
    few memcpys cost less than fragment bookkeeping); bigger ones switch to
    the fragment list.
    """
    text = a
    frags: list[memoryview] | None = None
    size = len(a)
    applied = False
    for delta in deltas:
        if not delta:
            continue
        applied = True
        if frags is None:
            if size <= _SMALL_TEXT:
                text = _apply_small(text, delta)
                size = len(text)
                continue
            frags = [memoryview(text)] if text else []
        frags, size = _apply(frags, size, delta)
    if not applied:
        return bytes(a)
    return b"".join(frags) if frags is not None else text


def patch(a: bytes, delta: bytes) -> bytes:
    """Apply one delta to *a*."""
    return patches(a, (delta,))


def trivialdiffheader(length: int) -> bytes:
    """Header of a delta inserting *length* bytes into an empty text."""
    return _HUNK.pack(0, 0, length)


def replacediffheader(oldlen: int, newlen: int) -> bytes:
    """Header of a delta replacing a whole *oldlen*-byte text."""
    return _HUNK.pack(0, oldlen, newlen)
