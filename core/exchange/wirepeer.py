"""A :class:`Peer` spoken over hg's version-1 wire protocol, whatever the transport.

The transports (HTTP, SSH) only know how to call a named remote command with
string arguments and hand back its answer: a short string, a stream, or the
reply to a pushed bundle.  Everything else -- how nodes, booleans, listkeys
and branch maps are encoded, which bundle2 capabilities we announce -- lives
here once, so both transports behave the same.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from amalgam.error import Abort, RepoError
from amalgam.node import Node, hex, nullid
from amalgam.wire import protocol

if TYPE_CHECKING:
    from amalgam.exchange.streams import Reader
    from amalgam.ui import UI

#: What our bundle2 reader understands; sent as ``bundlecaps`` on getbundle.
CLIENT_BUNDLE2_CAPS: dict[str, list[str]] = {
    "HG20": [],
    "bookmarks": [],
    "changegroup": ["01", "02", "03"],
    "error": ["abort", "unsupportedcontent", "pushraced", "pushkey"],
    "listkeys": [],
    "phases": ["heads"],
    "stream": ["v2"],
}
#: ``unbundle`` heads argument meaning "do not check": bundle2 carries check:heads.
_FORCE = hex(b"force")
#: Spool pushed bundles in memory up to this size, then on disk.
_SPOOL_MAX = 8 << 20


def _arg(value: Any) -> str:
    """A getbundle argument as the wire expects it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        if items and isinstance(items[0], bytes):
            return protocol.encode_nodes(items).decode("ascii")
        return ",".join(str(v) for v in items)
    return str(value)


def _nodes(nodes: Iterable[Node]) -> str:
    return protocol.encode_nodes(nodes).decode("ascii")


class WirePeer:
    """The Peer protocol on top of ``_call``/``_callstream``/``_callpush``.

    Subclasses set ``url`` (credentials masked) and ``_caps`` in their
    constructor, and implement the three transport methods and ``close``.
    """

    url: str
    ui: UI
    _caps: dict[str, str | None]

    # -- transport (subclasses) ------------------------------------------------

    def _call(self, cmd: str, args: dict[str, str]) -> bytes:
        raise NotImplementedError

    def _callstream(self, cmd: str, args: dict[str, str]) -> Reader:
        raise NotImplementedError

    def _callpush(self, cmd: str, body: IO[bytes], size: int, args: dict[str, str]
                  ) -> Reader:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> WirePeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ------------------------------------------------------------------

    def capabilities(self) -> set[str]:
        """The server's capability tokens (``name`` or ``name=value``)."""
        return {n if v is None else f"{n}={v}" for n, v in self._caps.items()}

    def capable(self, name: str) -> str | bool:
        """True, the value of ``name=value``, or False."""
        if name not in self._caps:
            return False
        value = self._caps[name]
        return True if value is None else value

    def bundle2caps(self) -> dict[str, list[str]]:
        value = self._caps.get("bundle2")
        return protocol.decode_bundle2_caps(value) if value else {}

    def _require(self, name: str) -> None:
        if not self.capable(name):
            raise Abort(f"the server at {self.url} does not support '{name}'",
                        hint="it is too old for this client; upgrade the server")

    def batch(self, calls: Sequence[tuple[str, dict[str, str]]]) -> list[bytes]:
        """Several string commands in one round trip when the server has ``batch``."""
        if not self.capable("batch"):
            return [self._call(cmd, args) for cmd, args in calls]
        spec = protocol.encode_batch([(cmd, {k: v.encode() for k, v in args.items()})
                                      for cmd, args in calls])
        results = protocol.decode_batch_reply(
            self._call("batch", {"cmds": spec.decode("latin-1")}))
        if len(results) != len(calls):
            raise protocol.WireError(f"unexpected response to 'batch' from {self.url}")
        return results

    def heads(self) -> list[Node]:
        return protocol.decode_nodes(self._call("heads", {})) or [nullid]

    def heads_known(self, nodes: Sequence[Node]) -> tuple[list[Node], list[bool]]:
        """``heads`` and ``known(nodes)`` in one round trip (discovery's first question)."""
        heads, known = self.batch([("heads", {}), ("known", {"nodes": _nodes(nodes)})])
        return protocol.decode_nodes(heads) or [nullid], self._decode_known(known, nodes)

    def known(self, nodes: Sequence[Node]) -> list[bool]:
        if not nodes:
            return []
        self._require("known")
        return self._decode_known(self._call("known", {"nodes": _nodes(nodes)}), nodes)

    def _decode_known(self, answer: bytes, nodes: Sequence[Node]) -> list[bool]:
        values = protocol.decode_bools(answer.strip())
        if len(values) != len(nodes):
            raise protocol.WireError(f"unexpected response to 'known' from {self.url}")
        return values

    def lookup(self, key: str) -> Node:
        answer = self._call("lookup", {"key": key}).decode("utf-8", "replace")
        ok, _sep, rest = answer.rstrip("\n").partition(" ")
        if ok == "1":
            nodes = protocol.decode_nodes(rest.encode())
            if len(nodes) == 1:
                return nodes[0]
        raise RepoError(rest or f"unknown revision '{key}'")

    def listkeys(self, namespace: str) -> dict[str, str]:
        if not self.capable("pushkey"):
            return {}
        return protocol.decode_listkeys(self._call("listkeys", {"namespace": namespace}))

    def pushkey(self, namespace: str, key: str, old: str, new: str) -> bool:
        self._require("pushkey")
        answer = self._call(
            "pushkey", {"namespace": namespace, "key": key, "old": old, "new": new})
        first, _sep, output = answer.decode("utf-8", "replace").partition("\n")
        for line in output.splitlines():
            self.ui.status(f"remote: {line}\n")
        try:
            return bool(int(first))
        except ValueError:
            raise protocol.WireError(f"unexpected response to 'pushkey' from {self.url}") \
                from None

    def branchmap(self) -> dict[str, list[Node]]:
        return protocol.decode_branchmap(self._call("branchmap", {}))

    # -- bundles -------------------------------------------------------------------

    def getbundle(self, source: str, *, heads: Sequence[Node], common: Sequence[Node],
                  cg: bool = True, bookmarks: bool = False, phases: bool = False,
                  cgversion: str = "03", **extra: Any) -> Reader:
        """A bundle2 stream from the server (``cgversion`` is its choice among ours)."""
        self._require("getbundle")
        if not self.bundle2caps():
            raise Abort(f"the server at {self.url} cannot send bundle2",
                        hint="it is too old for this client; upgrade the server")
        args = {"bundlecaps": "HG20,bundle2=" + protocol.encode_bundle2_caps(CLIENT_BUNDLE2_CAPS),
                "heads": _nodes(n for n in heads if n != nullid),
                "common": _nodes(common or [nullid]),
                "cg": _arg(cg)}
        if bookmarks:
            args["bookmarks"] = "1"
        if phases:
            args["phases"] = "1"
        for name, value in extra.items():
            if value is not None:
                args[name] = _arg(value)
        if not args["heads"]:
            del args["heads"]
        return self._checked_bundle(self._callstream("getbundle", args), "getbundle")

    def _checked_bundle(self, stream: Reader, cmd: str) -> Reader:
        """*stream* after checking it starts like a bundle2.

        Reading the magic here lets a cut connection or a corrupt compression
        frame surface with its own message instead of "not a bundle".
        """
        from amalgam.exchange.bundle import Prefixed
        from amalgam.exchange.bundle2 import MAGIC
        from amalgam.exchange.streams import readexactly

        magic = readexactly(stream, len(MAGIC), f"the answer to '{cmd}'")
        if magic != MAGIC:
            raise protocol.WireError(f"the answer to '{cmd}' from {self.url} is not a bundle2",
                                     hint="the server is not speaking Mercurial's wire "
                                          "protocol")
        return Prefixed(magic, stream)

    def unbundle(self, bundle: Iterable[bytes], heads: Sequence[Node]) -> Reader:
        """Push a bundle2; the answer is the server's bundle2 reply stream.

        The bundle is spooled first (memory, then disk past 8 MiB) because
        both transports must know its size or re-read it; it is never held
        whole in memory.
        """
        self._require("unbundle")
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX, prefix="amg-push-")
        size = 0
        for chunk in bundle:
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        try:
            reply = self._callpush("unbundle", spool, size, {"heads": _FORCE})
        finally:
            spool.close()
        return self._checked_bundle(reply, "unbundle")
