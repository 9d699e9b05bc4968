"""``amg files``: the files a revision or the working directory tracks."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("files", [
    ("r", "rev", "", "search the repository as it is in REV", "REV"),
    ("0", "print0", False, "end filenames with NUL, for use with xargs"),
    *WALK_OPTIONS,
    TEMPLATE_OPTION,
], "[OPTION]... [FILE]...", category="wdir")
def files(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """print the files a revision or the working directory tracks

    Without -r, list the files the working copy tracks (added files
    included, removed ones not); with -r, the files of that revision.
    Names are shown relative to the current directory.  -T formats each
    file (keywords ``path``, from the root, ``size`` and ``flags``;
    ``-T json``, with size and flags under -v).

    Returns 0 when a file matched, 1 otherwise.
    """
    from amalgam.wc.match import match

    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    end = b"\0" if opts.get("print0") else b"\n"
    ctx = None
    if opts.get("rev"):
        from amalgam.context import changectx
        from amalgam.revspec import revsingle

        ctx = changectx(repo, revsingle(repo, opts["rev"]))
        paths = list(ctx.walk(m))
    else:
        from amalgam.wc.dirstate import DirState

        ds = DirState.open(repo)
        paths = [p for p in ds if m(p) and ds.get(p).state != "r"]
    if opts.get("template"):
        _formatted(ui, repo, opts["template"], ctx, paths)
        return 0 if paths else 1
    for path in paths:
        ui.write(os.fsencode(m.uipath(path)), end)
    return 0 if paths else 1


def _formatted(ui: UI, repo: Repository, spec: str, ctx: Any, paths: list[bytes]) -> None:
    from amalgam.templates.formatter import formatter

    fm = formatter(ui, repo, spec)
    detail = ui.verbose or fm.wants("size") or fm.wants("flags")
    for path in paths:
        fields: dict[str, Any] = {"path": path.decode("utf-8", "surrogateescape")}
        if detail:
            fields.update(_size_flags(repo, ctx, path))
        fm.item(fields, ctx)
    fm.end()


def _size_flags(repo: Repository, ctx: Any, path: bytes) -> dict[str, Any]:
    """hg's ``size`` and ``flags`` of *path* in *ctx*, or on disk for the working copy."""
    if ctx is not None:
        fctx = ctx.filectx(path)
        return {"size": fctx.size(), "flags": fctx.flags()}
    from amalgam.wc import files as wfiles

    try:
        size = os.lstat(os.path.join(repo.root, os.fsdecode(path))).st_size
        flags = wfiles.flags(repo, path)
    except OSError:
        size, flags = 0, ""
    return {"size": size, "flags": flags}
