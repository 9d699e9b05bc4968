"""Reading revlog files: the index (mmapped when big) and chunks, with bounds checked.

Nothing read from disk is trusted: chunk positions are checked against the
file size before reading, and decompression is capped by the sizes the
index promises, so a corrupt revlog gives a ``StorageError`` rather than a
huge allocation.
"""
from __future__ import annotations

# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from amalgam.error import StorageError
from amalgam.storage import compression

# Indexes at least this big are mmapped rather than read.
_MMAP_THRESHOLD = 64 * 1024
# A chain is read in one go unless its chunks are this sparse in the file.
_SPARSE_READ_SLACK = 1 << 20


def filesize(fp: Any) -> int:
    """Size of an open file, leaving it positioned at the start."""
    fp.seek(0, 2)
    size = fp.tell()
    fp.seek(0)
    return size


def read_index(opener: Any, path: bytes) -> Any:
    """The bytes of an index file (an mmap when big); b"" when it is missing."""
    try:
        fp = opener(path, "rb")
    except FileNotFoundError:
        return b""
    with fp:
        size = filesize(fp)
        if size < _MMAP_THRESHOLD:
            return fp.read()
        import mmap

        return mmap.mmap(fp.fileno(), size, access=mmap.ACCESS_READ)


def read_chunks(opener: Any, path: bytes, starts: list[int],
                lengths: list[int]) -> list[bytes]:
    """The byte ranges ``[start, start+length)`` of *path*, in as few reads as sensible."""
    if not starts:
        return []
    name = path.decode("utf-8", "replace")
    if min(lengths) < 0 or min(starts) < 0:
        raise StorageError(f"revlog index for {name} has a negative chunk offset or length",
                           hint="the index is corrupt; run 'amg verify'")
    try:
        fp = opener(path, "rb")
    except FileNotFoundError:
        raise StorageError(f"revlog data file {name} is missing",
                           hint="run 'amg verify'") from None
    with fp:
        size = filesize(fp)
        end = max(s + n for s, n in zip(starts, lengths))
        if end > size:
            raise StorageError(f"revlog data lies beyond the end of {name} "
                               f"({end} > {size} bytes)",
                               hint="the revlog is truncated; run 'amg verify'")
        first, last = starts[0], starts[-1] + lengths[-1]
        if first <= last and last - first <= 2 * sum(lengths) + _SPARSE_READ_SLACK:
            fp.seek(first)
            segment = fp.read(last - first)
            return [segment[s - first:s - first + n] for s, n in zip(starts, lengths)]
        out = []
        for start, length in zip(starts, lengths):
            fp.seek(start)
            out.append(fp.read(length))
        return out


def decompress_chunk(rawsize: int, chunk: bytes, basesize: int) -> bytes:
    """Decode a chunk of a *rawsize*-byte text (a delta when *basesize* >= 0)."""
    if rawsize < 0:
        # Unknown size (old writers): bound by zlib's best possible ratio.
        bound = 1100 * len(chunk) + (1 << 20)
    elif basesize < 0:
        bound = rawsize
    else:
        # A delta holds at most the new text plus one header per hunk.
        bound = rawsize + 12 * (rawsize + basesize + 1)
    return compression.decompress(chunk, bound)


class ReadAhead:
    """Chunk reads of one revlog with a read-ahead window.

    Reading revisions in order (the changelog, ``log``) would otherwise cost
    an open, a seek and a read per revision.  A small request reads up to
    ``WINDOW`` bytes instead and later requests inside that window are
    sliced from it.  Revlogs only grow by appending, so bytes once read stay
    valid; a reload (rollback, another writer) makes a new reader.
    """

    WINDOW = 64 * 1024

    def __init__(self) -> None:
        self._start = 0
        self._data = b""

    def read(self, opener: Any, path: bytes, starts: list[int], lengths: list[int],
             known_size: int) -> list[bytes]:
        """The chunks ``[start, start+length)`` of *path*; *known_size* is what the index
        says the file holds (the window never reaches beyond it)."""
        if not starts:
            return []
        first, last = starts[0], starts[-1] + lengths[-1]
        if min(lengths) >= 0 and 0 <= first <= last:
            base, data = self._start, self._data
            if base <= first and last <= base + len(data):
                return [data[s - base:s - base + n] for s, n in zip(starts, lengths)]
            if last - first < self.WINDOW:
                # Reading newest first (log), requests start before the
                # window read last: read the window that ends with this one.
                start = max(0, last - self.WINDOW) if data and first < base else first
                size = min(max(known_size, last) - start, self.WINDOW)
                try:
                    data = read_chunks(opener, path, [start], [size])[0]
                except StorageError:
                    pass  # a truncated file: read exactly what is asked, and fail there
                else:
                    self._start, self._data = start, data
                    return [data[s - start:s - start + n] for s, n in zip(starts, lengths)]
        return read_chunks(opener, path, starts, lengths)
