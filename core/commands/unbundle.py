"""``amg unbundle``: apply bundle files."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("unbundle",
         [("u", "update", False, "update to new branch head if changesets were unbundled")],
         "[-u] FILE...", category="remote")
def unbundle(ui: UI, repo: Repository, *fnames: str, **opts: Any) -> int:
    """add the changesets stored in bundle files

    Add the changesets of each FILE (a bundle written by 'amg bundle' or
    'hg bundle': HG20 bundle2 with changegroup 02/03, or HG10 bundle1,
    uncompressed, gzip or bzip2) to the repository in one transaction per
    file.  A damaged or hostile bundle aborts with nothing added.  New
    changesets are draft unless the bundle carries phase information.
    -u updates the working copy as 'amg pull -u' does.

    Returns 0 on success.
    """
    from amalgam.exchange.bundle import apply_stream

    if not fnames:
        raise error.InputError("unbundle needs at least one FILE",
                               hint="see 'amg help unbundle'")
    added = 0
    for fname in fnames:
        try:
            fp = open(fname, "rb")
        except OSError as exc:
            raise error.InputError(f"{fname}: {exc.strerror}") from None
        with fp, repo.wlock():
            added += len(apply_stream(repo, ui, fp, source="unbundle").added)
    if not added:
        return 0
    if opts["update"]:
        from amalgam.exchange.checkout import update_after_pull

        return update_after_pull(repo, ui)
    ui.status("(run 'amg update' to get a working copy)\n")
    return 0
