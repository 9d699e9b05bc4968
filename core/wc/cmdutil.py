"""Helpers the working-copy commands share: matchers from options, path display, locking."""
from __future__ import annotations

import os

from amalgam.wc.match import Matcher, match, relpath

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from amalgam.repo import Repository

#: The -I/-X options every file-taking command declares.
WALK_OPTS = [
    ("I", "include", [], "only files matching PATTERN", "PATTERN"),
    ("X", "exclude", [], "leave out files matching PATTERN", "PATTERN"),
]
DRY_RUN = ("n", "dry-run", False, "show what would happen without doing it")


def matcher(repo: Repository, pats: Sequence[str], opts: dict[str, Any],
            default: str = "relpath") -> Matcher:
    """The matcher for a command's file arguments and its -I/-X options."""
    return match(repo.root, os.getcwd(), pats, opts.get("include") or (),
                 opts.get("exclude") or (), default=default, warn=repo.ui.warn)


def uipathfn(repo: Repository, relative: bool) -> Callable[[bytes], str]:
    """How paths are shown: relative to the current directory, or to the root."""
    if not relative:
        return os.fsdecode
    root, cwd = repo.root, os.getcwd()
    if os.path.realpath(cwd) == os.path.realpath(root):
        return os.fsdecode
    return lambda path: relpath(root, cwd, path)


def warn_missing(repo: Repository, m: Matcher, known: Callable[[bytes], bool]) -> list[bytes]:
    """hg's warning for named files that are neither on disk nor tracked; returns them."""
    show = uipathfn(repo, True)
    root = os.fsencode(repo.root)
    missing = []
    for path in m.files():
        if path == b"" or known(path) or os.path.lexists(os.path.join(root, path)):
            continue
        repo.ui.warn(f"{show(path)}: No such file or directory\n")
        missing.append(path)
    return missing
