"""``amg debugdata``: print the stored text of one revlog revision."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.commands.debugindex import REVLOG_OPTIONS, revlog_for
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("debugdata", REVLOG_OPTIONS, "-c|-m|FILE REV", category="debug")
def debugdata(ui: UI, repo: Repository, *args: str, **opts: Any) -> int:
    """print the raw text of a revision of a revlog

    REV is a revision number of that revlog (not of the changelog).  The
    text is printed as stored, with any file metadata header.
    """
    if opts.get("changelog") or opts.get("manifest"):
        if len(args) != 1:
            raise error.InputError("debugdata -c|-m takes exactly one REV")
        path, rev = None, args[0]
    elif len(args) == 2:
        path, rev = args
    else:
        raise error.InputError("debugdata needs FILE REV (or -c/-m REV)")
    revlog = revlog_for(repo, opts, path)
    if not rev.lstrip("-").isdigit() or not 0 <= int(rev) < len(revlog):
        raise error.InputError(f"invalid revision identifier {rev}")
    ui.write(revlog.revision(int(rev)))
    return 0
