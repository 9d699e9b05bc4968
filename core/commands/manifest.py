"""``amg manifest``: list the files of a revision."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

_MODES = {"": b"644  ", "x": b"755 *", "l": b"644 @"}


@command("manifest", [
    ("r", "rev", "", "revision to display", "REV"),
    ("", "all", False, "list files from all revisions"),
], "[-r REV]", category="maintenance")
def manifest(ui: UI, repo: Repository, node: str | None = None, **opts: Any) -> int:
    """list the files of a revision

    Without a revision, the working copy's parent.  -v adds each file's
    permissions (644/755) and a '*' for executables or '@' for symlinks;
    --debug adds the file node.  --all lists every file any revision has
    ever tracked.

    Returns 0 on success.
    """
    from amalgam.context import changectx
    from amalgam.revspec import revsingle

    rev = opts.get("rev") or node
    if opts.get("all"):
        if rev:
            raise error.InputError("can't specify a revision with --all")
        names: set[bytes] = set()
        cl = repo.changelog
        for r in range(len(cl)):
            names.update(cl.read(r).files)
        for path in sorted(names):
            ui.write(path, b"\n")
        return 0
    ctx = changectx(repo, revsingle(repo, rev or "."))
    for path, (fnode, flags) in ctx.manifest().items():
        if ui.debugflag:
            ui.write(fnode.hex().encode(), b" ")
        if ui.verbose:
            ui.write(_MODES[flags], b" ")
        ui.write(path, b"\n")
    return 0
