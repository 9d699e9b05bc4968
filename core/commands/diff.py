"""``amg diff``: show changes between revisions or against the working copy."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

WALK_OPTIONS = [
    ("I", "include", [], "include names matching the given patterns", "PATTERN"),
    ("X", "exclude", [], "exclude names matching the given patterns", "PATTERN"),
]

DIFF_OPTIONS = [
    ("a", "text", False, "treat all files as text"),
    ("g", "git", False, "use git extended diff format"),
    ("U", "unified", 3, "number of lines of context to show", "NUM"),
    ("", "stat", False, "output diffstat-style summary of changes"),
]


@command("diff", [
    ("r", "rev", [], "revision", "REV"),
    ("c", "change", "", "change made by revision", "REV"),
    ("", "reverse", False, "produce a diff that undoes the changes"),
    *DIFF_OPTIONS,
    *WALK_OPTIONS,
], "[OPTION]... ([-c REV] | [-r REV1 [-r REV2]]) [FILE]...", category="files",
    helpbasic=True)
def diff(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """show differences between revisions of files

    With no revision, compare the working copy with its first parent.  With
    one -r, compare the working copy with that revision; with two, compare
    the revisions.  -c REV shows what REV changed against its first parent.
    FILE arguments and -I/-X limit the diff to matching files.

    Returns 0 (even when there are differences).
    """
    from amalgam.context import changectx
    from amalgam.revspec import revpair, revsingle
    from amalgam.wc.match import match

    revs, change = opts.get("rev") or [], opts.get("change")
    if change and revs:
        raise error.InputError("cannot specify --rev and --change at the same time")
    if change:
        ctx2 = changectx(repo, revsingle(repo, change))
        ctx1, rev2 = ctx2.p1(), ctx2.rev
    else:
        rev1, rev2 = revpair(repo, revs)
        ctx1 = changectx(repo, rev1)
    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    write_diff(ui, repo, ctx1, None if rev2 is None else changectx(repo, rev2), m,
               opts, reverse=bool(opts.get("reverse")))
    return 0


def context_lines(opts: dict[str, Any]) -> int:
    """The -U value, refusing negatives like hg."""
    value = opts.get("unified")
    if value is None:
        return 3
    try:
        lines = int(value)
    except (TypeError, ValueError):
        raise error.InputError(f"diff context lines count must be an integer, not "
                               f"'{value}'") from None
    if lines < 0:
        raise error.InputError(f"diff context lines count must be an integer, not '{value}'")
    return lines


def write_diff(ui: UI, repo: Repository, ctx1: Any, ctx2: Any, match: Any,
               opts: dict[str, Any], *, reverse: bool = False) -> None:
    """Write the diff (or ``--stat``) from *ctx1* to *ctx2* (None: the working copy)."""
    from amalgam.display import changes, diff as dispdiff

    git = bool(opts.get("git"))
    if reverse and ctx2 is not None:
        ctx1, ctx2, reverse = ctx2, ctx1, False
    if ctx2 is None:
        pairs = changes.with_workdir(repo, ctx1, match, git=git)
        revs: tuple[str, ...] = (ctx1.short(),)
    else:
        pairs = changes.between(ctx1, ctx2, match, git=git)
        revs = (ctx1.short(), ctx2.short())
    if reverse:
        pairs = sorted((_reversed(p) for p in pairs), key=lambda p: p.name)
    context = context_lines(opts)
    rendered = (dispdiff.render(p, git=git, context=context, revs=revs,
                                text=bool(opts.get("text"))) for p in pairs)
    if opts.get("stat"):
        ui.write(b"".join(dispdiff.stat(list(rendered))))
        return
    for fd in rendered:
        if dispdiff.shown(fd):
            ui.write(b"".join(fd.header))
            ui.write(b"".join(fd.body))


def _reversed(pair: Any) -> Any:
    """The same change undone; undoing a copy deletes the copy (the source stays)."""
    from amalgam.display.diff import FilePair

    if pair.copy == "copy":
        return FilePair(pair.path2, None, pair.data2, bytes, pair.flags2, "",
                        pair.date2, pair.date1)
    return FilePair(pair.path2, pair.path1, pair.data2, pair.data1, pair.flags2,
                    pair.flags1, pair.date2, pair.date1, pair.copy)
