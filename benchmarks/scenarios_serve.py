"""Server rows (issue 7): ``hg clone`` from ``amg serve`` vs from ``hg serve``.

The client is real hg on both sides, so the ratio compares the servers.
Both servers run on loopback ports for the whole scenario (started untimed
before it, stopped after); ``-U`` keeps the working-copy checkout out of the
timing.  Rows: a full clone over HTTP and a ``--stream`` clone, on the
5,000-commit *history* repository.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from benchmarks.runner import Side, Step
from benchmarks.scenarios import Context, Plan, Scenario, Target, _amg, _cmd, _one

PARITY = Target(1.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Servers:
    """``amg serve`` and ``hg serve`` of the history repository, on free ports."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.procs: list[subprocess.Popen[bytes]] = []
        self.ports = {"hg": _free_port(), "amg": _free_port()}
        self.urls = {label: f"http://127.0.0.1:{port}/" for label, port in self.ports.items()}

    def _start(self, argv: list[str]) -> None:
        proc = subprocess.Popen(argv, env=self.ctx.env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        assert proc.stdout is not None
        proc.stdout.readline()  # the URL: the server is listening

    def start(self) -> None:
        repo = str(self.ctx.repos["history"].hg)
        common = ["-a", "127.0.0.1", "-A", "/dev/null", "--print-url"]
        self._start([*self.ctx.tools.hg, "serve", "-R", repo, "-p", str(self.ports["hg"]),
                     *common])
        self._start([*self.ctx.tools.amg, "-R", repo, "serve", "-p", str(self.ports["amg"]),
                     *common])

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
        self.procs = []


def _remove(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


def _clone(*extra: str, row: str) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        servers = _Servers(ctx)
        dest = ctx.scratch / "serve-clone"

        def steps(label: str) -> list[Step]:
            return [_cmd(ctx.tools.hg, "clone", "-q", "-U", *extra, servers.urls[label],
                         str(dest))]
        return Plan(_amg(ctx, ("serve",), steps("amg"), _remove(dest)),
                    Side("hg", steps("hg"), _remove(dest)), [],
                    _one(row, PARITY), prepare=servers.start,
                    cleanup=lambda: (servers.stop(), _remove(dest)()))
    return plan


SCENARIOS: list[Scenario] = [
    Scenario("serve/clone-http", ("history",), False,
             _clone(row="serve/history/hg clone from amg serve vs hg serve (HTTP)"),
             heavy=True),
    Scenario("serve/clone-stream", ("history",), False,
             _clone("--stream", row="serve/history/hg clone --stream from amg serve vs hg serve"),
             heavy=True),
]
