"""Reading configuration files: TOML layers and the two keys taken from hgrc.

Each reader returns ``(section, name, value, source)`` entries, where
*source* is ``FILE:LINE``.  A missing file gives ``None`` without importing
anything, so a command run with no configuration files never loads a TOML
parser.

Keys map to items like hg's: the first component of the dotted path is the
section, the rest (joined by dots) is the name.  So ``[storage.revlog]``
with ``max-chain-len = 500`` sets section ``storage``, name
``revlog.max-chain-len``.

``tomllib`` reports no positions, so ``key_lines`` finds them with a line
scan of the file; a key it cannot place (inside an inline table, say) is
given the line of the nearest enclosing table or key.
"""
from __future__ import annotations

from amalgam.error import ConfigError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    Entry = tuple[str, str, Any, str]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789_-")


def read_bytes(path: str) -> bytes | None:
    """The file's content, None when it does not exist."""
    try:
        with open(path, "rb") as fp:
            return fp.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: "
                          f"{exc.strerror or exc}",
                          hint="check the file's permissions") from None


def _malformed(path: str, reason: str, line: int) -> ConfigError:
    return ConfigError(f"malformed configuration file {path}: {reason} "
                       f"at line {line}",
                       hint="fix the TOML syntax (see https://toml.io) or "
                            "move the file aside")


#: Most dotted parts a key may have.  tomllib's time and memory grow with
#: the square of a key's length, so longer keys are refused before parsing.
MAX_KEY_PARTS = 64


def deep_key_line(text: str) -> int:
    """The line of the first key with more than ``MAX_KEY_PARTS`` parts, or 0.

    A linear scan that skips strings and comments and counts dot-separated
    runs of bare words or quoted strings (numbers like ``1.5`` count too,
    harmlessly).
    """
    n = len(text)
    line = 1
    parts = 0
    after_dot = False
    i = 0
    while i < n:
        char = text[i]
        if char in "\"'" or char in _BARE:
            if char in _BARE:
                while i < n and text[i] in _BARE:
                    i += 1
            else:
                end = _string_end(text, i)
                line += text.count("\n", i, end)
                i = end
            parts = parts + 1 if after_dot else 1
            after_dot = False
            if parts > MAX_KEY_PARTS:
                return line
            continue
        if char == ".":
            after_dot = True
        elif char not in " \t":
            parts, after_dot = 0, False
            if char == "#":
                while i < n and text[i] != "\n":
                    i += 1
                continue
            if char == "\n":
                line += 1
        i += 1
    return 0


def _string_end(text: str, start: int) -> int:
    """The index just after the TOML string starting at *start*."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        return len(text) if end < 0 else end + 3
    i = start + 1
    while i < len(text) and text[i] not in (quote, "\n"):
        i += 2 if quote == '"' and text[i] == "\\" else 1
    return i + 1


def parse_toml(path: str, data: bytes) -> dict[str, Any]:
    """Parse *data* (the content of *path*) as TOML, errors naming the line."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _malformed(path, "not valid UTF-8", line) from None
    deep = deep_key_line(text)
    if deep:
        raise _malformed(path, f"key with more than {MAX_KEY_PARTS} dotted "
                               f"parts", deep)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _malformed(path, "values nested too deeply",
                         max(1, len(text.splitlines()))) from None
    except tomllib.TOMLDecodeError as exc:
        import re
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
        if where:
            line = int(where.group(1))
        else:
            # tomllib says "(at end of document)" for errors on the last line.
            line = max(1, len(text.splitlines()))
        reason = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)$",
                        "", message)
        raise _malformed(path, reason, line) from None


def read_toml(path: str) -> list[Entry] | None:
    """The entries of the TOML file at *path*, None when it does not exist."""
    data = read_bytes(path)
    if data is None:
        return None
    table = parse_toml(path, data)
    if not table:
        return []
    lines = key_lines(data.decode("utf-8"))
    entries: list[Entry] = []
    seen: dict[tuple[str, str], str] = {}
    for keys, value in flatten(table):
        line = _line_of(lines, keys)
        source = f"{path}:{line}" if line else path
        if len(keys) < 2:
            raise ConfigError(f"key '{keys[0]}' outside any table in {source}",
                              hint="put it under a [section] header, e.g. "
                                   "[ui] for ui settings")
        section, name = keys[0], ".".join(keys[1:])
        if (section, name) in seen:
            # ``[a] "b.c"`` and ``[a.b] c`` differ in TOML but not here.
            raise ConfigError(f"{section}.{name} is set twice, in "
                              f"{seen[section, name]} and {source}",
                              hint="keep one of them")
        seen[section, name] = source
        entries.append((section, name, value, source))
    return entries


def flatten(table: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """Leaves of nested tables as ``(key path, value)``; arrays are leaves."""
    out: list[tuple[tuple[str, ...], Any]] = []
    # An explicit stack of iterators: a file may nest tables deeper than
    # Python recurses, and document order must survive.
    stack: list[tuple[tuple[str, ...], Iterator[tuple[str, Any]]]] = [
        ((), iter(table.items()))]
    while stack:
        prefix, pending = stack[-1]
        for key, value in pending:
            path = prefix + (key,)
            if isinstance(value, dict):
                if value:
                    stack.append((path, iter(value.items())))
                    break
                continue  # an empty table ("[plugins]" alone) sets nothing
            out.append((path, value))
        else:
            stack.pop()
    return out


def _line_of(lines: dict[tuple[str, ...], int], keys: tuple[str, ...]) -> int:
    for end in range(len(keys), 0, -1):
        line = lines.get(keys[:end])
        if line:
            return line
    return 0


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each key path written in *text* to the line it is written on."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote = ""
    for number, line in enumerate(text.splitlines(), 1):
        if open_quote:
            # Inside a multi-line string: nothing here is a key.
            if line.count(open_quote) % 2:
                open_quote = ""
            continue
        stripped = line.strip()
        if stripped.startswith("["):
            inner = stripped.lstrip("[")
            parsed = _parse_key(inner, 0)
            if parsed is not None:
                table = tuple(parsed[0])
                lines.setdefault(table, number)
            continue
        parsed = _parse_key(stripped, 0)
        if parsed is None or not stripped[parsed[1]:].startswith("="):
            continue
        lines.setdefault(table + tuple(parsed[0]), number)
        rest = stripped[parsed[1] + 1:]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2:
                open_quote = quote
                break
    return lines


def _parse_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """Parse a dotted TOML key at *pos*: its parts and the index after it."""
    parts: list[str] = []
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n:
            return None
        char = text[pos]
        if char in "\"'":
            end = pos + 1
            chars: list[str] = []
            while end < n and text[end] != char:
                if char == '"' and text[end] == "\\" and end + 1 < n:
                    end += 1
                chars.append(text[end])
                end += 1
            if end >= n:
                return None
            parts.append("".join(chars))
            pos = end + 1
        else:
            end = pos
            while end < n and text[end] in _BARE:
                end += 1
            if end == pos:
                return None
            parts.append(text[pos:end])
            pos = end
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


#: Keys of hg's ini config that mean the same to us (besides all of [paths]):
#: who commits, whether a served repository publishes what it receives, and
#: who may read from and push to it (hg's spellings -> ours).
_HGRC_KEYS = {
    ("ui", "username"): "username",
    ("phases", "publish"): "publish",
    ("web", "allow-push"): "allow-push",
    ("web", "allow_push"): "allow-push",
    ("web", "push_ssl"): "push-ssl",
    ("web", "allow-pull"): "allow-pull",
    ("web", "allowpull"): "allow-pull",
}


def read_hgrc(path: str) -> list[Entry] | None:
    """``[paths]``, ``[ui] username``, ``[phases] publish`` and the ``[web]``
    access keys from an hg ini file, None if absent.

    Only what interoperability needs is read; other sections, ``%include``
    and ``%unset`` are ignored.  Continuation lines (indented) extend the
    previous value, as in hg.
    """
    data = read_bytes(path)
    if data is None:
        return None
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    found: list[list[str]] = []
    section = ""
    in_value = False  # the previous line set a key: indented lines continue it
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_value and line[:1] in ("#", ";"):
            continue  # hg lets a comment sit inside a continued value
        if in_value and line[:1] in (" ", "\t") and line.strip():
            if current is not None:
                current[2] += "\n" + line.strip()
            continue
        in_value, current = False, None
        stripped = line.strip()
        # hg rejects other indented lines; skipping them is enough here.
        if not stripped or stripped[0] in "#;%" or line[:1] in (" ", "\t"):
            continue
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1:stripped.index("]")].strip()
            continue
        name, eq, value = stripped.partition("=")
        name = name.strip()
        if not eq or not name:
            continue
        in_value = True
        if section == "paths" or (section, name) in _HGRC_KEYS:
            ours = name if section == "paths" else _HGRC_KEYS[section, name]
            current = [section, ours, value.strip(), f"{path}:{number}"]
            found.append(current)
    return [(sec, name, value, source) for sec, name, value, source in found]
