"""``amg outgoing``: show what a push would send."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("outgoing|out",
         [("r", "rev", [], "a changeset intended to be included in the destination", "REV"),
          ("b", "branch", [], "a specific branch you would like to push", "BRANCH")],
         "[-r REV]... [-b BRANCH]... [DEST]", category="remote")
def outgoing(ui: UI, repo: Repository, dest: str | None = None, **opts: Any) -> int:
    """list the changesets a push to DEST would send

    List the changesets a push to DEST ('default-push' or 'default') would
    send, oldest first.  Secret changesets are never listed.

    Returns 0 if there are outgoing changes, 1 otherwise.
    """
    from amalgam.exchange import paths
    from amalgam.exchange.peer import peer

    _label, location = paths.resolve(ui, repo, dest, ("default-push", "default"))
    with peer(ui, location) as other:
        return _outgoing(ui, repo, other, location, opts)


def _outgoing(ui: UI, repo: Repository, other: Any, location: str,
              opts: dict[str, Any]) -> int:
    from amalgam.exchange import discovery
    from amalgam.exchange.clone import display_url
    from amalgam.exchange.listing import show_revs
    from amalgam.revspec import revrange

    ui.status(f"comparing with {display_url(location)}\n")
    ui.status("searching for changes\n")
    revs = None
    if opts["rev"] or opts["branch"]:
        revs = revrange(repo, opts["rev"]) if opts["rev"] else []
        wanted = set(opts["branch"])
        revs += [r for r in range(len(repo)) if repo.changelog.read(r).branch in wanted]
    missing = discovery.outgoing(repo, discovery.discover(repo, other, ui), revs)
    if not missing:
        ui.status("no changes found\n")
        return 1
    show_revs(ui, repo, missing)
    return 0
