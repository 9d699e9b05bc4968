"""``amg summary``: the state of the working directory in a few lines."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import dag
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.context import ChangeContext, WorkingContext
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("summary|sum",
         [("", "remote", False, "check for push and pull")],
         "[--remote]", category="wdir", helpbasic=True)
def summary(ui: UI, repo: Repository, **opts: Any) -> int:
    """describe the working directory: parents, branch, changes, updates

    Print the working directory's parents, its branch and bookmarks, what a
    commit would record now, whether an update would bring in newer
    changesets of the branch, and how many changesets are draft or secret.

    Returns 0 on success.
    """
    from amalgam import error
    from amalgam.context import workingctx

    if opts.get("remote"):
        raise error.InputError("summary --remote is not supported yet",
                               hint="use 'amg incoming' and 'amg outgoing'")
    wctx = workingctx(repo)
    parents = wctx.parents()
    marks = _show_parents(ui, repo, parents)
    branch = wctx.branch()
    line = f"branch: {branch}\n"
    if branch != "default":
        ui.write(line, label="log.branch")
    else:
        ui.status(line, label="log.branch")
    _show_bookmarks(ui, repo, marks)
    _show_commit(ui, repo, wctx, parents, branch)
    _show_update(ui, repo, parents, branch)
    _show_phases(ui, repo)
    return 0


def _show_parents(ui: UI, repo: Repository, parents: list[ChangeContext]) -> list[str]:
    marks: list[str] = []
    for parent in parents:
        tagtext = " ".join(parent.tags())
        marks.extend(parent.bookmarks())
        if parent.rev == -1:
            tagtext += " (empty repository)" if not len(repo) else " (no revision checked out)"
        ui.write(f"parent: {parent.rev}:{parent.short()} ", label="log.changeset")
        if tagtext:
            ui.write(tagtext, label="log.tag")
        ui.write("\n")
        description = parent.description()
        if description:
            ui.status(" " + description.splitlines()[0].strip() + "\n", label="log.summary")
    return marks


def _show_bookmarks(ui: UI, repo: Repository, marks: list[str]) -> None:
    from amalgam import bookmarks

    current = bookmarks.active(repo)
    if not marks and current is None:
        return
    words = []
    if current is not None:
        if current in marks:
            words.append("*" + current)
            marks.remove(current)
        else:
            words.append(f"[{current}]")
    words.extend(marks)
    ui.write("bookmarks: " + " ".join(words) + "\n")


def _show_commit(ui: UI, repo: Repository, wctx: WorkingContext,
                 parents: list[ChangeContext], branch: str) -> None:
    from amalgam import branches, phases

    st = _status(repo, wctx)
    copies = wctx.dirstate().copies()
    removed, added = list(st.removed), list(st.added)
    copied, renamed = [], []
    for dest, source in copies.items():
        if source in removed:
            removed.remove(source)
            renamed.append(dest)
        else:
            copied.append(dest)
        if dest in added:
            added.remove(dest)
    groups = [("modified", st.modified), ("added", added), ("removed", removed),
              ("renamed", renamed), ("copied", copied), ("deleted", st.deleted),
              ("unknown", st.unknown), ("unresolved", _unresolved(repo))]
    text = ", ".join(f"{len(items)} {name}" for name, items in groups if items)
    p1 = parents[0]
    bheads = branches.branchheads(repo, branch)
    clean = False
    if repo.vfs.exists("graftstate"):
        text += " (graft in progress)"
    if repo.vfs.exists("updatestate"):
        text += " (interrupted update)"
    elif len(parents) > 1:
        text += " (merge)"
    elif branch != p1.branch():
        text += " (new branch)"
    elif p1.closesbranch() and p1.rev in branches.branchheads(repo, branch, closed=True):
        text += " (head closed)"
    elif not (st.modified or added or removed or renamed or copied):
        text += " (clean)"
        clean = True
    elif p1.rev not in bheads:
        text += " (new branch head)"
    pending = max(parent.phase() for parent in parents)
    if pending > phases.DRAFT:
        text += f" ({phases.PHASE_NAMES[pending]})"
    line = f"commit: {text.strip()}\n"
    if clean:
        ui.status(line)
    else:
        ui.write(line)


def _status(repo: Repository, wctx: WorkingContext) -> Any:
    from amalgam.wc.match import always
    from amalgam.wc.status import status

    return status(repo, wctx.dirstate(), always(repo.root, repo.root), unknown=True)


def _unresolved(repo: Repository) -> list[bytes]:
    from amalgam.merge.state import MergeState

    state = MergeState.read(repo)
    return list(state.unresolved()) if state.active() else []


def _show_update(ui: UI, repo: Repository, parents: list[ChangeContext], branch: str) -> None:
    from amalgam import branches

    bheads = branches.branchheads(repo, branch)
    have = dag.ancestors(repo, [p.rev for p in parents])
    new = len(dag.ancestors(repo, bheads) - have)
    if new == 0:
        ui.status("update: (current)\n")
    elif parents[0].rev not in bheads:
        ui.write(f"update: {new} new changesets (update)\n")
    else:
        ui.write(f"update: {new} new changesets, {len(bheads)} branch heads (merge)\n")


def _show_phases(ui: UI, repo: Repository) -> None:
    from amalgam import phases

    table = phases.phases(repo)
    draft = table.count(phases.DRAFT)
    secret = sum(1 for value in table if value >= phases.SECRET)
    words = []
    if draft:
        words.append(f"{draft} draft")
    if secret:
        words.append(f"{secret} secret")
    if words:
        ui.status(f"phases: {', '.join(words)}\n")
