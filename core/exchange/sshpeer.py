"""``ssh://`` peers: the version-1 ssh protocol over a ``serve --stdio`` process.

The URL is checked before anything runs: no user, host or path may start
with ``-``, so nothing in a URL can become an ssh option, and the remote
path is shell-quoted because sshd hands the command to a shell.  The remote
process's stderr is collected by a thread and relayed as ``remote: ...``
lines after each command, so a chatty server never blocks on a full pipe.
"""
from __future__ import annotations

import shlex
import subprocess
import threading
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from amalgam.error import Abort, InputError, RepoError
from amalgam.exchange.wirepeer import WirePeer
from amalgam.wire import protocol

if TYPE_CHECKING:
    from amalgam.exchange.streams import Reader
    from amalgam.ui import UI

_NULL_PAIR = b"0" * 40 + b"-" + b"0" * 40
_MAX_LINE = 64 * 1024
#: A string answer larger than this is not something a v1 server sends.
_MAX_ANSWER = 64 << 20
#: Banner lines tolerated before the handshake answer.
_MAX_BANNER = 1000
_PIECE = 64 * 1024
#: Declared argument order of the v1 commands we call ("*": a dictionary of the rest).
_ARG_ORDER: dict[str, list[str]] = {
    "batch": ["cmds", "*"], "getbundle": ["*"], "known": ["nodes", "*"],
    "lookup": ["key"], "listkeys": ["namespace"], "pushkey": ["namespace", "key", "old", "new"],
    "unbundle": ["heads"], "capabilities": [], "heads": [], "branchmap": [],
}


def parse_url(url: str) -> tuple[str | None, str, str | None, str]:
    """``(user, host, port, path)`` of an ``ssh://`` URL, refusing unsafe parts.

    hg's rule for paths: ``ssh://host/dir`` is ``dir`` relative to the
    remote home, ``ssh://host//abs`` is ``/abs``.
    """
    parts = urlsplit(url)
    if parts.scheme != "ssh" or not parts.netloc:
        raise InputError(f"invalid ssh URL '{url}'", hint="use ssh://[user@]host[:port]/path")
    user = unquote(parts.username) if parts.username else None
    host = unquote(parts.hostname or "")
    try:
        port = str(parts.port) if parts.port is not None else None
    except ValueError:
        raise InputError(f"invalid port in ssh URL '{url}'") from None
    path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
    if parts.query or parts.fragment:
        raise InputError(f"invalid ssh URL '{url}'", hint="ssh URLs take no query or fragment")
    for value in (user or "", host, path):
        if value.startswith("-"):
            raise InputError(f"potentially unsafe URL '{url}'",
                             hint="no part of an ssh URL may start with '-'")
    if not host:
        raise InputError(f"invalid ssh URL '{url}'", hint="the host is missing")
    if any(c in host for c in " \t\r\n\0") or "\0" in path or "\n" in path:
        raise InputError(f"invalid ssh URL '{url}'")
    return user, host, port, path or "."


def command_line(ui: UI, url: str) -> list[str]:
    """The argv that opens the connection (ssh options, host, remote command)."""
    user, host, port, path = parse_url(url)
    config = ui.config
    ssh = str(config.get("ui", "ssh")) if config is not None else "ssh"
    remotecmd = str(config.get("ui", "remotecmd")) if config is not None else "amg"
    try:
        argv = shlex.split(ssh)
    except ValueError as exc:
        raise InputError(f"cannot parse ui.ssh '{ssh}': {exc}") from None
    if not argv:
        raise InputError("ui.ssh is empty", hint="set it to an ssh command such as 'ssh'")
    if port:
        argv += ["-p", port]
    target = f"{user}@{host}" if user else host
    # remotecmd is the user's own configuration: it may carry options on purpose.
    remote = f"{remotecmd} -R {shlex.quote(path)} serve --stdio"
    return argv + ["--", target, remote]


class _StderrRelay(threading.Thread):
    """Collects the remote's stderr lines so they can be shown between commands."""

    def __init__(self, pipe: IO[bytes]) -> None:
        super().__init__(daemon=True)
        self._pipe = pipe
        self._lines: list[bytes] = []
        self._lock = threading.Lock()

    def run(self) -> None:
        for line in iter(self._pipe.readline, b""):
            with self._lock:
                if len(self._lines) < 10000:
                    self._lines.append(line)

    def take(self) -> list[str]:
        with self._lock:
            lines, self._lines = self._lines, []
        return [ln.decode("utf-8", "replace").rstrip("\r\n") for ln in lines]


class _Stream:
    """A response that is the rest of the remote's stdout (a bundle2 stream)."""

    def __init__(self, peer: SshPeer) -> None:
        self._peer = peer

    def read(self, size: int = -1) -> bytes:
        data = self._peer._read(_PIECE if size < 0 else min(size, 1 << 20))
        if not data:
            self._peer._relay()
        return data


class SshPeer(WirePeer):
    def __init__(self, ui: UI, url: str) -> None:
        self.ui = ui
        self.url = url
        argv = command_line(ui, url)
        ui.debug(f"running {shlex.join(argv)}\n")
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, bufsize=0)
        except OSError as exc:
            raise Abort(f"cannot run ssh command '{argv[0]}': {exc.strerror}",
                        hint="check the ui.ssh setting") from None
        assert self._proc.stdin and self._proc.stdout and self._proc.stderr
        self._out = self._proc.stdin
        self._in = self._proc.stdout
        self._stderr = _StderrRelay(self._proc.stderr)
        self._stderr.start()
        try:
            self._caps = self._handshake()
        except BaseException:
            self.close()
            raise

    # -- low level ---------------------------------------------------------------

    def _relay(self) -> None:
        for line in self._stderr.take():
            self.ui.status(f"remote: {line}\n")

    def _lost(self) -> Abort:
        self._proc.poll()
        self._stderr.join(timeout=1)
        self._relay()
        return Abort(f"connection to {self.url} ended unexpectedly",
                     hint="the remote end closed the connection; its messages are above")

    def _write(self, data: bytes) -> None:
        try:
            self._out.write(data)
            self._out.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._lost() from None

    def _read(self, size: int) -> bytes:
        try:
            return self._in.read(size)
        except (OSError, ValueError):
            raise self._lost() from None

    def _readexactly(self, size: int) -> bytes:
        pieces, got = [], 0
        while got < size:
            piece = self._read(min(_PIECE, size - got))
            if not piece:
                raise self._lost()
            pieces.append(piece)
            got += len(piece)
        return b"".join(pieces)

    def _readline(self) -> bytes:
        try:
            line = self._in.readline(_MAX_LINE)
        except (OSError, ValueError):
            raise self._lost() from None
        if not line:
            raise self._lost()
        return line

    def _send(self, cmd: str, args: dict[str, str]) -> None:
        """The command line and its arguments, in the order the server reads them.

        Named arguments come first in the command's declared order; the rest
        go in the ``*`` dictionary of commands that have one.
        """
        def encode(name: str, value: str) -> bytes:
            data = value.encode("utf-8")
            return b"%s %d\n" % (name.encode(), len(data)) + data

        rest = dict(args)
        out = [cmd.encode() + b"\n"]
        for name in _ARG_ORDER.get(cmd, sorted(args)):
            if name == "*":
                out.append(b"* %d\n" % len(rest))
                out.extend(encode(k, v) for k, v in sorted(rest.items()))
                rest = {}
            else:
                out.append(encode(name, rest.pop(name, "")))
        if rest:
            raise Abort(f"internal error: unexpected arguments {sorted(rest)} for '{cmd}'")
        self._write(b"".join(out))

    def _answer(self, cmd: str) -> bytes:
        line = self._readline()
        text = line.strip()
        if not text.isdigit():
            self._stderr.join(timeout=0.2)
            messages = [m for m in self._stderr.take() if m != "-"]
            reason = messages[-1] if messages else f"unexpected response {text[:40]!r}"
            raise Abort(f"remote error on '{cmd}': {reason}")
        size = int(text)
        if size > _MAX_ANSWER:
            raise Abort(f"the answer to '{cmd}' from {self.url} is too large ({size} bytes)")
        return self._readexactly(size)

    def _handshake(self) -> dict[str, str | None]:
        self._write(b"hello\nbetween\npairs %d\n%s" % (len(_NULL_PAIR), _NULL_PAIR))
        caps: dict[str, str | None] | None = None
        for _ in range(_MAX_BANNER):
            try:
                line = self._readline()
            except Abort:
                self._proc.poll()
                self._stderr.join(timeout=2)
                self._relay()
                raise RepoError(f"no suitable response from remote hg at {self.url}",
                                hint="check that the remote command (ui.remotecmd) exists "
                                     "and the path is a repository") from None
            text = line.strip()
            if not text.isdigit():
                continue  # a banner printed by the remote login
            if int(text) > _MAX_LINE:
                raise RepoError(f"no suitable response from remote hg at {self.url}",
                                hint=f"its handshake announced {int(text)} bytes")
            payload = self._readexactly(int(text))
            if payload.startswith(b"capabilities: "):
                caps = protocol.parse_capabilities(payload)
            elif payload == b"\n":
                self._relay()
                return caps if caps is not None else {}
        raise RepoError(f"no suitable response from remote hg at {self.url}")

    # -- transport -------------------------------------------------------------

    def _call(self, cmd: str, args: dict[str, str]) -> bytes:
        self._send(cmd, args)
        answer = self._answer(cmd)
        self._relay()
        return answer

    def _callstream(self, cmd: str, args: dict[str, str]) -> Reader:
        self._send(cmd, args)
        self._relay()
        return _Stream(self)

    def _callpush(self, cmd: str, body: IO[bytes], size: int, args: dict[str, str]
                  ) -> Reader:
        self._send(cmd, args)
        refusal = self._answer(cmd)
        if refusal:
            raise Abort(f"push refused by {self.url}: "
                        f"{refusal.decode('utf-8', 'replace').strip()}")
        while True:
            chunk = body.read(_PIECE)
            if not chunk:
                break
            self._write(b"%d\n" % len(chunk) + chunk)
        self._write(b"0\n")
        self._relay()
        return _Stream(self)

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None:
            return
        try:
            if proc.poll() is None:
                try:
                    self._out.close()
                except OSError:
                    pass
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            self._stderr.join(timeout=2)
            self._relay()
        finally:
            for pipe in (self._in, proc.stderr):
                if pipe is not None:
                    pipe.close()
            self._proc = None  # type: ignore[assignment]
