"""``amg debugstrip``: remove changesets and their descendants, keeping a backup bundle."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI
    from amalgam.wc.dirstate import DirState


@command("debugstrip",
         [("r", "rev", [], "a changeset to strip (with its descendants)", "REV"),
          ("f", "force", False, "strip even with local changes, which are lost"),
          ("", "no-backup", False, "do not write a backup bundle"),
          ("k", "keep", False, "leave the working directory's files alone")],
         "[-k] [-f] [-r] REV...", category="debug")
def debugstrip(ui: UI, repo: Repository, *revs: str, **opts: Any) -> int:
    """remove changesets and all their descendants from the repository

    The removed changesets are first saved in a bundle under
    .hg/strip-backup (unless --no-backup), which 'amg unbundle' restores,
    with new revision numbers.  When the working directory's parent is
    removed, the working directory is updated to the parent of the
    stripped changesets (of the root whose node id sorts first, as hg
    picks, when several branches go); local changes make that abort unless -f discards them, and
    -k only moves the parent, leaving every file as it is.
    """
    from amalgam import repair
    from amalgam.node import nullid
    from amalgam.revspec import revrange
    from amalgam.wc.dirstate import DirState

    specs = list(revs) + list(opts.get("rev") or [])
    if not specs:
        return 0
    targets = revrange(repo, specs)
    with repo.wlock():
        ds = DirState.open(repo)
        cl = repo.changelog.revlog
        stripped = repair.descendants(repo, targets)
        parents = [cl.rev(p) for p in ds.parents() if p != nullid]
        if any(p in stripped for p in parents):
            target = _update_target(repo, stripped)
            if opts.get("keep"):
                _move_parent(repo, ds, target, stripped)
            else:
                if not opts.get("force"):
                    _refuse_local_changes(repo, ds)
                from amalgam.merge import update

                ui.status(update(repo, target, force=True).line())
        repair.strip(repo, ui, targets, backup=not opts.get("no_backup"))
    return 0


def _update_target(repo: Repository, stripped: set[int]) -> Any:
    """Where hg moves the working directory: the first parent of a strip root.

    With several roots hg takes the one whose node id sorts first.
    """
    cl = repo.changelog.revlog
    roots = [r for r in stripped if not any(p in stripped for p in cl.parentrevs(r))]
    root = min(roots, key=cl.node)
    return cl.node(cl.parentrevs(root)[0])


def _refuse_local_changes(repo: Repository, ds: DirState) -> None:
    from amalgam.node import nullid
    from amalgam.wc import match as matchmod
    from amalgam.wc.status import status

    if ds.parents()[1] != nullid:
        raise error.StateError("outstanding uncommitted merge")
    st = status(repo, ds, matchmod.always(repo.root, repo.root), unknown=False)
    if st.modified or st.added or st.removed or st.deleted:
        raise error.StateError("uncommitted changes")


def _move_parent(repo: Repository, ds: DirState, node: Any, stripped: set[int]) -> None:
    """--keep: the new parent's view of the files the stripped changesets touched."""
    manifest = repo.manifest_of(node)
    changed = {f for r in stripped for f in repo.changelog.read(r).files}
    for path in sorted(changed):
        entry = ds.get(path)
        if entry is not None and entry.state == "a":
            continue  # added in the working directory: still to be committed
        if path in manifest:
            if entry is None or entry.state != "r":
                ds.set_possibly_dirty(path)
        elif entry is not None:
            ds.drop(path)
    ds.setparents(node)
    ds.write()
