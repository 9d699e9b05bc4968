"""Helpers for the wire server tests: start ``amg serve`` or gunicorn, build repositories.

Servers bind port 0 on loopback, announce their URL, and are always
stopped (SIGTERM) by the context managers, even when a test fails.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import require

FAKESSH = str(Path(__file__).resolve().parents[1] / "fixtures" / "fakessh.py")
PUSH_OK = '[web]\nallow-push = ["*"]\npush-ssl = false\n'


def ssh_opts(remotecmd: str = "amg") -> list[str]:
    """hg options that reach ``amg serve --stdio`` through the ssh stand-in."""
    return ["--ssh", f"{sys.executable} {FAKESSH}", "--remotecmd", remotecmd]


def amg_command() -> str:
    """The ``amg`` the ssh stand-in runs: this interpreter's (hg quotes it as one word)."""
    script = Path(sys.executable).parent / "amg"
    return str(script) if script.exists() else "amg"


def build(hg, path: Path, count: int = 3, *, branches: bool = True) -> Path:
    """A small hg repository: *count* commits, a bookmark, a second branch, a draft."""
    hg("init", str(path))
    for i in range(count):
        (path / f"f{i % 3}").write_text(f"line {i}\n" * (i + 1))
        hg("commit", "-Aqm", f"c{i}", "-d", f"{i} 0", cwd=path)
    hg("bookmark", "-r", "1", "book", cwd=path)
    if branches:
        hg("branch", "-q", "other", cwd=path)
        (path / "g").write_text("g\n")
        hg("commit", "-Aqm", "other", "-d", "100 0", cwd=path)
        hg("update", "-q", "default", cwd=path)
    hg("phase", "--public", "-r", "0", cwd=path)
    return path


def state(hg, path: Path) -> list[str]:
    """Nodes with phase, bookmarks and branch: what must match between repositories."""
    out = hg("log", "-T", "{node} {phase} {bookmarks} {branch}\n", cwd=path).stdout
    return sorted(out.splitlines())


def nodes(hg, path: Path) -> list[str]:
    return sorted(hg("log", "-T", "{node}\n", cwd=path).stdout.split())


def verify_both(hg, amg, path: Path) -> None:
    hg("verify", "-q", cwd=path)
    result = amg("verify", cwd=path)
    assert result.rc == 0, result.stderr


def _wait_for(pattern: str, logfile: Path, proc: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, logfile.read_text(errors="replace")) if logfile.exists() \
            else None
        if match:
            return match.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {logfile.read_text(errors='replace')}")
        time.sleep(0.05)
    raise AssertionError(f"server did not start: {logfile.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    return proc.returncode


@contextmanager
def amg_serve(repo: Path, env: dict[str, str], tmp: Path, *extra: str) -> Iterator[tuple[str, int]]:
    """``amg serve -p 0`` on *repo*: yields (URL, pid); stops it with SIGTERM."""
    out = tmp / f"serve-{os.getpid()}-{time.monotonic_ns()}.out"
    with open(out, "wb") as fp:
        proc = subprocess.Popen([sys.executable, "-m", "amalgam", "-R", str(repo), "serve",
                                 "-p", "0", "-A", str(out) + ".access",
                                 "-E", str(out) + ".errors", *extra],
                                stdout=fp, stderr=subprocess.STDOUT, env=env)
    try:
        url = _wait_for(r"listening at (\S+)", out, proc)
        yield url, proc.pid
    finally:
        rc = _stop(proc)
    assert rc == 0, out.read_text(errors="replace")


@contextmanager
def gunicorn_serve(repo: Path, env: dict[str, str], tmp: Path,
                   workers: int = 4, threads: int = 1) -> Iterator[tuple[str, int]]:
    """gunicorn running ``amalgam.wire.http:create_app`` as docs/serving.md says.

    *threads* above 1 runs gthread workers, several requests per process.
    """
    exe = shutil.which("gunicorn")
    require(exe is not None, "gunicorn is not installed")
    assert exe is not None
    log = tmp / f"gunicorn-{time.monotonic_ns()}.log"
    proc = subprocess.Popen([exe, "--bind", "127.0.0.1:0", "--workers", str(workers),
                             "--threads", str(threads), "--timeout", "600",
                             "--error-logfile", str(log), "--log-level", "info",
                             f"amalgam.wire.http:create_app({str(repo)!r})"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        url = _wait_for(r"Listening at: (\S+)", log, proc)
        yield url.rstrip("/") + "/", proc.pid
    finally:
        _stop(proc)


def rss_kib(pid: int) -> int:
    """Largest resident memory among *pid* and its children (workers), in KiB.

    Servers run a process per connection or per worker: each must stay
    bounded, whatever the number of clients.
    """
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    largest = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except OSError:
            continue
    return largest
