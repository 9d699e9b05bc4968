"""``amg clone``: a new repository with the history of another."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.ui import UI


@command("clone",
         [("U", "noupdate", False, "the clone will include an empty working directory"),
          ("r", "rev", [], "do not clone everything, but include this changeset and its "
                           "ancestors", "REV"),
          ("b", "branch", [], "do not clone everything, but include this branch's changesets "
                              "and their ancestors", "BRANCH"),
          ("", "pull", False, "use pull protocol to copy metadata"),
          ("", "stream", False, "copy the server's store files as they are (faster, "
                                "needs a server offering it)")],
         "[-U] [-r REV]... [-b BRANCH]... [--stream] SOURCE [DEST]",
         norepo=True, category="repo-creation", helpbasic=True)
def clone(ui: UI, repo: Any, source: str, dest: str | None = None, **opts: Any) -> int:
    """create a repository holding another one's history

    Create DEST (the last component of SOURCE by default) and pull every
    changeset of SOURCE into it, or with -r/-b only those changesets or
    branches and their ancestors.  The new repository's .hg/hgrc records
    SOURCE as its 'default' path, which hg reads too.

    A SOURCE on this machine (a path or file: URL) is copied instead of
    pulled: its store files, bookmarks and history caches, hard-linked
    when the file system allows it and a write to either repository
    cannot reach the other, copied otherwise.  --pull, -r and -b use the
    pull protocol instead, as does a source whose store is locked, which
    has secret changesets or an abandoned transaction.

    --stream asks an HTTP or SSH server for its store files instead of a
    changegroup (no recompression, more bytes); without a stream-capable
    server, or with -r/-b, it falls back to a normal pull.  From a local
    SOURCE it copies, as without it.

    The working directory is then updated to the first -r revision, else
    the '@' bookmark, else the newest head of the -b branch or of
    'default'; -U leaves it empty.

    A clone that fails leaves no directory behind.

    Returns 0 on success.
    """
    from amalgam.exchange.clone import clone as run, default_dest

    if dest is None:
        dest = default_dest(source)
        ui.status(f"destination directory: {dest}\n")
    run(ui, source, dest, revs=opts["rev"], branches=opts["branch"],
        update=not opts["noupdate"], stream=opts["stream"], pull_protocol=opts["pull"])
    return 0
