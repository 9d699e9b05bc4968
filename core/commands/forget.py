"""``amg forget``: stop tracking files without deleting them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("forget", [*WALK_OPTS, DRY_RUN], "[OPTION]... FILE...", category="wdir")
def forget(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """stop tracking files but keep them on disk

    Stop tracking FILEs from the next commit on; the files stay in the
    working directory (they show as untracked after the commit).  An
    added file is simply un-added.  To delete files as well, use
    'amg remove'.

    Returns 0 on success, 1 if a named file was not tracked.
    """
    from amalgam.wc import cmdutil, tracking
    from amalgam.wc.dirstate import DirState

    if not pats:
        raise error.InputError("no files specified")
    with repo.wlock():
        ds = DirState.open(repo)
        m = cmdutil.matcher(repo, pats, opts)
        bad = tracking.forget(repo, ds, m, dry_run=opts.get("dry_run", False))
        if ds.dirty and not opts.get("dry_run"):
            ds.write()
    return 1 if bad else 0
