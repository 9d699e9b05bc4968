"""``amg files``: the files a revision or the working directory tracks."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("files", [
    ("r", "rev", "", "search the repository as it is in REV", "REV"),
    ("0", "print0", False, "end filenames with NUL, for use with xargs"),
    *WALK_OPTIONS,
], "[OPTION]... [FILE]...", category="wdir")
def files(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """print the files a revision or the working directory tracks

    Without -r, list the files the working copy tracks (added files
    included, removed ones not); with -r, the files of that revision.
    Names are shown relative to the current directory.

    Returns 0 when a file matched, 1 otherwise.
    """
    from amalgam.wc.match import match

    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    end = b"\0" if opts.get("print0") else b"\n"
    if opts.get("rev"):
        from amalgam.context import changectx
        from amalgam.revspec import revsingle

        paths = list(changectx(repo, revsingle(repo, opts["rev"])).walk(m))
    else:
        from amalgam.wc.dirstate import DirState

        ds = DirState.open(repo)
        paths = [p for p in ds if m(p) and ds.get(p).state != "r"]
    for path in paths:
        ui.write(os.fsencode(m.uipath(path)), end)
    return 0 if paths else 1
