"""``amg root``: print the root directory of the current repository."""
from __future__ import annotations


from amalgam.registrar import command

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
