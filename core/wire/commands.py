"""The one table of wire commands both transports (HTTP, SSH) serve.

Each :class:`WireCommand` declares its arguments, the permission it needs
(``"pull"`` or ``"push"``) and a handler ``handler(repo, args, request)``
returning bytes (a string reply), a :class:`StreamResponse`, a
:class:`PushResult` or raising :class:`OutOfBandError`.  Transports decode
the arguments, check them with :func:`parse_args`, enforce the permission
(HTTP by configuration, ``Request.authorize`` for commands inside ``batch``;
over ssh the login grants everything), call the handler and encode its
result; they never know what a command does.
Plugins add commands with ``exchange_wire_commands`` and capabilities with
``exchange_capabilities``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amalgam.error import AmalgamError, Abort
from amalgam.exchange.peer import LocalPeer
from amalgam.exchange.streams import Reader
from amalgam.wire import protocol

if TYPE_CHECKING:
    from amalgam.repo import Repository

#: Commands hg lets ``batch`` run: all answer a plain string.
BATCHABLE = frozenset({"heads", "known", "lookup", "listkeys", "branchmap", "pushkey",
                       "capabilities", "clonebundles"})


@dataclass
class Request:
    """What a handler may know about the call beyond its arguments."""

    transport: str                      # "http" or "ssh"
    payload: Reader | None = None       # the pushed bundle (unbundle only)
    protocaps: set[str] = field(default_factory=set)
    #: Permission check for commands run inside ``batch`` (raises when denied).
    authorize: Callable[[str], None] = lambda perm: None


@dataclass
class StreamResponse:
    """A streamed reply; *compressible* ones are compressed as HTTP negotiates."""

    chunks: Iterable[bytes]
    compressible: bool = True
    prefer_uncompressed: bool = False


@dataclass
class PushResult:
    """hg's integer push result (``pushkey``) and server output."""

    ret: int
    output: bytes = b""


class OutOfBandError(Abort):
    """An error sent outside the command's reply (``application/hg-error``, ssh stderr)."""


@dataclass
class WireCommand:
    name: str
    args: str                           # space-separated names, "*" = any others
    permission: str                     # "pull" or "push"
    handler: Callable[[Repository, dict[str, bytes], Request], Any]

    def check_args(self, args: dict[str, bytes]) -> None:
        """Refuse arguments the command does not declare (unless it takes ``*``)."""
        declared = set(self.args.split())
        if "*" in declared:
            return
        extra = sorted(set(args) - declared)
        if extra:
            raise protocol.WireError(f"unexpected argument '{extra[0]}' for '{self.name}'")


# -- capabilities -------------------------------------------------------------------

def bundle2_caps(repo: Repository) -> dict[str, list[str]]:
    caps: dict[str, list[str]] = {
        "HG20": [], "bookmarks": [], "changegroup": ["02", "03"],
        "checkheads": ["related"], "error": ["abort", "unsupportedcontent", "pushraced"],
        "listkeys": [], "phases": ["heads"],
    }
    if _stream_allowed(repo):
        caps["stream"] = ["v2"]
    return caps


def _stream_allowed(repo: Repository) -> bool:
    """``server.uncompressed``, and never with secret changesets: a raw store copy
    would hand them out (hg refuses for the same reason)."""
    from amalgam.exchange import phasesync

    config = repo.ui.config
    if config is not None and not config.get("server", "uncompressed"):
        return False
    return phasesync.SECRET not in phasesync.phases(repo)


def capabilities(repo: Repository, transport: str) -> dict[str, str | None]:
    """Capability tokens for *transport*, plugin additions included."""
    from amalgam.exchange.streamclone import STREAM_REQUIREMENTS

    caps: dict[str, str | None] = {
        "batch": None, "branchmap": None, "getbundle": None, "known": None,
        "lookup": None, "pushkey": None, "unbundle": "HG10GZ,HG10BZ,HG10UN",
        "unbundlehash": None,
        "bundle2": protocol.encode_bundle2_caps(bundle2_caps(repo)),
    }
    if _stream_allowed(repo):
        caps["streamreqs"] = ",".join(sorted(repo.requirements & STREAM_REQUIREMENTS))
    if transport == "http":
        caps["httpheader"] = "1024"
        caps["httpmediatype"] = "0.1rx,0.1tx,0.2tx"
        caps["compression"] = ",".join(available_engines())
    else:
        caps["protocaps"] = None
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is not None:
        extra: list[str] = []
        hooks.exchange_capabilities(repo=repo, caps=extra)
        caps.update(protocol.parse_capabilities(" ".join(extra).encode("ascii")))
    return caps


def available_engines() -> list[str]:
    """Compression engines for HTTP ``0.2`` replies, server preference first."""
    from importlib.util import find_spec

    return ["zstd", "zlib"] if find_spec("zstandard") is not None else ["zlib"]


# -- handlers --------------------------------------------------------------------------

def _capabilities(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return protocol.format_capabilities(capabilities(repo, req.transport))


def _hello(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return b"capabilities: " + protocol.format_capabilities(capabilities(repo, "ssh")) + b"\n"


def _between(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    """Legacy discovery; only the handshake's null pair is answered (empty line)."""
    pairs = args.get("pairs", b"").split()
    return b"\n" * len(pairs)


def _protocaps(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    req.protocaps.update(args.get("caps", b"").decode("ascii", "replace").split())
    return b"OK"


def _heads(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return protocol.encode_nodes(LocalPeer(repo).heads()) + b"\n"


def _known(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return protocol.encode_bools(LocalPeer(repo).known(protocol.decode_nodes(args["nodes"])))


def _lookup(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    from amalgam.node import hex

    try:
        node = LocalPeer(repo).lookup(args["key"].decode("utf-8", "surrogateescape"))
    except AmalgamError as exc:
        return b"0 " + exc.message.encode("utf-8", "replace") + b"\n"
    return b"1 " + hex(node).encode("ascii") + b"\n"


def _text(args: dict[str, bytes], name: str) -> str:
    try:
        return args[name].decode("utf-8")
    except UnicodeDecodeError:
        raise protocol.WireError(f"argument '{name}' is not UTF-8") from None


def listkeys(repo: Repository, namespace: str) -> dict[str, str]:
    """A pushkey namespace as hg serves it.

    A publishing server still lists its draft roots (next to ``publishing``):
    clients check those phases when they push (``check:phases``).  Bookmarks
    on secret changesets stay private, like the changesets.
    """
    from amalgam.exchange import phasesync
    from amalgam.exchange.peer import is_publishing
    from amalgam.node import bin, hex

    peer = LocalPeer(repo)
    keys = peer.listkeys(namespace)
    if namespace == "bookmarks":
        return {name: node for name, node in keys.items()
                if peer.known([bin(node)]) == [True]}
    if namespace == "phases" and is_publishing(repo):
        cl = repo.changelog.revlog
        values = phasesync.phases(repo)
        for rev, phase in enumerate(values):
            if phase == phasesync.DRAFT and all(
                    p < 0 or values[p] == phasesync.PUBLIC for p in cl.parentrevs(rev)):
                keys[hex(cl.node(rev))] = "1"
    return keys


def _listkeys(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return protocol.encode_listkeys(listkeys(repo, _text(args, "namespace")))


def _pushkey(repo: Repository, args: dict[str, bytes], req: Request) -> PushResult:
    from amalgam.wire.bundles import exclusive

    with exclusive(repo):
        ok = LocalPeer(repo).pushkey(_text(args, "namespace"), _text(args, "key"),
                                     _text(args, "old"), _text(args, "new"))
    return PushResult(int(ok))


def _branchmap(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return protocol.encode_branchmap(LocalPeer(repo).branchmap())


def _clonebundles(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    return b""


def _batch(repo: Repository, args: dict[str, bytes], req: Request) -> bytes:
    results = []
    for name, inner in protocol.decode_batch(args["cmds"]):
        if name not in BATCHABLE:
            raise protocol.WireError(f"command '{name}' cannot be batched")
        cmd = table(repo)[name]
        # Every inner command needs its own permission: a push hidden in a batch is a push.
        req.authorize(cmd.permission)
        cmd.check_args(inner)
        result = cmd.handler(repo, inner, req)
        if isinstance(result, PushResult):
            result = b"%d\n" % result.ret
        results.append(result)
    return protocol.encode_batch_reply(results)


def _getbundle(repo: Repository, args: dict[str, bytes], req: Request) -> StreamResponse:
    from amalgam.wire import bundles

    typed = bundles.decode_getbundle_args(args)
    try:
        chunks = bundles.getbundle(repo, typed, allow_stream=_stream_allowed(repo))
    except protocol.WireError:
        raise
    except AmalgamError as exc:
        if bundles.client_bundle2_caps(typed.get("bundlecaps", [])) is None:
            raise OutOfBandError(exc.message, hints=exc.hints) from None
        chunks = bundles.error_bundle(exc)
    return StreamResponse(chunks, prefer_uncompressed=bool(typed.get("stream")))


def _unbundle(repo: Repository, args: dict[str, bytes], req: Request) -> StreamResponse:
    from amalgam.wire import bundles

    if req.payload is None:
        raise protocol.WireError("unbundle without a bundle")
    heads = bundles.decode_unbundle_heads(args["heads"])
    try:
        with bundles.exclusive(repo):
            bundles.check_heads(repo, heads)
            reply = bundles.unbundle(repo, req.payload)
    except OutOfBandError:
        raise
    except AmalgamError as exc:
        return StreamResponse(bundles.error_bundle(exc), compressible=False)
    output = request_output(repo)
    if output:
        reply.newpart("output", data=output, mandatory=False)
    return StreamResponse(reply.chunks(), compressible=False)


def request_output(repo: Repository) -> bytes:
    """What the command wrote to the request's buffered UI (for ``remote:`` lines)."""
    return b"".join(stream.getvalue() for stream in (repo.ui.fout, repo.ui.ferr)
                    if hasattr(stream, "getvalue"))


_BUILTIN = [
    WireCommand("capabilities", "", "pull", _capabilities),
    WireCommand("hello", "", "pull", _hello),
    WireCommand("between", "pairs", "pull", _between),
    WireCommand("protocaps", "caps", "pull", _protocaps),
    WireCommand("batch", "cmds *", "pull", _batch),
    WireCommand("heads", "", "pull", _heads),
    WireCommand("known", "nodes *", "pull", _known),
    WireCommand("lookup", "key", "pull", _lookup),
    WireCommand("listkeys", "namespace", "pull", _listkeys),
    WireCommand("pushkey", "namespace key old new", "push", _pushkey),
    WireCommand("branchmap", "", "pull", _branchmap),
    WireCommand("clonebundles", "", "pull", _clonebundles),
    WireCommand("getbundle", "*", "pull", _getbundle),
    WireCommand("unbundle", "heads", "push", _unbundle),
]


def table(repo: Repository) -> dict[str, WireCommand]:
    """The built-in commands plus those plugins add (a clash is a plugin bug)."""
    commands = {cmd.name: cmd for cmd in _BUILTIN}
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is not None:
        for extra in hooks.exchange_wire_commands(repo=repo):
            for cmd in extra or ():
                if cmd.name in commands:
                    raise Abort(f"wire command '{cmd.name}' is defined twice",
                                hint="a plugin redefines a built-in wire command")
                commands[cmd.name] = cmd
    return commands


def parse_args(cmd: WireCommand, args: dict[str, bytes]) -> dict[str, bytes]:
    """Check *args* against *cmd*'s declaration; missing ones are a protocol error."""
    cmd.check_args(args)
    for name in cmd.args.split():
        if name != "*" and name not in args:
            raise protocol.WireError(f"missing argument '{name}' for '{cmd.name}'")
    return args
