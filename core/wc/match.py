"""Matchers: which repository paths a command's file arguments and ``-I``/``-X`` select.

Pattern kinds follow hg: ``path:`` (a file or directory, from the root),
``relpath:`` (the same, from the current directory; the default on the
command line), ``glob:``/``relglob:``, ``re:``/``relre:`` (Python ``re``,
anchored at the start), ``rootfilesin:`` (the files directly in a
directory), ``listfile:``/``listfile0:`` (patterns read from a file, one a
line or NUL-separated) and ``include:``/``subinclude:`` (hgignore-style
pattern files).  A path is selected when it or one of its parent
directories matches, as in hg.
"""
from __future__ import annotations

import os

from amalgam import error
from amalgam.wc.audit import PathAuditor, canonpath

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

KINDS = ("re", "glob", "path", "relglob", "relpath", "relre", "rootfilesin",
         "listfile", "listfile0", "set", "include", "subinclude", "rootglob")
_GLOB_SPECIAL = frozenset(b"*?[{")


def split_kind(pattern: bytes, default: str) -> tuple[str, bytes]:
    """``b'glob:*.c'`` -> ``('glob', b'*.c')``; no known prefix gives *default*."""
    if b":" in pattern:
        kind, rest = pattern.split(b":", 1)
        if kind.decode("ascii", "replace") in KINDS:
            return kind.decode(), rest
    return default, pattern


def glob_to_re(pat: bytes) -> bytes:
    """Translate an hg glob: ``*`` within a directory, ``**`` across, ``{a,b}``, ``[..]``."""
    import re  # only patterns need it; a plain status has none

    i, n = 0, len(pat)
    res: list[bytes] = []
    group = 0
    while i < n:
        c = pat[i:i + 1]
        i += 1
        if c == b"*":
            if pat[i:i + 1] == b"*":
                i += 1
                if pat[i:i + 1] == b"/":
                    i += 1
                    res.append(b"(?:.*/)?")
                else:
                    res.append(b".*")
            else:
                res.append(b"[^/]*")
        elif c == b"?":
            res.append(b"[^/]")
        elif c == b"[":
            j = i
            if j < n and pat[j:j + 1] in b"!]":
                j += 1
            while j < n and pat[j:j + 1] != b"]":
                j += 1
            if j >= n:
                res.append(b"\\[")
            else:
                stuff = pat[i:j].replace(b"\\", b"\\\\")
                i = j + 1
                if stuff[:1] == b"!":
                    stuff = b"^" + stuff[1:]
                elif stuff[:1] == b"^":
                    stuff = b"\\" + stuff
                res.append(b"[" + stuff + b"]")
        elif c == b"{":
            group += 1
            res.append(b"(?:")
        elif c == b"}" and group:
            res.append(b")")
            group -= 1
        elif c == b"," and group:
            res.append(b"|")
        elif c == b"\\":
            nxt = pat[i:i + 1]
            i += 1
            res.append(re.escape(nxt) if nxt else b"\\\\")
        else:
            res.append(re.escape(c))
    return b"".join(res)


def pattern_re(kind: str, pat: bytes, suffix: bytes = b"(?:/|$)") -> bytes:
    """The regular expression (anchored at the start) for one normalised pattern."""
    import re  # only patterns need it; a plain status has none

    if kind == "re":
        return pat
    if kind in ("path", "relpath"):
        return b"" if pat == b"" else re.escape(pat) + b"(?:/|$)"
    if kind == "rootfilesin":
        return b"[^/]+$" if pat == b"" else re.escape(pat) + b"/[^/]+$"
    if kind in ("glob", "rootglob"):
        return glob_to_re(pat) + (suffix if kind == "glob" else b"$")
    if kind == "relglob":
        return b"(?:|.*/)" + glob_to_re(pat) + suffix
    if kind == "relre":
        return pat if pat.startswith(b"^") else b".*" + pat
    raise error.InputError(f"invalid pattern kind: {kind}")


def compile_patterns(pats: Sequence[tuple[str, bytes]], what: str = "pattern"
                     ) -> Callable[[bytes], bool]:
    """One compiled matcher for a list of ``(kind, pattern)``."""
    if not pats:
        return lambda path: False
    import re  # only patterns need it; a plain status has none

    parts = [pattern_re(kind, pat) for kind, pat in pats]
    try:
        regex = re.compile(b"(?:" + b"|".join(b"(?:%s)" % p for p in parts) + b")")
    except re.error:
        for (kind, pat), part in zip(pats, parts):
            try:
                re.compile(part)
            except re.error as exc:
                raise error.InputError(f"invalid {what} ({kind}): "
                                       f"{os.fsdecode(pat)}: {exc}") from None
        raise
    match = regex.match
    return lambda path: match(path) is not None


class Matcher:
    """Selects repository paths; callable as ``m(path) -> bool``."""

    def __init__(self, root: str, cwd: str, files: list[bytes], exact: set[bytes],
                 pats: Callable[[bytes], bool] | None, include: Callable[[bytes], bool] | None,
                 exclude: Callable[[bytes], bool] | None, roots: list[bytes],
                 anypats: bool) -> None:
        self.root = root
        self.cwd = cwd
        self._files = files
        self._exact = exact
        self._pats = pats
        self._include = include
        self._exclude = exclude
        self._roots = roots
        self._anypats = anypats
        self._always = pats is None and include is None and exclude is None and not files
        self._dirroots: set[bytes] | None = None
        if roots and pats is not None and b"" not in roots:
            parents: set[bytes] = set()
            for r in roots:
                while r:
                    r = r.rpartition(b"/")[0]
                    parents.add(r)
            self._dirroots = parents

    def __call__(self, path: bytes) -> bool:
        if self._always:
            return True
        if self._pats is not None and not self._pats(path):
            return False
        if self._include is not None and not self._include(path):
            return False
        return not (self._exclude is not None and self._exclude(path))

    def always(self) -> bool:
        return self._always

    def files(self) -> list[bytes]:
        """The paths named on the command line (roots of the walk), in order."""
        return list(self._files)

    def roots(self) -> list[bytes]:
        """Directories (or files) a walk must start from; ``[b'']`` means everything."""
        return list(self._roots)

    def exact(self, path: bytes) -> bool:
        """Whether *path* was named exactly (not through a pattern)."""
        return path in self._exact

    def anypats(self) -> bool:
        return self._anypats

    def visitdir(self, dir: bytes) -> bool:
        """Whether the walk must look inside directory *dir* (b'' is the root)."""
        if self._dirroots is None or dir == b"":
            return True
        if dir in self._dirroots:
            return True
        return any(dir == r or dir.startswith(r + b"/") for r in self._roots)

    def uipath(self, path: bytes) -> str:
        """*path* relative to the current directory, as hg prints it."""
        return relpath(self.root, self.cwd, path)


def relpath(root: str, cwd: str, path: bytes) -> str:
    """Repository path *path* as seen from *cwd* (``../x`` style), as text."""
    root = os.path.realpath(root)
    cwd = os.path.realpath(cwd)
    if cwd == root:
        return os.fsdecode(path)
    rel = os.path.relpath(os.path.join(root, os.fsdecode(path)), cwd)
    return rel


def _normalise(root: str, cwd: str, kind: str, pat: bytes,
               warn: Callable[[str], None] | None) -> list[tuple[str, bytes]]:
    """Make path-like patterns repository-relative; expand list files."""
    if kind in ("glob", "path", "relpath"):
        rel = canonpath(root, cwd, pat)
        if rel:
            PathAuditor(root)(rel)
        return [("path" if kind == "relpath" else kind, rel)]
    if kind == "rootfilesin":
        return [(kind, pat.strip(b"/") if pat not in (b".", b"") else b"")]
    if kind in ("listfile", "listfile0"):
        try:
            with open(os.path.join(cwd, os.fsdecode(pat)), "rb") as fp:
                data = fp.read()
        except OSError as exc:
            raise error.InputError(f"unable to read file list ({os.fsdecode(pat)})",
                                   hint=exc.strerror) from None
        entries = data.split(b"\0") if kind == "listfile0" else data.splitlines()
        out: list[tuple[str, bytes]] = []
        for entry in entries:
            if entry.strip():
                k, p = split_kind(entry, "relpath")
                out.extend(_normalise(root, cwd, k, p, warn))
        return out
    if kind in ("include", "subinclude"):
        from amalgam.wc.ignore import expand_file

        full = os.path.join(cwd, os.fsdecode(pat))
        prefix = b"" if kind == "include" else canonpath(root, cwd, os.path.dirname(full))
        return expand_file(root, full, prefix, warn)
    if kind == "set":
        raise error.InputError("fileset patterns are not supported yet",
                               hint="use glob: or re: patterns")
    return [(kind, pat)]


def _root_of(kind: str, pat: bytes) -> bytes:
    """The directory a walk for this pattern can start from."""
    if kind in ("path", "rootfilesin"):
        return pat
    if kind in ("glob", "rootglob"):
        parts = []
        for part in pat.split(b"/"):
            if any(ch in _GLOB_SPECIAL for ch in part):
                break
            parts.append(part)
        return b"/".join(parts)
    return b""


def match(root: str, cwd: str, patterns: Iterable[str | bytes] = (), include: Iterable[str | bytes] = (),
          exclude: Iterable[str | bytes] = (), default: str = "relpath",
          warn: Callable[[str], None] | None = None) -> Matcher:
    """A matcher for command-line *patterns* plus ``-I`` *include* and ``-X`` *exclude*."""
    def norm(items: Iterable[str | bytes], dflt: str) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        for item in items:
            kind, pat = split_kind(os.fsencode(item), dflt)
            out.extend(_normalise(root, cwd, kind, pat, warn))
        return out

    pats = norm(patterns, default)
    inc = norm(include, "glob")
    exc = norm(exclude, "glob")
    files: list[bytes] = []
    exact: set[bytes] = set()
    roots: list[bytes] = []
    anypats = False
    for kind, pat in pats:
        if kind == "path":
            files.append(pat)
            exact.add(pat)
        else:
            anypats = True
        roots.append(_root_of(kind, pat))
    if not pats:
        roots = [b""]
    m = Matcher(root, cwd, files, exact,
                compile_patterns(pats) if pats else None,
                compile_patterns(inc) if inc else None,
                compile_patterns(exc) if exc else None,
                roots, anypats or bool(inc) or bool(exc))
    return m


def always(root: str = "", cwd: str = "") -> Matcher:
    """Matches every path."""
    return Matcher(root, cwd, [], set(), None, None, None, [b""], False)


def exact(root: str, cwd: str, files: Iterable[bytes]) -> Matcher:
    """Matches exactly *files* (repository-relative)."""
    names = list(files)
    wanted = set(names)
    return Matcher(root, cwd, names, wanted, wanted.__contains__, None, None,
                   names, False)
