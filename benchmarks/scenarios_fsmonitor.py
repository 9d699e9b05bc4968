"""fsmonitor rows (issue 8): status of the 100,000-file *big* tree with 10
modified files and a warm Watchman.

Each scenario starts its own Watchman on a temporary socket (so no user
service is touched), lets it crawl the tree before the runs, and stops it
afterwards.  The warm-up run leaves each tool's saved clock in place, so the
counted runs measure the steady state: amg with fsmonitor against amg
walking the tree, and against hg with its own fsmonitor extension on the
same tree and the same Watchman.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.runner import Side
from benchmarks.scenarios import Context, Plan, Scenario, Target, _amg, _cmd, _one


class _Watchman:
    """A private Watchman process for one scenario."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="amg-wm-"))
        self.sock = str(self.base / "sock")
        self.proc: subprocess.Popen[bytes] | None = None

    def _cli(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["watchman", f"--sockname={self.sock}", "--no-spawn",
                               "--no-local", *args], capture_output=True, timeout=600)

    def start(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            ["watchman", "--foreground", f"--sockname={self.sock}",
             f"--statefile={self.base / 'state'}", f"--logfile={self.base / 'log'}",
             f"--pidfile={self.base / 'pid'}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while self._cli("version").returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"watchman did not start (log in {self.base})")
            time.sleep(0.1)
        # Watch and wait for the initial crawl: the clock syncs with it.
        for args in (("watch-project", str(root)), ("clock", str(root))):
            done = self._cli(*args)
            if done.returncode != 0:
                raise RuntimeError(f"watchman {args[0]} failed: {done.stderr.decode()}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)


def _with_fsmonitor(baseline: str) -> Callable[[Context], Plan]:
    """amg+fsmonitor (A) against *baseline*: ``amg`` walking, or ``hg`` with fsmonitor."""

    def plan(ctx: Context) -> Plan:
        repo = ctx.repos["big"]
        root = repo.hg
        files = [root / f for f in repo.meta["sample_files"][:10]]
        saved = {p: p.read_bytes() for p in files}
        # Restored with their times too, so the cached tree's dirstate stays
        # exact: a new mtime would cost every later status a content check.
        times = {p: (st.st_atime_ns, st.st_mtime_ns) for p in files for st in [p.stat()]}
        watchman = _Watchman()
        # hg's fsmonitor finds Watchman only through $WATCHMAN_SOCK (it has no
        # sockpath setting; without it, it starts the user's default daemon),
        # so every side gets the variable, through the same env(1) hop.
        env = ["env", f"WATCHMAN_SOCK={watchman.sock}"]
        amg_fsm = ["--config", "plugins.fsmonitor=true"]
        a = _amg(ctx, ("status",), [_cmd([*env, *ctx.tools.amg], *amg_fsm, "status", cwd=root)])
        if baseline == "amg":
            label, target = "amg (no fsmonitor)", Target(0.2)
            b = Side(label, [_cmd([*env, *ctx.tools.amg], "status", cwd=root)])
        else:
            label, target = "hg (fsmonitor)", Target(1.0)
            b = Side(label, [_cmd([*env, *ctx.tools.hg], "--config", "extensions.fsmonitor=",
                                  "status", cwd=root)])
        if shutil.which("watchman") is None:
            return Plan("n/a (watchman is not installed)", None,
                        rows=_one(f"status/big/fsmonitor vs {label}", target))

        def prepare() -> None:
            for path, data in saved.items():
                path.write_bytes(data + b"a benchmark modification\n")
            watchman.start(root)

        def cleanup() -> None:
            watchman.stop()
            for path, data in saved.items():
                path.write_bytes(data)
                os.utime(path, ns=times[path])

        return Plan(a, b, [], _one(f"status/big/fsmonitor vs {label}", target),
                    prepare, cleanup)

    return plan


SCENARIOS: list[Scenario] = [
    Scenario("status/big/fsmonitor", ("big",), False, _with_fsmonitor("amg")),
    Scenario("status/big/fsmonitor-hg", ("big",), False, _with_fsmonitor("hg")),
]
