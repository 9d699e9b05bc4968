"""``amg resolve``: list, mark or redo the file merges of an unfinished merge."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("resolve", [
    ("a", "all", False, "select all unresolved files"),
    ("l", "list", False, "list state of files needing merge"),
    ("m", "mark", False, "mark files as resolved"),
    ("u", "unmark", False, "mark files as unresolved"),
    ("n", "no-status", False, "hide status prefix"),
    ("t", "tool", "", "specify merge tool", "TOOL"),
    *WALK_OPTS,
], "[OPTION]... [FILE]...", category="wdir")
def resolve(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """list, mark or redo the file merges of an unfinished merge

    After a merge or update left conflicts, every file it merged is listed
    here as unresolved (U) or resolved (R).  -l shows that list, -m marks
    files resolved once you fixed them, -u marks them unresolved again.
    Without those options the named files (or all with -a) are merged again
    from the versions saved when the merge started, with --tool if given;
    your edits are saved as FILE.orig first.

    Returns 0 on success, 1 if any file is still unresolved.
    """
    from amalgam.merge import filemerge
    from amalgam.merge.state import MergeState
    from amalgam.wc import cmdutil

    listing, mark, unmark = opts.get("list"), opts.get("mark"), opts.get("unmark")
    all_ = opts.get("all")
    if sum(bool(x) for x in (listing, mark, unmark)) > 1:
        raise error.InputError("too many actions specified")
    if pats and all_:
        raise error.InputError("can't specify --all and patterns")
    if not (listing or mark or unmark or pats or all_):
        raise error.InputError("no files or directories specified",
                               hint="use --all to re-merge all unresolved files")
    tool = filemerge.check_tool(opts.get("tool") or None)
    with repo.wlock():
        ms = MergeState.read(repo)
        m = cmdutil.matcher(repo, pats, opts)
        show = cmdutil.uipathfn(repo, bool(pats))
        if listing:
            for path in ms:
                if m(path):
                    prefix = "" if opts.get("no_status") else ms.state(path).upper() + " "
                    ui.write(f"{prefix}{show(path)}\n",
                             label="resolve." + ("resolved" if ms.state(path) == "r"
                                                 else "unresolved"))
            return 0
        if not ms.active():
            raise error.StateError("resolve command not applicable when not merging")
        matched = [path for path in ms if m(path)]
        if pats and not matched:
            ui.warn("arguments do not match paths that need resolving\n")
        failed = False
        for path in matched:
            if mark:
                ms.mark(path, "r")
            elif unmark:
                ms.mark(path, "u")
            elif ms.state(path) == "u":
                if ms.kinds.get(path, b"F") != b"F":
                    failed = not _change_delete(repo, ms, path, tool) or failed
                else:
                    _save_orig(repo, path)
                    if filemerge.filemerge(repo, ms, path, tool, backup_on_conflict=False):
                        ms.mark(path, "r")
                    else:
                        failed = True
        ms.write()
    if not unmark and not ms.unresolved():
        ui.status("(no more unresolved files)\n")
    return 1 if failed else 0


def _save_orig(repo: Repository, path: bytes) -> None:
    """Keep the user's current version as FILE.orig before merging it again."""
    import os

    from amalgam.wc import files as wfiles

    if os.path.lexists(wfiles.join(repo, path)):
        wfiles.write(repo, path + b".orig", wfiles.read(repo, path), "")


def _change_delete(repo: Repository, ms: Any, path: bytes, tool: str) -> bool:
    """Settle a change/delete conflict with :local or :other; other tools leave it."""
    from amalgam.node import bin, nullid
    from amalgam.wc import files as wfiles
    from amalgam.wc.dirstate import DirState

    if tool not in (":local", ":other"):
        return False
    rec = ms.files[path]
    local_deleted = bin(rec[1].decode("ascii")) == nullid
    other_deleted = bin(rec[6].decode("ascii")) == nullid
    deleted = local_deleted if tool == ":local" else other_deleted
    ds = DirState.open(repo)
    if deleted:
        wfiles.remove(repo, path)
        if path in ds:
            ds.remove(path)
    elif tool == ":local":
        wfiles.write(repo, path, ms.backup(path), rec[7].decode("ascii"))
    else:
        wfiles.write(repo, path, repo.file(path).read(bin(rec[6].decode("ascii"))), "")
    ds.write()
    ms.mark(path, "r")
    return True
