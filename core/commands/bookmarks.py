"""``amg bookmarks``: create, move, rename, delete and list bookmarks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("bookmarks|bookmark",
         [("f", "force", False, "force"),
          ("r", "rev", "", "revision for bookmark action", "REV"),
          ("d", "delete", False, "delete a given bookmark"),
          ("m", "rename", "", "rename a given bookmark", "OLD"),
          ("i", "inactive", False, "mark a bookmark inactive"),
          ("l", "list", False, "list existing bookmarks"),
          TEMPLATE_OPTION],
         "[OPTIONS]... [NAME]...", category="change-navigation")
def bookmarks(ui: UI, repo: Repository, *names: str, **opts: Any) -> int:
    """list bookmarks, or create, move, rename or delete them

    A bookmark is a movable name for a changeset.  With NAME, create it at
    the working directory's parent (or -r REV) and, without -r, make it
    the active bookmark: committing or updating forward then carries it
    along.  An existing bookmark only moves forward unless -f is given.
    -d deletes, -m OLD NEW renames, -i deactivates.  With no NAME, list
    every bookmark; ``*`` marks the active one.  -T formats the listing
    (keywords ``bookmark``, ``rev``, ``node``, ``active`` and those of the
    changeset; ``-T json``).

    Returns 0 on success.
    """
    delete, rename, inactive = opts.get("delete"), opts.get("rename"), opts.get("inactive")
    action = [flag for flag, given in (("delete", delete), ("rename", rename),
                                       ("list", opts.get("list"))) if given]
    if len(action) > 1:
        raise error.InputError(f"cannot specify both --{action[0]} and --{action[1]}")
    if inactive and action and action[0] in ("delete", "list"):
        raise error.InputError(f"cannot specify both --inactive and --{action[0]}")
    if opts.get("rev") and action and action[0] in ("delete", "list"):
        raise error.InputError(f"cannot specify both --{action[0]} and --rev")
    if opts.get("rev") and not names and not action:
        raise error.InputError("bookmark name required")
    if delete:
        return _delete(repo, names)
    if rename:
        return _rename(ui, repo, rename, names, bool(opts.get("force")))
    if names and not opts.get("list"):
        return _add(ui, repo, names, opts.get("rev") or "", bool(inactive),
                    bool(opts.get("force")))
    if inactive and not names:
        return _deactivate(ui, repo)
    return _list(ui, repo, names, opts.get("template") or "")


def _delete(repo: Repository, names: tuple[str, ...]) -> int:
    from amalgam import bookmarks as bm

    if not names:
        raise error.InputError("bookmark name required")
    with repo.wlock():
        marks = bm.read(repo)
        current = bm.active(repo)
        for name in names:
            if name not in marks:
                raise error.InputError(f"bookmark '{name}' does not exist")
            del marks[name]
            if name == current:
                bm.activate(repo, None)
        bm.write(repo, marks)
    return 0


def _rename(ui: UI, repo: Repository, old: str, names: tuple[str, ...], force: bool) -> int:
    from amalgam import bookmarks as bm

    if not names:
        raise error.InputError("new bookmark name required")
    if len(names) > 1:
        raise error.InputError("only one new bookmark name allowed")
    with repo.wlock():
        marks = bm.read(repo)
        new = bm.check_name(repo, names[0])
        if old not in marks:
            raise error.InputError(f"bookmark '{old}' does not exist")
        _check_conflict(ui, repo, marks, new, force, None)
        marks[new] = marks.pop(old)
        bm.write(repo, marks)
        if bm.active(repo) is None and _active_name(repo) == old:
            bm.activate(repo, new)
    return 0


def _active_name(repo: Repository) -> str:
    """The name in ``bookmarks.current`` even if the bookmark itself is gone."""
    return repo.vfs.tryread("bookmarks.current").split(b"\n", 1)[0].decode(
        "utf-8", "surrogateescape")


def _check_conflict(ui: UI, repo: Repository, marks: dict[str, Node], mark: str,
                    force: bool, target: Node | None) -> None:
    """Refuse to clobber a bookmark or shadow a branch, as hg does without -f.

    With a *target*, an existing bookmark may stay where it is or move
    forward to it; a rename (no target) never replaces one.
    """
    from amalgam import bookmarks as bm
    from amalgam import branches
    from amalgam.context import workingctx
    from amalgam.revspec import lookup_symbol

    if force:
        return
    if mark in marks:
        current = marks[mark]
        if target is None:
            raise error.InputError(f"bookmark '{mark}' already exists (use -f to force)")
        if current == target:
            return
        if bm.is_descendant(repo, current, target):
            ui.status(f"moving bookmark '{mark}' forward from {current.hex()[:12]}\n")
            return
        raise error.InputError(f"bookmark '{mark}' already exists (use -f to force)")
    if mark in branches.branchmap(repo) or mark == workingctx(repo).branch():
        raise error.InputError("a bookmark cannot have the name of an existing branch")
    if len(mark) > 3:
        try:
            lookup_symbol(repo, mark)
        except error.InputError:
            return
        ui.warn(f"bookmark {mark} matches a changeset hash\n"
                "(did you leave a -r out of an 'hg bookmark' command?)\n")


def _add(ui: UI, repo: Repository, names: tuple[str, ...], rev: str, inactive: bool,
         force: bool) -> int:
    from amalgam import bookmarks as bm
    from amalgam.context import changectx, workingctx
    from amalgam.revspec import revsingle

    with repo.wlock():
        marks = bm.read(repo)
        current = bm.active(repo)
        cur = workingctx(repo).p1().node
        target = changectx(repo, revsingle(repo, rev)).node if rev else cur
        first: str | None = None
        for raw in names:
            mark = bm.check_name(repo, raw)
            if first is None:
                first = mark
            if inactive and mark == current:
                bm.activate(repo, None)
                current = None
                continue
            _check_conflict(ui, repo, marks, mark, force, target)
            marks[mark] = target
        bm.write(repo, marks)
        if first is None:
            return 0
        if not inactive and marks[first] == cur and not rev:
            bm.activate(repo, first)
        elif cur != target and first == current:
            bm.activate(repo, None)
    return 0


def _deactivate(ui: UI, repo: Repository) -> int:
    from amalgam import bookmarks as bm

    with repo.wlock():
        if bm.active(repo) is None:
            ui.status("no active bookmark\n")
        else:
            bm.activate(repo, None)
    return 0


def _list(ui: UI, repo: Repository, names: tuple[str, ...], template: str = "") -> int:
    from amalgam import bookmarks as bm
    from amalgam.context import changectx

    marks = bm.read(repo)
    for name in names:
        if name not in marks:
            raise error.InputError(f"bookmark '{name}' does not exist")
    shown = sorted(names) if names else sorted(marks)
    current = bm.active(repo)
    if template:
        from amalgam.templates.formatter import formatter

        fm = formatter(ui, repo, template)
        for name in shown:
            ctx = changectx(repo, marks[name])
            fm.item({"bookmark": name, "rev": ctx.rev, "node": ctx.hex(),
                     "active": name == current}, ctx)
        fm.end()
        return 0
    if not shown:
        ui.status("no bookmarks set\n")
        return 0
    for name in shown:
        if ui.quiet:
            ui.write(f"{name}\n")
            continue
        ctx = changectx(repo, marks[name])
        ident = ctx.hex() if ui.debugflag else ctx.short()
        prefix = "*" if name == current else " "
        pad = " " * max(0, 25 - colwidth(name))
        label = "bookmarks.active" if name == current else "bookmarks"
        ui.write(f" {prefix} {name}{pad} {ctx.rev}:{ident}\n", label=label)
    return 0


def colwidth(text: str) -> int:
    """Columns *text* takes on a terminal (East Asian wide characters count two).

    Shared by the listing commands (bookmarks, branches, tags) to pad names like hg.
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
