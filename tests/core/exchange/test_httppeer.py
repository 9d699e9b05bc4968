"""HTTP peers: auth, error statuses, redirects, TLS and refused connections.

A small front server sits before ``hg serve``: it demands basic auth on
/auth, answers /forbidden, /missing, /boom and /html with the failures a
client meets in the wild, and redirects /moved to the real repository.
"""
from __future__ import annotations

import base64
import http.client
import io
import socket
import ssl
import sys
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from amalgam.config.layers import Config
from amalgam.exchange.httppeer import auth_from_config, split_credentials
from amalgam.ui import UI

USER, PASSWORD = "alice", "s3cr3t-pw"


def _front(backend_port: int) -> type[BaseHTTPRequestHandler]:
    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _plain(self, status: int, body: bytes, ctype: str = "text/plain",
                   extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path, _sep, query = self.path.partition("?")
            if path.startswith("/forbidden"):
                return self._plain(403, b"no")
            if path.startswith("/missing"):
                return self._plain(404, b"nothing here")
            if path.startswith("/boom"):
                return self._plain(500, b"oops")
            if path.startswith("/html"):
                return self._plain(200, b"<html>hello</html>", "text/html")
            if path.startswith("/moved"):
                return self._plain(301, b"", extra={
                    "Location": f"http://127.0.0.1:{self.server.server_port}/auth/?{query}"})
            if path.startswith("/auth"):
                token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    return self._plain(401, b"who are you",
                                       extra={"WWW-Authenticate": 'Basic realm="repo"'})
            return self._forward(query)

        def _forward(self, query: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower().startswith("x-hg") or k.lower() == "accept"}
            conn.request("GET", "/?" + query, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
            self._plain(answer.status, body, answer.getheader("Content-Type", ""))

    return Front


@pytest.fixture
def front(hg, hg_exe, isolated_env, tmp_path: Path) -> Iterator[str]:
    """The front server's base URL; its repository has two changesets."""
    src = tmp_path / "src"
    hg("init", str(src))
    for text in ("1\n", "2\n"):
        (src / "f").write_text(text)
        hg("commit", "-qAm", text.strip(), cwd=src)
    proc = subprocess.Popen([hg_exe, "serve", "-R", str(src), "-p", "0", "-a", "127.0.0.1",
                             "--print-url"], env=isolated_env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    server = None
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().decode().strip().rstrip("/").rsplit(":", 1)[1])
        server = ThreadingHTTPServer(("127.0.0.1", 0), _front(port))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _auth_opts(password: str = PASSWORD, prefix: str = "127.0.0.1") -> list[str]:
    return ["--config", f"auth.repo.prefix={prefix}", "--config", f"auth.repo.username={USER}",
            "--config", f"auth.repo.password={password}"]


def test_credentials_from_auth_section(amg, front: str, tmp_path: Path) -> None:
    result = amg(*_auth_opts(), "clone", "-U", f"{front}/auth/", str(tmp_path / "c"))
    assert result.rc == 0, result.stderr
    assert "added 2 changesets" in result.stdout


def test_missing_or_wrong_credentials_abort_with_a_hint(amg, front: str, tmp_path: Path
                                                        ) -> None:
    for opts in ([], _auth_opts("wrong")):
        result = amg(*opts, "clone", f"{front}/auth/", str(tmp_path / "c"))
        assert result.rc == 255
        assert result.stderr.splitlines() == [
            f"abort: authorization failed for {front}/auth/",
            "(set a username and password for this URL in the [auth] section)"]
        assert not (tmp_path / "c").exists()


def test_credentials_in_url_are_used_but_never_shown_or_stored(amg, front: str,
                                                               tmp_path: Path) -> None:
    host = front.split("://")[1]
    result = amg("clone", "-U", f"http://{USER}:{PASSWORD}@{host}/auth/", str(tmp_path / "c"))
    assert result.rc == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    hgrc = (tmp_path / "c" / ".hg" / "hgrc").read_text()
    assert PASSWORD not in hgrc and f"http://{USER}@{host}/auth/" in hgrc
    bad = amg("clone", f"http://{USER}:nope-pw@{host}/auth/", str(tmp_path / "d"))
    assert bad.rc == 255 and "nope-pw" not in bad.stdout + bad.stderr


def test_redirect_is_followed_and_reported(amg, front: str, tmp_path: Path) -> None:
    result = amg(*_auth_opts(), "clone", "-U", f"{front}/moved/", str(tmp_path / "c"))
    assert result.rc == 0, result.stderr
    assert f"real URL is {front}/auth" in result.stdout


@pytest.mark.parametrize(("path", "message"), [
    ("forbidden", "abort: HTTP Error 403: Forbidden"),
    ("missing", "does not appear to be an hg repository (HTTP Error 404: Not Found)"),
    ("boom", "abort: HTTP Error 500: Internal Server Error"),
    ("html", "does not appear to be an hg repository"),
])
def test_error_statuses_are_one_line_aborts(amg, front: str, tmp_path: Path, path: str,
                                            message: str) -> None:
    result = amg("clone", f"{front}/{path}/", str(tmp_path / "c"))
    assert result.rc == 255
    assert message in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "c").exists()


def test_connection_refused(amg, tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    result = amg("clone", f"http://127.0.0.1:{port}/", str(tmp_path / "c"))
    assert result.rc == 255
    assert result.stderr.splitlines()[0] == (
        f"abort: cannot reach http://127.0.0.1:{port}/: connection refused")


def test_untrusted_certificate_is_refused(amg, tmp_path: Path) -> None:
    """A self-signed server: verification stays on, the clone aborts, nothing is left."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", str(key), "-out", str(cert), "-days", "1",
                           "-subj", "/CN=127.0.0.1"], capture_output=True)
    if made.returncode != 0:
        pytest.skip("openssl cannot make a test certificate")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _front(1))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = amg("clone", f"https://127.0.0.1:{server.server_port}/html/",
                     str(tmp_path / "c"))
    finally:
        server.shutdown()
        server.server_close()
    assert result.rc == 255
    assert result.stderr.startswith(
        f"abort: TLS handshake with https://127.0.0.1:{server.server_port}/html/ failed")
    assert not (tmp_path / "c").exists()


def test_auth_prefix_matching() -> None:
    config = Config({})
    for key, value in {"a.prefix": "example.com", "a.username": "short",
                       "b.prefix": "https://example.com/deep", "b.username": "deep",
                       "b.password": "pw", "c.prefix": "*", "c.username": "any"}.items():
        config.set("auth", key, value)
    ui = UI(config, fout=io.BytesIO(), ferr=io.BytesIO(), environ={})
    assert auth_from_config(ui, "https://example.com/deep/repo") == ("deep", "pw")
    assert auth_from_config(ui, "http://example.com/deep/repo") == ("short", None)
    assert auth_from_config(ui, "http://other.org/") == ("any", None)


def test_split_credentials() -> None:
    assert split_credentials("http://u:p%40ss@h:8080/r") == ("http://h:8080/r", "u", "p@ss")
    assert split_credentials("https://h/r") == ("https://h/r", None, None)


_CAPS = (b"batch branchmap getbundle known lookup pushkey unbundle=HG10UN httpheader=1024 "
         b"httpmediatype=0.1rx,0.1tx,0.2tx compression=zstd,zlib "
         b"bundle2=HG20%0Achangegroup%3D02%2C03")


def _hostile(getbundle: tuple[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Hostile(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            cmd = self.path.partition("cmd=")[2]
            ctype, body = {"capabilities": ("application/mercurial-0.1", _CAPS),
                           "heads": ("application/mercurial-0.1", b"ab" * 20 + b"\n"),
                           "getbundle": getbundle}.get(cmd, ("application/hg-error", b"no"))
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Hostile


@pytest.mark.parametrize(("answer", "message"), [
    (("application/mercurial-0.2", b"\x05lzma9" + b"x" * 64), "unknown compression 'lzma9'"),
    (("application/mercurial-0.2", b"\x04zstd" + b"\x00" * 64), "not valid zstd data"),
    (("application/mercurial-0.1", b"garbage" * 10), "not valid zlib data"),
    (("application/mercurial-0.2", b"\x04none" + b"<html>"), "is not a bundle2"),
    (("application/mercurial-0.2", b"\x04none" + b"HG20\x00\x00\x00\x00\x00\x00"),
     "stream ended unexpectedly"),
])
def test_hostile_bundle_answers_abort_and_leave_nothing(amg, tmp_path: Path, answer,
                                                        message: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _hostile(answer))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = amg("clone", f"http://127.0.0.1:{server.server_port}/", str(tmp_path / "c"))
    finally:
        server.shutdown()
        server.server_close()
    assert result.rc == 255
    assert result.stderr.startswith("abort: ") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "c").exists()


def test_hostile_ssh_handshake_is_refused(amg, tmp_path: Path) -> None:
    fake = tmp_path / "liar.py"
    fake.write_text("import sys\nsys.stdout.write('99999999999\\n')\nsys.stdout.flush()\n"
                    "sys.stdin.read()\n")
    result = amg("--config", f"ui.ssh={sys.executable} {fake}", "clone", "ssh://host/repo",
                 str(tmp_path / "c"))
    assert result.rc == 255
    assert result.stderr.startswith("abort: no suitable response from remote hg")
    assert not (tmp_path / "c").exists()
