"""``amg serve``: serve the repository over HTTP, or over ssh's stdio."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("serve",
         [("A", "accesslog", "", "name of access log file to write to"),
          ("E", "errorlog", "", "name of error log file to write to"),
          ("p", "port", "", "port to listen on (default: web.port, 8000; 0 picks a free one)"),
          ("a", "address", "", "address to listen on (default: web.address, 127.0.0.1)"),
          ("", "pid-file", "", "name of file to write process ID to"),
          ("d", "daemon", False, "run server in background"),
          ("", "stdio", False, "for remote clients (ssh)"),
          ("", "print-url", False, "print only the URL the server listens at")],
         "[OPTION]...", category="remote")
def serve(ui: UI, repo: Repository, **opts: Any) -> int:
    """serve the repository to hg and amg clients

    Start an HTTP server answering Mercurial's wire protocol: clients
    clone, pull and, when allowed, push with http://HOST:PORT/. It binds
    to 127.0.0.1 (web.address) unless -a says otherwise; -p 0 picks a free
    port. The server is read-only unless web.allow-push lists the pushing
    user ('*' for anybody) and the request came over TLS or web.push-ssl
    is false. Requests are logged to stdout, or to the -A file.

    With -d, the server detaches once it listens (give -A, -E and
    --pid-file to keep its logs and stop it later with kill).

    With --stdio, speak the ssh protocol on standard input and output: this
    is what ssh:// clients run on the server ('amg -R PATH serve --stdio').

    For production, run the same application under a WSGI server behind a
    TLS proxy; see docs/serving.md.

    Returns 0 when the server stops on SIGINT or SIGTERM.
    """
    if opts["stdio"]:
        from amalgam.wire.sshserver import serve_stdio

        return serve_stdio(ui, repo.root, ui.fin, ui.fout, ui.ferr)
    from amalgam.wire import server

    address = opts["address"] or ui.config.get("web", "address")
    try:
        port = int(opts["port"]) if opts["port"] != "" else ui.config.get("web", "port")
    except ValueError:
        raise error.InputError(f"invalid port '{opts['port']}'",
                               hint="give a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise error.InputError(f"invalid port {port}", hint="give a number from 0 to 65535")
    httpd = server.make_server(ui, repo.root, address, port,
                               accesslog=opts["accesslog"], errorlog=opts["errorlog"])
    try:
        url = server.url(httpd)
        if opts["print_url"]:
            ui.write(f"{url}\n")
        else:
            host, bound = httpd.server_address[:2]
            ui.status(f"listening at {url} (bound to {host}:{bound})\n")
        ui.flush()
        if opts["daemon"] and server.detach():
            return 0  # the parent: the child serves from now on
        if opts["pid_file"]:
            with open(opts["pid_file"], "w", encoding="ascii") as fp:
                fp.write(f"{os.getpid()}\n")
        server.run(httpd)
    finally:
        httpd.server_close()
    return 0
