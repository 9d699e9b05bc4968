"""A real Watchman for the fsmonitor tests: one per test session (per xdist
worker), with its own socket, state, log and pid file under a temporary
directory, stopped at the end.  Missing watchman or pywatchman skips, and
fails under CI=true.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require


def _client(sock: str, timeout: float = 5.0):
    import pywatchman

    return pywatchman.client(sockpath=sock, timeout=timeout, valueEncoding=None,
                             valueErrors=None)


@pytest.fixture(scope="session")
def watchman_sock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket of a private Watchman, started for this session."""
    exe = shutil.which("watchman")
    require(exe is not None, "watchman is not installed")
    require(importlib.util.find_spec("pywatchman") is not None, "pywatchman is not installed")
    # A short base keeps the socket path under the AF_UNIX length limit.
    base = Path(tmp_path_factory.mktemp("wm"))
    sock = str(base / "sock")
    proc = subprocess.Popen(
        [exe, "--foreground", f"--sockname={sock}", f"--statefile={base / 'state'}",
         f"--logfile={base / 'log'}", f"--pidfile={base / 'pid'}", "--log-level=1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "WATCHMAN_SOCK"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = _client(sock, 1.0)
                client.query("version")
                client.close()
                break
            except Exception as exc:  # not listening yet
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (base / "log").read_text(errors="replace") \
                        if (base / "log").exists() else ""
                    pytest.fail(f"watchman did not start ({exc}): {log[-2000:]}")
                time.sleep(0.05)
        yield sock
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def fsm_config(watchman_sock: str) -> list[str]:
    """Global options enabling fsmonitor against the session's Watchman.

    The generous timeout keeps a loaded CI machine from turning a slow
    answer into a (correct, but warned about) full walk.
    """
    return ["--config", "plugins.fsmonitor=true",
            "--config", f"fsmonitor.sockpath={watchman_sock}",
            "--config", "fsmonitor.timeout=60"]


@pytest.fixture
def unwatch(watchman_sock: str) -> Iterator[list[str]]:
    """Roots appended to the returned list stop being watched after the test."""
    roots: list[str] = []
    yield roots
    client = _client(watchman_sock)
    try:
        for root in roots:
            try:
                client.query("watch-del", os.path.realpath(root))
            except Exception:  # never watched (the test failed early)
                pass
    finally:
        client.close()


@pytest.fixture
def wm_query(watchman_sock: str):
    """``wm_query(*args)``: one command to the session's Watchman."""

    def query(*args):
        client = _client(watchman_sock)
        try:
            return client.query(*args)
        finally:
            client.close()

    return query


@pytest.fixture
def fsrepo(amg, tmp_path: Path, unwatch: list[str]) -> Path:
    """An empty repository, unwatched after the test."""
    root = tmp_path / "repo"
    assert amg("init", str(root)).rc == 0
    unwatch.append(str(root))
    return root
