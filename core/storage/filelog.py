"""Filelogs: one revlog per tracked file, with hg's copy-metadata header.

A raw file revision is an optional block ``\\1\\n key: value\\n ... \\1\\n``
followed by the file's content.  The block records copies (``copy`` and
``copyrev``) and is also added, empty, when the content itself starts with
``\\1\\n`` so the two cannot be confused (hg-formats.md §4.3).
"""
from __future__ import annotations

from amalgam import error
from amalgam.node import Node, bin, hex, nullid

# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from amalgam.storage.revlog import Revlog

META_MARKER = b"\x01\n"


def parse_meta(text: bytes) -> tuple[dict[bytes, bytes] | None, int]:
    """``(metadata, content offset)``; metadata is None when there is no block."""
    if not text.startswith(META_MARKER):
        return None, 0
    end = text.find(META_MARKER, 2)
    if end < 0:
        raise error.StorageError("unterminated file metadata block",
                                 hint="run 'amg verify' to check the repository")
    meta: dict[bytes, bytes] = {}
    for line in text[2:end].split(b"\n"):
        if not line:
            continue
        key, sep, value = line.partition(b": ")
        if not sep:
            raise error.StorageError(f"malformed file metadata line {line[:80]!r}",
                                     hint="run 'amg verify' to check the repository")
        meta[key] = value
    return meta, end + 2


def pack_meta(meta: Mapping[bytes, bytes], content: bytes) -> bytes:
    """The raw revision text for *content* with *meta* (sorted keys)."""
    if not meta and not content.startswith(META_MARKER):
        return content
    block = b"".join(b"%s: %s\n" % (k, meta[k]) for k in sorted(meta))
    return META_MARKER + block + META_MARKER + content


def hash_revision(text: bytes, p1: bytes, p2: bytes) -> Node:
    """hg's node: SHA-1 of the sorted parents followed by the raw text.

    The revlog's own function, which spares a status comparing a few small
    files the import of OpenSSL's hashlib.
    """
    from amalgam.storage.revlog import hashrevision

    return hashrevision(text, p1, p2)


class Filelog:
    """File revisions of one path; content is returned without metadata."""

    def __init__(self, revlog: Revlog, path: bytes) -> None:
        self.revlog = revlog
        self.path = path

    def __len__(self) -> int:
        return len(self.revlog)

    def node(self, rev: int) -> Node:
        return self.revlog.node(rev)

    def rev(self, node: bytes) -> int:
        return self.revlog.rev(node)

    def parents(self, node: bytes) -> tuple[Node, Node]:
        return self.revlog.parents(node)

    def linkrev(self, rev: int) -> int:
        return self.revlog.linkrev(rev)

    def rawdata(self, node: bytes) -> bytes:
        """The stored text including any metadata block."""
        return self.revlog.revision(node)

    def read(self, node: bytes) -> bytes:
        text = self.revlog.revision(node)
        return text[parse_meta(text)[1]:]

    def meta(self, node: bytes) -> dict[bytes, bytes]:
        return parse_meta(self.revlog.revision(node))[0] or {}

    def renamed(self, node: bytes) -> tuple[bytes, Node] | None:
        """``(source path, source file node)`` when this revision is a copy."""
        if self.revlog.parents(node)[0] != nullid:
            return None  # hg stores copies with a null first parent
        meta = self.meta(node)
        if b"copy" not in meta or b"copyrev" not in meta:
            return None
        try:
            return meta[b"copy"], bin(meta[b"copyrev"])
        except ValueError as exc:
            raise error.StorageError(f"invalid copyrev in {self.path!r}",
                                     hint="run 'amg verify' to check the repository") from exc

    def size(self, rev: int) -> int:
        """Length of the content of *rev*, without metadata."""
        return len(self.read(self.revlog.node(rev)))

    def cmp(self, node: bytes, content: bytes) -> bool:
        """True when *content* differs from the content stored at *node*."""
        if not content.startswith(META_MARKER):
            p1, p2 = self.revlog.parents(node)
            if hash_revision(content, p1, p2) == node:
                return False
            if p1 != nullid:
                return True  # no metadata possible, and the hash says it differs
        return self.read(node) != content

    def add(self, content: bytes, meta: Mapping[bytes, bytes] | None, tr: object,
            linkrev: int, p1: Node, p2: Node) -> Node:
        """Store a revision; with metadata the parent goes second, as hg stores it."""
        text = pack_meta(meta or {}, content)
        has_meta = bool(meta) or content.startswith(META_MARKER)
        if has_meta and p1 != nullid and p2 == nullid:
            p1, p2 = nullid, p1
        return self.revlog.addrevision(text, tr, linkrev, p1, p2)


def copy_meta(source: bytes, source_node: Node) -> dict[bytes, bytes]:
    """The metadata hg records for a copy of *source* at *source_node*."""
    return {b"copy": source, b"copyrev": hex(source_node).encode("ascii")}
