"""``amg status``: show changed files in the working directory."""
from __future__ import annotations


from amalgam import error
from amalgam.registrar import TEMPLATE_OPTION, command
from amalgam.wc.cmdutil import WALK_OPTS

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.repo import Repository
    from amalgam.ui import UI

_STATES = (("modified", "M"), ("added", "A"), ("removed", "R"), ("deleted", "!"),
           ("unknown", "?"), ("ignored", "I"), ("clean", "C"))


@command("status|st",
         [("A", "all", False, "list every file, whatever its state"),
          ("m", "modified", False, "list modified files"),
          ("a", "added", False, "list added files"),
          ("r", "removed", False, "list removed files"),
          ("d", "deleted", False, "list tracked files missing from disk"),
          ("c", "clean", False, "list unchanged files"),
          ("u", "unknown", False, "list untracked files"),
          ("i", "ignored", False, "list ignored files"),
          ("n", "no-status", False, "print names without the state letter"),
          ("C", "copies", False, "print where copied files came from"),
          ("0", "print0", False, "end each name with NUL (for xargs -0)"),
          ("", "rev", [], "compare with REV (twice: between two revisions)", "REV"),
          ("", "change", "", "list the files REV changed", "REV"),
          *WALK_OPTS, TEMPLATE_OPTION],
         "[OPTION]... [FILE]...", category="wdir", helpbasic=True)
def status(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """list files that differ from the working directory's parent

    List the files whose state differs from the working directory's parent
    (or from --rev REV, or between two --rev, or the changes made by
    --change REV), one per line with a letter:

      M = modified, A = added, R = removed, C = clean,
      ! = missing (deleted by a tool other than amg, still tracked),
      ? = not tracked, I = ignored,
        = the source of the file above (with --copies)

    Without options, show M, A, R, ! and ? files; -q hides the ? files.
    Paths are shown from the repository root, or from the current
    directory when FILE arguments are given.  -T formats each file
    (keywords ``status``, ``path`` from the root, ``source`` with -C;
    ``-T json``).

    Returns 0 on success.
    """
    from amalgam.wc import cmdutil
    from amalgam.wc.dirstate import DirState

    revs, change = opts.get("rev") or [], opts.get("change") or ""
    if revs and change:
        raise error.InputError("cannot specify --rev and --change at the same time")
    wanted = {name for name, _ in _STATES if opts.get(name)}
    if opts.get("all"):
        wanted = {name for name, _ in _STATES}
        if ui.quiet:
            wanted -= {"unknown", "ignored"}
    if not wanted:
        wanted = {"modified", "added", "removed", "deleted"}
        if not ui.quiet:
            wanted.add("unknown")
    ds = DirState.open(repo)
    m = cmdutil.matcher(repo, pats, opts)
    showcopies = opts.get("copies") or opts.get("all")
    if change or revs:
        # Only comparisons with revisions need the changelog: plain status
        # never loads it.
        from amalgam.node import nullid
        from amalgam.revspec import revpair, revsingle
        from amalgam.wc import compare

        cl = repo.changelog
    if change:
        node2 = cl.revlog.node(revsingle(repo, change))
        node1 = cl.revlog.parents(node2)[0]
        st = compare.between(repo, node1, node2, m, clean="clean" in wanted)
        copies = (compare.pathcopies(repo, node1, node2, st.added, st.removed)
                  if showcopies else {})
    elif revs:
        rev1, rev2 = revpair(repo, revs)
        node1 = cl.revlog.node(rev1) if rev1 >= 0 else nullid
        if rev2 is None:
            st = compare.against(repo, ds, node1, m, ignored="ignored" in wanted,
                                 clean="clean" in wanted, unknown="unknown" in wanted)
            copies = _wc_copies(repo, ds, node1, st.added) if showcopies else {}
        else:
            node2 = cl.revlog.node(rev2) if rev2 >= 0 else nullid
            st = compare.between(repo, node1, node2, m, clean="clean" in wanted)
            copies = (compare.pathcopies(repo, node1, node2, st.added, st.removed)
                      if showcopies else {})
    else:
        from amalgam.wc.status import status as wstatus

        st = wstatus(repo, ds, m, ignored="ignored" in wanted,
                     clean="clean" in wanted, unknown="unknown" in wanted)
        copies = ds.copies() if showcopies else {}
        cmdutil.warn_missing(repo, m, lambda p: p in ds or ds.hasdir(p))
    if opts.get("template"):
        _formatted(ui, repo, opts["template"], st, wanted, copies)
        return 0
    show = cmdutil.uipathfn(repo, bool(pats))
    end = "\0" if opts.get("print0") else "\n"
    nostatus = opts.get("no_status")
    for name, letter in _STATES:
        if name not in wanted:
            continue
        for path in getattr(st, name):
            prefix = "" if nostatus else letter + " "
            ui.write(f"{prefix}{show(path)}{end}", label=f"status.{name}")
            if name in ("modified", "added") and path in copies:
                ui.write(f"  {show(copies[path])}{end}", label="status.copied")
    return 0


def _formatted(ui: UI, repo: Repository, spec: str, st: Any, wanted: set[str],
               copies: dict[bytes, bytes]) -> None:
    from amalgam.templates.formatter import formatter

    fm = formatter(ui, repo, spec)
    for name, letter in _STATES:
        if name not in wanted:
            continue
        for path in getattr(st, name):
            fields = {"itemtype": "file", "status": letter,
                      "path": path.decode("utf-8", "surrogateescape")}
            if name in ("modified", "added") and path in copies:
                fields["source"] = copies[path].decode("utf-8", "surrogateescape")
            fm.item(fields)
    fm.end()


def _wc_copies(repo: Repository, ds: Any, node: bytes, added: list[bytes]) -> dict[bytes, bytes]:
    """Copies recorded in the working copy whose source exists in *node*."""
    base = repo.manifest_of(node)
    return {dest: src for dest, src in ds.copies().items() if dest in added and src in base}
