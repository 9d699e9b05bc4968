"""``amg incoming``: show what a pull would bring."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("incoming|in",
         [("r", "rev", [], "a remote changeset intended to be added", "REV"),
          ("b", "branch", [], "a specific branch you would like to pull", "BRANCH"),
          ("", "bundle", "", "file to store the bundles into", "FILE")],
         "[-r REV]... [-b BRANCH]... [--bundle FILE] [SOURCE]", category="remote")
def incoming(ui: UI, repo: Repository, source: str | None = None, **opts: Any) -> int:
    """list the changesets a pull from SOURCE would bring

    List the changesets a pull from SOURCE (the 'default' path) would add,
    oldest first, without changing this repository.  With --bundle the
    changesets are also saved to FILE (an uncompressed bundle) so a later
    'amg unbundle FILE' needs no second download.

    Returns 0 if there are incoming changes, 1 otherwise.
    """
    from amalgam.exchange import paths
    from amalgam.exchange.peer import peer

    _label, location = paths.resolve(ui, repo, source)
    with peer(ui, location) as other:
        return _incoming(ui, repo, other, location, opts)


def _incoming(ui: UI, repo: Repository, other: Any, location: str,
              opts: dict[str, Any]) -> int:
    from amalgam.exchange import discovery
    from amalgam.exchange.clone import display_url
    from amalgam.exchange.listing import show_bundle
    from amalgam.exchange.peer import LocalPeer
    from amalgam.exchange.pull import resolve_heads

    ui.status(f"comparing with {display_url(location)}\n")
    heads = resolve_heads(other, opts["rev"], opts["branch"])
    disc = discovery.discover(repo, other, ui)
    ui.status("searching for changes\n")
    wanted = heads if heads is not None else disc.remoteheads
    cl = repo.changelog.revlog
    if all(cl.hasnode(n) for n in wanted):
        ui.status("no changes found\n")
        return 1
    if isinstance(other, LocalPeer) and not opts["bundle"]:
        # Like hg, a local source is listed with its own revision numbers.
        from amalgam.exchange.listing import show_revs
        from amalgam.exchange.phasesync import ancestors

        remote = other.repo
        rcl = remote.changelog.revlog
        revs = sorted(ancestors(remote, [rcl.rev(n) for n in wanted]))
        values = [r for r in revs if not cl.hasnode(rcl.node(r))]
        show_revs(ui, remote, values)
        return 0
    # Asked first: over ssh the bundle stream must be read to its end before
    # the connection can carry another command.
    marks = {name: bytes.fromhex(value) for name, value in other.listkeys("bookmarks").items()}
    stream = other.getbundle("incoming", heads=wanted, common=disc.commonheads)
    return show_bundle(ui, repo, stream, opts["bundle"] or None, marks)
