"""The bundle2 (``HG20``) container: stream parameters and typed parts.

Layout (hg-formats.md §7.4): ``HG20``, a length-prefixed block of stream
parameters, then — compressed as the ``Compression`` parameter says —
parts, each a header (type, id, mandatory and advisory parameters) and a
payload of length-prefixed chunks, and a zero-size header at the end.

:class:`Writer` produces the bytes lazily; :class:`Reader` yields
:class:`Part` objects whose payload is read on demand, so a changegroup
part is applied while it arrives.  Interpreting parts is
:mod:`amalgam.exchange.parts`.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from urllib.parse import quote, unquote

from amalgam.error import Abort, RemoteError
from amalgam.exchange.streams import Reader, compress_chunks, decompressor, readexactly, readint

MAGIC = b"HG20"
_PAYLOAD_CHUNK = 32768
# Bounds on headers, far above anything hg writes (≤ 510 params of ≤ 255 bytes).
_MAX_PARAMS = 1 << 16
_MAX_HEADER = 1 << 20
_TYPE_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-")
_COMPRESSION = {"UN", "GZ", "BZ", "ZS"}


def _corrupt(what: str) -> Abort:
    return Abort(f"invalid bundle2 stream: {what}", hint="the bundle is corrupt or truncated")


# -- writing --------------------------------------------------------------------


class OutPart:
    """A part to write: its type, parameters and payload (bytes or an iterable)."""

    def __init__(self, parttype: str, *, data: bytes | Iterable[bytes] = b"",
                 mandatory: bool = True, mandatory_params: Iterable[tuple[str, str]] = (),
                 advisory_params: Iterable[tuple[str, str]] = ()) -> None:
        if not parttype or any(c not in _TYPE_CHARS for c in parttype.encode()):
            raise ValueError(f"invalid bundle2 part type {parttype!r}")
        self.type = parttype
        self.data = data
        self.mandatory = mandatory
        self.mandatory_params = list(mandatory_params)
        self.advisory_params = list(advisory_params)

    def chunks(self, partid: int) -> Iterator[bytes]:
        name = (self.type.upper() if self.mandatory else self.type.lower()).encode("ascii")
        params = [(k.encode(), v.encode()) for k, v in self.mandatory_params + self.advisory_params]
        header = [struct.pack(">B", len(name)), name,
                  struct.pack(">IBB", partid, len(self.mandatory_params),
                              len(self.advisory_params))]
        for key, value in params:
            if len(key) > 255 or len(value) > 255:
                raise ValueError(f"bundle2 parameter {key!r} too long")
            header.append(struct.pack(">BB", len(key), len(value)))
        for key, value in params:
            header.append(key + value)
        blob = b"".join(header)
        yield struct.pack(">i", len(blob)) + blob
        data = [self.data] if isinstance(self.data, bytes) else self.data
        pending: list[bytes] = []
        size = 0
        for piece in data:
            pending.append(piece)
            size += len(piece)
            if size >= _PAYLOAD_CHUNK:
                blob = b"".join(pending)
                for start in range(0, len(blob) - _PAYLOAD_CHUNK + 1, _PAYLOAD_CHUNK):
                    yield struct.pack(">i", _PAYLOAD_CHUNK) + blob[start:start + _PAYLOAD_CHUNK]
                rest = blob[len(blob) - len(blob) % _PAYLOAD_CHUNK:]
                pending, size = ([rest], len(rest)) if rest else ([], 0)
        if size:
            yield struct.pack(">i", size) + b"".join(pending)
        yield b"\0\0\0\0"


class Writer:
    """Collect parts, then stream the bundle with :meth:`chunks`."""

    def __init__(self, compression: str = "UN") -> None:
        if compression not in _COMPRESSION:
            raise Abort(f"unknown bundle2 compression '{compression}'")
        self.compression = compression
        self.parts: list[OutPart] = []

    def addpart(self, part: OutPart) -> OutPart:
        self.parts.append(part)
        return part

    def newpart(self, parttype: str, **kwargs: object) -> OutPart:
        return self.addpart(OutPart(parttype, **kwargs))  # type: ignore[arg-type]

    def chunks(self) -> Iterator[bytes]:
        params = b"" if self.compression == "UN" else b"Compression=" + self.compression.encode()
        yield MAGIC + struct.pack(">i", len(params)) + params
        yield from compress_chunks(self._body(), self.compression)

    def _body(self) -> Iterator[bytes]:
        for partid, part in enumerate(self.parts):
            yield from part.chunks(partid)
        yield b"\0\0\0\0"


def encode_caps(caps: dict[str, list[str]]) -> str:
    """The capabilities blob (hg-formats.md §7.5), before the wire's extra quoting."""
    lines = []
    for name in sorted(caps):
        values = caps[name]
        lines.append(quote(name) + ("=" + ",".join(quote(v) for v in values) if values else ""))
    return "\n".join(lines)


def decode_caps(blob: str) -> dict[str, list[str]]:
    caps: dict[str, list[str]] = {}
    for line in blob.splitlines():
        if not line:
            continue
        name, sep, values = line.partition("=")
        caps[unquote(name)] = [unquote(v) for v in values.split(",")] if sep else []
    return caps


# -- reading --------------------------------------------------------------------


class Part:
    """A part being read: header fields, and the payload as a read()-able stream."""

    def __init__(self, stream: Reader, header: bytes) -> None:
        self._stream = stream
        try:
            typelen = header[0]
            self.type = header[1:1 + typelen].decode("ascii")
            pos = 1 + typelen
            self.id, nmandatory, nadvisory = struct.unpack_from(">IBB", header, pos)
            pos += 6
            sizes = struct.unpack_from(">" + "BB" * (nmandatory + nadvisory), header, pos)
            pos += 2 * (nmandatory + nadvisory)
            params = []
            for i in range(nmandatory + nadvisory):
                key = header[pos:pos + sizes[2 * i]]
                pos += sizes[2 * i]
                value = header[pos:pos + sizes[2 * i + 1]]
                pos += sizes[2 * i + 1]
                params.append((key.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
        except (IndexError, struct.error, UnicodeDecodeError):
            raise _corrupt("malformed part header") from None
        if pos != len(header) or not self.type or any(
                c not in _TYPE_CHARS for c in self.type.encode()):
            raise _corrupt(f"malformed header of part '{self.type[:40]}'")
        self.mandatory = self.type != self.type.lower()
        self.type = self.type.lower()
        self.mandatorykeys = {k for k, _ in params[:nmandatory]}
        self.params = dict(params)
        self._buffer = b""
        self._pos = 0
        self._done = False

    def _nextchunk(self) -> bytes:
        while True:
            size = readint(self._stream, "payload chunk size")
            if size == 0:
                self._done = True
                return b""
            if size > 0:
                return readexactly(self._stream, size, f"'{self.type}' payload")
            if size != -1:
                raise _corrupt(f"negative payload chunk size {size}")
            _interrupt(self._stream)

    def read(self, size: int = -1) -> bytes:
        """Up to *size* payload bytes (all remaining when negative)."""
        available = len(self._buffer) - self._pos
        if 0 <= size <= available:
            data = self._buffer[self._pos:self._pos + size]
            self._pos += size
            return data
        pieces = [self._buffer[self._pos:]]
        got = available
        while (size < 0 or got < size) and not self._done:
            chunk = self._nextchunk()
            pieces.append(chunk)
            got += len(chunk)
        data = b"".join(pieces)
        if size < 0 or len(data) <= size:
            self._buffer, self._pos = b"", 0
            return data
        self._buffer, self._pos = data, size
        return data[:size]

    def consume(self) -> None:
        """Skip what is left of the payload."""
        self._buffer, self._pos = b"", 0
        while not self._done:
            self._nextchunk()


def _interrupt(stream: Reader) -> None:
    """An out-of-band part inside a payload: an error from the sender aborts us."""
    size = readint(stream, "part header size")
    if not 0 < size <= _MAX_HEADER:
        raise _corrupt(f"interrupt part header size {size}")
    part = Part(stream, readexactly(stream, size, "part header"))
    part.consume()
    if part.type == "error:abort":
        raise RemoteError(part.params.get("message", "remote error"),
                          hint=part.params.get("hint"))


class Unbundler:
    """Read a bundle2 stream whose 4-byte magic was already consumed."""

    def __init__(self, stream: Reader) -> None:
        size = readint(stream, "stream parameter size")
        if not 0 <= size <= _MAX_PARAMS:
            raise _corrupt(f"stream parameter block of {size} bytes")
        self.params: dict[str, str] = {}
        blob = readexactly(stream, size, "stream parameters").decode("utf-8", "replace")
        for token in blob.split(" ") if blob else []:
            key, _, value = token.partition("=")
            key, value = unquote(key), unquote(value)
            if not key or not key[0].isalpha():
                raise _corrupt(f"invalid stream parameter '{key[:40]}'")
            self.params[key] = value
            if key[0].isupper() and key != "Compression":
                raise Abort(f"unsupported bundle2 stream parameter '{key}'",
                            hint="the bundle needs a newer version to read")
        engine = self.params.get("Compression", "UN")
        if engine not in _COMPRESSION:
            raise Abort(f"unknown bundle compression '{engine}'")
        self.compression = engine
        self._stream = decompressor(stream, engine)

    def parts(self) -> Iterator[Part]:
        """Each part in turn; the previous part's payload is skipped if unread."""
        while True:
            size = readint(self._stream, "part header size")
            if size == 0:
                return
            if size == -1:
                _interrupt(self._stream)
                continue
            if not 0 < size <= _MAX_HEADER:
                raise _corrupt(f"part header size {size}")
            part = Part(self._stream, readexactly(self._stream, size, "part header"))
            yield part
            part.consume()


def open_stream(stream: Reader) -> Unbundler:
    """A bundle2 reader for *stream*, checking the ``HG20`` magic."""
    magic = readexactly(stream, 4, "bundle header")
    if magic != MAGIC:
        raise Abort(f"not a bundle2 stream (starts with {magic!r})")
    return Unbundler(stream)
