"""A full-text cache of the working copy parent's manifest (``.hg/cache``).

Rebuilding the manifest of a 100,000-file revision from its delta chain
(decompress, apply the deltas, check the hash of 8 MiB) costs 50-200 ms,
paid by every status that must compare some file's content with the
parent, and by every commit.  Big manifests read for that purpose are kept
here, one at a time, with their node and a CRC-32 of the text.  A damaged
file is a miss, never an error, and a miss only means reading the revlog.

The kept text serves two ways: as the manifest of its own node (trusted on
its CRC, as any cache), and as a starting point for a later manifest whose
delta chain passes through it (hg or amg committed on top of it): then only
the deltas after it are applied, and the result is hash-checked like any
revlog read.  That later manifest replaces the kept one only once the
deltas after it grow long enough to cost more than writing the file.
"""
from __future__ import annotations

import os
import struct
import zlib
# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.storage.revlog import Revlog

NAME = "cache/amalgam-manifest-fulltext"
#: Smaller manifests rebuild faster than the cache reads.
MIN_SIZE = 1 << 20
#: A read through the kept text rewrites the cache once it applied more
#: deltas than this, or more stored bytes than REFRESH_BYTES (writing 8 MiB
#: costs more than applying a few small deltas, so not after every commit).
REFRESH_DELTAS = 16
REFRESH_BYTES = 256 << 10
_MAGIC = b"AMGMFT1\n"
_HEAD = struct.Struct(">20sIQ")  # node, crc32, length


def load(vfs: Any, node: bytes) -> tuple[bytes, bytes] | None:
    """The cached ``(node, text)``, or None when there is none or it is damaged.

    The CRC is checked only when the cached node is *node*, the text then
    being used as is.  Any other node's text can only serve as the base of
    a read that is hash-checked (``ManifestLog.read_from``), which catches
    damage anyway: checking 8 MiB twice would be wasted.
    """
    start = len(_MAGIC) + _HEAD.size
    try:
        with vfs(NAME, "rb") as fp:
            head = fp.read(start)
            if len(head) < start or not head.startswith(_MAGIC):
                return None
            cached, crc, length = _HEAD.unpack_from(head, len(_MAGIC))
            # The length is checked against the file before anything that big is read.
            if os.fstat(fp.fileno()).st_size - start != length:
                return None
            text = fp.read(length)
    except OSError:
        return None
    if len(text) != length or (cached == node and zlib.crc32(text) != crc):
        return None
    return cached, text


def store(vfs: Any, node: bytes, text: bytes) -> None:
    """Keep *text* as the cached manifest (a read-only ``.hg`` keeps nothing)."""
    try:
        with vfs(NAME, "wb", atomictemp=True) as fp:
            fp.write(_MAGIC + _HEAD.pack(node, zlib.crc32(text), len(text)))
            fp.write(text)
    except OSError:
        pass


def worth_refreshing(revlog: Revlog, rev: int, baserev: int) -> bool:
    """Whether *rev*, just read through the kept *baserev*, should replace it."""
    revs, _stopped = revlog.deltachain(rev, baserev)
    return len(revs) > REFRESH_DELTAS or sum(map(revlog.length, revs)) > REFRESH_BYTES
