"""``amg debugrevspec``: parse and evaluate a revset, printing the revisions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

STAGES = ("parsed", "expanded")


def format_tree(tree: Any, indent: int = 0) -> list[str]:
    """A tree in hg's ``debugrevspec -p`` layout, one node per line."""
    pad = "  " * indent
    if not isinstance(tree, tuple):
        return [pad + repr(tree)]
    if len(tree) == 2 and not isinstance(tree[1], tuple) and tree[1] is not None:
        return [f"{pad}({tree[0]} {tree[1]!r})"]
    lines = [f"{pad}({tree[0]}"]
    for child in tree[1:]:
        lines.extend(format_tree(child, indent + 1))
    lines[-1] += ")"
    return lines


@command("debugrevspec", [
    ("p", "show-stage", [], "print parsed tree at the given stage", "NAME"),
    ("", "show-revs", True, "print list of result revisions (default)"),
], "REVSPEC", category="debug")
def debugrevspec(ui: UI, repo: Repository, expr: str | None = None, **opts: Any) -> int:
    """show how a revset parses and which revisions it selects

    With -p/--show-stage, print the tree after parsing ("parsed") or after
    expanding [revsetalias] entries ("expanded"); "all" prints both.
    """
    from amalgam import revset
    from amalgam.revset import lang
    from amalgam.revset.names import RepoView

    if expr is None:
        raise error.InputError("debugrevspec requires a revision specification",
                               hint="e.g. amg debugrevspec 'heads(all())'")
    stages = list(opts.get("show_stage") or [])
    if "all" in stages:
        stages = list(STAGES)
    for stage in stages:
        if stage not in STAGES:
            raise error.InputError(f"invalid stage name: {stage}",
                                   hint="use one of: " + ", ".join(STAGES))
    aliases = revset.config_aliases(repo)
    view = RepoView(repo)
    tree = lang.parse(expr, view.known)
    trees = {"parsed": tree,
             "expanded": lang.expand_aliases(tree, lang.load_aliases(aliases))}
    for stage in STAGES:
        if stage in stages:
            ui.write(f"* {stage}:\n")
            ui.write("\n".join(format_tree(trees[stage])) + "\n")
    if opts.get("show_revs", True):
        for rev in revset.revs(repo, [expr], aliases):
            ui.write(f"{rev}\n")
    return 0
