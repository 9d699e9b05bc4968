"""The changelog: one revision per changeset, in hg's exact text format.

An entry is ``manifest-hex\\nuser\\ntime tz[ extra]\\nfile...\\n\\ndescription``
(see hg-formats.md §4.1).  Formatting here must stay byte-identical to hg's,
because the changeset node is the SHA-1 of this text.
"""
from __future__ import annotations

from amalgam import error
from amalgam.node import Node, bin, hex, nullid

# typing.TYPE_CHECKING without importing typing (with re, functools and
# collections it costs milliseconds of every command that reads a changeset).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable, Mapping

    from amalgam.storage.revlog import Revlog

DEFAULT_BRANCH = "default"

_ESCAPES = {b"\\": b"\\\\", b"\n": b"\\n", b"\r": b"\\r", b"\0": b"\\0"}
_SIMPLE_UNESCAPES = {
    b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"'": b"'",
    b'"': b'"', b"a": b"\a", b"b": b"\b", b"f": b"\f", b"v": b"\v",
}


class ChangesetEntry:
    """A parsed changelog revision (read-only by convention).

    A plain slotted class: a dataclass costs milliseconds of code generation
    at import, and every command that reads a changeset imports this.
    """

    __slots__ = ("manifest", "user", "date", "files", "description", "extra")

    def __init__(self, manifest: Node, user: str, date: tuple[float, int],
                 files: tuple[bytes, ...], description: str,
                 extra: dict[str, str] | None = None) -> None:
        self.manifest = manifest
        self.user = user
        self.date = date
        self.files = files
        self.description = description
        self.extra = {} if extra is None else extra

    def _fields(self) -> tuple[object, ...]:
        return (self.manifest, self.user, self.date, self.files, self.description,
                self.extra)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChangesetEntry):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return (f"ChangesetEntry(manifest={self.manifest!r}, user={self.user!r}, "
                f"date={self.date!r}, files={self.files!r}, "
                f"description={self.description!r}, extra={self.extra!r})")

    @property
    def branch(self) -> str:
        return self.extra.get("branch", DEFAULT_BRANCH)


# The patterns are compiled on first use: reading a changeset with plain
# extras (a branch name) needs neither, and importing re costs start-up time.
_ESCAPE = rb"[\\\n\r\0]"
# Python "string_escape" decoding, except that \0 is always a NUL byte.
_UNESCAPE = rb"(?s)\\(0|x[0-9a-fA-F]{2}|[1-7][0-7]{0,2}|.)"
_compiled: dict[bytes, re.Pattern[bytes]] = {}


def _pattern(source: bytes) -> re.Pattern[bytes]:
    pattern = _compiled.get(source)
    if pattern is None:
        import re

        pattern = _compiled[source] = re.compile(source)
    return pattern


def _escape(data: bytes) -> bytes:
    return _pattern(_ESCAPE).sub(lambda m: _ESCAPES[m.group(0)], data)


def _unescape_one(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code == b"0":
        return b"\0"
    if code[:1] == b"x":
        return bytes([int(code[1:], 16)])
    if code[:1] in b"1234567":
        return bytes([int(code, 8) & 0xFF])
    return _SIMPLE_UNESCAPES.get(code, b"\\" + code)


def _unescape(data: bytes) -> bytes:
    if b"\\" not in data:
        return data
    return _pattern(_UNESCAPE).sub(_unescape_one, data)


def encode_extra(extra: Mapping[str, str]) -> bytes:
    """Serialize *extra* as hg does: escaped ``key:value`` items, keys sorted, NUL-joined."""
    items = sorted((k.encode("utf-8", "surrogateescape"),
                    v.encode("utf-8", "surrogateescape")) for k, v in extra.items())
    return b"\0".join(_escape(k + b":" + v) for k, v in items)


def decode_extra(data: bytes) -> dict[str, str]:
    """Inverse of :func:`encode_extra`; items without a ``:`` are ignored."""
    extra: dict[str, str] = {}
    for item in data.split(b"\0"):
        if b":" not in item:
            continue
        key, value = _unescape(item).split(b":", 1)
        extra[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
    return extra


def strip_description(text: str) -> str:
    """Right-strip every line and drop leading/trailing blank lines, like hg."""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def _check_label(kind: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise error.InputError(f"{kind} {value!r} contains a newline",
                               hint=f"give a {kind} on a single line")


def format_entry(manifest: Node, user: str, date: tuple[float, int],
                 files: Iterable[bytes], description: str,
                 extra: Mapping[str, str] | None = None,
                 branch: str = DEFAULT_BRANCH) -> bytes:
    """Build the changelog text hg would store for these fields."""
    user = user.strip()
    if not user:
        raise error.InputError("empty username", hint="set [ui] username or use --user")
    _check_label("username", user)
    _check_label("branch name", branch)
    allextra = dict(extra or {})
    if branch == DEFAULT_BRANCH:
        allextra.pop("branch", None)
    else:
        allextra["branch"] = branch
    when, tz = date
    dateline = b"%d %d" % (int(when), int(tz))
    if allextra:
        dateline += b" " + encode_extra(allextra)
    sortedfiles = sorted(set(files))
    for path in sortedfiles:
        if b"\n" in path or b"\r" in path:
            raise error.InputError(f"file name {path!r} contains a newline")
    parts = [hex(manifest).encode("ascii"), user.encode("utf-8", "surrogateescape"), dateline]
    parts.extend(sortedfiles)
    parts.append(b"")
    parts.append(strip_description(description).encode("utf-8", "surrogateescape"))
    return b"\n".join(parts)


def parse_entry(text: bytes) -> ChangesetEntry:
    """Parse a changelog text; raises StorageError when it is malformed."""
    try:
        first = text.index(b"\n")
        second = text.index(b"\n", first + 1)
        third = text.index(b"\n", second + 1)
        manifest = bin(text[:first])
    except ValueError as exc:
        raise error.StorageError("malformed changelog entry",
                                 hint="run 'amg verify' to check the repository") from exc
    user = text[first + 1:second].decode("utf-8", "surrogateescape")
    fields = text[second + 1:third].split(b" ", 2)
    try:
        when = float(fields[0])
    except ValueError as exc:
        raise error.StorageError("malformed date in changelog entry",
                                 hint="run 'amg verify' to check the repository") from exc
    try:
        tz = int(fields[1]) if len(fields) > 1 else 0
    except ValueError:
        tz = 0
    extra = decode_extra(fields[2]) if len(fields) > 2 else {}
    if text[third + 1:third + 2] == b"\n":
        files: tuple[bytes, ...] = ()
        descstart = third + 2
    else:
        end = text.find(b"\n\n", third + 1)
        if end < 0:
            raise error.StorageError("malformed file list in changelog entry",
                                     hint="run 'amg verify' to check the repository")
        files = tuple(text[third + 1:end].split(b"\n"))
        descstart = end + 2
    description = text[descstart:].decode("utf-8", "surrogateescape")
    return ChangesetEntry(manifest=manifest, user=user, date=(when, tz), files=files,
                          description=description, extra=extra)


class Changelog:
    """The changelog revlog, reading and writing :class:`ChangesetEntry` texts."""

    def __init__(self, revlog: Revlog) -> None:
        self.revlog = revlog

    def __len__(self) -> int:
        return len(self.revlog)

    def read(self, rev_or_node: int | bytes) -> ChangesetEntry:
        return parse_entry(self.revlog.revision(rev_or_node))

    def tip(self) -> Node:
        return self.revlog.node(len(self.revlog) - 1) if len(self.revlog) else nullid

    def add(self, manifest: Node, files: Iterable[bytes], description: str, tr: object,
            p1: Node, p2: Node, user: str, date: tuple[float, int],
            extra: Mapping[str, str] | None = None, branch: str = DEFAULT_BRANCH) -> Node:
        """Append a changeset; its linkrev is its own revision number."""
        text = format_entry(manifest, user, date, files, description, extra, branch)
        return self.revlog.addrevision(text, tr, len(self.revlog), p1, p2)
