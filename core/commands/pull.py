"""``amg pull``: fetch changesets from another repository."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("pull",
         [("u", "update", False, "update to new branch head if new descendants were pulled"),
          ("r", "rev", [], "a remote changeset intended to be added", "REV"),
          ("B", "bookmark", [], "bookmark to pull", "BOOKMARK"),
          ("b", "branch", [], "a specific branch you would like to pull", "BRANCH")],
         "[-u] [-r REV]... [-b BRANCH]... [-B BOOKMARK]... [SOURCE]",
         category="remote", helpbasic=True)
def pull(ui: UI, repo: Repository, source: str | None = None, **opts: Any) -> int:
    """fetch changesets from another repository

    Add the changesets of SOURCE (the 'default' path when omitted) that
    this repository lacks.  -r, -b and -B limit the pull to those
    changesets, branches or bookmarks and their ancestors.  -u then
    updates the working copy to the newest head of its branch that
    descends from its parent.  Changesets
    from a publishing repository become public; remote bookmarks are added
    or fast-forwarded, a diverged one is kept as NAME@PATH.

    Returns 0 on success.
    """
    from amalgam.exchange import paths
    from amalgam.exchange.clone import display_url
    from amalgam.exchange.peer import peer
    from amalgam.exchange.pull import pull as run, resolve_heads

    label, location = paths.resolve(ui, repo, source)
    with peer(ui, location) as other:
        ui.status(f"pulling from {display_url(location)}\n")
        heads = resolve_heads(other, opts["rev"], opts["branch"], opts["bookmark"])
        op = run(repo, other, ui, heads=heads, bookmarks=opts["bookmark"], remote_name=label)
    if op is None or not op.added:
        return 0
    if opts["update"]:
        from amalgam.exchange.checkout import update_after_pull

        return update_after_pull(repo, ui)
    ui.status("(run 'amg update' to get a working copy)\n")
    return 0
