"""Load: 20 hg clients cloning and pulling while 2 push, against amg serve and gunicorn.

Runs for ``AMG_LOAD_SECONDS`` (default 60 with CI=true, 10 otherwise).
Every client command must succeed, the served repository must verify with
hg and amg afterwards, every client must hold only changesets the server
has, and the server's resident memory must stay bounded.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI

from .test_wire_server_support import (PUSH_OK, amg_serve, build, gunicorn_serve, nodes,
                                       rss_kib, verify_both)

PULLERS = 20
PUSHERS = 2
#: Per server process: bundles are streamed, so memory does not grow with clients.
MAX_RSS_MIB = 300


def _seconds() -> float:
    default = "60" if IN_CI else "10"
    return float(os.environ.get("AMG_LOAD_SECONDS", default))


class Load:
    """Run client loops in threads until a deadline, collecting failures."""

    def __init__(self, hg_exe: str, env: dict[str, str], url: str, work: Path,
                 server_pid: int) -> None:
        self.hg_exe, self.env, self.url, self.work = hg_exe, env, url, work
        self.server_pid = server_pid
        self.errors: list[str] = []
        self.counts = {"clone": 0, "pull": 0, "push": 0}
        self.peak_rss = 0
        self._lock = threading.Lock()
        self.deadline = 0.0

    def hg(self, *args: str, cwd: Path | None = None) -> bool:
        proc = subprocess.run([self.hg_exe, *args], cwd=cwd, env=self.env,
                              capture_output=True, timeout=600)
        if proc.returncode != 0:
            with self._lock:
                self.errors.append(f"hg {' '.join(args)}: rc={proc.returncode} "
                                   f"{proc.stderr.decode(errors='replace')[-500:]}")
            return False
        return True

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def puller(self, index: int) -> None:
        mine = self.work / f"puller{index}"
        if not self.hg("clone", "-q", "-U", self.url, str(mine)):
            return
        self._count("clone")
        rounds = 0
        # At least one round each, however slow the machine: then until the deadline.
        while not self.errors and (rounds == 0 or time.monotonic() < self.deadline):
            rounds += 1
            if index % 2 and rounds % 3 == 0:
                fresh = self.work / f"puller{index}-{rounds}"
                if not self.hg("clone", "-q", "-U", self.url, str(fresh)):
                    return
                self._count("clone")
            elif self.hg("pull", "-q", cwd=mine):
                self._count("pull")
            else:
                return

    def pusher(self, index: int) -> None:
        mine = self.work / f"pusher{index}"
        if not self.hg("clone", "-q", self.url, str(mine)):
            return
        self.hg("branch", "-q", f"pusher{index}", cwd=mine)
        rounds = 0
        while not self.errors and (rounds < 2 or time.monotonic() < self.deadline):
            rounds += 1
            (mine / f"p{index}").write_text(f"round {rounds}\n")
            if not self.hg("commit", "-Aqm", f"push {index}.{rounds}", cwd=mine):
                return
            if not self.hg("push", "-q", "--new-branch", self.url, cwd=mine):
                return
            self._count("push")

    def sample_memory(self, clients: list[threading.Thread]) -> None:
        while any(thread.is_alive() for thread in clients):
            self.peak_rss = max(self.peak_rss, rss_kib(self.server_pid))
            time.sleep(0.2)

    def run(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self.puller, args=(i,)) for i in range(PULLERS)]
        threads += [threading.Thread(target=self.pusher, args=(i,)) for i in range(PUSHERS)]
        sampler = threading.Thread(target=self.sample_memory, args=(threads,))
        for thread in threads:
            thread.start()
        sampler.start()
        for thread in [*threads, sampler]:
            thread.join()


@pytest.mark.parametrize("server", ["amg-serve", "gunicorn"])
def test_concurrent_clients(server, hg, hg_exe, amg, tmp_path, isolated_env) -> None:
    source = build(hg, tmp_path / "served", 12)
    # A publishing server holds public changesets only; local drafts there would make
    # every concurrent push publish them, a genuine phase race the clients report.
    hg("phase", "--public", "-r", "all()", cwd=source)
    (source / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    if server == "amg-serve":  # one thread per connection
        served = amg_serve(source, isolated_env, tmp_path)
    else:  # threaded workers: several requests share each process
        served = gunicorn_serve(source, isolated_env, tmp_path, workers=2, threads=8)
    with served as (url, pid):
        load = Load(hg_exe, isolated_env, url, tmp_path, pid)
        load.run(_seconds())
    assert load.errors == []
    assert load.counts["clone"] >= PULLERS and load.counts["pull"] >= PULLERS // 2
    assert load.counts["push"] >= 2 * PUSHERS
    assert load.peak_rss < MAX_RSS_MIB * 1024, f"server RSS peaked at {load.peak_rss} KiB"
    verify_both(hg, amg, source)
    served = set(nodes(hg, source))
    for client in sorted(tmp_path.glob("pu*")):
        assert set(nodes(hg, client)) <= served, client
