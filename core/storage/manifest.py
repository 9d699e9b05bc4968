"""Flat (v1) manifests: ``path\\0hex40flags\\n`` lines sorted by path bytes.

A manifest of a large repository has 100,000 lines or more, and most
operations need only a few of them.  :class:`Manifest` therefore keeps the
raw text and answers lookups by binary search over its line starts; it never
builds per-entry objects unless a caller iterates.  New manifests are built
by splicing the changed lines into the parent's text, which also yields the
delta against the parent for free.
"""
from __future__ import annotations

from amalgam import error
from amalgam.node import Node, nullid

# typing.TYPE_CHECKING without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from amalgam.storage.revlog import Revlog

VALID_FLAGS = ("", "x", "l")
_HEXLEN = 40

Entry = tuple[Node, str]


def _corrupt(detail: str) -> error.StorageError:
    return error.StorageError(f"corrupt manifest: {detail}",
                              hint="run 'amg verify' to check the repository")


def _line(path: bytes, node: bytes, flags: str) -> bytes:
    if flags not in VALID_FLAGS:
        raise error.InputError(f"invalid file flags {flags!r} for {path!r}",
                               hint="use '', 'x' (executable) or 'l' (symlink)")
    if not path or b"\n" in path or b"\r" in path or b"\0" in path:
        raise error.InputError(f"invalid file name {path!r} for a manifest")
    return b"%s\0%s%s\n" % (path, node.hex().encode("ascii"), flags.encode("ascii"))


class Manifest:
    """An immutable flat manifest backed by its raw text."""

    __slots__ = ("_text",)

    def __init__(self, text: bytes = b"") -> None:
        if text and not text.endswith(b"\n"):
            raise _corrupt("text does not end with a newline")
        self._text = bytes(text)

    @classmethod
    def from_entries(cls, entries: Mapping[bytes, Entry]) -> Manifest:
        """Build a manifest from ``{path: (node, flags)}``."""
        return cls(b"".join(_line(p, n, f) for p, (n, f) in sorted(entries.items())))

    def text(self) -> bytes:
        return self._text

    # -- lookup ------------------------------------------------------------

    def _locate(self, path: bytes) -> tuple[int, int, bool]:
        """(start, end, found): the line of *path*, or the empty insertion point."""
        text = self._text
        lo, hi = 0, len(text)
        try:
            while lo < hi:
                mid = (lo + hi) // 2
                newline = text.rfind(b"\n", lo, mid)
                start = lo if newline < 0 else newline + 1
                pathend = text.index(b"\0", start)
                end = text.index(b"\n", pathend) + 1
                linepath = text[start:pathend]
                if linepath == path:
                    return start, end, True
                if linepath < path:
                    lo = end
                else:
                    hi = start
        except ValueError as exc:
            raise _corrupt("line without a NUL separator") from exc
        return lo, lo, False

    @staticmethod
    def _parse_value(text: bytes, start: int, end: int) -> Entry:
        """The (node, flags) of the line spanning ``text[start:end]``."""
        value = text[text.index(b"\0", start) + 1:end - 1]
        try:
            # bytes.fromhex: binascii is one more module to import at start-up.
            node = bytes.fromhex(value[:_HEXLEN].decode("latin-1"))
        except ValueError as exc:
            raise _corrupt(f"invalid node {value[:_HEXLEN]!r}") from exc
        flags = value[_HEXLEN:].decode("ascii", "replace")
        if len(node) != 20 or flags not in VALID_FLAGS:
            raise _corrupt(f"invalid entry value {value!r}")
        return Node(node), flags

    def get(self, path: bytes, default: Entry | None = None) -> Entry | None:
        start, end, found = self._locate(path)
        return self._parse_value(self._text, start, end) if found else default

    def __getitem__(self, path: bytes) -> Node:
        start, end, found = self._locate(path)
        if not found:
            raise KeyError(path)
        return self._parse_value(self._text, start, end)[0]

    def node(self, path: bytes) -> Node:
        """The file node of *path*, or nullid when it is not tracked."""
        entry = self.get(path)
        return entry[0] if entry else nullid

    def flags(self, path: bytes) -> str:
        entry = self.get(path)
        return entry[1] if entry else ""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, bytes) and self._locate(path)[2]

    # -- iteration -----------------------------------------------------------

    def __len__(self) -> int:
        return self._text.count(b"\n")

    def __iter__(self) -> Iterator[bytes]:
        for line in self._text.split(b"\n")[:-1]:
            yield line.split(b"\0", 1)[0]

    def items(self) -> Iterator[tuple[bytes, Entry]]:
        """Every ``(path, (node, flags))`` in path order; validates as it goes."""
        for line in self._text.split(b"\n")[:-1]:
            yield self._parse_line(line)

    @staticmethod
    def _parse_line(line: bytes) -> tuple[bytes, Entry]:
        path, sep, _value = line.partition(b"\0")
        if not sep:
            raise _corrupt(f"line without a NUL separator: {line[:80]!r}")
        full = line + b"\n"
        return path, Manifest._parse_value(full, 0, len(full))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Manifest) and self._text == other._text

    def __hash__(self) -> int:
        return hash(self._text)

    # -- comparison and building ---------------------------------------------

    def diff(self, other: Manifest) -> dict[bytes, tuple[Entry | None, Entry | None]]:
        """``{path: ((node1, flags1) | None, (node2, flags2) | None)}`` for every difference.

        Identical lines cancel out in a set difference done in C, so only the
        changed lines are ever parsed.
        """
        if self._text == other._text:
            return {}
        mine = set(self._text.split(b"\n"))
        theirs = set(other._text.split(b"\n"))
        result: dict[bytes, tuple[Entry | None, Entry | None]] = {}
        for line in mine - theirs:
            path, entry = self._parse_line(line)
            result[path] = (entry, None)
        for line in theirs - mine:
            path, entry = self._parse_line(line)
            result[path] = (result.get(path, (None, None))[0], entry)
        return result

    def apply(self, changes: Mapping[bytes, Entry | None]) -> tuple[Manifest, bytes | None]:
        """A new manifest with *changes* applied (None removes) and the delta to it.

        The delta is in hg's binary patch format against this manifest's text;
        it is None when this manifest is empty (nothing to delta against: a
        first commit of 100,000 files need not copy their lines once more).
        """
        builder = ManifestBuilder(self)
        for path in sorted(changes):
            builder.set(path, changes[path])
        return builder.finish()


class ManifestBuilder:
    """A child manifest built from its parent by changes given in path order.

    A commit feeds each file's entry as soon as the file is stored, so
    nothing per file is kept (a first commit of 100,000 files would
    otherwise hold a dict of 100,000 entries, then a list of their lines,
    then the joined text).  New lines and short stretches of the parent go
    into a flat buffer; long stretches of the parent are only referenced,
    so the new text is copied once, when :meth:`finish` joins the pieces.
    """

    __slots__ = ("_base", "_pieces", "_run", "_delta", "_done", "_hunk", "_last_path",
                 "_changed")

    #: parent stretches shorter than this are copied into the buffer, which
    #: bounds the number of pieces however scattered the changes are
    _SHARE_MIN = 4096

    def __init__(self, base: Manifest) -> None:
        self._base = base
        self._pieces: list[bytes | bytearray | memoryview] = []
        self._run = bytearray()    # the new text after the last piece
        self._delta = bytearray()  # finished hunks of the delta against the base
        self._done = 0             # base text copied or replaced so far
        self._hunk: list | None = None  # [start, end, bytearray]: the open hunk
        self._last_path: bytes | None = None
        self._changed = False

    def set(self, path: bytes, entry: Entry | None) -> None:
        """Give *path* the entry ``(node, flags)``, or remove it (None).

        Paths must come in strictly increasing byte order.
        """
        if self._last_path is not None and path <= self._last_path:
            raise ValueError(f"manifest changes out of order: {path!r} after "
                             f"{self._last_path!r}")
        self._last_path = path
        base = self._base._text
        start, end, found = self._base._locate(path)
        if entry is None:
            if not found:
                return
            data = b""
        else:
            data = _line(path, entry[0], entry[1])
            if found and base[start:end] == data:
                return
        self._changed = True
        self._keep(start)
        self._run += data
        self._done = end
        if not base:
            return  # no delta against an empty text
        hunk = self._hunk
        if hunk is not None and hunk[1] == start:
            hunk[1] = end
            hunk[2] += data
        else:
            self._close_hunk()
            self._hunk = [start, end, bytearray(data)]

    def _keep(self, upto: int) -> None:
        """Carry the parent's text from where the last change ended up to *upto*."""
        if upto - self._done < self._SHARE_MIN:
            self._run += memoryview(self._base._text)[self._done:upto]
            return
        if self._run:
            self._pieces.append(self._run)
            self._run = bytearray()
        self._pieces.append(memoryview(self._base._text)[self._done:upto])

    def _close_hunk(self) -> None:
        import struct

        if self._hunk is not None:
            start, end, data = self._hunk
            self._delta += struct.pack(">lll", start, end, len(data))
            self._delta += data
            self._hunk = None

    def finish(self) -> tuple[Manifest, bytes | None]:
        """``(manifest, delta)`` as :meth:`Manifest.apply` returns them (call once)."""
        if not self._changed:
            return self._base, b""
        base = self._base._text
        self._keep(len(base))
        self._pieces.append(self._run)
        text = b"".join(self._pieces)
        self._pieces, self._run = [], bytearray()
        self._close_hunk()
        delta = bytes(self._delta) if base else None
        self._delta = bytearray()
        return Manifest(text), delta


class ManifestLog:
    """Reads and writes manifests in the ``00manifest`` revlog."""

    # Callers typically alternate between a few manifests (p1, p2, a base).
    _CACHE_SIZE = 4

    def __init__(self, revlog: Revlog) -> None:
        self.revlog = revlog
        self._cache: dict[Node, Manifest] = {}

    def __len__(self) -> int:
        return len(self.revlog)

    def read(self, node: Node) -> Manifest:
        if node == nullid:
            return Manifest()
        manifest = self._cache.pop(node, None)
        if manifest is None:
            manifest = Manifest(self.revlog.revision(node))
        self._remember(node, manifest)
        return manifest

    def cached(self, node: Node) -> Manifest | None:
        """Manifest *node* if it is in memory already (a read of it costs nothing)."""
        return self._cache.get(node)

    def adopt(self, node: Node, text: bytes) -> Manifest:
        """The manifest *node* from a trusted copy of its text (a checked cache).

        The revlog keeps the text too, so that a commit on top of it checks
        its delta without rebuilding this manifest from its chain.
        """
        manifest = self._cache.pop(node, None) or Manifest(text)
        self.revlog.remember(node, manifest.text())
        self._remember(node, manifest)
        return manifest

    def read_from(self, node: Node, base: Node, basetext: bytes) -> Manifest | None:
        """Manifest *node* rebuilt from *basetext*, the text of manifest *base*.

        Only the deltas after *base* in *node*'s chain are applied, then the
        result is hash-checked.  None when *base* is unknown or not in that
        chain, or when the result fails its check (a wrong *basetext*): the
        caller then reads *node* in full, which reports a damaged revlog.
        """
        revlog = self.revlog
        try:
            text = revlog.revision_from(node, revlog.rev(base), basetext)
        except error.StorageError:
            return None
        if text is None:
            return None
        manifest = Manifest(text)
        self._remember(node, manifest)
        return manifest

    def _remember(self, node: Node, manifest: Manifest) -> None:
        self._cache[node] = manifest
        while len(self._cache) > self._CACHE_SIZE:
            del self._cache[next(iter(self._cache))]

    def add(self, manifest: Manifest, tr: object, linkrev: int, p1: Node, p2: Node,
            delta: bytes | None = None) -> Node:
        """Store *manifest* (hg reuses an existing identical node).

        *delta*, from :meth:`Manifest.apply` on p1's manifest, spares the
        revlog from diffing two large texts.
        """
        cachedelta = None
        if delta is not None and p1 != nullid:
            cachedelta = (self.revlog.rev(p1), delta)
        node = self.revlog.addrevision(manifest.text(), tr, linkrev, p1, p2,
                                       cachedelta=cachedelta)
        self._remember(node, manifest)
        return node
