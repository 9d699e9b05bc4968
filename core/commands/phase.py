"""``amg phase``: show or change the phase of changesets."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("phase",
         [("p", "public", False, "set changeset phase to public"),
          ("d", "draft", False, "set changeset phase to draft"),
          ("s", "secret", False, "set changeset phase to secret"),
          ("f", "force", False, "allow to move boundary backward"),
          ("r", "rev", [], "target revision", "REV")],
         "[-p|-d|-s] [-f] [-r] [REV...]", category="change-navigation")
def phase(ui: UI, repo: Repository, *revs: str, **opts: Any) -> int:
    """show or set the phase of changesets

    With no phase option, print the phase (public, draft or secret) of each
    REV, default the working directory's parent.  With -p, -d or -s, move
    the given changesets and their ancestors to that phase.  Making a
    changeset less public (draft to secret, public to anything) needs -f,
    which also moves the descendants.

    Returns 0 on success, 1 if some phases could not be changed.
    """
    from amalgam import phases
    from amalgam.revspec import revrange

    chosen = [number for number, name in ((phases.PUBLIC, "public"), (phases.DRAFT, "draft"),
                                          (phases.SECRET, "secret")) if opts.get(name)]
    if len(chosen) > 1:
        raise error.InputError("only one phase can be specified")
    specs = list(revs) + list(opts.get("rev") or [])
    revlist = revrange(repo, specs or ["."])
    if not chosen:
        for rev in revlist:
            ui.write(f"{rev}: {phases.PHASE_NAMES[phases.phase(repo, rev)]}\n")
        return 0
    if not revlist:
        raise error.InputError("empty revision set")
    return _move(ui, repo, chosen[0], [rev for rev in revlist if rev >= 0],
                 bool(opts.get("force")))


def _move(ui: UI, repo: Repository, target: int, revs: list[int], force: bool) -> int:
    from amalgam import phases

    with repo.wlock(), repo.lock():
        before = phases.phases(repo)
        table = phases.advance(repo, target, revs)
        if force:
            table = phases.retract(repo, target, revs, table)
        moved = phases.changed(before, table)
        if moved:
            with repo.transaction("phase") as tr:
                phases.write_table(repo, tr, table)
            # The repository caches which revisions are drafts for new commits.
            repo.invalidate()
    rejected = 0 if force else sum(1 for rev in revs if before[rev] < target)
    if rejected:
        ui.warn(f"cannot move {rejected} changesets to a higher phase, use --force\n")
    if moved:
        ui.note(f"phase changed for {moved} changesets\n")
    else:
        ui.warn("no phases changed\n")
    return 1 if rejected else 0
