"""The Peer protocol every transport implements, and :class:`LocalPeer`.

The methods mirror hg's wire commands (capabilities, heads, known, lookup,
listkeys, pushkey, branchmap, getbundle, unbundle), so an HTTP or SSH peer
only has to encode arguments and decode answers; pull, push, clone and
discovery never know which transport they talk to.  Bundles travel as
read()-able byte streams in both directions.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from amalgam.error import Abort, InputError, RepoError
from amalgam.exchange import phasesync
from amalgam.exchange.streams import Reader
from amalgam.node import Node, hex, nullid

if TYPE_CHECKING:
    from amalgam.exchange.bundle2 import Writer
    from amalgam.repo import Repository
    from amalgam.ui import UI


class Peer(Protocol):
    """A repository reached through some transport."""

    url: str

    def capabilities(self) -> set[str]: ...
    def heads(self) -> list[Node]: ...
    def known(self, nodes: Sequence[Node]) -> list[bool]: ...
    def lookup(self, key: str) -> Node: ...
    def listkeys(self, namespace: str) -> dict[str, str]: ...
    def pushkey(self, namespace: str, key: str, old: str, new: str) -> bool: ...
    def branchmap(self) -> dict[str, list[Node]]: ...
    def getbundle(self, source: str, *, heads: Sequence[Node], common: Sequence[Node],
                  cg: bool = True, bookmarks: bool = False, phases: bool = False,
                  cgversion: str = "03", **extra: Any) -> Reader: ...
    def unbundle(self, bundle: Iterable[bytes], heads: Sequence[Node]) -> Reader: ...
    def close(self) -> None: ...
    def __enter__(self) -> Peer: ...
    def __exit__(self, *exc: object) -> None: ...


class IterReader:
    """A read()-able stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            rest = self._buffer[self._pos:] + b"".join(self._chunks)
            self._buffer, self._pos = b"", 0
            return rest
        pieces, got = [self._buffer[self._pos:]], len(self._buffer) - self._pos
        while got < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            pieces.append(chunk)
            got += len(chunk)
        data = b"".join(pieces)
        self._buffer, self._pos = data, min(size, len(data))
        return data[:size]


def is_publishing(repo: Repository) -> bool:
    """``phases.publish`` of *repo* (default true): whether what it serves or receives
    is public.  A repository opened as a peer is judged by its own config files."""
    return publishes(repo.ui, repo.root)


def publishes(ui: UI, root: str) -> bool:
    """``phases.publish`` as the repository at *root* sees it.

    Its own ``.hg/hgrc`` and ``.hg/amalgam.toml`` beat the user's files,
    ``--config`` beats both, as when a command runs inside it.
    """
    from amalgam.config.layers import Config

    config = getattr(ui, "config", None)
    if config is None:
        return True
    if config.source("phases", "publish") != "--config":
        own = Config(ui.environ)
        own.load_repo(root)
        if own.source("phases", "publish") != "default":
            return bool(own.get("phases", "publish"))
    return bool(config.get("phases", "publish"))


class LocalPeer:
    """A repository on this machine, answered by calling into it directly."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.url = repo.root

    # -- queries -----------------------------------------------------------

    def capabilities(self) -> set[str]:
        return {"lookup", "branchmap", "known", "getbundle", "unbundle", "pushkey",
                "bundle2", "changegroup=02,03"}

    def _visible(self) -> list[int]:
        return phasesync.phases(self.repo)

    def heads(self) -> list[Node]:
        """Heads of the non-secret changesets (secret ones are never exchanged)."""
        cl = self.repo.changelog.revlog
        values = self._visible()
        revs = [r for r, p in enumerate(values) if p < phasesync.SECRET]
        inner = {p for r in revs for p in cl.parentrevs(r) if p >= 0}
        heads = [cl.node(r) for r in revs if r not in inner]
        return heads or [nullid]

    def known(self, nodes: Sequence[Node]) -> list[bool]:
        cl = self.repo.changelog.revlog
        values = self._visible()
        return [n != nullid and cl.hasnode(n) and values[cl.rev(n)] < phasesync.SECRET
                for n in nodes]

    def lookup(self, key: str) -> Node:
        from amalgam import bookmarks as bookmod

        marks = bookmod.read(self.repo)
        if key in marks:
            return marks[key]
        heads = self.branchmap().get(key)
        if heads:
            return heads[-1]
        try:
            return self.repo.lookup(key)
        except InputError:
            raise RepoError(f"unknown revision '{key}' in {self.url}") from None

    def listkeys(self, namespace: str) -> dict[str, str]:
        from amalgam import bookmarks as bookmod

        if namespace == "bookmarks":
            return {name: hex(node) for name, node in bookmod.read(self.repo).items()}
        if namespace == "phases":
            if is_publishing(self.repo):
                return {"publishing": "True"}
            cl = self.repo.changelog.revlog
            values = self._visible()
            return {hex(cl.node(r)): "1" for r in range(len(values))
                    if values[r] == phasesync.DRAFT
                    and all(p < 0 or values[p] == phasesync.PUBLIC for p in cl.parentrevs(r))}
        if namespace == "namespaces":
            return {"bookmarks": "", "phases": "", "namespaces": ""}
        return {}

    def pushkey(self, namespace: str, key: str, old: str, new: str) -> bool:
        from amalgam import bookmarks as bookmod
        from amalgam.exchange.parts import apply_bookmarks
        from amalgam.node import bin

        if namespace != "bookmarks":
            return False
        repo = self.repo
        with repo.wlock(), repo.lock(), repo.transaction("pushkey") as tr:
            current = bookmod.read(repo).get(key)
            if (hex(current) if current else "") != old:
                return False
            try:
                target = bin(new) if new else None
            except ValueError:
                return False
            apply_bookmarks(repo, tr, {key: target})
        return True

    def branchmap(self) -> dict[str, list[Node]]:
        """Open and closed heads of each named branch, oldest first."""
        cl = self.repo.changelog.revlog
        values = self._visible()
        result: dict[str, list[Node]] = {}
        branch_of: dict[int, str] = {}
        children: set[int] = set()
        revs = [r for r, p in enumerate(values) if p < phasesync.SECRET]
        from amalgam.branches import branchmap

        names = branchmap(self.repo)  # cached names; heads recomputed without secrets
        for rev in revs:
            branch_of[rev] = names.branch(rev)
        for rev in revs:
            for parent in cl.parentrevs(rev):
                if parent >= 0 and branch_of.get(parent) == branch_of[rev]:
                    children.add(parent)
        for rev in revs:
            if rev not in children:
                result.setdefault(branch_of[rev], []).append(cl.node(rev))
        return result

    # -- bundles -------------------------------------------------------------

    def getbundle(self, source: str, *, heads: Sequence[Node], common: Sequence[Node],
                  cg: bool = True, bookmarks: bool = False, phases: bool = False,
                  cgversion: str = "03", **extra: Any) -> Reader:
        """A bundle2 with what lies under *heads* but not *common*.

        Plugins see every argument (*extra* carries ones their client side
        added): they may restrict the file groups and add parts.
        """
        from amalgam import bookmarks as bookmod
        from amalgam.exchange import bundle2
        from amalgam.exchange.bundle import phase_heads_payload
        from amalgam.exchange.changegroup import generate

        repo = self.repo
        cl = repo.changelog.revlog
        values = self._visible()
        heads = [n for n in heads if n != nullid]
        for node in heads:
            if not cl.hasnode(node) or values[cl.rev(node)] >= phasesync.SECRET:
                raise Abort(f"requested head {hex(node)[:12]} is not in {self.url}")
        commonrevs = [cl.rev(n) for n in common if n != nullid and cl.hasnode(n)]
        has = phasesync.ancestors(repo, commonrevs)
        missing = sorted(phasesync.ancestors(repo, [cl.rev(n) for n in heads]) - has)
        args = dict(extra, heads=list(heads), common=list(common), cg=cg,
                    bookmarks=bookmarks, phases=phases, cgversion=cgversion)
        hooks = getattr(repo.ui, "hooks", None)
        matchers = [m for m in hooks.exchange_changegroup_filter(repo=repo, args=args)
                    if m is not None] if hooks is not None else []
        writer: Writer = bundle2.Writer()
        if cg and missing:
            keep = (lambda path: all(m(path) for m in matchers)) if matchers else None
            writer.newpart("changegroup",
                           data=generate(repo, missing, commonrevs, cgversion, keep),
                           mandatory_params=[("version", cgversion)],
                           advisory_params=[("nbchanges", str(len(missing)))])
        if bookmarks:
            marks = bookmod.read(repo)
            payload = b"".join(node + len(name.encode()).to_bytes(2, "big") + name.encode()
                               for name, node in sorted(marks.items()))
            writer.newpart("bookmarks", data=payload)
        if phases:
            if is_publishing(repo):
                import struct

                payload = b"".join(struct.pack(">i", phasesync.PUBLIC) + n for n in heads)
            else:
                payload = phase_heads_payload(repo, [cl.rev(n) for n in heads])
            writer.newpart("phase-heads", data=payload)
        if hooks is not None:
            hooks.exchange_getbundle_parts(repo=repo, bundler=writer, args=args)
        return IterReader(writer.chunks())

    def unbundle(self, bundle: Iterable[bytes], heads: Sequence[Node]) -> Reader:
        """Apply a pushed bundle2; the reply is a bundle2 with ``reply:changegroup``."""
        from amalgam.exchange import bundle2
        from amalgam.exchange.bundle import apply_stream

        repo = self.repo
        target = phasesync.PUBLIC if is_publishing(repo) else phasesync.DRAFT
        with repo.wlock():
            op = apply_stream(repo, repo.ui, IterReader(bundle), source="push",
                              targetphase=target, bookmarks_mode="apply")
        writer = bundle2.Writer()
        for result in op.changegroups:
            writer.newpart("reply:changegroup", mandatory=False,
                           advisory_params=[("return", str(result.heads_delta()))])
        return IterReader(writer.chunks())

    def close(self) -> None:
        """Nothing to release: the repository is closed with the process."""

    def __enter__(self) -> LocalPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def peer(ui: UI, path: str, *, create: bool = False) -> Peer:
    """A peer for *path*: ``http(s)://`` and ``ssh://`` URLs, else a local directory.

    ``file:`` URLs and plain paths open the repository in this process.
    """
    from amalgam.repo import Repository

    scheme = path.split("://", 1)[0].lower() if "://" in path else ""
    if scheme in ("http", "https", "ssh") and create:
        raise Abort(f"cannot create a new repository at {path}",
                    hint="only local destinations can be created")
    if scheme in ("http", "https"):
        from amalgam.exchange.httppeer import HttpPeer

        return HttpPeer(ui, path)
    if scheme == "ssh":
        from amalgam.exchange.sshpeer import SshPeer

        return SshPeer(ui, path)
    if path.startswith("file://"):
        path = path[len("file://"):]
    elif path.startswith("file:"):
        path = path[len("file:"):]
    elif scheme:
        raise Abort(f"repository {path} not found: '{scheme}' URLs are not supported",
                    hint="use a local path, http://, https:// or ssh://")
    path = os.path.expanduser(path)
    if create:
        return LocalPeer(Repository.create(path, ui, config=ui.config))
    if not os.path.isdir(os.path.join(path, ".hg")):
        raise RepoError(f"repository {path} not found")
    return LocalPeer(Repository.open(path, ui))
