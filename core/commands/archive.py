"""``amg archive``: write the files of a revision as a directory or an archive."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

_SUFFIXES = (
    ("tgz", (".tgz", ".tar.gz")), ("tbz2", (".tbz2", ".tar.bz2")),
    ("txz", (".txz", ".tar.xz")), ("tar", (".tar",)), ("zip", (".zip",)),
)
KINDS = ("files", "tar", "tbz2", "tgz", "txz", "uzip", "zip")


@command("archive", [
    ("", "no-decode", False, "do not pass files through decoders"),
    ("p", "prefix", "", "directory prefix for files in archive", "PREFIX"),
    ("r", "rev", "", "revision to distribute", "REV"),
    ("t", "type", "", "type of distribution to create", "TYPE"),
    *WALK_OPTIONS,
], "[OPTION]... DEST", category="misc")
def archive(ui: UI, repo: Repository, dest: str, **opts: Any) -> int:
    """write a revision's files out as a tarball, zip file or directory

    The type is taken from -t (files, tar, tbz2, tgz, txz, uzip, zip) or
    guessed from DEST's extension; without one, a directory of files is
    written.  Archives hold the files under a prefix directory (-p, by
    default DEST's name without its extension) and every entry is dated
    with the changeset's date, so the same revision always gives the same
    archive.  A .hg_archival.txt file records where it came from.

    Returns 0 on success.
    """
    from amalgam.commands.cat import output_name
    from amalgam.context import changectx
    from amalgam.display import archive as writer
    from amalgam.revspec import revsingle
    from amalgam.wc.match import match

    ctx = changectx(repo, revsingle(repo, opts.get("rev") or "."))
    if ctx.rev < 0:
        raise error.InputError("no working directory: please specify a revision")
    kind = opts.get("type") or guess_kind(dest)
    if kind not in KINDS:
        raise error.InputError(f"unknown archive type '{kind}'")
    dest = output_name(repo, ctx, dest, b"") if "%" in dest else dest
    prefix = opts.get("prefix") or ""
    if kind == "files":
        if prefix:
            raise error.InputError("cannot give prefix when archiving to files")
    else:
        prefix = output_name(repo, ctx, prefix, b"") if prefix else _default_prefix(dest, kind)
    m = match(repo.root, os.getcwd(), (), opts.get("include") or (),
              opts.get("exclude") or ())
    target = os.path.join(os.getcwd(), dest)
    if os.path.realpath(target).startswith(os.path.realpath(repo.path) + os.sep):
        raise error.InputError("cannot archive into the repository's .hg directory")
    files = [(path, ctx.flags(path), ctx.filectx(path).data) for path in ctx.walk(m)]
    writer.write(kind, target, prefix, ctx.date(), writer.archival_text(repo, ctx), files)
    return 0


def guess_kind(dest: str) -> str:
    for kind, suffixes in _SUFFIXES:
        if dest.endswith(suffixes):
            return kind
    return "files"


def _default_prefix(dest: str, kind: str) -> str:
    """DEST's name without the extensions of *kind* (hg keeps others: u.zip for uzip)."""
    name = os.path.basename(dest.rstrip("/"))
    for suffix in dict(_SUFFIXES).get(kind, ()):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name
