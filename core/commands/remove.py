"""``amg remove``: stop tracking files and delete them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("remove|rm",
         [("A", "after", False, "only record files already deleted"),
          ("f", "force", False, "un-add added files and delete modified ones too"),
          *WALK_OPTS, DRY_RUN],
         "[OPTION]... FILE...", category="wdir", helpbasic=True)
def remove(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """stop tracking files and delete them

    Delete FILEs from the working directory and stop tracking them from
    the next commit on.  A modified or just-added file is kept (with a
    warning) unless -f/--force is given; -f deletes a modified file and
    un-adds an added one.  With -A/--after, only files already deleted
    from disk are recorded as removed.

    Returns 0 on success, 1 if any warning was issued.
    """
    from amalgam.wc import cmdutil, tracking
    from amalgam.wc.dirstate import DirState

    after, force = opts.get("after"), opts.get("force")
    if not pats and not after:
        raise error.InputError("no files specified")
    with repo.wlock():
        ds = DirState.open(repo)
        m = cmdutil.matcher(repo, pats, opts)
        ret = tracking.remove(repo, ds, m, after=bool(after), force=bool(force),
                              dry_run=opts.get("dry_run", False))
        if ds.dirty and not opts.get("dry_run"):
            ds.write()
    return ret
