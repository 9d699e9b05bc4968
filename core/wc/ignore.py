"""``.hgignore``: which untracked files status hides.

File format as in hg: ``syntax: regexp`` (the default) or ``syntax: glob``
(also ``rootglob``) switch the syntax of the following lines; a line may
start with ``re:``/``regexp:``/``relre:``, ``glob:``/``relglob:``,
``rootglob:``, ``include:`` or ``subinclude:``.  ``#`` starts a comment
(``\\#`` is a literal hash).  Regular expressions use Python's ``re``
and match anywhere in the path; globs match in any directory.  A file is
ignored when it or one of its directories matches.
"""
from __future__ import annotations

import os

from amalgam import error

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from amalgam.repo import Repository

_SYNTAXES = {b"re": "relre", b"regexp": "relre", b"glob": "relglob",
             b"rootglob": "rootglob", b"include": "include", b"subinclude": "subinclude"}
_PREFIXES = [(b"relre:", "relre"), (b"relglob:", "relglob")] + [
    (name + b":", kind) for name, kind in _SYNTAXES.items()]
_MAX_DEPTH = 32


def parse_lines(data: bytes, source: str,
                warn: Callable[[str], None] | None = None) -> list[tuple[str, bytes]]:
    """``(kind, pattern)`` pairs from the text of an ignore file."""
    syntax = "relre"
    out: list[tuple[str, bytes]] = []
    for line in data.splitlines():
        if b"#" in line:
            # A '#' ends the line unless escaped as '\#'.
            pieces = line.split(b"\\#")
            head = []
            for piece in pieces:
                if b"#" in piece:
                    head.append(piece.split(b"#", 1)[0])
                    break
                head.append(piece)
            line = b"#".join(head)
        line = line.rstrip()
        if not line:
            continue
        if line.startswith(b"syntax:"):
            name = line[7:].strip()
            if name in _SYNTAXES:
                syntax = _SYNTAXES[name]
            elif warn is not None:
                warn(f"{source}: ignoring invalid syntax '{os.fsdecode(name)}'\n")
            continue
        kind = syntax
        for prefix, pkind in _PREFIXES:
            if line.startswith(prefix):
                kind, line = pkind, line[len(prefix):]
                break
        out.append((kind, line))
    return out


def expand_file(root: str, path: str, prefix: bytes,
                warn: Callable[[str], None] | None, depth: int = 0
                ) -> list[tuple[str, bytes]]:
    """Patterns of the ignore file *path*, as ``re`` patterns confined to *prefix*.

    ``include:`` adds another file's patterns as they are; ``subinclude:``
    confines them to the included file's directory.
    """
    if depth > _MAX_DEPTH:
        raise error.InputError(f"{path}: include files nest too deeply",
                               hint="look for a cycle of include: lines")
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except OSError as exc:
        raise error.InputError(f"{path}: {exc.strerror}",
                               hint="fix or remove the include: line naming it") from None
    from amalgam.wc.audit import canonpath
    from amalgam.wc.match import pattern_re

    base = os.path.dirname(path)
    out: list[tuple[str, bytes]] = []
    for kind, pat in parse_lines(data, path, warn):
        if kind in ("include", "subinclude"):
            target = os.path.join(base, os.fsdecode(pat))
            sub = prefix
            if kind == "subinclude":
                sub = canonpath(root, root, os.path.dirname(os.path.abspath(target)))
            out.extend(expand_file(root, target, sub, warn, depth + 1))
            continue
        regex = pattern_re(kind, pat)
        if prefix:
            if regex.startswith(b"^"):
                regex = regex[1:]
            regex = _escape(prefix) + b"/(?:" + regex + b")"
        out.append(("re", regex))
    return out


def _escape(data: bytes) -> bytes:
    import re

    return re.escape(data)


def ignore_matcher(repo: Repository) -> Callable[[bytes], bool]:
    """``path -> bool``: whether an untracked *path* is ignored in *repo*."""
    from amalgam.wc.match import compile_patterns

    files = [os.path.join(repo.root, ".hgignore")]
    config = getattr(repo.ui, "config", None)
    extra = config.get("ui", "ignore", None) if config is not None else None
    if extra:
        files.append(os.path.join(repo.root, os.path.expanduser(str(extra))))
    pats: list[tuple[str, bytes]] = []
    for path in files:
        if os.path.isfile(path):
            pats.extend(expand_file(repo.root, path, b"", repo.ui.warn))
    if not pats:
        return _never
    return compile_patterns(pats, "ignore pattern")


def _never(path: bytes) -> bool:
    return False
