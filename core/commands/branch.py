"""``amg branch``: show or set the branch name of the working directory."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("branch",
         [("f", "force", False, "set branch name even if it shadows an existing branch"),
          ("C", "clean", False, "reset branch name to parent branch name")],
         "[-fC] [NAME]", category="change-creation")
def branch(ui: UI, repo: Repository, name: str = "", **opts: Any) -> int:
    """print the working directory's branch, or name the next commit's

    With no NAME, print the branch the next commit will go to.  With NAME,
    mark the working directory so that the next commit starts or continues
    that branch.  A name used by another branch is refused unless -f is
    given or a working-directory parent is on it; -C goes back to the
    parent's branch.  Branch names are permanent: consider a bookmark for
    short-lived lines of work.

    Returns 0 on success.
    """
    from amalgam import bookmarks, branches
    from amalgam.context import workingctx

    label = name.strip()
    if not opts.get("clean") and not label:
        ui.write(f"{workingctx(repo).branch()}\n")
        return 0
    with repo.wlock():
        wctx = workingctx(repo)
        ds = wctx.dirstate()
        if opts.get("clean"):
            label = wctx.p1().branch()
            ds.setbranch(label)
            ui.status(f"reset working directory to branch {label}\n")
            return 0
        bookmarks.check_label(label)
        bmap = branches.branchmap(repo)
        if (not opts.get("force") and label in bmap
                and label not in [p.branch() for p in wctx.parents()]):
            raise error.InputError("a branch of the same name already exists",
                                   hint="use 'amg update' to switch to it")
        ds.setbranch(label)
        ui.status(f"marked working directory as branch {label}\n")
        # The hint is for someone starting their first named branch.
        if not any(name != "default" and not bmap.isclosed(name) for name in bmap.heads):
            ui.status("(branches are permanent and global, did you want a bookmark?)\n")
    return 0
