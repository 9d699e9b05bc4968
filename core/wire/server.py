"""The stdlib HTTP server ``amg serve`` runs the WSGI application on.

One thread per connection.  Each request opens its own repository object;
what storage shares within a process (zstd contexts, kept chain texts,
locks) is per thread or guarded, so concurrent clones, pulls and pushes
are safe.  Pushes still take the repository lock in turn.
Logs go to the access and error log files when given, else to the UI (the
access log) and stderr.  SIGTERM stops the server like SIGINT does, so
``kill`` shuts it down cleanly.
"""
from __future__ import annotations

import os
import signal
import socketserver
import sys
from typing import IO, TYPE_CHECKING, Any
from wsgiref import simple_server

from amalgam.error import Abort

if TYPE_CHECKING:
    from amalgam.ui import UI


#: Seconds a connection may stay silent before it is dropped (no slow-loris hangs).
IDLE_TIMEOUT = 300


class _Handler(simple_server.WSGIRequestHandler):
    server: Server
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        line = "%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(),
                                     format % args)
        self.server.log("access", line)

    def get_stderr(self) -> IO[str]:
        return self.server.errorstream


class _ErrorStream:
    """wsgi.errors: text written by the application goes to the error log."""

    def __init__(self, server: Server) -> None:
        self._server = server

    def write(self, text: str) -> int:
        self._server.log("error", text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Every write is flushed already."""


class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    # Shutting down must not wait for a long clone to finish.
    block_on_close = False
    allow_reuse_address = True
    # A burst of clients (hg opens several connections) must not be refused.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], ui: UI, accesslog: str,
                 errorlog: str) -> None:
        import threading

        self.ui = ui
        self._loglock = threading.Lock()
        self.accesslog = open(accesslog, "a", encoding="utf-8") if accesslog else None
        self.errorlog = open(errorlog, "a", encoding="utf-8") if errorlog else None
        self.errorstream = _ErrorStream(self)
        super().__init__(address, _Handler)

    def log(self, kind: str, text: str) -> None:
        """Append *text* to the ``access`` or ``error`` log."""
        fp = self.accesslog if kind == "access" else self.errorlog
        with self._loglock:
            if fp is not None:
                fp.write(text)
                fp.flush()
            elif kind == "access":
                self.ui.write(text)
                self.ui.flush()
            else:
                self.ui.warn(text)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return  # the client went away or fell silent; nothing to tell anyone
        import traceback

        self.log("error", "error serving %s:\n%s" % (client_address[0],
                                                          traceback.format_exc()))

    def server_close(self) -> None:
        super().server_close()
        for fp in (self.accesslog, self.errorlog):
            if fp is not None:
                fp.close()


def make_server(ui: UI, root: str, address: str, port: int, *, accesslog: str = "",
                errorlog: str = "") -> Server:
    """A server for the repository at *root*, bound but not yet serving."""
    from amalgam.wire.http import create_app

    try:
        httpd = Server((address, port), ui, accesslog, errorlog)
    except OSError as exc:
        raise Abort(f"cannot start server at '{address}:{port}': {exc.strerror}",
                    hint="choose another port with -p, or -p 0 for a free one") from None
    httpd.set_app(create_app(root, ui))
    _warm_up()
    return httpd


def _warm_up() -> None:
    """Import what answering a clone or pull needs before the first client comes.

    The kernel imports lazily to keep commands quick to start; a server
    starts once and should not make its first client wait for that.
    """
    import importlib

    for name in ("amalgam.wire.bundles", "amalgam.exchange.bundle2",
                 "amalgam.exchange.changegroup", "amalgam.exchange.streamclone",
                 "amalgam.exchange.parts", "amalgam.exchange.cgapply",
                 "amalgam.storage.changelog", "amalgam.storage.manifest",
                 "amalgam.storage.filelog", "amalgam.storage.deltas", "zstandard"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # zstandard missing: the server offers zlib only


def url(httpd: Server) -> str:
    host, port = httpd.server_address[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def detach() -> bool:
    """Fork into the background (``serve -d``): True in the parent, which should exit.

    The child starts a new session and trades the terminal for /dev/null; the
    socket is already bound, so clients can connect as soon as the parent returns.
    """
    if not hasattr(os, "fork"):
        raise Abort("--daemon is not supported on this platform",
                    hint="run the server under a service manager instead")
    if os.fork():
        return True
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return False


def run(httpd: Server) -> None:
    """Serve until SIGINT or SIGTERM."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
