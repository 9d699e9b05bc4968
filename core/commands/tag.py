"""``amg tag``: add or remove tags, global (committed ``.hgtags``) or local."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("tag",
         [("f", "force", False, "force tag"),
          ("l", "local", False, "make the tag local"),
          ("r", "rev", "", "revision to tag", "REV"),
          ("", "remove", False, "remove a tag"),
          ("m", "message", "", "use text as commit message", "TEXT"),
          ("d", "date", "", "record the specified date as commit date", "DATE"),
          ("u", "user", "", "record the specified user as committer", "USER")],
         "[-f] [-l] [-m TEXT] [-d DATE] [-u USER] [-r REV] NAME...",
         category="change-navigation")
def tag(ui: UI, repo: Repository, name1: str, *names: str, **opts: Any) -> int:
    """name a revision with tags, shared in .hgtags or local

    A tag names a changeset for good, typically a release.  A global tag
    is recorded in ``.hgtags`` and committed, so it travels with the
    history; with -l the tag is local, kept in ``.hg/localtags`` and never
    shared.  --remove records that a tag no longer applies.  An existing
    tag is only moved with -f; without -f a global tag can only be added
    when the working directory is at a head of its branch.

    Returns 0 on success.
    """
    from amalgam import bookmarks, branches, tags
    from amalgam.context import changectx, workingctx
    from amalgam.node import nullid, nullrev, short
    from amalgam.revspec import revsingle

    labels = [name.strip() for name in (name1, *names)]
    if len(labels) != len(set(labels)):
        raise error.InputError("tag names must be unique")
    for label in labels:
        bookmarks.check_label(label)
        if not label:
            raise error.InputError("tag names cannot consist entirely of whitespace")
    if opts.get("rev") and opts.get("remove"):
        raise error.InputError("cannot specify both --remove and --rev")
    local = bool(opts.get("local"))
    force = bool(opts.get("force"))
    message = opts.get("message") or ""
    spec = opts.get("rev") or "."
    if opts.get("remove"):
        expected = "local" if local else "global"
        for label in labels:
            kind = tags.tagtype(repo, label)
            if kind == "global" and tags.tags(repo).get(label) is None:
                raise error.InputError(f"tag '{label}' is already removed")
            if kind is None:
                raise error.InputError(f"tag '{label}' does not exist")
            if kind != expected:
                raise error.InputError(f"tag '{label}' is not a {expected} tag")
        spec = "null"
        message = message or f"Removed tag {', '.join(labels)}"
    elif not force:
        for label in labels:
            if label in tags.tags(repo):
                raise error.InputError(f"tag '{label}' already exists (use -f to force)")
    wctx = workingctx(repo)
    if not local:
        p1, p2 = wctx.parentnodes()
        if p2 != nullid:
            raise error.StateError("uncommitted merge")
        bheads = branches.branchheads(repo, wctx.branch())
        if not force and bheads and (p1 == nullid or repo.changelog.revlog.rev(p1)
                                     not in bheads):
            raise error.InputError("working directory is not at a branch head "
                                   "(use -f to force)")
    rev = revsingle(repo, spec)
    node = changectx(repo, rev).node
    message = message or f"Added tag {', '.join(labels)} for changeset {short(node)}"
    if not opts.get("remove") and rev == nullrev:
        raise error.InputError("cannot tag null revision")
    bmap = branches.branchmap(repo)
    for label in labels:
        if label in bmap:
            ui.warn(f"warning: tag {label} conflicts with existing branch name\n")
    with repo.wlock():
        if local:
            previous = repo.vfs.tryread("localtags")
            repo.vfs.write("localtags", previous + _lines(repo, labels, node, previous),
                           atomictemp=True)
            return 0
        return _commit_global(ui, repo, labels, node, message, opts)


def _lines(repo: Repository, labels: list[str], node: Node, previous: bytes) -> bytes:
    """What hg appends: the old node of a known tag first, so its history stays whole."""
    from amalgam import tags
    from amalgam.node import hex, nullid

    known = tags.tags(repo)
    out = [b"\n"] if previous and not previous.endswith(b"\n") else []
    for label in labels:
        name = label.encode("utf-8", "surrogateescape")
        if tags.tagtype(repo, label) is not None:
            out.append(b"%s %s\n" % (hex(known.get(label, nullid)).encode("ascii"), name))
        out.append(b"%s %s\n" % (hex(node).encode("ascii"), name))
    return b"".join(out)


def _commit_global(ui: UI, repo: Repository, labels: list[str], node: Node, message: str,
                   opts: dict[str, Any]) -> int:
    import os

    from amalgam.wc.commit import commit
    from amalgam.wc.dates import parse_date
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import exact
    from amalgam.wc.message import username
    from amalgam.wc.status import status

    ds = DirState.open(repo)
    m = exact(repo.root, repo.root, [b".hgtags"])
    st = status(repo, ds, m, ignored=True, unknown=True)
    if any(st.modified + st.added + st.removed + st.deleted + st.unknown + st.ignored):
        raise error.StateError("working copy of .hgtags is changed",
                               hint="please commit .hgtags manually")
    path = os.path.join(repo.root, ".hgtags")
    try:
        with open(path, "rb") as fh:
            previous = fh.read()
    except FileNotFoundError:
        previous = b""
    with open(path, "ab") as fh:
        fh.write(_lines(repo, labels, node, previous))
    if b".hgtags" not in ds:
        ds.add(b".hgtags")
    user = username(ui, opts.get("user") or None)
    date = parse_date(opts["date"]) if opts.get("date") else None
    with repo.lock():
        commit(repo, ds, m, message=message, user=user, date=date)
    return 0
