"""Three-way line merge with hg's conflict markers.

The base and the two sides are cut into lines; runs of base lines that
both sides kept unchanged ("sync regions") split the texts, and each stretch
between two sync regions is taken from whichever side changed it, or is a
conflict when both changed it differently.  Lines both sides changed the
same way at the start or end of a conflict are moved out of it, so the
markers surround only what really differs.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from amalgam.error import Abort

#: hg's default marker labels (``ui.mergemarkers=basic``).
DEFAULT_LABELS = ("working copy", "merge rev", "common ancestor")


class BinaryFileError(Abort):
    """One of the texts contains a NUL byte: a line merge would corrupt it."""


def split_lines(text: bytes) -> list[bytes]:
    """Lines with their line endings; a last line without one is kept."""
    lines = text.splitlines(keepends=True)
    # splitlines also cuts at \r, \x0b, \x0c...: rejoin everything but \n endings.
    out: list[bytes] = []
    pending = b""
    for line in lines:
        pending += line
        if pending.endswith(b"\n"):
            out.append(pending)
            pending = b""
    if pending:
        out.append(pending)
    return out


def _blocks(a: Sequence[bytes], b: Sequence[bytes]) -> list[tuple[int, int, int]]:
    """Matching (a, b, length) runs, placed where hg's line differ places them.

    The same matcher as ``diff`` and ``annotate`` (:mod:`amalgam.display.lines`),
    which chooses among equally long runs as hg does.
    """
    from amalgam.display.lines import matching_blocks

    return matching_blocks(a, b)[:-1]


def sync_regions(base: Sequence[bytes], a: Sequence[bytes],
                 b: Sequence[bytes]) -> list[tuple[int, int, int, int, int, int]]:
    """Base ranges unchanged on both sides, as (base, a, b) start/end triples.

    Ends with an empty region at the end of all three texts.
    """
    ma, mb = _blocks(base, a), _blocks(base, b)
    out = []
    i = j = 0
    while i < len(ma) and j < len(mb):
        abase, amatch, alen = ma[i]
        bbase, bmatch, blen = mb[j]
        lo = max(abase, bbase)
        hi = min(abase + alen, bbase + blen)
        if lo < hi:
            asub = amatch + (lo - abase)
            bsub = bmatch + (lo - bbase)
            out.append((lo, hi, asub, asub + hi - lo, bsub, bsub + hi - lo))
        if abase + alen < bbase + blen:
            i += 1
        else:
            j += 1
    out.append((len(base), len(base), len(a), len(a), len(b), len(b)))
    return out


def merge_regions(base: Sequence[bytes], a: Sequence[bytes],
                  b: Sequence[bytes], minimize: bool = True) -> Iterator[tuple]:
    """Yield ('unchanged'|'a'|'b'|'same', start, end) or ('conflict', zs, ze, as, ae, bs, be).

    Ranges index the side named (base for 'unchanged').  With *minimize*,
    lines equal on both sides at a conflict's edges are moved out of it.
    """
    iz = ia = ib = 0
    for zmatch, zend, amatch, aend, bmatch, bend in sync_regions(base, a, b):
        len_a, len_b = amatch - ia, bmatch - ib
        if len_a or len_b:
            same = a[ia:amatch] == b[ib:bmatch]
            a_changed = a[ia:amatch] != base[iz:zmatch]
            b_changed = b[ib:bmatch] != base[iz:zmatch]
            if same:
                yield ("same", ia, amatch)
            elif a_changed and b_changed and minimize:
                yield from _minimize(a, b, iz, zmatch, ia, amatch, ib, bmatch)
            elif a_changed and b_changed:
                yield ("conflict", iz, zmatch, ia, amatch, ib, bmatch)
            elif a_changed:
                yield ("a", ia, amatch)
            elif b_changed:
                yield ("b", ib, bmatch)
        if zmatch < zend:
            yield ("unchanged", zmatch, zend)
        iz, ia, ib = zend, aend, bend


def _minimize(a: Sequence[bytes], b: Sequence[bytes], zs: int, ze: int,
              as_: int, ae: int, bs: int, be: int) -> Iterator[tuple]:
    """Move lines equal on both sides at a conflict's edges out of it.

    As hg does, the equal lines at the end are counted without regard to
    those taken at the start, so one line can serve as both (``x x``
    against ``x`` gives ``x``, an empty conflict, and ``x`` again); an
    overlap leaves empty sides, never negative ones.
    """
    prefix = 0
    while as_ + prefix < ae and bs + prefix < be and a[as_ + prefix] == b[bs + prefix]:
        prefix += 1
    suffix = 0
    while ae - suffix > as_ and be - suffix > bs and a[ae - suffix - 1] == b[be - suffix - 1]:
        suffix += 1
    if prefix:
        yield ("same", as_, as_ + prefix)
    yield ("conflict", zs, ze, as_ + prefix, max(as_ + prefix, ae - suffix),
           bs + prefix, max(bs + prefix, be - suffix))
    if suffix:
        yield ("same", ae - suffix, ae)


def is_binary(text: bytes) -> bool:
    return b"\0" in text


def merge_lines(base: bytes, local: bytes, other: bytes,
                labels: Sequence[str] = DEFAULT_LABELS, mode: str = "merge",
                ) -> tuple[bytes, bool]:
    """Merge *other*'s changes since *base* into *local*: ``(text, had_conflicts)``.

    *mode* is ``merge`` (markers around both sides), ``merge3`` (markers
    also showing the base), ``union`` (both sides, no markers), ``local``
    or ``other`` (that side wins every conflict).  Raises
    :class:`BinaryFileError` when a text contains a NUL byte.
    """
    if is_binary(base) or is_binary(local) or is_binary(other):
        raise BinaryFileError("cannot merge binary files")
    zl, al, bl = split_lines(base), split_lines(local), split_lines(other)
    newline = b"\r\n" if al and al[0].endswith(b"\r\n") else b"\n"
    names = [label.encode("utf-8") for label in labels] + [b""] * (3 - len(labels))
    out: list[bytes] = []
    conflicts = False
    for region in merge_regions(zl, al, bl, minimize=mode != "merge3"):
        kind = region[0]
        if kind == "unchanged":
            out.extend(zl[region[1]:region[2]])
        elif kind in ("a", "same"):
            out.extend(al[region[1]:region[2]])
        elif kind == "b":
            out.extend(bl[region[1]:region[2]])
        else:
            _, zs, ze, as_, ae, bs, be = region
            if mode == "union":
                out.extend(al[as_:ae])
                out.extend(bl[bs:be])
            elif mode == "local":
                out.extend(al[as_:ae])
            elif mode == "other":
                out.extend(bl[bs:be])
            else:
                conflicts = True
                out.append(_marker(b"<<<<<<<", names[0], newline))
                out.extend(al[as_:ae])
                if mode == "merge3":
                    out.append(_marker(b"|||||||", names[2], newline))
                    out.extend(zl[zs:ze])
                out.append(b"=======" + newline)
                out.extend(bl[bs:be])
                out.append(_marker(b">>>>>>>", names[1], newline))
    return b"".join(out), conflicts


def _marker(start: bytes, label: bytes, newline: bytes) -> bytes:
    return start + (b" " + label if label else b"") + newline
