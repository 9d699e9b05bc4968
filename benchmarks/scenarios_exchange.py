"""Exchange rows (issue 7) on the 5,000-commit *history* repository.

Both clients talk to the same ``hg serve`` on a loopback port, started
untimed before the scenario and stopped after it, so the ratio compares
the clients only (the server's share is the same on both sides).  The
bundle row also logs both bundle sizes: the target is <= hg's for the
same bundlespec.
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


class _Server:
    """``hg serve`` of the history repository, for the length of one scenario."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        repo = self.ctx.repos["history"]
        self.proc = subprocess.Popen(
            [*self.ctx.tools.hg, "serve", "-R", str(repo.hg), "-a", "127.0.0.1",
             "-p", str(self.port), "--print-url"],
            env=self.ctx.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # the URL: the server is listening

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


def _remove(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


def _clone(*extra: str, row: str) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        server = _Server(ctx)
        dest = ctx.scratch / "exchange-clone"

        def steps(prefix: list[str]) -> list[Step]:
            return [_cmd(prefix, "clone", "-q", "-U", *extra, server.url, str(dest))]
        return Plan(_amg(ctx, ("clone",), steps(ctx.tools.amg), _remove(dest)),
                    Side("hg", steps(ctx.tools.hg), _remove(dest)), [],
                    _one(row, PARITY), prepare=server.start,
                    cleanup=lambda: (server.stop(), _remove(dest)()))
    return plan


def pull_ten(ctx: Context) -> Plan:
    """Pull the last ten changesets (and whatever else lies outside tip~10's ancestry)."""
    server = _Server(ctx)
    base, dest = ctx.scratch / "exchange-pull-base", ctx.scratch / "exchange-pull"
    repo = ctx.repos["history"]

    def prepare() -> None:
        shutil.rmtree(base, ignore_errors=True)
        # clone -r takes one revision, not a revset: resolve tip~10 in rev order first.
        node = subprocess.run([*ctx.tools.hg, "log", "-r", "limit(sort(all(), -rev), 1, 10)",
                               "-T", "{node}"], cwd=repo.hg, env=ctx.env, check=True,
                              capture_output=True).stdout.decode()
        subprocess.run([*ctx.tools.hg, "clone", "-q", "-U", "-r", node, str(repo.hg),
                        str(base)], env=ctx.env, check=True)
        server.start()

    def fresh() -> None:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(base, dest, symlinks=True)

    def cleanup() -> None:
        server.stop()
        for path in (base, dest):
            shutil.rmtree(path, ignore_errors=True)

    def steps(prefix: list[str]) -> list[Step]:
        return [_cmd(prefix, "pull", "-q", server.url, cwd=dest)]
    return Plan(_amg(ctx, ("pull",), steps(ctx.tools.amg), fresh),
                Side("hg", steps(ctx.tools.hg), fresh), [],
                _one("exchange/history/pull of 10 new changesets over HTTP", PARITY),
                prepare=prepare, cleanup=cleanup)


def bundle_zstd(ctx: Context) -> Plan:
    repo = ctx.repos["history"]
    out = {"amg": ctx.scratch / "amg-all.hg", "hg": ctx.scratch / "hg-all.hg"}

    def steps(label: str, prefix: list[str]) -> list[Step]:
        return [_cmd(prefix, "bundle", "-q", "--all", "--type", "zstd-v2", str(out[label]),
                     cwd=repo.hg)]

    def clear(label: str) -> Callable[[], None]:
        return lambda: out[label].unlink(missing_ok=True)

    def cleanup() -> None:
        sizes = {label: path.stat().st_size for label, path in out.items() if path.exists()}
        ctx.log(f"bundle --all --type zstd-v2 sizes: {sizes}")
        for path in out.values():
            path.unlink(missing_ok=True)
    return Plan(_amg(ctx, ("bundle",), steps("amg", ctx.tools.amg), clear("amg")),
                Side("hg", steps("hg", ctx.tools.hg), clear("hg")), [],
                _one("exchange/history/bundle --all --type zstd-v2", PARITY), cleanup=cleanup)


def _clone_local(*extra: str, row: str) -> Callable[[Context], Plan]:
    """``clone`` of a local path: with --pull, changegroup generation and apply in
    one process; without it, a copy of the store (hard links where safe)."""
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos["history"]
        dest = ctx.scratch / "exchange-clone-local"

        def steps(prefix: list[str]) -> list[Step]:
            return [_cmd(prefix, "clone", "-q", "-U", *extra, str(repo.hg), str(dest))]
        return Plan(_amg(ctx, ("clone",), steps(ctx.tools.amg), _remove(dest)),
                    Side("hg", steps(ctx.tools.hg), _remove(dest)), [],
                    _one(row, PARITY), cleanup=_remove(dest))
    return plan


def unbundle_zstd(ctx: Context) -> Plan:
    """``unbundle`` of hg's ``bundle --all --type zstd-v2`` into an empty repository."""
    repo = ctx.repos["history"]
    bundle = ctx.scratch / "exchange-unbundle.hg"
    dest = ctx.scratch / "exchange-unbundle"

    def prepare() -> None:
        subprocess.run([*ctx.tools.hg, "bundle", "-q", "--all", "--type", "zstd-v2",
                        str(bundle)], cwd=repo.hg, env=ctx.env, check=True)

    def fresh() -> None:
        shutil.rmtree(dest, ignore_errors=True)
        subprocess.run([*ctx.tools.hg, "init", str(dest)], env=ctx.env, check=True)

    def steps(prefix: list[str]) -> list[Step]:
        return [_cmd(prefix, "unbundle", "-q", str(bundle), cwd=dest)]

    def cleanup() -> None:
        _remove(dest)()
        bundle.unlink(missing_ok=True)
    return Plan(_amg(ctx, ("unbundle",), steps(ctx.tools.amg), fresh),
                Side("hg", steps(ctx.tools.hg), fresh), [],
                _one("exchange/history/unbundle --all zstd-v2 into an empty repository",
                     PARITY), prepare=prepare, cleanup=cleanup)


SCENARIOS: list[Scenario] = [
    Scenario("exchange/clone-http", ("history",), False,
             _clone(row="exchange/history/clone from hg serve (HTTP)"), heavy=True),
    Scenario("exchange/clone-stream", ("history",), False,
             _clone("--stream", row="exchange/history/clone --stream from hg serve"),
             heavy=True),
    Scenario("exchange/pull-10", ("history",), False, pull_ten, heavy=True),
    Scenario("exchange/bundle-zstd", ("history",), False, bundle_zstd),
    Scenario("exchange/clone-pull-local", ("history",), False,
             _clone_local("--pull", row="exchange/history/clone --pull from a local path"),
             heavy=True),
    Scenario("exchange/clone-local", ("history",), False,
             _clone_local(row="exchange/history/clone from a local path (store copy)")),
    Scenario("exchange/unbundle-zstd", ("history",), False, unbundle_zstd, heavy=True),
]
