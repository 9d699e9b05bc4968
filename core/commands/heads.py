"""``amg heads``: show the heads of branches or of the whole repository."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("heads",
         [("r", "rev", "", "show only heads which are descendants of STARTREV", "STARTREV"),
          ("t", "topo", False, "show topological heads only"),
          ("c", "closed", False, "show normal and closed branch heads"),
          TEMPLATE_OPTION],
         "[-ct] [-r STARTREV] [REV]...", category="change-navigation")
def heads(ui: UI, repo: Repository, *branchrevs: str, **opts: Any) -> int:
    """list the changesets nothing else builds on

    A branch head is a changeset of a named branch with no child on that
    branch; a branch may have several.  List every open branch head, newest
    first; with REV arguments, only the heads of the branches those
    revisions are on.  -t lists the changesets without any child instead;
    -c includes heads that closed their branch; -r only those descending
    from STARTREV.  -T formats each head like 'amg log -T'.

    Returns 0 if matching heads are found, 1 if not.
    """
    from amalgam import branches
    from amalgam.context import changectx
    from amalgam.display.changeset import show
    from amalgam.revspec import revrange, revsingle

    cl = repo.changelog.revlog
    start = revsingle(repo, opts["rev"]) if opts.get("rev") else None
    if opts.get("topo"):
        revs = [rev for rev in cl.headrevs() if rev >= 0]
    else:
        bmap = branches.branchmap(repo)
        revs = [rev for name in bmap.heads
                for rev in bmap.branchheads(name, closed=bool(opts.get("closed")))]
    if start is not None and start >= 0:
        below = _descendants(repo, start)
        revs = [rev for rev in revs if rev in below]
    ctxs = [changectx(repo, rev) for rev in revs]
    if branchrevs:
        wanted = {changectx(repo, rev).branch() for rev in revrange(repo, branchrevs)}
        ctxs = [ctx for ctx in ctxs if ctx.branch() in wanted]
        headless = sorted(wanted - {ctx.branch() for ctx in ctxs})
        if headless:
            started = f" (started at {opts['rev']})" if opts.get("rev") else ""
            ui.warn(f"no open branch heads found on branches {', '.join(headless)}"
                    f"{started}\n")
    if not ctxs:
        return 1
    ordered = sorted(ctxs, key=lambda c: -c.rev)
    if opts.get("template"):
        from amalgam.templates import changeset_printer

        printer = changeset_printer(repo, opts["template"])
        for ctx in ordered:
            printer.show(ui, ctx.rev)
        printer.close(ui)
        return 0
    for ctx in ordered:
        show(ui, ctx)
    return 0


def _descendants(repo: Repository, start: int) -> set[int]:
    cl = repo.changelog.revlog
    found = {start}
    for rev in range(start + 1, len(cl)):
        if any(p in found for p in cl.parentrevs(rev)):
            found.add(rev)
    return found
