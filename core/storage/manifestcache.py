"""A full-text cache of the working copy parent's manifest (``.hg/cache``).

Rebuilding the manifest of a 100,000-file revision from its delta chain
(decompress, apply the deltas, check the hash of 8 MiB) costs 100-200 ms,
paid by every status that must compare some file's content with the
parent.  Big manifests read for that purpose are kept here, one at a time,
with their node and a CRC-32 of the text: a mismatch of either is a miss,
never an error, and a miss only means reading the revlog again.
"""
from __future__ import annotations

import struct
import zlib
from typing import Any

NAME = "cache/amalgam-manifest-fulltext"
#: Smaller manifests rebuild faster than the cache reads.
MIN_SIZE = 1 << 20
_MAGIC = b"AMGMFT1\n"
_HEAD = struct.Struct(">20sIQ")  # node, crc32, length


def load(vfs: Any, node: bytes) -> bytes | None:
    """The cached text of manifest *node*, or None."""
    try:
        data = vfs.read(NAME)
    except OSError:
        return None
    start = len(_MAGIC) + _HEAD.size
    if not data.startswith(_MAGIC) or len(data) < start:
        return None
    cached, crc, length = _HEAD.unpack_from(data, len(_MAGIC))
    text = data[start:]
    if cached != node or length != len(text) or zlib.crc32(text) != crc:
        return None
    return text


def store(vfs: Any, node: bytes, text: bytes) -> None:
    """Keep *text* as the cached manifest (a read-only ``.hg`` keeps nothing)."""
    try:
        vfs.write(NAME, _MAGIC + _HEAD.pack(node, zlib.crc32(text), len(text)) + text,
                  atomictemp=True)
    except OSError:
        pass
