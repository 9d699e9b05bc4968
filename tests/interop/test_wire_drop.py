"""A server that drops the connection anywhere in a clone or pull.

A loopback proxy forwards to ``hg serve`` and cuts every connection once
the server has sent N bytes; an ssh stand-in wrapper does the same to
``hg serve --stdio``.  For N across the whole exchange (capabilities,
HTTP headers, bundle2 header, part headers, chunks, payload) amg must
abort with one line, a failed clone must leave no directory behind (not
even the parents it created) and a failed pull must leave the repository
exactly as it was.  A push cut anywhere (the proxy counting what the
client sends) aborts cleanly and leaves the server verifiable, with the
pushed changeset all there or not at all.
"""
from __future__ import annotations

import hashlib
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from .test_wire_client import FAKESSH, make_source, ssh_url

CUTTER = '''
import os, subprocess, sys, threading
budget = int(sys.argv[1])
proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def feed():
    try:
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            proc.stdin.write(data)
            proc.stdin.flush()
        proc.stdin.close()
    except OSError:
        pass
threading.Thread(target=feed, daemon=True).start()
sent = 0
while budget < 0 or sent < budget:
    data = os.read(proc.stdout.fileno(), 65536 if budget < 0 else min(65536, budget - sent))
    if not data:
        break
    os.write(1, data)
    sent += len(data)
if budget < 0:
    sys.stderr.write("cutter-total %d\\n" % sent)
proc.kill()
proc.wait()
os._exit(0)
'''


class CuttingProxy:
    """Forwards TCP to *port*; after *budget* bytes from the server, cuts everything."""

    def __init__(self, port: int, budget: int | None = None, *, upload: bool = False) -> None:
        self.port = port
        self.budget = budget
        self.upload = upload  # count (and cut) what the client sends instead
        self.sent = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.port))
            with self._lock:
                self._sockets += [client, upstream]
            for src, dst, counted in ((client, upstream, self.upload),
                                      (upstream, client, not self.upload)):
                threading.Thread(target=self._pump, args=(src, dst, counted),
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counted: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if counted and self.budget is not None:
                    with self._lock:
                        allowed = self.budget - self.sent
                        data = data[:max(allowed, 0)]
                        self.sent += len(data)
                    if data:
                        dst.sendall(data)
                    if self.sent >= self.budget:
                        break
                    continue
                if counted:
                    with self._lock:
                        self.sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()


def snapshot(repo: Path) -> dict[str, str]:
    """Every file under .hg with a digest of its content."""
    root = repo / ".hg"
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


#: The last bytes of an exchange may be the chunked-encoding trailer that no
#: reader needs once the bundle2 end marker arrived: a cut there is harmless.
_TRAILER = 16


def cut_points(total: int, count: int) -> list[int]:
    """*count* budgets spread over [0, total), denser at the start where headers are."""
    small = [0, 1, 12, 40, 100, 200, 300]
    spread = [total * i // count for i in range(1, count)] + [total - 1]
    return sorted({n for n in small + spread if 0 <= n < total})


def assert_one_line_abort(result) -> None:
    assert result.rc == 255, (result.rc, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("abort: "), result.stderr
    assert "Traceback" not in result.stderr
    assert all(line.startswith("(") for line in lines[1:]), result.stderr


@pytest.fixture
def proxied(hg_serve):
    proxies: list[CuttingProxy] = []

    def start(port: int, budget: int | None = None, upload: bool = False) -> CuttingProxy:
        proxy = CuttingProxy(port, budget, upload=upload)
        proxies.append(proxy)
        return proxy

    try:
        yield start
    finally:
        for proxy in proxies:
            proxy.close()


def test_http_clone_cut_anywhere_leaves_nothing(amg, hg, tmp_path: Path, hg_serve,
                                                proxied) -> None:
    src = make_source(hg, tmp_path)
    server = hg_serve(src)
    full = proxied(server.port)
    assert amg("clone", "-U", full.url, str(tmp_path / "whole")).rc == 0
    total = full.sent
    assert total > 1000
    for budget in cut_points(total, 16):
        proxy = proxied(server.port, budget)
        dest = tmp_path / f"new{budget}" / "parent" / "dest"
        result = amg("clone", proxy.url, str(dest))
        if result.rc == 0 and budget >= total - _TRAILER:
            hg("verify", "-q", cwd=dest)  # only the HTTP chunk trailer was lost
            continue
        assert_one_line_abort(result)
        assert not (tmp_path / f"new{budget}").exists(), budget


def test_http_pull_cut_anywhere_changes_nothing(amg, hg, tmp_path: Path, hg_serve,
                                                proxied) -> None:
    src = make_source(hg, tmp_path)
    server = hg_serve(src)
    dst = tmp_path / "dst"
    hg("clone", "-q", "-r", "0", str(src), str(dst))
    before = snapshot(dst)
    full = proxied(server.port)
    probe = tmp_path / "probe"
    hg("clone", "-q", "-r", "0", str(src), str(probe))
    assert amg("pull", full.url, cwd=probe).rc == 0
    total = full.sent
    for budget in cut_points(total, 12):
        proxy = proxied(server.port, budget)
        result = amg("pull", proxy.url, cwd=dst)
        if result.rc == 0 and budget >= total - _TRAILER:
            break  # only the trailer was lost: the pull is complete
        assert_one_line_abort(result)
        assert snapshot(dst) == before, budget
    hg("verify", "-q", cwd=dst)


def test_ssh_clone_and_pull_cut_anywhere(amg, hg, tmp_path: Path) -> None:
    src = make_source(hg, tmp_path)
    cutter = tmp_path / "cutter.py"
    cutter.write_text(CUTTER)

    def ssh(budget: int) -> list[str]:
        return ["--config", f"ui.ssh={sys.executable} {cutter} {budget} "
                            f"{sys.executable} {FAKESSH}", "--config", "ui.remotecmd=hg"]

    def total(result) -> int:
        assert result.rc == 0, result.stderr
        return int(result.stdout.split("cutter-total ")[1].split()[0])

    url = ssh_url(src)
    clone_total = total(amg(*ssh(-1), "clone", "-U", url, str(tmp_path / "whole")))
    probe, dst = tmp_path / "probe", tmp_path / "dst"
    hg("clone", "-q", "-r", "0", str(src), str(probe))
    hg("clone", "-q", "-r", "0", str(src), str(dst))
    pull_total = total(amg(*ssh(-1), "pull", url, cwd=probe))
    assert clone_total > 1000 and pull_total > 1000
    for budget in cut_points(clone_total, 6):
        dest = tmp_path / f"new{budget}" / "dest"
        assert_one_line_abort(amg(*ssh(budget), "clone", url, str(dest)))
        assert not (tmp_path / f"new{budget}").exists(), budget
    before = snapshot(dst)
    for budget in cut_points(pull_total, 6):
        assert_one_line_abort(amg(*ssh(budget), "pull", url, cwd=dst))
        assert snapshot(dst) == before, budget


def test_http_push_cut_anywhere(amg, hg, tmp_path: Path, hg_serve, proxied) -> None:
    """Whatever is cut, the server stays verifiable with the push all there or not at all."""
    src = make_source(hg, tmp_path)
    server = hg_serve(src)
    work = tmp_path / "work"
    hg("clone", "-q", str(src), str(work))
    (work / "big").write_bytes(os.urandom(64 * 1024))  # the bundle dominates the upload
    hg("commit", "-qAm", "big", cwd=work)
    mine = snapshot(work)
    probe = tmp_path / "probe"
    hg("clone", "-q", str(src), str(tmp_path / "probe-server"))
    hg("clone", "-q", str(work), str(probe))
    probe_server = hg_serve(tmp_path / "probe-server")
    full = proxied(probe_server.port, upload=True)
    assert amg("push", full.url, cwd=probe).rc == 0
    total = full.sent
    unchanged = 0
    for budget in cut_points(total, 10):
        proxy = proxied(server.port, budget, upload=True)
        result = amg("push", proxy.url, cwd=work)
        if result.rc != 0:
            assert_one_line_abort(result)
        hg("verify", "-q", cwd=src)
        count = len(hg("log", "-T", "x", cwd=src).stdout)
        assert count in (4, 5), budget
        unchanged += result.rc != 0 and count == 4
        assert snapshot(work) == mine or count == 5, budget  # phases move only once pushed
    assert unchanged >= 5
