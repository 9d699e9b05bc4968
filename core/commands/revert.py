"""``amg revert``: restore files to their state in a revision."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import DRY_RUN, WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

# Order in which hg performs (and reports) the kinds of change.
_ORDER = ("forgetting", "removing", "reverting", "adding", "undeleting")


@command("revert", [
    ("a", "all", False, "revert all changes when no arguments given"),
    ("d", "date", "", "tipmost revision matching date", "DATE"),
    ("r", "rev", "", "revert to the specified revision", "REV"),
    ("C", "no-backup", False, "do not save backup copies of files"),
    *WALK_OPTS,
    DRY_RUN,
], "[OPTION]... [-r REV] [NAME]...", category="wdir")
def revert(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """bring files back to their content in a revision

    Give the named files (or all with --all) the content and tracking state
    they have in the working directory's parent, or in REV with -r: edits
    are undone, added files forgotten (left on disk), removed or missing
    files brought back, files absent from REV removed.  The working
    directory's parents do not change; use 'amg update' for that.

    Modified files are first saved as NAME.orig unless --no-backup is given.
    -n shows what would happen without doing it.

    Returns 0 on success.
    """
    from amalgam.node import nullid, short
    from amalgam.revspec import revsingle
    from amalgam.wc import cmdutil
    from amalgam.wc.dirstate import DirState

    if opts.get("date"):
        raise error.InputError("--date is not supported yet", hint="use -r REV")
    with repo.wlock():
        ds = DirState.open(repo)
        if ds.p2() != nullid and not opts.get("rev"):
            raise error.InputError("uncommitted merge with no revision specified",
                                   hint="use 'amg update' or see 'amg help revert'")
        rev = revsingle(repo, opts.get("rev") or ".")
        target = repo.changelog.revlog.node(rev) if rev >= 0 else nullid
        if not pats and not opts.get("all"):
            hint = ("uncommitted changes, use --all to discard all changes"
                    if _dirty(repo, ds) else "use --all to revert all files")
            raise error.InputError("no files or directories specified", hint=hint)
        m = cmdutil.matcher(repo, pats, opts)
        plan, unchanged = _plan(repo, ds, m, target)
        show = cmdutil.uipathfn(repo, bool(pats))
        root = os.fsencode(repo.root)
        for path in m.files():
            if path in unchanged:
                ui.warn(f"no changes needed to {show(path)}\n")
            elif path not in plan and path not in ds and not ds.hasdir(path) \
                    and path not in repo.manifest_of(target) \
                    and not os.path.lexists(os.path.join(root, path)):
                ui.warn(f"{show(path)}: no such file in rev {short(target)}\n")

        def report(action: str, path: bytes) -> None:
            if ui.verbose or not m.exact(path):
                ui.status(f"{action} {show(path)}\n")

        if opts.get("dry_run"):
            for path in sorted(plan):
                report(plan[path][0], path)
            return 0
        def note(path: bytes) -> None:
            ui.note(f"saving current version of {show(path)} as {show(path + b'.orig')}\n")

        _perform(repo, ds, plan, target, report, note, backup=not opts.get("no_backup"))
        ds.write()
    return 0


def _dirty(repo: Repository, ds: Any) -> bool:
    from amalgam.wc import match as matchmod
    from amalgam.wc.status import status

    st = status(repo, ds, matchmod.always(repo.root, repo.root), unknown=False)
    return bool(st.modified or st.added or st.removed or st.deleted)


def _plan(repo: Repository, ds: Any, m: Any, target: bytes
          ) -> tuple[dict[bytes, tuple[str, bool]], set[bytes]]:
    """path -> (action, whether to back it up); and the matched paths already right."""
    from amalgam.wc import files as wfiles
    from amalgam.wc.status import status

    st = status(repo, ds, m, unknown=False, clean=True)
    mt = repo.manifest_of(target)
    m1 = repo.manifest_of(ds.p1())
    modified = set(st.modified)
    deleted = set(st.deleted)
    plan: dict[bytes, tuple[str, bool]] = {}
    unchanged: set[bytes] = set()
    for path in st.added:
        if path in mt:
            plan[path] = ("reverting", False)
        else:
            plan[path] = ("forgetting", False)
    for path in st.removed:
        if path in mt:
            plan[path] = ("undeleting", False)
    for path in st.modified + st.clean + st.deleted:
        entry = mt.get(path)
        if entry is None:
            plan[path] = ("removing", False)
        elif path in deleted:
            plan[path] = ("reverting", False)
        elif path not in modified and m1.get(path) == entry:
            unchanged.add(path)
        elif wfiles.flags(repo, path) != entry[1] or \
                wfiles.read(repo, path) != repo.file(path).read(entry[0]):
            plan[path] = ("reverting", path in modified)
        elif _from_merge(ds, path):
            plan[path] = ("reverting", True)  # same bytes, but the merge must be undone
        else:
            unchanged.add(path)
    tracked = ds.raw()
    for path in mt:
        if path not in tracked and m(path):
            plan[path] = ("adding", False)
    return plan, unchanged


def _from_merge(ds: Any, path: bytes) -> bool:
    entry = ds.get(path)
    return entry is not None and (entry.state == "m" or entry.size == -2)


def _perform(repo: Repository, ds: Any, plan: dict[bytes, tuple[str, bool]],
             target: bytes, report: Any, note: Any, *, backup: bool) -> None:
    from amalgam.wc import files as wfiles

    mt = repo.manifest_of(target)
    m1 = repo.manifest_of(ds.p1())
    root = os.fsencode(repo.root)
    for action in _ORDER:
        for path in sorted(p for p, (a, _) in plan.items() if a == action):
            if plan[path][1] and backup:
                note(path)
            report(action, path)
            if action == "forgetting":
                ds.drop(path)
                continue
            if action == "removing":
                wfiles.remove(repo, path)
                ds.remove(path)
                continue
            if plan[path][1] and backup:
                os.replace(os.path.join(root, path), os.path.join(root, path + b".orig"))
            entry = mt.get(path)
            node, flags = entry
            st = wfiles.write(repo, path, repo.file(path).read(node), flags)
            if _from_merge(ds, path):
                continue  # like hg: still part of the unfinished merge
            ds.copy(None, path)
            if action == "adding" or path not in m1:
                ds.add(path)
            elif m1.get(path) == entry:
                ds.set_clean(path, st)
            else:
                ds.set_possibly_dirty(path)
