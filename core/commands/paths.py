"""``amg paths``: show the named remote repositories."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.ui import UI


@command("paths", [], "[NAME]", optionalrepo=True, category="remote")
def paths(ui: UI, repo: Any, name: str | None = None) -> int:
    """list the names given to remote repositories

    With no NAME, print every path as 'NAME = LOCATION'; with NAME, print
    its location.  Paths come from the [paths] section of the configuration
    and of the repository's .hg/hgrc (which clone writes and hg reads).
    Relative locations are shown relative to the repository root.

    Returns 0 on success, 1 when NAME is not a known path.
    """
    from amalgam.exchange import paths as pathsmod

    entries = [(label, pathsmod.resolve(ui, repo, label)[1]) for label, _ in pathsmod.items(ui)]
    if name is not None:
        for label, location in entries:
            if label == name:
                ui.write(f"{location}\n")
                return 0
        ui.warn("not found!\n")
        return 1
    for label, location in entries:
        if ui.quiet:
            ui.write(f"{label}\n")
        else:
            ui.write(f"{label} = {location}\n")
    return 0
