"""The SSH transport, version 1: ``amg serve --stdio`` (hg-formats.md 8.3).

Requests arrive on stdin as a command line followed by its declared
arguments (``name length`` lines, ``* count`` for extra ones); string replies
are length-prefixed, streams are written raw.  A push (``unbundle``) is
acknowledged, then read as ``length``-framed pieces ending with ``0``.  The
same command table as HTTP answers; over ssh the login itself authorises
pushing.  Every length is bounded before anything is read.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING

from amalgam.error import AmalgamError
from amalgam.exchange.streams import readexactly
from amalgam.wire import commands, protocol

if TYPE_CHECKING:
    from amalgam.ui import UI

#: Longest command or argument line, and largest argument value / push frame.
MAX_LINE = 1024
MAX_VALUE = 256 << 20
MAX_STAR = 4096


class FramedReader:
    """The pushed bundle: ``<len>\\n<bytes>`` frames until an empty one."""

    def __init__(self, fin: IO[bytes]) -> None:
        self._fin = fin
        self._left = 0
        self.done = False

    def read(self, size: int = -1) -> bytes:
        pieces: list[bytes] = []
        want = size
        while not self.done and (want < 0 or want > 0):
            if self._left == 0:
                self._left = _readlength(self._fin, MAX_VALUE)
                if self._left == 0:
                    self.done = True
                    break
            take = self._left if want < 0 else min(want, self._left)
            data = self._fin.read(take)
            if not data:
                raise protocol.WireError("connection closed in the middle of a push")
            self._left -= len(data)
            pieces.append(data)
            if want > 0:
                want -= len(data)
        return b"".join(pieces)

    def drain(self) -> None:
        while not self.done:
            self.read(1 << 16)


def _readline(fin: IO[bytes]) -> bytes | None:
    """One line without its newline; None at end of input."""
    line = fin.readline(MAX_LINE + 1)
    if not line:
        return None
    if not line.endswith(b"\n"):
        raise protocol.WireError("protocol line too long or cut")
    return line[:-1]


def _readlength(fin: IO[bytes], limit: int) -> int:
    line = _readline(fin)
    if line is None:
        raise protocol.WireError("connection closed while reading a length")
    if not line.isdigit() or int(line) > limit:
        raise protocol.WireError(f"invalid length line {line[:40]!r}")
    return int(line)


def _readarg(fin: IO[bytes]) -> tuple[str, int]:
    line = _readline(fin)
    if line is None:
        raise protocol.WireError("connection closed while reading arguments")
    name, _sep, size = line.partition(b" ")
    if not name or not size.isdigit() or not name.isascii():
        raise protocol.WireError(f"malformed argument line {line[:40]!r}")
    return name.decode("ascii"), int(size)


def read_args(fin: IO[bytes], spec: str) -> dict[str, bytes]:
    """Read exactly the arguments *spec* declares (``*`` carries a dictionary)."""
    keys = spec.split()
    args: dict[str, bytes] = {}
    for _ in keys:
        name, size = _readarg(fin)
        if name not in keys:
            raise protocol.WireError(f"unexpected argument '{name}'")
        if name == "*":
            if size > MAX_STAR:
                raise protocol.WireError(f"too many arguments ({size})")
            for _ in range(size):
                key, length = _readarg(fin)
                if length > MAX_VALUE:
                    raise protocol.WireError(f"argument '{key}' too large")
                args[key] = readexactly(fin, length, f"argument '{key}'")
            continue
        if size > MAX_VALUE:
            raise protocol.WireError(f"argument '{name}' too large")
        args[name] = readexactly(fin, size, f"argument '{name}'")
    return args


class SSHServer:
    """Answer commands from *fin* on *fout* until an empty line or end of input."""

    def __init__(self, ui: UI, root: str, fin: IO[bytes], fout: IO[bytes],
                 ferr: IO[bytes]) -> None:
        self.ui = ui
        self.root = root
        self.fin, self.fout, self.ferr = fin, fout, ferr
        self.protocaps: set[str] = set()

    def serve_forever(self) -> int:
        try:
            while self.serve_one():
                pass
        except AmalgamError as exc:
            # Out of step with the client (bad framing, cut input): say why and stop.
            self._ooberror(exc.message)
            return 1
        return 0

    def _frame(self, data: bytes) -> None:
        self.fout.write(b"%d\n" % len(data) + data)

    def _ooberror(self, message: str) -> None:
        self.ferr.write(message.encode("utf-8", "replace") + b"\n-\n")
        self.ferr.flush()
        self.fout.write(b"\n")
        self.fout.flush()

    def serve_one(self) -> bool:
        from amalgam.repo import Repository
        from amalgam.wire.http import request_ui

        line = _readline(self.fin)
        if not line:
            return False
        name = line.decode("ascii", "replace")
        ui = request_ui(self.ui)
        repo = Repository.open(self.root, ui)
        cmd = commands.table(repo).get(name)
        if cmd is None:
            self._frame(b"")
            self.fout.flush()
            return True
        args = read_args(self.fin, cmd.args)
        commands.parse_args(cmd, args)
        payload = None
        if cmd.name == "unbundle":
            payload = FramedReader(self.fin)
            self._frame(b"")  # go ahead: send the bundle
            self.fout.flush()
        req = commands.Request("ssh", payload=payload, protocaps=self.protocaps)
        try:
            result = cmd.handler(repo, args, req)
        except commands.OutOfBandError as exc:
            self._finish_payload(payload)
            self._ooberror(exc.message)
            return True
        except AmalgamError as exc:
            if isinstance(exc, protocol.WireError):
                raise
            self._finish_payload(payload)
            self._ooberror(f"abort: {exc.message}")
            return True
        self._finish_payload(payload)
        self._send(cmd.name, result)
        return True

    def _finish_payload(self, payload: FramedReader | None) -> None:
        # Stay in step with the client even when the handler stopped reading early.
        if payload is not None:
            payload.drain()

    def _send(self, name: str, result: object) -> None:
        if isinstance(result, bytes):
            self._frame(result)
        elif isinstance(result, commands.PushResult):
            self._frame(b"%d\n" % result.ret)
            if result.output:
                self.ferr.write(result.output)
                self.ferr.flush()
        elif isinstance(result, commands.StreamResponse):
            for chunk in result.chunks:
                self.fout.write(chunk)
        else:
            raise TypeError(f"wire command '{name}' returned {type(result).__name__}")
        self.fout.flush()


def serve_stdio(ui: UI, root: str, fin: IO[bytes], fout: IO[bytes], ferr: IO[bytes]) -> int:
    """Run the ssh protocol on the given pipes; the exit code of ``serve --stdio``."""
    return SSHServer(ui, root, fin, fout, ferr).serve_forever()
