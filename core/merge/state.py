"""The merge state in ``.hg/merge/``, in hg's format so either tool resumes it.

``state2`` is a list of records ``type (1 byte) | length (>I) | content``:
``L``/``O`` the local and other changeset (hex), ``F`` one file to merge
(``path\\0state\\0hash\\0local path\\0ancestor path\\0ancestor node\\0other
path\\0other node\\0local flags``), ``f`` per-file extras and ``l`` the
labels (both written wrapped in a ``t`` record, as hg does, so old readers
skip them).  ``state`` is the older line format hg still writes beside it.
The local version of each conflicting file is kept as ``.hg/merge/<sha1 of
the path>`` so the merge can be redone.
"""
from __future__ import annotations

import hashlib
import struct
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import bin, hex, nullid

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository

UNRESOLVED = "u"
RESOLVED = "r"
_KNOWN = {"u", "r", "pu", "pr"}
_HEADER = struct.Struct(">sI")
# A merge state is a handful of short records per file; anything far larger is damage.
_MAX_STATE = 1 << 30


class MergeState:
    """The files of an unfinished merge and how far each one got."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self.local: Node = nullid
        self.other: Node = nullid
        self.labels: list[str] = []
        #: path -> [state, hash, local path, ancestor path, ancestor node,
        #:          other path, other node, local flags]
        self.files: dict[bytes, list[bytes]] = {}
        self.extras: dict[bytes, dict[bytes, bytes]] = {}
        #: path -> record type: b"F" (file merge) or b"C" (change/delete conflict)
        self.kinds: dict[bytes, bytes] = {}

    # -- reading -------------------------------------------------------------

    @classmethod
    def read(cls, repo: Repository) -> MergeState:
        """The merge state on disk (inactive and empty when there is none)."""
        ms = cls(repo)
        data = repo.vfs.tryread("merge/state2")
        if len(data) > _MAX_STATE:
            raise _corrupt("too large")
        pos = 0
        while pos < len(data):
            if pos + 5 > len(data):
                raise _corrupt("truncated record header")
            kind, length = _HEADER.unpack_from(data, pos)
            pos += 5
            if pos + length > len(data):
                raise _corrupt("truncated record")
            content = data[pos:pos + length]
            pos += length
            if kind == b"t" and content:
                kind, content = content[:1], content[1:]
            ms._record(kind, content)
        if not data:
            ms._read_v1(repo.vfs.tryread("merge/state"))
        return ms

    def _record(self, kind: bytes, content: bytes) -> None:
        if kind == b"L":
            self.local = _node(content)
        elif kind == b"O":
            self.other = _node(content)
        elif kind in (b"F", b"C", b"P"):
            fields = content.split(b"\0")
            if len(fields) < 9 or fields[1].decode("ascii", "replace") not in _KNOWN:
                raise _corrupt("bad file record")
            self.files[fields[0]] = fields[1:9]
            self.kinds[fields[0]] = kind
        elif kind == b"f":
            fields = content.split(b"\0")
            self.extras[fields[0]] = dict(zip(fields[1::2], fields[2::2]))
        elif kind == b"l":
            self.labels = [part.decode("utf-8", "replace") for part in content.split(b"\0")]
        elif kind.isupper():
            raise error.StateError(
                f"unsupported merge state record: {kind.decode('latin-1')}",
                hint="run 'amg merge --abort' or 'amg update -C .' to abandon the merge")

    def _read_v1(self, data: bytes) -> None:
        if not data:
            return
        lines = data.split(b"\n")
        self.local = _node(lines[0])
        for line in lines[1:]:
            if not line:
                continue
            fields = line.split(b"\0")
            if len(fields) < 7:
                raise _corrupt("bad file record")
            # The old format has no other-file node: keep an empty one.
            flags = fields[7] if len(fields) > 7 else b""
            self.files[fields[0]] = fields[1:7] + [hex(nullid).encode(), flags]

    # -- queries ---------------------------------------------------------------

    def active(self) -> bool:
        return self.local != nullid or bool(self.files)

    def state(self, path: bytes) -> str:
        return self.files[path][0].decode("ascii")

    def unresolved(self) -> list[bytes]:
        return sorted(p for p, rec in self.files.items() if rec[0] in (b"u", b"pu"))

    def __contains__(self, path: object) -> bool:
        return path in self.files

    def __iter__(self):
        return iter(sorted(self.files))

    def backup(self, path: bytes) -> bytes:
        """The local version of *path* saved when its merge started."""
        return self._repo.vfs.read("merge/" + self.files[path][1].decode("ascii"))

    # -- changing ----------------------------------------------------------------

    @classmethod
    def start(cls, repo: Repository, local: Node, other: Node,
              labels: list[str]) -> MergeState:
        """A fresh merge state (the old one is removed when written)."""
        ms = cls(repo)
        ms.local, ms.other, ms.labels = local, other, list(labels)
        return ms

    def add(self, path: bytes, local_data: bytes | None, local_flags: str,
            ancestor: tuple[bytes, Node], other: tuple[bytes, Node],
            ancestor_link: Node | None, *, kind: bytes = b"F") -> None:
        """Record a file merge and keep the local version for a rerun.

        *kind* ``C`` records a change/delete conflict; *local_data* None
        means the local side deleted the file (nothing to keep).
        """
        if local_data is None:
            digest = hex(nullid)
        else:
            digest = hashlib.sha1(path).hexdigest()
            self._repo.vfs.makedirs("merge")
            self._repo.vfs.write("merge/" + digest, local_data)
        self.files[path] = [b"u", digest.encode(), path, ancestor[0], hex(ancestor[1]).encode(),
                            other[0], hex(other[1]).encode(), local_flags.encode()]
        self.kinds[path] = kind
        extras = self.extras.setdefault(path, {})
        if ancestor_link is not None:
            extras[b"ancestorlinknode"] = hex(ancestor_link).encode()
        if kind == b"F":
            # hg's commit keeps the second file parent only for files marked so,
            # whatever the tool did with them.
            extras[b"merged"] = b"yes"

    def mark(self, path: bytes, state: str) -> None:
        self.files[path][0] = state.encode()

    def set_extra(self, path: bytes, key: bytes, value: bytes) -> None:
        self.extras.setdefault(path, {})[key] = value

    def write(self) -> None:
        """Write ``state2`` and ``state`` atomically (the caller holds the wlock)."""
        vfs = self._repo.vfs
        vfs.makedirs("merge")
        records = [(b"L", hex(self.local).encode()), (b"O", hex(self.other).encode())]
        for path in sorted(self.files):
            content = b"\0".join([path, *self.files[path]])
            kind = self.kinds.get(path, b"F")
            # hg wraps all but F records so readers from before they existed skip them.
            records.append((b"F", content) if kind == b"F" else (b"t", kind + content))
        for path in sorted(self.extras):
            items = self.extras[path]
            if items:
                parts = [path]
                for key, value in items.items():
                    parts += [key, value]
                records.append((b"t", b"f" + b"\0".join(parts)))
        if self.labels:
            records.append((b"t", b"l" + "\0".join(self.labels).encode("utf-8")))
        vfs.write("merge/state2", b"".join(_HEADER.pack(kind, len(content)) + content
                                           for kind, content in records), atomictemp=True)
        v1 = [hex(self.local).encode()]
        for path in sorted(self.files):
            rec = self.files[path]
            if self.kinds.get(path, b"F") != b"F":
                continue
            v1.append(b"\0".join([path, *rec[:6], rec[7]]))
        vfs.write("merge/state", b"\n".join(v1) + b"\n", atomictemp=True)

    @staticmethod
    def clear(repo: Repository) -> None:
        """Remove the merge state and its backups (after a commit or an abort)."""
        import shutil

        shutil.rmtree(repo.vfs.join("merge"), ignore_errors=True)


def _node(text: bytes) -> Node:
    try:
        node = bin(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise _corrupt("bad node") from None
    if len(node) != 20:
        raise _corrupt("bad node")
    return node


def _corrupt(detail: str) -> error.StateError:
    return error.StateError(f"merge state is corrupt ({detail})",
                            hint="run 'amg merge --abort' or 'amg update -C .' to abandon the merge")
