"""``amg copy``: copy files and record the copy."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("copy|cp",
         [("A", "after", False, "only record a copy already made"),
          ("f", "force", False, "copy over an existing tracked file"),
          *WALK_OPTS, DRY_RUN],
         "[OPTION]... SOURCE... DEST", category="wdir")
def copy(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """copy files and remember where the copies came from

    Copy each SOURCE to DEST (a directory when there are several sources)
    and remember where the copy came from, so history and merges follow
    it.  With -A/--after the copy already happened on disk and is only
    recorded.  An existing DEST is left alone unless -f/--force is given.

    Returns 0 on success, 1 if errors are encountered.
    """
    from amalgam.wc import copies
    from amalgam.wc.dirstate import DirState

    with repo.wlock():
        ds = DirState.open(repo)
        try:
            return copies.copy(repo, ds, list(pats), opts)
        finally:
            if ds.dirty and not opts.get("dry_run"):
                ds.write()
