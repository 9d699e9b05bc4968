"""``amg log``: show revision history, newest first."""
from __future__ import annotations

import os

from amalgam import error
from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import command

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from amalgam.display.changeset import Patches
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("log|history", [
    ("f", "follow", False, "follow changeset history, or file history across copies and renames"),
    ("d", "date", "", "show revisions matching date spec", "DATE"),
    ("C", "copies", False, "show copied files"),
    ("k", "keyword", [], "do case-insensitive search for a given text", "TEXT"),
    ("r", "rev", [], "revisions to select", "REV"),
    ("", "removed", False, "include revisions where files were removed"),
    ("m", "only-merges", False, "show only merges"),
    ("u", "user", [], "revisions committed by user", "USER"),
    ("b", "branch", [], "show changesets within the given named branch", "BRANCH"),
    ("P", "prune", [], "do not display revision or any of its ancestors", "REV"),
    ("p", "patch", False, "show patch"),
    # hg's log takes only these two diff options (no -U, no -a).
    ("g", "git", False, "use git extended diff format"),
    ("l", "limit", "", "limit number of changes displayed", "NUM"),
    ("M", "no-merges", False, "do not show merges"),
    ("", "stat", False, "output diffstat-style summary of changes"),
    ("G", "graph", False, "show the revision DAG"),
    ("T", "template", "", "display with template (or a style: json, compact, ...)",
     "TEMPLATE"),
    *WALK_OPTIONS,
], "[OPTION]... [FILE]", category="change-navigation", helpbasic=True)
def log(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """show the history of the repository or of files

    Without arguments every changeset is listed, newest first.  With FILE
    arguments only the changesets touching a matching file are listed;
    --follow follows the files' history across copies and renames from the
    working copy's parent.  -r selects revisions (in the order given), -l
    stops after NUM changesets, -p and --stat add each changeset's changes,
    -G draws the revision graph beside the entries.

    Returns 0 on success.
    """
    from amalgam.context import changectx
    from amalgam.display import changeset

    limit = _limit(opts.get("limit"))
    # --follow FILE: revision -> the names the files had there (its patch shows only those).
    followed: dict[int, set[bytes]] = {}
    revs = _selected(repo, pats, opts, followed)
    revs = _filtered(repo, revs, opts)
    if opts.get("graph"):
        # hg orders a graph newest first before it applies the limit.
        revs = iter(sorted(revs, reverse=True))
    if limit is not None:
        revs = _take(revs, limit)
    patches = None
    if opts.get("patch") or opts.get("stat"):
        patches = _patches(ui, repo, pats, opts, followed)
    copies = bool(opts.get("copies"))
    if opts.get("graph"):
        from amalgam.display import graph

        graph.show_log(ui, repo, revs, patches=patches, template=opts.get("template") or "",
                       copies=copies)
        return 0
    if opts.get("template"):
        _show_templated(ui, repo, revs, opts["template"], patches, copies)
        return 0
    printer = changeset.Printer(ui, repo, copies=copies)
    patch = patches.text if patches is not None else None
    for rev in revs:
        printer.show(changectx(repo, rev), patch=patch)
    return 0


def _show_templated(ui: UI, repo: Repository, revs: Iterator[int], spec: str,
                    patches: Patches | None, copies: bool) -> None:
    """``log -T``: each entry, then its patch and a blank line (even quiet), as hg.

    ``-T json`` carries the patch in the entry instead, as the ``diff`` and
    ``diffstat`` fields, except when quiet.
    """
    from amalgam import templates
    from amalgam.context import changectx
    from amalgam.display.changeset import json_with

    printer = templates.changeset_printer(repo, spec, copies=copies)
    for rev in revs:
        lead, body = printer.render_parts(rev)
        if patches is None:
            ui.write(lead + body)
        elif printer.json:
            fields = {} if ui.quiet else patches.fields(changectx(repo, rev))
            ui.write(lead + json_with(body, fields))
        else:
            ui.write(lead + body)
            ui.write(patches.text(changectx(repo, rev)) + b"\n")
    printer.close(ui)


def _limit(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except ValueError:
        raise error.InputError("limit must be a positive integer") from None
    if limit <= 0:
        raise error.InputError("limit must be positive")
    return limit


def _take(revs: Iterator[int], limit: int) -> Iterator[int]:
    for count, rev in enumerate(revs):
        if count >= limit:
            return
        yield rev


def _selected(repo: Repository, pats: tuple[str, ...], opts: dict[str, Any],
              followed: dict[int, set[bytes]]) -> Iterator[int]:
    """The candidate revisions in display order, produced lazily; --follow
    with files fills *followed* (see :func:`_follow_files`)."""
    follow = bool(opts.get("follow"))
    revs: list[int] | None = None
    if opts.get("rev"):
        from amalgam.revspec import revrange

        revs = revrange(repo, opts["rev"])
    if not pats and not opts.get("include") and not opts.get("exclude"):
        if follow:
            from amalgam import dag

            starts = revs if revs is not None else [_working_parent(repo)]
            return iter(sorted(dag.ancestors(repo, starts), reverse=True))
        if revs is not None:
            return iter(revs)
        return iter(range(len(repo) - 1, -1, -1))
    from amalgam.wc.match import match

    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    if follow:
        starts = revs if revs is not None else [_working_parent(repo)]
        if not m.anypats() and not opts.get("include") and not opts.get("exclude"):
            return iter(_follow_files(repo, m, starts, followed))
        # As hg, patterns follow no copies: the ancestors touching a matching file.
        from amalgam import dag

        ancestors = sorted(dag.ancestors(repo, starts), reverse=True)
        return (rev for rev in ancestors if _touches(repo, rev, m))
    if revs is None and not m.anypats() and m.files() \
            and all(len(repo.file(path)) for path in m.files()):
        # Every name has a filelog: its linkrevs are the answer (hg's fast path).
        return iter(_filelog_revs(repo, m.files()))
    candidates = revs if revs is not None else range(len(repo) - 1, -1, -1)
    return (rev for rev in candidates if rev >= 0 and _touches(repo, rev, m))


def _working_parent(repo: Repository) -> int:
    from amalgam.revspec import revsingle

    return revsingle(repo, ".")


def _touches(repo: Repository, rev: int, m: Callable[[bytes], bool]) -> bool:
    return any(m(path) for path in repo.changelog.read(rev).files)


def _filelog_revs(repo: Repository, files: list[bytes]) -> list[int]:
    """hg's fast path: the linkrevs of the named files' filelogs, newest first."""
    revs: set[int] = set()
    for path in files:
        flog = repo.file(path)
        revs.update(flog.linkrev(r) for r in range(len(flog)))
    return sorted(revs, reverse=True)


def _follow_files(repo: Repository, m: Any, starts: list[int],
                  followed: dict[int, set[bytes]]) -> list[int]:
    """Changesets that introduced an ancestor of the matched files, across copies.

    *followed* receives each changeset's names of those files.
    """
    from amalgam.context import changectx

    revs: set[int] = set()
    for start in starts:
        ctx = changectx(repo, start)
        for path in m.files() or list(ctx.walk(m)):
            if path not in ctx:
                raise error.StateError(f"cannot follow file not in parent revision: "
                                       f"\"{path.decode('utf-8', 'surrogateescape')}\"")
            stack = [ctx.filectx(path)]
            seen = {(path, stack[0].filenode)}
            while stack:
                fctx = stack.pop()
                rev = fctx.introrev()
                revs.add(rev)
                followed.setdefault(rev, set()).add(fctx.path)
                for parent in fctx.parents():
                    key = (parent.path, parent.filenode)
                    if key not in seen:
                        seen.add(key)
                        stack.append(parent)
    return sorted(revs, reverse=True)


def _filtered(repo: Repository, revs: Iterator[int], opts: dict[str, Any]) -> Iterator[int]:
    """Apply -b, -u, -k, -d, -M, -m, -P lazily."""
    tests: list[Callable[[Any], bool]] = []
    cl = repo.changelog
    if opts.get("branch"):
        from amalgam.revspec import revsingle

        names = set()
        for name in opts["branch"]:
            names.add(name if name in _branchnames(repo)
                      else cl.read(revsingle(repo, name)).branch)
        tests.append(lambda e: e.branch in names)
    if opts.get("user"):
        users = [u.lower() for u in opts["user"]]
        tests.append(lambda e: any(u in e.user.lower() for u in users))
    if opts.get("keyword"):
        words = [k.lower() for k in opts["keyword"]]
        tests.append(lambda e: all(
            w in e.user.lower() or w in e.description.lower()
            or any(w in f.decode("utf-8", "surrogateescape").lower() for f in e.files)
            for w in words))
    if opts.get("date"):
        from amalgam.display.dates import matcher

        when = matcher(opts["date"])
        tests.append(lambda e: when(e.date[0]))
    merges = opts.get("no_merges"), opts.get("only_merges")
    pruned: set[int] = set()
    if opts.get("prune"):
        from amalgam import dag
        from amalgam.revspec import revrange

        pruned = dag.ancestors(repo, revrange(repo, opts["prune"]))
    for rev in revs:
        if rev in pruned:
            continue
        if merges[0] or merges[1]:
            ismerge = rev >= 0 and cl.revlog.parentrevs(rev)[1] >= 0
            if (merges[0] and ismerge) or (merges[1] and not ismerge):
                continue
        if tests:
            entry = cl.read(rev)
            if not all(test(entry) for test in tests):
                continue
        yield rev


def _branchnames(repo: Repository) -> set[str]:
    cl = repo.changelog
    return {cl.read(rev).branch for rev in range(len(cl))}


def _patches(ui: UI, repo: Repository, pats: tuple[str, ...], opts: dict[str, Any],
             followed: dict[int, set[bytes]]) -> Patches:
    """The ``display.changeset.Patches`` that ``log -p``/``--stat`` adds to each entry.

    As hg, a patch shows only the files the patterns select (all without
    any); with --follow, the names the followed files had in that changeset.
    """
    from amalgam.display import changes, diff as dispdiff
    from amalgam.display.changeset import Patches

    git = bool(opts.get("git"))
    wanted = None
    if pats or opts.get("include") or opts.get("exclude"):
        from amalgam.wc.match import match

        wanted = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
                       opts.get("exclude") or ())

    def render(ctx: Any) -> list[Any]:
        if followed:
            names = followed.get(ctx.rev, set())
            pairs = changes.between(ctx.p1(), ctx, names.__contains__, git=git)
        else:
            pairs = changes.between(ctx.p1(), ctx, wanted or (lambda p: True), git=git)
        # --debug names both changesets in full in the "diff -r" lines.
        revs = (ctx.p1().hex(), ctx.hex()) if ui.debugflag else (ctx.p1().short(), ctx.short())
        return [dispdiff.render(p, git=git, revs=revs) for p in pairs]

    return Patches(render, diff=bool(opts.get("patch")), stat=bool(opts.get("stat")))
