"""``amg addremove``: add all new files and remove all missing ones."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("addremove",
         [("s", "similarity", "", "record renames of files at least this percent alike",
           "SIMILARITY"), *WALK_OPTS, DRY_RUN],
         "[OPTION]... [FILE]...", category="wdir")
def addremove(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """track new files and untrack missing ones in one go

    Start tracking every untracked, unignored file and stop tracking every
    tracked file missing from the disk.  With -s/--similarity, a new file
    whose content is at least that percent similar to a missing one is
    recorded as its rename (100 only pairs identical contents).

    Returns 0 if all named files were handled, 1 otherwise.
    """
    from amalgam.wc import cmdutil, tracking
    from amalgam.wc.dirstate import DirState

    try:
        similarity = float(opts.get("similarity") or 0)
    except ValueError:
        raise error.InputError("similarity must be a number") from None
    if not 0 <= similarity <= 100:
        raise error.InputError("similarity must be between 0 and 100")
    with repo.wlock():
        ds = DirState.open(repo)
        m = cmdutil.matcher(repo, pats, opts)
        bad = tracking.addremove(repo, ds, m, similarity=similarity / 100,
                                 dry_run=opts.get("dry_run", False), opts=opts)
        if ds.dirty and not opts.get("dry_run"):
            ds.write()
    return 1 if bad else 0
