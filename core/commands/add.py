"""``amg add``: start tracking files."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("add", [*WALK_OPTS, DRY_RUN], "[OPTION]... [FILE]...", category="wdir",
         helpbasic=True)
def add(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """start tracking files from the next commit on

    Schedule FILEs to be tracked and committed with the next commit.
    Without FILE, every untracked file that is not ignored is added
    (each one is named as it is added).  A file named explicitly is added
    even when .hgignore matches it.  'amg forget' undoes an add before the
    commit.

    Returns 0 if all files are successfully added, 1 otherwise.
    """
    from amalgam.wc import cmdutil, tracking
    from amalgam.wc.dirstate import DirState

    with repo.wlock():
        ds = DirState.open(repo)
        m = cmdutil.matcher(repo, pats, opts)
        bad = tracking.add(repo, ds, m, dry_run=opts.get("dry_run", False), opts=opts)
        if ds.dirty and not opts.get("dry_run"):
            ds.write()
    return 1 if bad else 0
