"""``amg rename``: move files and record the move."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("rename|move|mv",
         [("A", "after", False, "only record a move already made"),
          ("f", "force", False, "move over an existing tracked file"),
          *WALK_OPTS, DRY_RUN],
         "[OPTION]... SOURCE... DEST", category="wdir")
def rename(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """move files and remember where they came from

    Move each SOURCE to DEST (a directory when there are several sources):
    DEST is recorded as a copy of SOURCE and SOURCE as removed.  With
    -A/--after the move already happened on disk and is only recorded.
    An existing DEST is left alone unless -f/--force is given.

    Returns 0 on success, 1 if errors are encountered.
    """
    from amalgam.wc import copies
    from amalgam.wc.dirstate import DirState

    with repo.wlock():
        ds = DirState.open(repo)
        try:
            return copies.copy(repo, ds, list(pats), opts, rename=True)
        finally:
            if ds.dirty and not opts.get("dry_run"):
                ds.write()
