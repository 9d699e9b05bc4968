"""``amg commit``: record the working directory's changes as a new changeset."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command
from amalgam.wc.cmdutil import WALK_OPTS

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("commit|ci",
         [("A", "addremove", False, "add untracked and remove missing files first"),
          ("", "close-branch", False, "close the branch with this commit"),
          ("", "force-close-branch", False, "close the branch even from a non-head"),
          ("", "amend", False, "replace the parent changeset by one with these changes too"),
          ("e", "edit", False, "edit the message in the editor"),
          *WALK_OPTS,
          ("m", "message", "", "the commit message", "TEXT"),
          ("l", "logfile", "", "read the message from FILE (- for stdin)", "FILE"),
          ("d", "date", "", "the date to record", "DATE"),
          ("u", "user", "", "the author to record", "USER")],
         "[OPTION]... [FILE]...", category="change-creation", helpbasic=True)
def commit(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """record the working directory's changes as a new changeset

    Record the changes to FILEs (all modified, added and removed files
    when none are given) as a new changeset whose parent is the working
    directory's parent.  Without -m or -l, the editor from $HGEDITOR,
    ui.editor, $VISUAL or $EDITOR asks for the message; an empty message
    cancels the commit.  -d takes hg's date forms ("UNIXTIME OFFSET",
    "2024-05-01 10:00 +0200", "today", ...).

    --amend folds the changes into the working directory's parent instead:
    the changeset is rewritten with its message, user and date unless new
    ones are given (the editor starts from the old message), and the old
    version is saved in a bundle under .hg/strip-backup.  Public
    changesets, changesets with descendants and merges in progress cannot
    be amended.

    Returns 0 on success, 1 if nothing changed.
    """
    from amalgam import branches
    from amalgam.node import hex, nullid, short
    from amalgam.wc import cmdutil, message as msgmod, tracking
    from amalgam.wc import commit as commitmod
    from amalgam.wc.dates import parse_date
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.status import status

    if opts.get("message") and opts.get("logfile"):
        raise error.InputError("cannot specify both --message and --logfile")
    try:
        date = parse_date(opts["date"]) if opts.get("date") else None
    except error.ParseError as exc:
        from amalgam.cli.services import progname

        exc.prefix = f"{progname()}: parse error"  # hg's wording for a bad date
        raise
    if repo.vfs.exists("updatestate"):
        # hg's marker of an update cut short: the files may match neither parent.
        raise error.StateError("last update was interrupted",
                               hint="use 'amg update' to get a consistent checkout")
    if opts.get("amend"):
        return _amend(ui, repo, pats, opts, date)
    with repo.wlock():
        ds = DirState.open(repo)
        _check_close_branch(repo, ds, opts)
        m = cmdutil.matcher(repo, pats, opts)
        if opts.get("addremove"):
            tracking.addremove(repo, ds, m)
        st = status(repo, ds, m, unknown=False)
        changes = commitmod.pending_files(repo, ds, m, st, bool(opts.get("close_branch")))
        if changes is None:
            if ds.dirty:
                ds.write()
            missing = len(st.deleted)
            ui.status("nothing changed" + (f" ({missing} missing files, see 'hg status')"
                                           if missing else "") + "\n")
            return 1
        user = msgmod.username(ui, opts.get("user") or None)
        text = opts.get("message") or ""
        if opts.get("logfile"):
            text = msgmod.from_logfile(ui, opts["logfile"])
        if not text or opts.get("edit"):
            text = msgmod.edit(repo, user, ds.branch(), st, text)
            msgmod.save_last_message(repo, text)
        text = msgmod.clean_message(text)
        if not text:
            raise error.InputError("empty commit message")
        branch = ds.branch()
        heads = set(branches.branchheads(repo, branch, closed=True))
        cl = repo.changelog.revlog
        parents = [cl.rev(p) for p in ds.parents() if p != nullid]
        if not opts.get("close_branch"):
            for parent in ds.parents():
                if parent != nullid:
                    entry = repo.changelog.read(parent)
                    if entry.extra.get("close") and entry.branch == branch:
                        ui.status(f"reopening closed branch head {cl.rev(parent)}\n")
        node = commitmod.commit(repo, ds, m, message=text, user=user, date=date,
                                close_branch=bool(opts.get("close_branch")),
                                amend=bool(opts.get("amend")), opts=opts, st=st)
    if node is None:  # a wc_commit plugin took every file away
        ui.status("nothing changed\n")
        return 1
    if ui.verbose:
        ui.note("committing files:\n")
        for path in changes:
            if path not in st.removed:
                ui.note(f"{path.decode('utf-8', 'surrogateescape')}\n")
        ui.note("committing manifest\ncommitting changelog\n")
    rev = cl.rev(node)
    if heads and not heads.intersection(parents):
        ui.status("created new head\n")
    if ui.debugflag:
        ui.debug(f"committed changeset {rev}:{hex(node)}\n")
    else:
        ui.note(f"committed changeset {rev}:{short(node)}\n")
    return 0


def _check_close_branch(repo: Repository, ds: Any, opts: dict[str, Any]) -> None:
    """hg refuses --close-branch on a branch without heads or from a non-head."""
    from amalgam import branches
    from amalgam.node import nullid

    if not (opts.get("close_branch") or opts.get("force_close_branch")):
        return
    opts["close_branch"] = True
    branch = ds.branch()
    heads = branches.branchheads(repo, branch)
    if not heads:
        raise error.InputError(f'branch "{branch}" has no heads to close')
    p1 = ds.p1()
    if (not opts.get("force_close_branch")
            and (p1 == nullid or repo.changelog.revlog.rev(p1) not in heads)):
        raise error.InputError("can only close branch heads",
                               hint="use --force-close-branch to close branch from a "
                                    "non-head changeset")


def _amend(ui: UI, repo: Repository, pats: tuple[str, ...], opts: dict[str, Any],
           date: tuple[float, int] | None) -> int:
    """``commit --amend``: the checks and message hg applies, then the rewrite."""
    from amalgam.context import changectx
    from amalgam.node import short
    from amalgam.wc import cmdutil, message as msgmod, tracking
    from amalgam.wc import commit as commitmod
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.status import status

    with repo.wlock():
        ds = DirState.open(repo)
        old = commitmod.check_amendable(repo, ds)
        _check_close_branch(repo, ds, opts)
        m = cmdutil.matcher(repo, pats, opts)
        if opts.get("addremove"):
            tracking.addremove(repo, ds, m)
        st = status(repo, ds, m, unknown=False)
        octx = changectx(repo, old)
        user = opts.get("user") or octx.user()
        if "\n" in user:
            raise error.InputError(f"username {user!r} contains a newline")
        text = opts.get("message") or ""
        if opts.get("logfile"):
            text = msgmod.from_logfile(ui, opts["logfile"])
        if not text or opts.get("edit"):
            # As hg: without a new message the editor starts from the old one.
            text = msgmod.edit(repo, user, ds.branch(), st, text or octx.description())
            msgmod.save_last_message(repo, text)
        text = msgmod.clean_message(text)
        if not text:
            raise error.InputError("empty commit message")
        ui.note(f"amending changeset {short(old)}\n")
        node = commitmod.commit(repo, ds, m, message=text, user=user, date=date,
                                close_branch=bool(opts.get("close_branch")), amend=True,
                                opts=opts, st=st)
    if node is None:
        ui.status("nothing changed\n")
        return 1
    ui.note(f"committed changeset {repo.changelog.revlog.rev(node)}:{short(node)}\n")
    return 0
