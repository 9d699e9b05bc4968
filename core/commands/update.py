"""``amg update``: move the working copy to another revision."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("update|up|checkout|co", [
    ("C", "clean", False, "discard uncommitted changes (no backup)"),
    ("c", "check", False, "require clean working directory"),
    ("m", "merge", False, "merge uncommitted changes"),
    ("r", "rev", "", "revision", "REV"),
    ("t", "tool", "", "specify merge tool", "TOOL"),
], "[-C|-c|-m] [[-r] REV]", category="wdir", helpbasic=True)
def update(ui: UI, repo: Repository, node: str | None = None, **opts: Any) -> int:
    """update the working directory to another revision

    Write the files of REV into the working directory and make REV its
    parent.  Uncommitted changes are carried over: files you changed are
    merged with the target's version (conflicts leave markers; finish with
    'amg resolve').  -c refuses to start when there are uncommitted changes,
    -C throws them away.  Changes can only be carried along a line of
    history: to jump to another branch with changes, commit or use -C.

    Without REV, go to the newest head of the working directory's branch
    that descends from the current parent (or to the active bookmark).
    Naming a bookmark activates it; naming anything else leaves the active
    bookmark.  'null' empties the working directory.

    Returns 0 on success, 1 if there are unresolved files.
    """
    from amalgam import bookmarks
    from amalgam.merge import update as run
    from amalgam.revspec import revsingle
    from amalgam.wc.dirstate import DirState

    rev = opts.get("rev") or None
    if rev and node:
        raise error.InputError("please specify just one revision")
    spec = rev or node
    if opts.get("clean") and opts.get("check"):
        raise error.InputError("cannot specify both --clean and --check")
    if opts.get("clean") and opts.get("merge"):
        raise error.InputError("cannot specify both --clean and --merge")
    with repo.wlock():
        ds = DirState.open(repo)
        p1 = ds.p1()
        active = bookmarks.active(repo)
        marks = bookmarks.read(repo)
        if spec is None:
            target, heads = _destination(repo, ds, active, marks)
        else:
            target_rev = revsingle(repo, spec)
            target = repo.changelog.revlog.node(target_rev) if target_rev >= 0 else _null()
            heads = []
        stats = run(repo, target, force=bool(opts.get("clean")),
                    check=bool(opts.get("check")), tool=opts.get("tool") or None)
        ui.status(stats.line())
        _bookmark_moves(ui, repo, spec, active, marks, p1, target)
        if spec is None and len(heads) > 1 and repo.changelog.revlog.rev(target) in heads:
            ctx_line = _describe(repo, target)
            ui.status(f"updated to \"{ctx_line}\"\n")
            ui.status(f"{len(heads) - 1} other heads for branch \"{ds.branch()}\"\n")
    if stats.unresolved:
        ui.status("use 'amg resolve' to retry unresolved file merges\n")
        return 1
    return 0


def _null() -> Node:
    from amalgam.node import nullid

    return nullid


def _destination(repo: Repository, ds: Any, active: str | None,
                 marks: dict[str, Node]) -> tuple[Node, list[int]]:
    """hg's default target: the active bookmark, else the newest descendant head."""
    from amalgam.branches import branchheads
    from amalgam.node import nullid

    cl = repo.changelog.revlog
    p1 = ds.p1()
    branch = ds.branch()
    heads = branchheads(repo, branch)
    if active is not None:
        return marks[active], heads
    if p1 == nullid:
        if heads:
            return cl.node(max(heads)), heads
        return (cl.node(len(cl) - 1) if len(cl) else nullid), heads
    from amalgam.bookmarks import is_descendant

    below = [rev for rev in heads if cl.node(rev) == p1 or is_descendant(repo, p1, cl.node(rev))]
    if below:
        return cl.node(max(below)), heads
    return p1, heads


def _bookmark_moves(ui: UI, repo: Repository, spec: str | None, active: str | None,
                    marks: dict[str, Node], p1: Node, target: Node) -> None:
    from amalgam import bookmarks

    if spec is not None and spec in marks:
        if spec != active:
            bookmarks.activate(repo, spec)
            ui.status(f"(activating bookmark {spec})\n")
        return
    if active is None:
        return
    if spec is None:
        bookmarks.advance_active(repo, p1, target)
        return
    bookmarks.activate(repo, None)
    ui.status(f"(leaving bookmark {active})\n")


def _describe(repo: Repository, node: Node) -> str:
    from amalgam.node import short

    entry = repo.changelog.read(node)
    first = entry.description.split("\n", 1)[0]
    return f"{short(node)}: {first}"
