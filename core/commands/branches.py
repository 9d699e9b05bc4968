"""``amg branches``: list the repository's named branches."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("branches",
         [("c", "closed", False, "show normal and closed branches"),
          ("r", "rev", [], "show branch name(s) of the given rev", "VALUE"),
          TEMPLATE_OPTION],
         "[-c]", category="change-navigation")
def branches(ui: UI, repo: Repository, **opts: Any) -> int:
    """list named branches, marking inactive and closed ones

    Print each branch with its tip, the branches holding a topological
    head first.  A branch whose heads all have children on other branches
    is marked ``(inactive)``; one whose heads are all closed is hidden
    unless -c is given, then marked ``(closed)``.  -T formats each branch
    (keywords ``branch``, ``rev``, ``node``, ``active``, ``closed``,
    ``current`` and those of its tip; ``-T json``).

    Returns 0.
    """
    from amalgam import branches as branchmod
    from amalgam.commands.bookmarks import colwidth
    from amalgam.context import changectx, workingctx
    from amalgam.revspec import revrange

    bmap = branchmod.branchmap(repo)
    names = list(bmap.heads)
    if opts.get("rev"):
        wanted = {changectx(repo, rev).branch() for rev in revrange(repo, opts["rev"])}
        names = [name for name in names if name in wanted]
    dagheads = set(repo.changelog.revlog.headrevs())
    rows = []
    for name in names:
        isopen = not bmap.isclosed(name)
        isactive = isopen and any(rev in dagheads for rev in bmap.branchheads(name))
        rows.append((isactive, bmap.tiprev(name) or 0, name, isopen))
    rows.sort(reverse=True)
    current = workingctx(repo).branch()
    fm = None
    if opts.get("template"):
        from amalgam.templates.formatter import formatter

        fm = formatter(ui, repo, opts["template"])
    for isactive, tiprev, name, isopen in rows:
        if fm is not None:
            if isopen or opts.get("closed"):
                ctx = changectx(repo, tiprev)
                fm.item({"branch": name, "rev": tiprev, "node": ctx.hex(),
                         "active": isactive, "closed": not isopen,
                         "current": name == current}, ctx)
            continue
        if isactive:
            label, notice = "branches.active", ""
        elif not isopen:
            if not opts.get("closed"):
                continue
            label, notice = "branches.closed", " (closed)"
        else:
            label, notice = "branches.inactive", " (inactive)"
        if name == current:
            label = "branches.current"
        if ui.quiet:
            ui.write(f"{name}\n", label=label)
            continue
        ctx = changectx(repo, tiprev)
        ident = ctx.hex() if ui.debugflag else ctx.short()
        pad = " " * max(31 - len(str(tiprev)) - colwidth(name), 0)
        ui.write(f"{name}{pad} {tiprev}:{ident}{notice}\n", label=label)
    if fm is not None:
        fm.end()
    return 0

