"""``amg init``: create a new repository."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.ui import UI


@command("init", [], "[DEST]", norepo=True, category="repo-creation", helpbasic=True)
def init(ui: UI, repo: Any, dest: str = ".") -> int:
    """make an empty repository, here or in DEST

    Initialize a new repository in DEST (the current directory by
    default), creating DEST if needed.  The repository uses the same
    format as one made by Mercurial 7.2, so either tool can use it.

    Returns 0 on success.
    """
    from amalgam.repo import Repository

    Repository.create(dest, ui, config=ui.config)
    return 0
