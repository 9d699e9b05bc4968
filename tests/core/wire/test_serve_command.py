"""``amg serve`` on the command line: options, bad input, clean start and stop."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


@pytest.fixture
def repo(amg, tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    assert amg("init", str(path)).rc == 0
    return path


@pytest.mark.parametrize("port", ["abc", "70000", "-5"])
def test_bad_port(amg, repo, port) -> None:
    result = amg("serve", "-p", port, cwd=repo)
    assert result.rc == 255
    assert result.stderr.startswith("abort: invalid port")
    assert "Traceback" not in result.stderr


def test_port_in_use(amg, repo) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = amg("serve", "-p", str(busy.getsockname()[1]), cwd=repo)
    assert result.rc == 255
    assert "abort: cannot start server" in result.stderr
    assert "(choose another port" in result.stderr


def test_outside_a_repository(amg, tmp_path) -> None:
    result = amg("serve", "-p", "0", cwd=tmp_path)
    assert result.rc == 255 and "no repository found" in result.stderr


def test_print_url_pid_file_and_sigterm(repo, tmp_path, isolated_env) -> None:
    pidfile = tmp_path / "serve.pid"
    proc = subprocess.Popen([sys.executable, "-m", "amalgam", "serve", "-p", "0", "--print-url",
                             "--pid-file", str(pidfile), "-A", str(tmp_path / "access.log")],
                            cwd=repo, env=isolated_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        deadline = time.monotonic() + 30
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert int(pidfile.read_text()) == proc.pid
        with urllib.request.urlopen(url + "?cmd=heads", timeout=30) as reply:
            assert reply.read() == b"0" * 40 + b"\n"
        log = tmp_path / "access.log"
        # The line is written once the reply is out: give the server a moment.
        while "GET /?cmd=heads" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "GET /?cmd=heads" in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
    assert rc == 0
    assert b"Traceback" not in proc.stderr.read()


def test_daemon(repo, tmp_path, isolated_env) -> None:
    import os

    pidfile = tmp_path / "daemon.pid"
    proc = subprocess.run([sys.executable, "-m", "amalgam", "serve", "-d", "-p", "0",
                           "--print-url", "--pid-file", str(pidfile), "-A", os.devnull],
                          cwd=repo, env=isolated_env, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.decode().strip()
    deadline = time.monotonic() + 30
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    try:
        with urllib.request.urlopen(url + "?cmd=heads", timeout=30) as reply:
            assert reply.read() == b"0" * 40 + b"\n"
    finally:
        os.kill(pid, signal.SIGTERM)
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the daemon did not stop on SIGTERM")
