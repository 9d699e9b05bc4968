"""``amg identify``: a short summary of the working directory or a revision."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("identify|id",
         [("r", "rev", "", "identify the specified revision", "REV"),
          ("n", "num", False, "show local revision number"),
          ("i", "id", False, "show global revision id"),
          ("b", "branch", False, "show branch"),
          ("t", "tags", False, "show tags"),
          ("B", "bookmarks", False, "show bookmarks"),
          TEMPLATE_OPTION],
         "[-nibtB] [-r REV] [SOURCE]", category="change-navigation")
def identify(ui: UI, repo: Repository, source: str = "", **opts: Any) -> int:
    """identify the working directory or a specified revision

    Print the short hash of the working directory's parent (both parents
    during a merge) followed by ``+`` when there are uncommitted changes,
    then the branch when it is not ``default``, the tags and the
    bookmarks.  With -r, describe that revision instead; -n, -i, -b, -t
    and -B choose the fields to print.  -T formats the answer (keywords
    ``id``, ``node``, ``branch``, ``tags``, ``bookmarks``, and ``dirty``
    and ``parents`` for the working directory; ``-T json``).

    Returns 0 on success.
    """
    from amalgam.context import changectx, workingctx
    from amalgam.revspec import revsingle

    if source:
        raise error.InputError("identify of another repository is not supported",
                               hint="run it inside that repository, or use -R")
    chosen = {name: bool(opts.get(name)) for name in ("num", "id", "branch", "tags",
                                                      "bookmarks")}
    default = not any(chosen.values())
    fmt = (lambda ctx: ctx.hex()) if ui.debugflag else (lambda ctx: ctx.short())
    if opts.get("rev"):
        ctx = changectx(repo, revsingle(repo, opts["rev"]))
        parents, dirty = [ctx], ""
        branch = ctx.branch()
        taglist, marks = ctx.tags(), ctx.bookmarks()
    else:
        wctx = workingctx(repo)
        parents = wctx.parents()
        dirty = "+" if wctx.dirty(merge=False, branch=False) else ""
        branch = wctx.branch()
        taglist = [name for p in parents for name in p.tags()]
        marks = [name for p in parents for name in p.bookmarks()]
    if opts.get("template"):
        from amalgam.templates.formatter import formatter

        fm = formatter(ui, repo, opts["template"])
        fields: dict[str, Any] = {"id": "+".join(p.hex() for p in parents) + dirty,
                                  "branch": branch, "tags": list(taglist),
                                  "bookmarks": list(marks)}
        if opts.get("rev"):
            fields["node"] = ctx.hex()
            fm.item(fields, ctx)
        else:
            fields.update(node="f" * 40, dirty=dirty, parents=[p.hex() for p in parents])
            # hg's number for the working directory, for templates only
            fm.item(fields, extra={"rev": 2147483647})
        fm.end()
        return 0
    output: list[str] = []
    if default or chosen["id"]:
        output.append("+".join(fmt(p) for p in parents) + dirty)
    if chosen["num"]:
        output.append("+".join(str(p.rev) for p in parents) + dirty)
    if default and not ui.quiet:
        if branch != "default":
            output.append(f"({branch})")
        if taglist:
            output.append("/".join(taglist))
        if marks:
            output.append("/".join(marks))
    else:
        if chosen["branch"]:
            output.append(branch)
        if chosen["tags"]:
            output.extend(taglist)
        if chosen["bookmarks"]:
            output.extend(marks)
    ui.write(" ".join(output) + "\n")
    return 0
