"""Bounded reads from byte streams and streaming (de)compression.

Every read from a peer or bundle goes through :func:`readexactly`, which
reads in pieces of at most 1 MiB: a hostile length field can make us read
only as much as the sender really sent, never allocate what it claims.
Decompressors are driven the same way, so a compression bomb inflates at
most one piece at a time.
"""
from __future__ import annotations

import bz2
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol

from amalgam.error import Abort

_PIECE = 1 << 20
#: Compression names inside bundles (bundle2 ``Compression=`` / bundle1 header).
ENGINES = ("UN", "GZ", "BZ", "ZS")


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class TruncatedError(Abort):
    """The stream ended before a promised number of bytes."""


def readexactly(stream: Reader, size: int, what: str = "data") -> bytes:
    """Exactly *size* bytes from *stream*, or abort saying what was cut."""
    if size < 0:
        raise Abort(f"invalid {what} size {size}", hint="the bundle is corrupt")
    if size <= _PIECE:
        data = stream.read(size)
        if len(data) == size:
            return data
        pieces = [data]
        got = len(data)
    else:
        pieces, got = [], 0
    while got < size:
        piece = stream.read(min(_PIECE, size - got))
        if not piece:
            raise TruncatedError(f"stream ended unexpectedly (got {got} bytes of {what}, "
                                 f"expected {size})",
                                 hint="the bundle or the connection was cut short")
        pieces.append(piece)
        got += len(piece)
    return b"".join(pieces)


def readint(stream: Reader, what: str) -> int:
    """A signed 32-bit big-endian integer."""
    return struct.unpack(">i", readexactly(stream, 4, what))[0]


class _Decompressing:
    """A read()-able view of a compressed stream, inflating piece by piece."""

    def __init__(self, raw: Reader, engine: str, prefix: bytes = b"") -> None:
        self._raw = raw
        self._prefix = prefix
        self._obj: Any = zlib.decompressobj() if engine == "GZ" else bz2.BZ2Decompressor()
        self._pending = b""
        self._eof = False

    def _feed(self) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            return data
        return self._raw.read(64 * 1024)

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = _PIECE
        out: list[bytes] = []
        want = size
        while want > 0 and not self._eof:
            if isinstance(self._obj, bz2.BZ2Decompressor):
                if self._obj.eof:
                    break
                data = b"" if self._obj.needs_input is False else self._feed()
                if not data and self._obj.needs_input:
                    self._eof = True
                    break
                try:
                    piece = self._obj.decompress(data, max_length=want)
                except (OSError, EOFError, ValueError) as exc:
                    raise Abort(f"bundle is not valid bzip2 data: {exc}") from None
            else:
                data = self._obj.unconsumed_tail or self._feed()
                if not data:
                    self._eof = True
                    break
                try:
                    piece = self._obj.decompress(data, want)
                except zlib.error as exc:
                    raise Abort(f"bundle is not valid zlib data: {exc}") from None
                if self._obj.eof:
                    self._eof = True
            out.append(piece)
            want -= len(piece)
        return b"".join(out)


class _Zstd:
    def __init__(self, raw: Reader) -> None:
        import zstandard

        self._reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._reader.read(_PIECE if size < 0 else size)
        except Exception as exc:  # zstandard raises its own ZstdError
            raise Abort(f"bundle is not valid zstd data: {exc}") from None


def decompressor(raw: Reader, engine: str, prefix: bytes = b"") -> Reader:
    """A reader giving the decompressed bytes of *raw* (``UN`` passes through)."""
    if engine == "UN":
        return raw
    if engine in ("GZ", "BZ"):
        return _Decompressing(raw, engine, prefix)
    if engine == "ZS":
        return _Zstd(raw)
    raise Abort(f"unknown bundle compression '{engine}'",
                hint=f"supported: {', '.join(ENGINES)}")


def compress_chunks(chunks: Iterable[bytes], engine: str,
                    level: int | None = None) -> Iterator[bytes]:
    """Compress a stream of chunks with *engine*, yielding compressed pieces."""
    if engine == "UN":
        yield from chunks
        return
    obj: Any
    if engine == "GZ":
        obj = zlib.compressobj(6 if level is None else level)
    elif engine == "BZ":
        obj = bz2.BZ2Compressor(9 if level is None else level)
    elif engine == "ZS":
        import zstandard

        obj = zstandard.ZstdCompressor(level=3 if level is None else level).compressobj()
    else:
        raise Abort(f"unknown bundle compression '{engine}'")
    for chunk in chunks:
        out = obj.compress(chunk)
        if out:
            yield out
    tail = obj.flush()
    if tail:
        yield tail


def copy_to(chunks: Iterable[bytes], fp: IO[bytes]) -> int:
    """Write *chunks* to *fp*; the number of bytes written."""
    total = 0
    for chunk in chunks:
        fp.write(chunk)
        total += len(chunk)
    return total
