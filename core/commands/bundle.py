"""``amg bundle``: write changesets to a bundle file."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.error import InputError
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("bundle",
         [("a", "all", False, "bundle all changesets in the repository"),
          ("r", "rev", [], "a changeset intended to be added to the destination", "REV"),
          ("", "base", [], "a base changeset assumed to be available at the destination",
           "REV"),
          ("t", "type", "bzip2-v2", "bundle compression type to use", "TYPE"),
          ("f", "force", False, "run even when the destination is unrelated")],
         "[-f] [-t BUNDLESPEC] [-a] [-r REV]... [--base REV]... FILE [DEST]",
         category="remote")
def bundle(ui: UI, repo: Repository, fname: str, dest: str | None = None, **opts: Any) -> int:
    """write changesets to a file another repository can apply

    Write the changesets that DEST (the default path) lacks to FILE, or
    with --base those not ancestors of the given base changesets, or with
    --all every changeset.  -r limits it to the given changesets and their
    ancestors.  Secret changesets are never bundled.

    The bundle type is a bundlespec COMPRESSION-v2 or COMPRESSION-v3 with
    COMPRESSION one of none, gzip, bzip2 (default) or zstd; 'none-v2;stream=v2'
    with --all copies the store files themselves, for a new repository.
    Mercurial unbundles these files, and 'amg unbundle' applies them.

    Returns 0 on success, 1 if no changes are found.
    """
    from amalgam.exchange import bundle as bundlemod
    from amalgam.exchange import bundlespec, discovery, phasesync
    from amalgam.revspec import revrange

    spec = bundlespec.parse(opts["type"])
    if opts["all"] and opts["base"]:
        raise InputError("--base is incompatible with --all")
    heads = revrange(repo, opts["rev"]) if opts["rev"] else None
    if opts["all"]:
        common: list[int] = []
    elif opts["base"]:
        common = revrange(repo, opts["base"])
    else:
        from amalgam.exchange import paths
        from amalgam.exchange.peer import peer

        _label, location = paths.resolve(ui, repo, dest, ("default-push", "default"))
        other = peer(ui, location)
        disc = discovery.discover(repo, other, ui)
        common = sorted(disc.common)
    values = phasesync.phases(repo)
    base = set(range(len(repo))) if heads is None else phasesync.ancestors(repo, heads)
    missing = sorted(r for r in base - phasesync.ancestors(repo, common)
                     if values[r] < phasesync.SECRET)
    if spec.stream and (not opts["all"] or opts["rev"]):
        raise InputError("stream bundles copy the whole store", hint="use --all")
    if not missing:
        ui.status("no changes found\n")
        return 1
    ui.status(f"{len(missing)} changesets found\n")
    with repo.lock():  # a stream bundle is a consistent snapshot of the store files
        bundlemod.write_file(fname, bundlemod.bundle_chunks(repo, spec, missing, common))
    return 0
