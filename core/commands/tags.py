"""``amg tags``: the tags and the changesets they name."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("tags", [TEMPLATE_OPTION], "", category="change-navigation")
def tags(ui: UI, repo: Repository, **opts: Any) -> int:
    """list the tags and the changesets they name

    Print every tag, global and local, with the changeset it names, the
    newest changeset first.  With -v, local tags are marked ``local``.
    -T formats each tag (keywords ``tag``, ``rev``, ``node``, ``type`` and
    those of its changeset; ``-T json``).

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
    if opts.get("template"):
        return _formatted(ui, repo, opts["template"], reversed(rows))
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


def _formatted(ui: UI, repo: Repository, spec: str, rows: Any) -> int:
    from amalgam import tags as tagmod
    from amalgam.context import changectx
    from amalgam.templates.formatter import formatter

    fm = formatter(ui, repo, spec)
    for rev, name in rows:
        ctx = changectx(repo, rev)
        kind = "local" if tagmod.tagtype(repo, name) == "local" else ""
        fm.item({"tag": name, "rev": rev, "node": ctx.hex(), "type": kind}, ctx)
    fm.end()
    return 0
