"""The conversation with Watchman: connect, ask for a clock or changes.

Every failure of the service (not installed, not running, a socket that
is not Watchman, a Watchman that hangs past the timeout, an error reply)
becomes :class:`Unavailable` with a one-line reason, so the caller can
fall back to a normal walk.

It speaks BSER over the Unix socket itself, with pywatchman's C codec
loaded on its own: the ``pywatchman`` package imports ``subprocess``,
``socket`` and ``inspect`` (about 10 ms) for features a status never uses.
Where that codec is missing, pywatchman's own choice (its pure-Python
codec) is used.  The root is queried directly, which a watched root
answers in one round trip; only when Watchman refuses it is the root
watched (``watch-project``) and asked again.  Without a configured socket,
the one ``watchman get-sockname`` names is remembered in the user's cache
directory, so that program runs again only when the socket stops working.
"""
from __future__ import annotations

import os
from typing import Any

#: Never look inside the repository's own metadata directory.
_NOT_HG = ["not", ["anyof", ["dirname", ".hg"], ["name", ".hg", "wholename"]]]

#: BSER integer markers and their sizes: a PDU starts ``\0\1``, marker, length.
_INT_SIZES = {3: 1, 4: 2, 5: 4, 6: 8}


class Unavailable(Exception):
    """Watchman cannot answer; ``kind`` is the fallback reason to count."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Refused(Exception):
    """Watchman answered with an error (e.g. the root is not watched)."""


class Changes:
    """What a ``since`` query answered."""

    __slots__ = ("clock", "files", "fresh")

    def __init__(self, clock: str, files: list[bytes], fresh: bool) -> None:
        self.clock = clock
        self.files = files
        self.fresh = fresh


def codec() -> Any:
    """A BSER codec (``dumps``, ``loads``, ``pdu_len``), imported as cheaply as possible."""
    compiled = _compiled_codec()
    if compiled is not None:
        return compiled
    import pywatchman  # no compiled codec: pywatchman's pure-Python one

    return pywatchman.bser


def _compiled_codec() -> Any:
    """pywatchman's C codec, loaded without running the package's ``__init__``."""
    import importlib.machinery

    spec = importlib.machinery.PathFinder.find_spec("pywatchman")
    for directory in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(directory, "bser" + suffix)
            if not os.path.isfile(path):
                continue
            loader = importlib.machinery.ExtensionFileLoader("pywatchman.bser", path)
            module = loader.create_module(
                importlib.machinery.ModuleSpec("pywatchman.bser", loader, origin=path))
            loader.exec_module(module)
            return module
    return None


class Watch:
    """A connection to Watchman for one repository root."""

    def __init__(self, root: str, sockpath: str | None, timeout: float,
                 sockcache: str | None = None) -> None:
        self._timeout = timeout
        self._root = os.fsencode(root)
        #: the watched root and the repository's path under it, once resolved
        self.watch: bytes | None = None
        self.relative: bytes | None = None
        try:
            self._bser = codec()
        except ImportError as exc:
            raise Unavailable("unavailable", f"pywatchman is not installed ({exc})") from None
        import _socket  # the C module: socket.py's enums cost more than the whole query

        if not hasattr(_socket, "AF_UNIX"):
            raise Unavailable("unavailable", "this platform has no Unix sockets for watchman")
        self._socket = _socket
        #: the cache file the socket's name came from, forgotten if it misbehaves
        self._cached_in: str | None = None
        if sockpath is None:
            # Asking the watchman program costs a process per status: its
            # answer is remembered, and asked again only when it stops working.
            cached = _read_sockname(sockcache)
            if cached is not None and self._connect(cached, quiet=True):
                self._cached_in = sockcache
                return
            sockpath = self._sockname()
            self._connect(sockpath)
            if sockpath != cached:
                _write_sockname(sockcache, sockpath)
        else:
            self._connect(sockpath)

    def _connect(self, path: str, quiet: bool = False) -> bool:
        """Connect to *path*: True; on failure False if *quiet*, else :class:`Unavailable`."""
        sock = self._socket.socket(self._socket.AF_UNIX, self._socket.SOCK_STREAM)
        sock.settimeout(self._timeout)
        try:
            sock.connect(path)
        except TimeoutError:
            sock.close()
            raise self._timed_out() from None
        except OSError as exc:
            sock.close()
            if quiet:
                return False
            raise Unavailable("unavailable", f"cannot connect to watchman at {path}: "
                                             f"{exc.strerror or exc}") from None
        self._sock = sock
        return True

    def close(self) -> None:
        self._sock.close()

    def forget_socket(self) -> None:
        """The socket failed: ask the watchman program for it next time, if it was remembered."""
        if self._cached_in is not None:
            try:
                os.unlink(self._cached_in)
            except OSError:
                pass

    def _timed_out(self) -> Unavailable:
        return Unavailable("timeout", f"watchman did not answer within {self._timeout:g}s")

    def _sockname(self) -> str:
        """Ask the ``watchman`` program where its socket is (no WATCHMAN_SOCK, no sockpath)."""
        import subprocess

        try:
            done = subprocess.run(["watchman", "--output-encoding=bser", "get-sockname"],
                                  capture_output=True, timeout=self._timeout)
        except subprocess.TimeoutExpired:
            raise self._timed_out() from None
        except OSError as exc:
            raise Unavailable("unavailable", f"cannot run watchman: {exc}") from None
        try:
            reply = self._bser.loads(done.stdout, True, None, None)
            name = reply.get("unix_domain") or reply.get("sockname")
        except (ValueError, TypeError, AttributeError):
            name = None
        if done.returncode or not isinstance(name, bytes):
            raise Unavailable("unavailable", "watchman get-sockname failed: "
                                             + _oneline(done.stderr.decode("utf-8", "replace")
                                                        or f"exit {done.returncode}"))
        return os.fsdecode(name)

    def _call(self, *command: Any) -> dict[str, Any]:
        """One command and its reply; Watchman's error reply raises :class:`_Refused`."""
        try:
            self._sock.sendall(self._bser.dumps(list(command)))
            reply = self._receive()
            while isinstance(reply, dict) and (reply.get("unilateral") or "log" in reply
                                               or "subscription" in reply):
                reply = self._receive()
        except TimeoutError:
            raise self._timed_out() from None
        except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError) as exc:
            # A socket that is not Watchman answers something BSER cannot decode.
            raise Unavailable("not-watchman",
                              f"the socket does not speak watchman ({_oneline(exc)})") from None
        if not isinstance(reply, dict):
            raise Unavailable("not-watchman", "the socket does not speak watchman")
        if "error" in reply:
            error = reply["error"]
            raise _Refused(_oneline(error.decode("utf-8", "replace")
                                    if isinstance(error, bytes) else str(error)))
        return reply

    def _receive(self) -> Any:
        """One PDU: ``\\0\\1``, its length as a BSER integer, then the value."""
        recv = self._sock.recv
        data = bytearray()
        while len(data) < 3:
            data += _chunk(recv)
        if data[:2] != b"\x00\x01" or data[2] not in _INT_SIZES:
            raise ValueError("not a BSER reply")
        head = 3 + _INT_SIZES[data[2]]
        while len(data) < head:
            data += _chunk(recv)
        total = self._bser.pdu_len(bytes(data[:head]))
        if total > len(data):
            buf = bytearray(total)
            buf[:len(data)] = data
            view = memoryview(buf)
            got = len(data)
            while got < total:
                count = self._sock.recv_into(view[got:])
                if not count:
                    raise EOFError("watchman closed the connection")
                got += count
            data = buf
        return self._bser.loads(bytes(data[:total]), True, None, None)

    def _rooted(self, command: str, query: dict[str, Any]) -> dict[str, Any]:
        """*command* on the root: asked directly first, watched and asked again if refused."""
        if self.watch is None:
            try:
                return self._call(command, self._root, query)
            except _Refused:
                self._watch_project()
        if self.relative is not None and command == "query":
            query = {**query, "relative_root": os.fsdecode(self.relative)}
        try:
            return self._call(command, self.watch, query)
        except _Refused as exc:
            raise Unavailable("error", f"watchman error: {exc}") from None

    def _watch_project(self) -> None:
        try:
            reply = self._call("watch-project", self._root)
        except _Refused as exc:
            raise Unavailable("error", f"watchman error: {exc}") from None
        watch = reply.get("watch")
        if not isinstance(watch, bytes):
            raise Unavailable("error", "watch-project gave no root")
        self.watch = watch
        relative = reply.get("relative_path")
        self.relative = relative if isinstance(relative, bytes) and relative else None

    def _sync(self) -> dict[str, Any]:
        return {"sync_timeout": int(self._timeout * 1000)}

    def clock(self) -> str:
        """The current clock, after Watchman has seen every change made so far."""
        return _clock(self._rooted("clock", self._sync()))

    def since(self, clock: str) -> Changes:
        """Paths changed since *clock* (nothing listed for a fresh instance)."""
        query = {**self._sync(), "since": clock, "fields": ["name"], "expression": _NOT_HG,
                 "empty_on_fresh_instance": True}
        reply = self._rooted("query", query)
        return Changes(_clock(reply), self._files(reply), bool(reply.get("is_fresh_instance")))

    def all_files(self) -> list[bytes]:
        """Every path Watchman knows under the root (existing files only)."""
        query = {**self._sync(), "fields": ["name"],
                 "expression": ["allof", _NOT_HG, ["exists"]]}
        return self._files(self._rooted("query", query))

    @staticmethod
    def _files(reply: dict[str, Any]) -> list[bytes]:
        files = reply.get("files")
        if not isinstance(files, list) or not all(isinstance(f, bytes) for f in files):
            raise Unavailable("not-watchman", "watchman sent a malformed file list")
        return files


def _read_sockname(cache: str | None) -> str | None:
    if cache is None:
        return None
    try:
        with open(cache, "rb") as fp:
            data = fp.read(4096)
    except OSError:
        return None
    name = data.rstrip(b"\n")
    if not name.startswith(b"/") or b"\0" in name or b"\n" in name:
        return None  # damaged: ask the watchman program again
    return os.fsdecode(name)


def _write_sockname(cache: str | None, sockpath: str) -> None:
    """Remember *sockpath*; a cache that cannot be written only costs a process next time."""
    if cache is None:
        return
    tmp = f"{cache}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(tmp, "wb") as fp:
            fp.write(os.fsencode(sockpath) + b"\n")
        os.replace(tmp, cache)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _chunk(recv: Any) -> bytes:
    data = recv(65536)
    if not data:
        raise EOFError("watchman closed the connection")
    return data


def _clock(reply: dict[str, Any]) -> str:
    clock = reply.get("clock")
    if isinstance(clock, bytes):
        clock = clock.decode("ascii", "replace")
    if not isinstance(clock, str) or not clock or "\n" in clock or "\0" in clock:
        raise Unavailable("not-watchman", "watchman sent no usable clock")
    return clock


def _oneline(exc: BaseException | str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
