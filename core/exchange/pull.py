"""Pull: discover, fetch one bundle2 with changesets, phases and bookmarks, apply it."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from amalgam import bookmarks as bookmod
from amalgam.error import Abort
from amalgam.exchange import discovery, phasesync
from amalgam.exchange.progress import ByteProgress, CountingReader
from amalgam.node import Node, nullid

if TYPE_CHECKING:
    from amalgam.exchange.parts import Operation
    from amalgam.exchange.peer import Peer
    from amalgam.repo import Repository
    from amalgam.ui import UI


def resolve_heads(peer: Peer, revs: Sequence[str], branches: Sequence[str],
                  bookmarks: Sequence[str] = ()) -> list[Node] | None:
    """Remote nodes for ``-r``/``-b``/``-B`` (None: everything)."""
    if not revs and not branches and not bookmarks:
        return None
    heads: list[Node] = []
    if branches:
        branchmap = peer.branchmap()
        for name in branches:
            if name not in branchmap:
                raise Abort(f"unknown branch '{name}'")
            heads.extend(branchmap[name])
    remote_marks = peer.listkeys("bookmarks") if bookmarks else {}
    for name in bookmarks:
        if name not in remote_marks:
            raise Abort(f"remote bookmark {name} not found!")
        heads.append(Node(bytes.fromhex(remote_marks[name])))
    heads.extend(peer.lookup(rev) for rev in revs)
    return list(dict.fromkeys(heads))


def pull(repo: Repository, peer: Peer, ui: UI, *, heads: list[Node] | None = None,
         bookmarks: Sequence[str] = (), remote_name: str = "default",
         announce: bool = True) -> Operation | None:
    """Bring what *peer* has under *heads* (default: all) into *repo*."""
    from amalgam.exchange.bundle import apply_stream

    with repo.wlock():
        disc = discovery.discover(repo, peer, ui)
        cl = repo.changelog.revlog
        wanted = heads if heads is not None else [n for n in disc.remoteheads if n != nullid]
        needed = [n for n in wanted if not cl.hasnode(n)]
        if disc.commonheads == [nullid] and needed:
            ui.status("requesting all changes\n")
        else:
            ui.status("searching for changes\n")
        if not needed:
            ui.status("no changes found\n")
        args = {"heads": wanted, "common": disc.commonheads, "cg": bool(needed),
                "bookmarks": True, "phases": True}
        hooks = getattr(ui, "hooks", None)
        if hooks is not None:
            hooks.exchange_getbundle_args(repo=repo, peer=peer, args=args)
        with ByteProgress(ui, "receiving") as progress:
            stream = CountingReader(peer.getbundle("pull", **args), progress)
            op = apply_stream(repo, ui, stream, source="pull", targetphase=phasesync.DRAFT)
        _merge_bookmarks(repo, ui if announce else None, op.bookmarks, bookmarks, remote_name)
    if hooks is not None:
        hooks.exchange_pull_done(repo=repo, peer=peer, result=op)
    return op


def supports_stream(peer: Peer) -> bool:
    """Whether *peer* serves stream clones (bundle2 ``stream=v2``) we can apply."""
    from amalgam.storage.requirements import KERNEL_REQUIREMENTS

    caps = getattr(peer, "bundle2caps", None)
    if caps is None or "v2" not in caps().get("stream", []):
        return False
    needed = str(peer.capable("streamreqs") or "")  # type: ignore[attr-defined]
    return bool(needed) and set(needed.split(",")) <= KERNEL_REQUIREMENTS


def stream_pull(repo: Repository, peer: Peer, ui: UI) -> Repository:
    """Fill the empty *repo* with the peer's store files; the reopened repository.

    The stream carries the revlogs as they are (and the phase roots of a
    non-publishing server); bookmarks come in the same bundle.
    """
    from amalgam.exchange.bundle import apply_stream
    from amalgam.repo import Repository

    heads = [n for n in peer.heads() if n != nullid]
    ui.status("streaming all changes\n")
    with repo.wlock(), ByteProgress(ui, "streaming") as progress:
        stream = CountingReader(peer.getbundle("clone", heads=heads, common=[nullid], cg=False,
                                               bookmarks=True, stream=True), progress)
        op = apply_stream(repo, ui, stream, source="clone", targetphase=phasesync.PUBLIC)
    if not op.streamed:
        raise Abort("the server did not send a stream clone",
                    hint="clone without --stream")
    repo = Repository.open(repo.root, ui)
    _merge_bookmarks(repo, None, op.bookmarks, (), "default")
    return repo


def _merge_bookmarks(repo: Repository, ui: UI | None, remote: dict[str, Node | None],
                     explicit: Sequence[str], remote_name: str) -> None:
    """hg's rules: add new remote bookmarks, fast-forward ours, keep divergence aside."""
    cl = repo.changelog.revlog
    local = bookmod.read(repo)
    changed = False
    for name, node in sorted(remote.items()):
        if node is None or not cl.hasnode(node):
            continue
        mine = local.get(name)
        if name in explicit or mine is None:
            if mine != node:
                _say(ui, f"{'importing' if name in explicit else 'adding remote'} "
                         f"bookmark {name}\n")
                local[name] = node
                changed = True
        elif mine != node:
            if bookmod.is_descendant(repo, mine, node):
                _say(ui, f"updating bookmark {name}\n")
                local[name] = node
                changed = True
            elif not bookmod.is_descendant(repo, node, mine):
                divergent = f"{name}@{remote_name}"
                if ui is not None:
                    ui.warn(f"divergent bookmark {name} stored as {divergent}\n")
                local[divergent] = node
                changed = True
    if changed:
        bookmod.write(repo, local)



def _say(ui: UI | None, message: str) -> None:
    if ui is not None:
        ui.status(message)
