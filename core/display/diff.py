"""Unified and git-style diffs of file pairs, and the ``--stat`` summary.

Callers describe what changed as :class:`FilePair` objects (the two paths,
contents, flags and whether it is a copy or rename) and this module renders
them exactly as hg does: ``diff -r A -r B path`` headers with dated
``---``/``+++`` lines by default, ``diff --git`` headers with mode, copy,
rename and binary-patch sections with ``git=True``.  Nothing here touches
the repository, so a working-directory diff and a diff between two
changesets go through the same code.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from amalgam.display.dates import Date, datestr
from amalgam.display.lines import matching_blocks, splitlines

NO_EOL = b"\\ No newline at end of file\n"
EPOCH: Date = (0.0, 0)
_MODES = {"": b"100644", "x": b"100755", "l": b"120000"}
_B85 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"


class FilePair:
    """One file's change: *path1* in the old side, *path2* in the new one (None: absent).

    A plain class rather than a dataclass: importing ``dataclasses`` (and
    ``inspect`` with it) would cost every ``diff`` and ``log -p`` ~10 ms.
    """

    __slots__ = ("path1", "path2", "data1", "data2", "flags1", "flags2", "date1", "date2",
                 "copy")

    def __init__(self, path1: bytes | None, path2: bytes | None, data1: Callable[[], bytes],
                 data2: Callable[[], bytes], flags1: str = "", flags2: str = "",
                 date1: Date = EPOCH, date2: Date = EPOCH, copy: str | None = None) -> None:
        self.path1, self.path2 = path1, path2
        self.data1, self.data2 = data1, data2
        self.flags1, self.flags2 = flags1, flags2
        self.date1, self.date2 = date1, date2
        self.copy = copy  # "copy" or "rename" (git diffs only)

    def __repr__(self) -> str:
        return f"FilePair({self.path1!r}, {self.path2!r}, copy={self.copy!r})"

    @property
    def name(self) -> bytes:
        return self.path2 if self.path2 is not None else self.path1  # type: ignore[return-value]


class FileDiff:
    """The rendered diff of one file, and the numbers ``--stat`` needs."""

    __slots__ = ("statname", "header", "body", "binary", "added", "removed")

    def __init__(self, statname: bytes, binary: bool = False) -> None:
        self.statname = statname
        self.header: list[bytes] = []
        self.body: list[bytes] = []
        self.binary = binary
        self.added = 0
        self.removed = 0


def unified(a: bytes, b: bytes, context: int = 3) -> list[bytes]:
    """``@@`` hunks turning *a* into *b*, each line ending in a newline."""
    return _unified(a, b, context)[0]


def _unified(a: bytes, b: bytes, context: int) -> tuple[list[bytes], int, int]:
    """The hunk lines, and how many lines they add and remove."""
    la, lb = splitlines(a), splitlines(b)
    changes: list[tuple[int, int, int, int]] = []
    added = removed = 0
    i = j = 0
    for bi, bj, size in matching_blocks(la, lb):
        if i < bi or j < bj:
            changes.append((i, bi, j, bj))
            removed += bi - i
            added += bj - j
        i, j = bi + size, bj + size
    out: list[bytes] = []
    group: list[tuple[int, int, int, int]] = []
    for change in changes:
        if group and change[0] - group[-1][1] > 2 * context:
            _hunk(out, la, lb, group, context)
            group = []
        group.append(change)
    if group:
        _hunk(out, la, lb, group, context)
    return out, added, removed


def _emit(out: list[bytes], prefix: bytes, lines: list[bytes], lo: int, hi: int) -> None:
    """Append ``lines[lo:hi]`` with *prefix*; only a text's last line can lack a newline."""
    if lo >= hi:
        return
    out.extend(map(prefix.__add__, lines[lo:hi]))
    if hi == len(lines) and not lines[-1].endswith(b"\n"):
        out[-1] += b"\n"
        out.append(NO_EOL)


def _hunk(out: list[bytes], la: list[bytes], lb: list[bytes],
          group: list[tuple[int, int, int, int]], context: int) -> None:
    first, last = group[0], group[-1]
    astart = max(0, first[0] - context)
    bstart = first[2] - (first[0] - astart)
    aend = min(len(la), last[1] + context)
    bend = last[3] + (aend - last[1])
    alen, blen = aend - astart, bend - bstart
    out.append(b"@@ -%d,%d +%d,%d @@\n" % (astart + 1 if alen else astart, alen,
                                           bstart + 1 if blen else bstart, blen))
    pos = astart
    for i1, i2, j1, j2 in group:
        _emit(out, b" ", la, pos, i1)
        _emit(out, b"-", la, i1, i2)
        _emit(out, b"+", lb, j1, j2)
        pos = i2
    _emit(out, b" ", la, pos, aend)


def _git_blob_id(data: bytes | None) -> bytes:
    if data is None:
        return b"0" * 40
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest().encode("ascii")


def _b85(data: bytes) -> bytes:
    """git's base85 (its own alphabet, big-endian 4-byte groups, the last zero-padded)."""
    out = bytearray()
    padded = data + b"\0" * (-len(data) % 4)
    for pos in range(0, len(padded), 4):
        value = int.from_bytes(padded[pos:pos + 4], "big")
        chars = bytearray(5)
        for k in range(4, -1, -1):
            value, digit = divmod(value, 85)
            chars[k] = _B85[digit]
        out += chars
    return bytes(out)


def _binary_patch(old: bytes | None, new: bytes | None) -> list[bytes]:
    import zlib

    target = new or b""
    packed = zlib.compress(target)
    lines = [b"index %s..%s\n" % (_git_blob_id(old), _git_blob_id(new)),
             b"GIT binary patch\n", b"literal %d\n" % len(target)]
    for pos in range(0, len(packed), 52):
        chunk = packed[pos:pos + 52]
        size = len(chunk)
        mark = b"%c" % (ord("A") + size - 1 if size <= 26 else ord("a") + size - 27)
        lines.append(mark + _b85(chunk) + b"\n")
    lines.append(b"\n")
    return lines


def render(pair: FilePair, *, git: bool, context: int = 3,
           revs: tuple[str, ...] = (), text: bool = False) -> FileDiff:
    """Render one file; *revs* are the short ids of the plain ``diff -r`` header.

    *text* diffs binary files (content with a NUL byte) line by line too.
    """
    old = pair.data1() if pair.path1 is not None else None
    new = pair.data2() if pair.path2 is not None else None
    binary = not text and (b"\0" in (old or b"") or b"\0" in (new or b""))
    if git:
        return _render_git(pair, old, new, binary, context)
    name = pair.name
    fd = FileDiff(statname=name, binary=binary)
    fd.header.append(b"diff " + b"".join(b"-r %s " % r.encode() for r in revs) + name + b"\n")
    if binary:
        if old != new:
            fd.body.append(b"Binary file %s has changed\n" % name)
        return fd
    fd.body, fd.added, fd.removed = _unified(old or b"", new or b"", context)
    if fd.body:
        a = b"a/" + pair.path1 if pair.path1 is not None else b"/dev/null"
        b = b"b/" + pair.path2 if pair.path2 is not None else b"/dev/null"
        fd.header.append(b"--- %s\t%s\n" % (a, _datestr(pair.date1 if old is not None
                                                         else EPOCH)))
        fd.header.append(b"+++ %s\t%s\n" % (b, _datestr(pair.date2 if new is not None
                                                         else EPOCH)))
    return fd


@lru_cache(maxsize=64)
def _datestr(date: Date) -> bytes:
    """The header date; every file of one diff shares the same two."""
    return datestr(date).encode()


def _render_git(pair: FilePair, old: bytes | None, new: bytes | None, binary: bool,
                context: int) -> FileDiff:
    path1 = pair.path1 if pair.path1 is not None else pair.path2
    path2 = pair.path2 if pair.path2 is not None else pair.path1
    assert path1 is not None and path2 is not None
    statname = path2 if pair.copy != "rename" else b"%s => %s" % (path1, path2)
    fd = FileDiff(statname=statname, binary=binary)
    fd.header.append(b"diff --git a/%s b/%s\n" % (path1, path2))
    if pair.path1 is None:
        fd.header.append(b"new file mode %s\n" % _MODES[pair.flags2])
    elif pair.path2 is None:
        fd.header.append(b"deleted file mode %s\n" % _MODES[pair.flags1])
    else:
        if pair.flags1 != pair.flags2:
            fd.header.append(b"old mode %s\n" % _MODES[pair.flags1])
            fd.header.append(b"new mode %s\n" % _MODES[pair.flags2])
        if pair.copy:
            fd.header.append(b"%s from %s\n" % (pair.copy.encode(), path1))
            fd.header.append(b"%s to %s\n" % (pair.copy.encode(), path2))
    if binary:
        if old != new:
            fd.body = _binary_patch(old, new)
        return fd
    fd.body, fd.added, fd.removed = _unified(old or b"", new or b"", context)
    if fd.body:
        fd.header.append(b"--- %s\n" % (b"a/" + path1 if old is not None else b"/dev/null"))
        fd.header.append(b"+++ %s\n" % (b"b/" + path2 if new is not None else b"/dev/null"))
    return fd


def output(diffs: Iterable[FileDiff]) -> Iterator[bytes]:
    """The text of rendered diffs; a plain diff without hunks prints nothing."""
    for fd in diffs:
        if shown(fd):
            yield from fd.header
            yield from fd.body


def shown(fd: FileDiff) -> bool:
    """Whether *fd* prints anything: hunks, or (git) a mode/copy/new/deleted line."""
    return bool(fd.body) or (len(fd.header) > 1 and fd.header[0].startswith(b"diff --git"))


def _colwidth(name: bytes) -> int:
    """Columns *name* takes on a UTF-8 terminal: wide East Asian characters take two."""
    if name.isascii():
        return len(name)
    import unicodedata

    text = name.decode("utf-8", "replace")
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def stat(diffs: Iterable[FileDiff], width: int = 80) -> Iterator[bytes]:
    """hg's ``--stat`` table: name, change count and a +/- bar, then totals."""
    rows = [fd for fd in diffs if shown(fd)]
    if not rows:
        return
    widths = [_colwidth(fd.statname) for fd in rows]
    maxname = max(widths)
    maxtotal = max(fd.added + fd.removed for fd in rows)
    countwidth = len(str(maxtotal))
    if any(fd.binary for fd in rows) and countwidth < 3:
        countwidth = 3
    graphwidth = max(width - countwidth - maxname - 6, 10)

    def scale(count: int) -> int:
        if maxtotal <= graphwidth:
            return count
        return max(count * graphwidth // maxtotal, int(bool(count)))

    added = removed = 0
    for fd, namewidth in zip(rows, widths):
        added += fd.added
        removed += fd.removed
        count = b"Bin" if fd.binary else str(fd.added + fd.removed).encode()
        bar = b"" if fd.binary else b"+" * scale(fd.added) + b"-" * scale(fd.removed)
        yield b" %s%s |  %s %s\n" % (fd.statname, b" " * (maxname - namewidth),
                                     count.rjust(countwidth), bar)
    yield (b" %d files changed, %d insertions(+), %d deletions(-)\n"
           % (len(rows), added, removed))
