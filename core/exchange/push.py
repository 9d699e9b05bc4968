"""Push: discover, refuse new remote heads unless forced, send one bundle2."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from amalgam import bookmarks as bookmod
from amalgam.error import Abort, RemoteError, StateError
from amalgam.exchange import bundle2, discovery, phasesync
from amalgam.node import Node, hex, nullid, short

if TYPE_CHECKING:
    from amalgam.exchange.peer import Peer
    from amalgam.repo import Repository
    from amalgam.ui import UI

_REPLY_CAPS = {"HG20": [], "error": ["abort", "unsupportedcontent", "pushraced", "pushkey"]}
_HEADS_HINT = "merge or see 'amg help push' for details about pushing new heads"


def _check_heads(repo: Repository, peer: Peer, missing: list[int], newbranch: bool) -> None:
    """Abort when the push would add a remote branch or a head to a remote branch."""
    cl = repo.changelog.revlog
    branchmap = peer.branchmap()
    missing_set = set(missing)
    by_branch: dict[str, list[int]] = {}
    for rev in missing:
        by_branch.setdefault(repo.changelog.read(rev).branch, []).append(rev)
    new_branches = sorted(b for b in by_branch if b not in branchmap)
    if new_branches and not newbranch:
        raise StateError(f"push creates new remote branches: {', '.join(new_branches)}",
                         hint="use 'amg push --new-branch' to create new remote branches")
    for branch, revs in sorted(by_branch.items()):
        old = branchmap.get(branch, [])
        # A remote head stays a head unless a pushed changeset descends from it.
        pushed_ancestors = phasesync.ancestors(repo, revs)
        kept = [n for n in old if not cl.hasnode(n) or cl.rev(n) not in pushed_ancestors]
        inner = {p for r in revs for p in cl.parentrevs(r) if p in missing_set}
        newheads = [r for r in revs if r not in inner]
        if old and len(kept) + len(newheads) > len(old):
            unknown = [n for n in kept if not cl.hasnode(n)]
            hint = ("pull and merge or see 'amg help push' for details about pushing new heads"
                    if unknown else _HEADS_HINT)
            head = short(cl.node(newheads[0]))
            raise StateError(f"push creates new remote head {head} on branch '{branch}'!",
                             hint=hint)


def _cg_version(peer: Peer) -> str:
    """The newest changegroup version the receiver reads (03 for local repositories)."""
    caps = getattr(peer, "bundle2caps", None)
    if caps is None:
        return "03"
    versions = caps().get("changegroup", [])
    return "03" if "03" in versions else "02"


def push(repo: Repository, peer: Peer, ui: UI, *, revs: list[int] | None = None,
         force: bool = False, newbranch: bool = False, bookmarks: Sequence[str] = ()) -> int:
    """Send what *peer* lacks; 0 when something was pushed, 1 when nothing was."""
    cl = repo.changelog.revlog
    local_marks = bookmod.read(repo)
    for name in bookmarks:
        if name not in local_marks:
            raise Abort(f"bookmark '{name}' does not exist")
    if revs is not None:
        revs = revs + [cl.rev(local_marks[name]) for name in bookmarks]
    ui.status("searching for changes\n")
    disc = discovery.discover(repo, peer, ui)
    missing = discovery.outgoing(repo, disc, revs)
    remote_marks = {k: Node(bytes.fromhex(v)) for k, v in peer.listkeys("bookmarks").items()}
    pushed = 1
    if not missing:
        values = phasesync.phases(repo)
        wanted = phasesync.ancestors(repo, revs) if revs is not None else range(len(values))
        secret = sum(1 for r in wanted if values[r] >= phasesync.SECRET and r not in disc.common)
        ignored = f" (ignored {secret} secret changesets)" if secret else ""
        ui.status(f"no changes found{ignored}\n")
    else:
        if not force:
            _check_heads(repo, peer, missing, newbranch)
        hooks = getattr(ui, "hooks", None)
        if hooks is not None:
            hooks.exchange_push_prestep(repo=repo, peer=peer, outgoing=missing)
        writer = bundle2.Writer()
        # Asking for a reply makes every server answer with a bundle2 we can read.
        writer.newpart("replycaps", data=bundle2.encode_caps(_REPLY_CAPS).encode())
        if not force:
            writer.newpart("check:heads", data=b"".join(sorted(disc.remoteheads)))
        from amalgam.exchange.changegroup import generate

        version = _cg_version(peer)
        writer.newpart("changegroup", data=generate(repo, missing, sorted(disc.common), version),
                       mandatory_params=[("version", version)])
        # What is public here becomes public there, even on a non-publishing receiver.
        from amalgam.exchange.bundle import phase_heads_payload

        writer.newpart("phase-heads", data=phase_heads_payload(repo, missing))
        from amalgam.exchange.progress import ByteProgress, counting_chunks

        with ByteProgress(ui, "sending") as progress:
            reply = peer.unbundle(counting_chunks(writer.chunks(), progress), disc.remoteheads)
        from amalgam.exchange.bundle2 import open_stream

        for part in open_stream(reply).parts():
            if part.type.startswith("error:"):
                raise RemoteError(part.params.get("message", "push failed on the remote"),
                                  hint=part.params.get("hint"))
            if part.type == "output":
                for line in part.read().decode("utf-8", "replace").splitlines():
                    ui.status(f"remote: {line}\n")
        pushed = 0
    if peer.listkeys("phases").get("publishing", "").lower() == "true":
        tops = [cl.node(r) for r in discovery.heads_of(repo, set(missing))]
        common_heads = [n for n in disc.commonheads if n != nullid]
        with repo.lock(), repo.transaction("push-phases") as tr:
            phasesync.advance(repo, tr, phasesync.PUBLIC, tops + common_heads)
    _push_bookmarks(repo, peer, ui, local_marks, remote_marks, bookmarks)
    return pushed


def _push_bookmarks(repo: Repository, peer: Peer, ui: UI, local: dict[str, Node],
                    remote: dict[str, Node], explicit: Sequence[str]) -> None:
    for name, node in sorted(local.items()):
        old = remote.get(name)
        if old == node:
            continue
        if name in explicit:
            ui.status(f"exporting bookmark {name}\n")
        elif old is None or not repo.changelog.revlog.hasnode(old) or not peer.known([node])[0]:
            continue
        elif not bookmod.is_descendant(repo, old, node):
            continue
        else:
            ui.status(f"updating bookmark {name}\n")
        if not peer.pushkey("bookmarks", name, hex(old) if old else "", hex(node)):
            ui.warn(f"updating bookmark {name} failed\n")
