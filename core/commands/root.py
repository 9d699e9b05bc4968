"""``amg root``: print the root directory of the current repository."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.ui import UI


@command("root", [], "", category="wdir")
def root(ui: UI, repo: Any) -> int:
    """show the top directory of the current repository

    Print the root directory of the current repository: the directory
    holding its .hg.

    Returns 0 on success.
    """
    ui.write(repo.root, "\n")
    return 0
