"""Server side of ``getbundle`` and ``unbundle``: bundle2 out, bundle2 in.

``getbundle`` builds its reply lazily, parts in hg's order (stream2,
changegroup, bookmarks, listkeys, phase-heads, then plugin parts), so a
clone streams from the revlogs to the socket.  ``unbundle`` applies a push
from the request stream inside one transaction: a cut stream, a failed
check or a hostile part rolls everything back, and the client gets a bundle2
reply with ``error:*`` parts instead of a broken connection.
"""
from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from amalgam.error import AmalgamError, Abort
from amalgam.exchange import phasesync
from amalgam.exchange.peer import LocalPeer, is_publishing
from amalgam.exchange.streams import Reader
from amalgam.node import Node, hex, nullid
from amalgam.wire import protocol

if TYPE_CHECKING:
    from amalgam.exchange.bundle2 import Part, Unbundler, Writer
    from amalgam.repo import Repository

#: getbundle arguments with a meaning here; the rest go to plugins as they are.
_NODES_ARGS = ("heads", "common")
_BOOL_ARGS = ("cg", "phases", "bookmarks", "stream", "obsmarkers", "cbattempted")
_CSV_ARGS = ("bundlecaps", "listkeys")


_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_GUARD = threading.Lock()


@contextmanager
def exclusive(repo: Repository) -> Iterator[None]:
    """Serialise this process's threads that take *repo*'s lock.

    The store lock keeps other processes out but is reentrant within a
    process, so two server threads would both "hold" it; this mutex makes
    them take turns.
    """
    with _WRITERS_GUARD:
        mutex = _WRITERS.setdefault(repo.root, threading.Lock())
    with mutex:
        yield


def decode_getbundle_args(raw: dict[str, bytes]) -> dict[str, Any]:
    """Typed getbundle arguments (hg-formats.md 8.6); unknown ones stay bytes."""
    args: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _NODES_ARGS:
            args[key] = protocol.decode_nodes(value)
        elif key in _BOOL_ARGS:
            args[key] = protocol.decode_bool(value)
        elif key in _CSV_ARGS:
            try:
                args[key] = [v for v in value.decode("ascii").split(",") if v]
            except UnicodeDecodeError:
                raise protocol.WireError(f"malformed getbundle argument '{key}'") from None
        else:
            args[key] = value
    return args


def client_bundle2_caps(bundlecaps: list[str]) -> dict[str, list[str]] | None:
    """The client's bundle2 capabilities from ``bundlecaps``; None for a bundle1 client."""
    if "HG20" not in bundlecaps:
        return None
    for token in bundlecaps:
        if token.startswith("bundle2="):
            return protocol.decode_bundle2_caps(token[len("bundle2="):])
    return {}


def error_bundle(exc: AmalgamError) -> Iterator[bytes]:
    """A bundle2 holding one ``error:abort`` (or ``error:pushraced``) part."""
    from amalgam.exchange import bundle2
    from amalgam.exchange.parts import PushRaced

    writer = bundle2.Writer()
    # Part parameters are at most 255 bytes: long messages are cut, not refused.
    message = exc.message.encode("utf-8")[:255].decode("utf-8", "ignore")
    if isinstance(exc, PushRaced):
        writer.newpart("error:pushraced", mandatory_params=[("message", message)])
    else:
        params = [("message", message)]
        if exc.hints:
            params.append(("hint", exc.hints[0].encode("utf-8")[:255].decode("utf-8", "ignore")))
        writer.newpart("error:abort", mandatory_params=params)
    return writer.chunks()


def getbundle(repo: Repository, args: dict[str, Any], *, allow_stream: bool) -> Iterator[bytes]:
    """The bytes of the bundle2 reply to ``getbundle`` with typed *args*."""
    from amalgam.exchange import bundle2, streamclone
    from amalgam.exchange.changegroup import OUTGOING_VERSIONS
    from amalgam.wire.commands import listkeys

    caps = client_bundle2_caps(args.get("bundlecaps", []))
    if caps is None:
        raise Abort("this server sends bundle2 only",
                    hint="use a Mercurial client of version 4.0 or later")
    peer = LocalPeer(repo)
    cl = repo.changelog.revlog
    values = phasesync.phases(repo)
    heads = [n for n in args.get("heads") or peer.heads() if n != nullid]
    for node in heads:
        if not cl.hasnode(node) or values[cl.rev(node)] >= phasesync.SECRET:
            raise Abort(f"requested head {hex(node)[:12]} is not in this repository")
    common = [n for n in args.get("common", []) if n != nullid and cl.hasnode(n)]
    commonrevs = [cl.rev(n) for n in common]
    writer: Writer = bundle2.Writer()
    if args.get("stream"):
        if not allow_stream:
            raise Abort("stream clones are disabled on this server",
                        hint="clone without --stream")
        # Under the lock, so the file sizes form one consistent snapshot.
        with exclusive(repo), repo.lock():
            streamclone.add_part(repo, writer)
    if args.get("cg", True):
        has = phasesync.ancestors(repo, commonrevs)
        missing = sorted(phasesync.ancestors(repo, [cl.rev(n) for n in heads]) - has)
        if missing:
            version = _cgversion(caps.get("changegroup", ["01"]), OUTGOING_VERSIONS)
            writer.newpart("changegroup",
                           data=_changegroup(repo, missing, commonrevs, version, args),
                           mandatory_params=[("version", version)],
                           advisory_params=[("nbchanges", str(len(missing)))])
    if args.get("bookmarks"):
        from amalgam.node import bin

        marks = listkeys(repo, "bookmarks")  # without those on secret changesets
        payload = b"".join(bin(node) + struct.pack(">H", len(name.encode())) + name.encode()
                           for name, node in sorted(marks.items()))
        writer.newpart("bookmarks", data=payload)
    for namespace in args.get("listkeys", []):
        writer.newpart("listkeys", data=protocol.encode_listkeys(listkeys(repo, namespace)),
                       mandatory_params=[("namespace", namespace)])
    if args.get("phases"):
        writer.newpart("phase-heads", data=_phase_heads(repo, heads))
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is not None:
        hooks.exchange_getbundle_parts(repo=repo, bundler=writer, args=args)
    return writer.chunks()


def _cgversion(client: list[str], ours: Iterable[str]) -> str:
    both = sorted(set(client) & set(ours))
    if not both:
        raise Abort("no common changegroup version with the client",
                    hint=f"this server sends versions {', '.join(sorted(ours))}")
    return both[-1]


def _changegroup(repo: Repository, missing: list[int], commonrevs: list[int], version: str,
                 args: dict[str, Any]) -> Iterator[bytes]:
    from amalgam.exchange.changegroup import generate

    hooks = getattr(repo.ui, "hooks", None)
    matchers = [m for m in hooks.exchange_changegroup_filter(repo=repo, args=args)
                if m is not None] if hooks is not None else []
    keep = (lambda path: all(m(path) for m in matchers)) if matchers else None
    return generate(repo, missing, commonrevs, version, keep)


def _phase_heads(repo: Repository, heads: list[Node]) -> bytes:
    from amalgam.exchange.bundle import phase_heads_payload

    if is_publishing(repo):
        return b"".join(struct.pack(">i", phasesync.PUBLIC) + n for n in heads)
    cl = repo.changelog.revlog
    return phase_heads_payload(repo, [cl.rev(n) for n in heads])


# -- unbundle -------------------------------------------------------------------


def check_heads(repo: Repository, theirs: list[bytes]) -> None:
    """The ``heads`` argument: ``force``, ``hashed``+sha1, or the heads the client saw."""
    from amalgam.exchange.parts import PushRaced

    if theirs == [b"force"]:
        return
    ours = sorted(LocalPeer(repo).heads())
    if theirs[:1] == [b"hashed"]:
        matches = theirs[1:] == [hashlib.sha1(b"".join(ours)).digest()]
    else:
        matches = sorted(theirs) == ours
    if not matches:
        raise PushRaced("repository changed while pushing - please try again",
                        hint="pull and merge or rebase, then push again")


def decode_unbundle_heads(value: bytes) -> list[bytes]:
    """Unlike other node lists, ``force`` and ``hashed`` are hex of plain words."""
    import binascii

    try:
        return [binascii.unhexlify(word) for word in value.split()]
    except (binascii.Error, ValueError):
        raise protocol.WireError("malformed unbundle heads argument") from None


class _Recording:
    """An unbundler that remembers the ids of changegroup parts."""

    def __init__(self, repo: Repository, inner: Unbundler) -> None:
        self._repo = repo
        self._inner = inner
        self.cgids: list[int] = []

    def parts(self) -> Iterator[Part]:
        for part in self._inner.parts():
            if part.type == "changegroup":
                self.cgids.append(part.id)
            yield part


def unbundle(repo: Repository, stream: Reader) -> Writer:
    """Apply a pushed bundle2 in one transaction; the reply bundle (without output).

    Only uncompressed bundle2 is accepted, which is what hg and amg clients
    push: a compressed push could inflate far beyond what was sent, and
    bundle1 comes only from clients too old to talk to this server anyway.
    """
    from amalgam.exchange import bundle2, parts
    from amalgam.exchange.bundle import report
    from amalgam.exchange.streams import readexactly
    from amalgam.wire.commands import OutOfBandError

    target = phasesync.PUBLIC if is_publishing(repo) else phasesync.DRAFT
    if readexactly(stream, 4, "bundle header") != bundle2.MAGIC:
        raise OutOfBandError("incompatible Mercurial client; bundle2 required",
                             hint="push with Mercurial 4.0 or later, or with amg")
    unbundler = bundle2.Unbundler(stream)
    if unbundler.compression != "UN":
        raise Abort("compressed pushes are refused",
                    hint="the server only accepts uncompressed bundle2 pushes")
    recording = _Recording(repo, unbundler)
    with repo.wlock(), repo.lock(), repo.transaction("push") as tr:
        op = parts.Operation(repo, tr, repo.ui, targetphase=target, bookmarks_mode="apply")
        parts.process(op, recording)  # type: ignore[arg-type]
    report(repo.ui, repo, op, newchangesets=False)
    writer = bundle2.Writer()
    if op.reply_requested:
        for partid, result in zip(recording.cgids, op.changegroups):
            writer.newpart("reply:changegroup", mandatory=False,
                           mandatory_params=[("in-reply-to", str(partid)),
                                             ("return", str(result.heads_delta()))])
    return writer
