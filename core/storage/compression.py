"""Revlog chunk compression: one header byte says how a stored chunk is encoded.

``x`` starts a zlib stream, ``(`` a zstd frame, ``u`` marks data stored as
is, and a leading NUL is data stored as is including that byte (binary
deltas usually start with one, so they need no marker).  Any other first
byte is an engine we do not know.  Writers may use any engine; readers
accept all of them, which is what lets a repository mix engines.

Decompression is always bounded by the size the index promises, so a
corrupt or hostile chunk cannot make us allocate more than that.
"""
from __future__ import annotations

import sys
import zlib

# threading.local is _thread._local; importing threading (with _weakrefset)
# for it would cost every command that reads a revlog.
from _thread import _local as thread_local

from amalgam.error import StorageError

# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENGINES = ("zstd", "zlib", "none")
# hg only tries an engine on inputs this long; smaller ones never shrink.
_ZLIB_MIN = 44
_ZSTD_MIN = 50

# zstd contexts are reused (creating one costs more than a small chunk) but
# must never be shared between threads: a server answers requests on several.
_local = thread_local()


def _zstd() -> Any:
    """The zstandard module: its C backend alone when that can be found.

    zstandard's ``__init__`` only picks a backend, and imports platform and
    typing to do so (milliseconds on every command that reads a zstd revlog);
    the C backend it then re-exports has the whole API we use.  Anything
    unusual (another backend, an odd installation) goes the normal way.
    """
    module = sys.modules.get("zstandard.backend_c") or sys.modules.get("zstandard")
    if module is not None:
        return module
    from importlib._bootstrap import module_from_spec  # importlib.util's, without its imports
    from importlib.machinery import ExtensionFileLoader, PathFinder

    package = PathFinder.find_spec("zstandard")
    spec = package and PathFinder.find_spec("zstandard.backend_c",
                                            package.submodule_search_locations)
    if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
        import zstandard

        return zstandard
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    # Registered under its own name: importing zstandard later re-exports it.
    sys.modules[spec.name] = module
    return module


def _zstd_compressor(level: int) -> Any:
    comps: dict[int, Any] | None = getattr(_local, "compressors", None)
    if comps is None:
        comps = _local.compressors = {}
    comp = comps.get(level)
    if comp is None:
        comp = comps[level] = _zstd().ZstdCompressor(level=level, write_content_size=True)
    return comp


def _zstd_decompressor() -> Any:
    dctx = getattr(_local, "decompressor", None)
    if dctx is None:
        dctx = _local.decompressor = _zstd().ZstdDecompressor()
    return dctx


def compress(data: bytes, engine: str = "zlib", level: int | None = None) -> bytes:
    """The stored chunk for *data*: compressed when that is strictly smaller."""
    if not data:
        return b""
    if engine == "zlib" and len(data) >= _ZLIB_MIN:
        packed = zlib.compress(data, -1 if level is None else level)
        if len(packed) < len(data):
            return packed
    elif engine == "zstd" and len(data) >= _ZSTD_MIN:
        packed = _zstd_compressor(3 if level is None else level).compress(data)
        if len(packed) < len(data):
            return packed
    elif engine not in ENGINES:
        raise StorageError(f"unknown revlog compression engine '{engine}'",
                           hint=f"use one of: {', '.join(ENGINES)}")
    if data[0] == 0:
        return data
    return b"u" + data


def _corrupt(what: str) -> StorageError:
    return StorageError(f"revlog chunk cannot be decompressed: {what}",
                        hint="the revlog data is corrupt; run 'amg verify'")


def decompress(chunk: bytes, bound: int) -> bytes:
    """Decode a stored chunk whose content may not exceed *bound* bytes."""
    if not chunk:
        return b""
    kind = chunk[0]
    if kind == 0x00:
        out = bytes(chunk)
    elif kind == 0x75:  # 'u'
        out = bytes(chunk[1:])
    elif kind == 0x78:  # 'x'
        out = _unzlib(chunk, bound)
    elif kind == 0x28:  # '('
        out = _unzstd(chunk, bound)
    else:
        raise StorageError(
            f"unknown revlog compression header {bytes(chunk[:1])!r}",
            hint="the revlog was written with an unsupported engine or is corrupt")
    if len(out) > bound:
        raise _corrupt(f"{len(out)} bytes where at most {bound} fit")
    return out


def _unzlib(chunk: bytes, bound: int) -> bytes:
    dec = zlib.decompressobj()
    try:
        out = dec.decompress(chunk, bound + 1)
    except zlib.error as exc:
        raise _corrupt(f"zlib: {exc}") from None
    if len(out) > bound:
        raise _corrupt(f"zlib output exceeds {bound} bytes")
    if not dec.eof:
        raise _corrupt("truncated zlib stream")
    return out


def _unzstd(chunk: bytes, bound: int) -> bytes:
    zstandard = _zstd()
    dctx = _zstd_decompressor()
    try:
        declared = zstandard.frame_content_size(chunk)
        if declared > bound:
            raise _corrupt(f"zstd frame declares {declared} bytes, at most {bound} fit")
        # 'max_output_size' only applies to frames without a declared size.
        return dctx.decompress(chunk, max_output_size=max(bound, 1))
    except zstandard.ZstdError as exc:
        raise _corrupt(f"zstd: {exc}") from None
