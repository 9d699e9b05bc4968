"""``amg tags``: the tags and the changesets they name."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("tags", [], "", category="change-navigation")
def tags(ui: UI, repo: Repository, **opts: Any) -> int:
    """list the tags and the changesets they name

    Print every tag, global and local, with the changeset it names, the
    newest changeset first.  With -v, local tags are marked ``local``.

    Returns 0.
    """
    from amalgam import tags as tagmod
    from amalgam.commands.bookmarks import colwidth
    from amalgam.context import changectx
    from amalgam.node import nullid, nullrev

    found = tagmod.tags(repo)
    cl = repo.changelog.revlog
    rows = sorted(((cl.rev(node) if node != nullid else nullrev), name)
                  for name, node in found.items())
    for rev, name in reversed(rows):
        if ui.quiet:
            ui.write(f"{name}\n", label="tags.normal")
            continue
        ctx = changectx(repo, rev)
        ident = ctx.hex() if ui.debugflag else ctx.short()
        local = ui.verbose and tagmod.tagtype(repo, name) == "local"
        pad = " " * (30 - colwidth(name))
        ui.write(f"{name}{pad} {rev:5d}:{ident}{' local' if local else ''}\n",
                 label="tags.local" if local else "tags.normal")
    return 0
