"""``amg merge``: merge another head into the working copy."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("merge", [
    ("f", "force", False, "(DEPRECATED)"),
    ("r", "rev", "", "revision to merge", "REV"),
    ("P", "preview", False, "review revisions to merge (no merge is performed)"),
    ("", "abort", False, "abort the ongoing merge"),
    ("t", "tool", "", "specify merge tool", "TOOL"),
], "[-P] [[-r] REV]", category="change-creation", helpbasic=True)
def merge(ui: UI, repo: Repository, node: str | None = None, **opts: Any) -> int:
    """merge another revision into the working directory

    Combine the changes of REV with the working directory's parent: files
    changed on one side only are taken from that side, files changed on
    both are merged line by line.  The working directory must have no
    uncommitted changes; the result is committed with 'amg commit', which
    records both parents.

    Without REV, merge the other head of the current branch; with more than
    one other head, name the one you want.  Conflicts leave markers in the
    files and the merge state in .hg/merge: fix them, mark them with
    'amg resolve -m', or give up with 'amg merge --abort'.

    --tool picks an internal merge tool: :merge (default, markers),
    :merge3 (markers with the base), :union, :local, :other, :fail,
    :merge-local, :merge-other.

    Returns 0 on success, 1 if there are unresolved files.
    """
    from amalgam.merge import abort
    from amalgam.merge import merge as run

    rev = opts.get("rev") or None
    if rev and node:
        raise error.InputError("please specify just one revision")
    spec = rev or node
    if opts.get("abort"):
        if spec:
            raise error.InputError("cannot specify a node with --abort")
        if opts.get("preview"):
            raise error.InputError("cannot specify --preview with --abort")
        with repo.wlock():
            stats = abort(repo)
        ui.status(stats.line())
        return 0
    with repo.wlock():
        target = _target(repo, spec)
        if opts.get("preview"):
            _preview(ui, repo, target)
            return 0
        stats = run(repo, target, tool=opts.get("tool") or None)
        ui.status(stats.line())
    if stats.unresolved:
        ui.status("use 'amg resolve' to retry unresolved file merges or "
                  "'amg merge --abort' to abandon\n")
        return 1
    ui.status("(branch merge, don't forget to commit)\n")
    return 0


def _target(repo: Repository, spec: str | None) -> Node:
    """The revision to merge; without *spec*, hg's choice of the other branch head."""
    from amalgam.branches import branchheads
    from amalgam.revspec import revsingle
    from amalgam.wc.dirstate import DirState

    cl = repo.changelog.revlog
    if spec is not None:
        rev = revsingle(repo, spec)
        if rev < 0:
            from amalgam.node import nullid

            return nullid
        return cl.node(rev)
    ds = DirState.open(repo)
    branch = ds.branch()
    heads = branchheads(repo, branch)
    p1rev = cl.rev(ds.p1()) if ds.p1() in (cl.node(r) for r in heads) else None
    if p1rev is None:
        if len(heads) <= 1:
            raise error.StateError("nothing to merge", hint="use 'amg update' instead")
        raise error.StateError("working directory not at a head revision",
                               hint="use 'amg update' or merge with an explicit revision")
    others = [rev for rev in heads if rev != p1rev]
    if len(heads) > 2:
        raise error.StateError(f"branch '{branch}' has {len(heads)} heads - please merge "
                               "with an explicit rev",
                               hint="run 'amg heads .' to see heads, specify rev with -r")
    if not others:
        raise error.StateError("nothing to merge")
    return cl.node(others[0])


def _preview(ui: UI, repo: Repository, target: Node) -> None:
    """Show the changesets the merge would bring in: ancestors of the target, not of p1."""
    from amalgam.context import changectx
    from amalgam.display.changeset import show
    from amalgam.node import nullid
    from amalgam.wc.dirstate import DirState

    cl = repo.changelog.revlog

    def ancestors(node: Node) -> set[int]:
        if node == nullid:
            return set()
        seen, stack = {cl.rev(node)}, [cl.rev(node)]
        while stack:
            for parent in cl.parentrevs(stack.pop()):
                if parent >= 0 and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    for rev in sorted(ancestors(target) - ancestors(DirState.open(repo).p1())):
        show(ui, changectx(repo, rev))
