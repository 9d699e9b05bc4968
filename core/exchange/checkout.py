"""Working-copy updates after clone, ``pull -u`` and ``unbundle -u``, as hg chooses them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.node import Node, nullid

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


def clone_target(repo: Repository, revs: list[Node], branches: list[str]) -> tuple[Node, str]:
    """hg's choice for a fresh clone: -r, the ``@`` bookmark, -b, else branch default.

    Returns the node and what ``updating to ...`` names.
    """
    from amalgam import bookmarks
    from amalgam.branches import branchheads

    cl = repo.changelog.revlog
    if revs:
        node = revs[0]
        return node, f"branch {repo.changelog.read(node).branch}"
    marks = bookmarks.read(repo)
    if "@" in marks:
        return marks["@"], "bookmark @"
    for branch in [*branches, "default"]:
        heads = branchheads(repo, branch)
        if heads:
            return cl.node(heads[0]), f"branch {branch}"
    if len(cl):
        node = cl.tip()
        return node, f"branch {repo.changelog.read(node).branch}"
    return nullid, "branch default"


def checkout(repo: Repository, ui: UI, node: Node, label: str) -> int:
    """Update a new clone's empty working copy to *node*; 1 if files are unresolved."""
    from amalgam import bookmarks
    from amalgam.merge import update

    with repo.wlock():
        ui.status(f"updating to {label}\n")
        stats = update(repo, node)
        if label == "bookmark @":
            bookmarks.activate(repo, "@")
    ui.status(stats.line())
    return 1 if stats.unresolved else 0


def update_after_pull(repo: Repository, ui: UI) -> int:
    """``-u``: move to the newest head of the working branch descending from the parent."""
    from amalgam import bookmarks
    from amalgam.branches import branchheads
    from amalgam.merge import update
    from amalgam.wc.dirstate import DirState

    cl = repo.changelog.revlog
    with repo.wlock():
        ds = DirState.open(repo)
        p1 = ds.p1()
        heads = [cl.node(r) for r in branchheads(repo, ds.branch())]
        candidates = [h for h in heads if p1 == nullid or h == p1
                      or bookmarks.is_descendant(repo, p1, h)]
        if not candidates or candidates[0] == p1:
            return 0
        target = candidates[0]
        stats = update(repo, target)
        bookmarks.advance_active(repo, p1, target)
    ui.status(stats.line())
    if len(heads) > 1:
        ui.status(f"{len(heads) - 1} other heads for branch \"{ds.branch()}\"\n")
    return 1 if stats.unresolved else 0
