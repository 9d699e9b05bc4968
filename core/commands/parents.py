"""``amg parents``: show the parents of the working directory or a revision."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("parents",
         [("r", "rev", "", "show parents of the specified revision", "REV"),
          ("T", "template", "", "display with template (or a style: json, compact, ...)",
           "TEMPLATE")],
         "[-r REV] [FILE]", category="change-navigation")
def parents(ui: UI, repo: Repository, file: str = "", **opts: Any) -> int:
    """print the changesets the working directory (or REV) builds on

    Print the working directory's parent changesets (two during a merge),
    or those of -r REV.  With FILE, print instead the changesets in which
    that file was last changed before them.  -T shows them with a template
    or style, as ``log -T`` does.

    Returns 0 on success.
    """
    from amalgam.context import changectx, workingctx
    from amalgam.display.changeset import show
    from amalgam.revspec import revsingle

    ctx: Any = changectx(repo, revsingle(repo, opts["rev"])) if opts.get("rev") \
        else workingctx(repo)
    if file:
        path = _one_file(repo, file)
        shown = []
        for parent in ctx.parents():
            if parent and path in parent:
                shown.append(parent.filectx(path).linkrev())
        if not shown:
            raise error.InputError(f"'{path.decode('utf-8', 'surrogateescape')}' not found "
                                   "in manifest")
    else:
        shown = [parent.rev for parent in ctx.parents()]
    shown = [rev for rev in shown if rev >= 0]
    if opts.get("template"):
        from amalgam import templates

        printer = templates.changeset_printer(repo, opts["template"])
        for rev in shown:
            printer.show(ui, rev)
        # Closes the list even when nothing was shown: json prints "[\n]".
        printer.close(ui)
        return 0
    for rev in shown:
        show(ui, changectx(repo, rev))
    return 0


def _one_file(repo: Repository, pattern: str) -> bytes:
    from amalgam.wc import cmdutil

    m = cmdutil.matcher(repo, [pattern], {})
    if m.anypats() or len(m.files()) != 1:
        raise error.InputError("can only specify an explicit filename")
    return m.files()[0]
