"""``amg push``: send changesets to another repository."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("push",
         [("f", "force", False, "force push"),
          ("r", "rev", [], "a changeset intended to be included in the destination", "REV"),
          ("B", "bookmark", [], "bookmark to push", "BOOKMARK"),
          ("b", "branch", [], "a specific branch you would like to push", "BRANCH"),
          ("", "new-branch", False, "allow pushing a new branch")],
         "[-f] [-r REV]... [-B BOOKMARK]... [-b BRANCH]... [--new-branch] [DEST]",
         category="remote", helpbasic=True)
def push(ui: UI, repo: Repository, dest: str | None = None, **opts: Any) -> int:
    """send local changesets to another repository

    Send the changesets DEST ('default-push' or 'default' when omitted)
    lacks.  -r, -b and -B limit the push to those changesets, branches or
    bookmarks and their ancestors; secret changesets are never pushed.
    A push that would create a new head on a remote branch, or a new
    remote branch, is refused unless --force (or --new-branch for a new
    branch) is given.  Pushing to a publishing repository makes the pushed
    changesets public here too.

    Returns 0 if changesets were pushed, 1 if there was nothing to push.
    """
    from amalgam.exchange import paths
    from amalgam.exchange.clone import display_url
    from amalgam.exchange.peer import peer
    from amalgam.exchange.push import push as run
    from amalgam.revspec import revrange

    _label, location = paths.resolve(ui, repo, dest, ("default-push", "default"))
    with peer(ui, location) as other:
        ui.status(f"pushing to {display_url(location)}\n")
        revs = None
        if opts["rev"] or opts["branch"] or opts["bookmark"]:
            revs = revrange(repo, opts["rev"]) if opts["rev"] else []
            wanted = set(opts["branch"])
            revs += [r for r in range(len(repo)) if repo.changelog.read(r).branch in wanted]
        return run(repo, other, ui, revs=revs, force=opts["force"],
                   newbranch=opts["new_branch"], bookmarks=opts["bookmark"])
