"""``amg debugindex``: dump the index of a revlog."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.node import hex, short
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.revlog import Revlog
    from amalgam.ui import UI

REVLOG_OPTIONS = [
    ("c", "changelog", False, "open changelog"),
    ("m", "manifest", False, "open manifest"),
]


def revlog_for(repo: Repository, opts: dict[str, Any], path: str | None) -> Revlog:
    """The changelog (-c), the manifest (-m) or the filelog of *path*."""
    chosen = [name for name in ("changelog", "manifest") if opts.get(name)]
    if len(chosen) + (path is not None) != 1:
        raise error.InputError("give exactly one of -c, -m or a file name")
    if chosen == ["changelog"]:
        return repo.changelog.revlog
    if chosen == ["manifest"]:
        return repo.manifestlog.revlog
    assert path is not None
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, repo.root)
    if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        raise error.InputError(f"{path} is not inside the repository at {repo.root}")
    flog = repo.file(os.fsencode(relative).replace(os.sep.encode(), b"/"))
    if not len(flog):
        raise error.InputError(f"{path}: no history in the repository",
                               hint="give a tracked file, -c or -m")
    return flog.revlog


@command("debugindex", REVLOG_OPTIONS, "-c|-m|FILE", category="debug")
def debugindex(ui: UI, repo: Repository, path: str | None = None, **opts: Any) -> int:
    """dump the index of a revlog

    One line per revision: its number, linkrev, node and parent nodes.
    Node ids are shortened unless --debug is given.
    """
    revlog = revlog_for(repo, opts, path)
    fmt = hex if ui.debugflag else short
    width = 40 if ui.debugflag else 12
    ui.write(f"{'rev':>6} {'linkrev':>7} {'nodeid':>{width}} {'p1-nodeid':>{width}} "
             f"{'p2-nodeid':>{width}}\n")
    for rev in range(len(revlog)):
        p1, p2 = revlog.parentrevs(rev)
        ui.write(f"{rev:>6} {revlog.linkrev(rev):>7} {fmt(revlog.node(rev))} "
                 f"{fmt(revlog.node(p1))} {fmt(revlog.node(p2))}\n")
    return 0
