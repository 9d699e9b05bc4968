"""``amg recover``: roll back an interrupted transaction."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("recover", [("", "verify", True, "run verify after recovering")], "",
         category="maintenance")
def recover(ui: UI, repo: Repository, **opts: Any) -> int:
    """undo the partial writes of a killed commit or pull

    A process killed in the middle of writing leaves a journal in the
    store, and further writes are refused until it is played back.  This
    command plays it back (truncating and restoring the files it lists),
    then checks the repository unless --no-verify is given.

    Exit status is 1 when there was no journal or the check found damage,
    0 otherwise.
    """
    from amalgam.storage import transaction
    from amalgam.storage.verify import verify

    with repo.lock():
        if not transaction.has_journal(repo.svfs):
            ui.warn("no interrupted transaction available\n")
            return 1
        ui.status("rolling back interrupted transaction\n")
        transaction.recover(repo.svfs, ui, plain_vfs=repo.vfs)
        repo.invalidate()
        if opts.get("verify", True):
            return verify(repo, ui)
    return 0
