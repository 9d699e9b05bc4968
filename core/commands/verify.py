"""``amg verify``: check the integrity of the repository."""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("verify", [], "", category="maintenance")
def verify(ui: UI, repo: Repository) -> int:
    """check that every stored revision is intact and consistent

    Check every changeset, manifest and file revision: its hash, its
    place in the delta chain, its link to the changeset that introduced
    it, and the references between changesets, manifests and files.

    Returns 0 on success, 1 if errors are encountered.
    """
    from amalgam.storage import transaction
    from amalgam.storage.verify import verify as run

    with repo.lock():
        if transaction.has_journal(repo.svfs):
            ui.warn("abandoned transaction found - run 'amg recover'\n")
        return run(repo, ui)
