"""The scenario table: what is measured, for each side, against which target.

A scenario names the repositories it needs and builds a :class:`Plan`: side
A (amg, or the reason it cannot run yet), side B (the baseline, normally hg),
floors for perspective (``python -c pass``, git), untimed preparation, and
one or more report rows (groups of timed steps) with their targets.  amg
sides are enabled from ``amalgam.commands.TABLE``, so scenarios light up as
commands land.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from benchmarks import snippets
from benchmarks.repos import Repo, plain_tree
from benchmarks.runner import Side, Step
from benchmarks.tools import ROOT, Tools, amg_api_missing, amg_missing


@dataclass(frozen=True)
class Target:
    """Side A must be at most ``ratio`` x side B (and ``floor_factor`` x the
    python floor when given); peak memory must not exceed B's."""

    ratio: float | None = None
    floor_factor: float | None = None

    def text(self) -> str:
        parts = [f"<= {self.ratio:g}x"] if self.ratio is not None else []
        if self.floor_factor is not None:
            parts.append(f"<= {self.floor_factor:g}x python")
        return ", ".join(parts + ["RSS <= B"])


@dataclass
class Row:
    name: str
    steps: slice
    target: Target


@dataclass
class Plan:
    a: Side | str
    #: None when even the baseline cannot run (the scenario is skipped)
    b: Side | None
    floors: list[Side] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    prepare: Callable[[], None] | None = None
    cleanup: Callable[[], None] | None = None


@dataclass
class Context:
    tools: Tools
    repos: dict[str, Repo]
    env: dict[str, str]
    scratch: Path
    log: Callable[[str], None]


@dataclass(frozen=True)
class Scenario:
    name: str
    needs: tuple[str, ...]
    quick: bool
    plan: Callable[[Context], Plan]
    #: every run rebuilds its state in setup and takes minutes: counted
    #: ``--heavy-runs`` times (after the warm-up, which still fills the OS cache)
    heavy: bool = False


def _one(name: str, target: Target) -> list[Row]:
    return [Row(name, slice(None), target)]


def _amg(ctx: Context, commands: tuple[str, ...], steps: list[Step],
         setup: Callable[[], None] | None = None) -> Side | str:
    for command in commands:
        reason = amg_missing(command)
        if reason:
            return reason.replace("command", f"command '{command}'")
    return Side("amg", steps, setup)


def _cmd(prefix: list[str], *args: str, cwd: Path | None = None) -> Step:
    return Step([*prefix, *args], str(cwd) if cwd else None)


def _git(ctx: Context, *args: str, cwd: Path | None, setup=None) -> list[Side]:
    if ctx.tools.git is None or cwd is None:
        return []
    return [Side("git", [_cmd([ctx.tools.git], *args, cwd=cwd)], setup)]


def _python(ctx: Context) -> Side:
    return Side("python -c pass", [Step([ctx.tools.python, "-c", "pass"])])


STARTUP = Target(0.2, 3.0)


def startup_version(ctx: Context) -> Plan:
    steps = [_cmd(ctx.tools.amg, "version")]
    return Plan(_amg(ctx, ("version",), steps), Side("hg", [_cmd(ctx.tools.hg, "version", "-q")]),
                [_python(ctx), *_git(ctx, "--version", cwd=ctx.scratch)],
                _one("startup/version", STARTUP))


def startup_root(ctx: Context) -> Plan:
    repo = ctx.repos["small"]
    return Plan(_amg(ctx, ("root",), [_cmd(ctx.tools.amg, "root", cwd=repo.hg)]),
                Side("hg", [_cmd(ctx.tools.hg, "root", cwd=repo.hg)]),
                [_python(ctx), *_git(ctx, "rev-parse", "--show-toplevel", cwd=repo.git)],
                _one("startup/root", STARTUP))


def startup_plugins(ctx: Context) -> Plan:
    """amg version with ten enabled plugins that do not influence it, vs none
    enabled (both see the same plugin directory through AMG_PLUGIN_PATH)."""
    fixtures = ROOT / "tests" / "fixtures" / "plugins"
    reason = amg_missing("version")
    if reason is None and not fixtures.is_dir():
        reason = "n/a (test plugins of tests/fixtures/plugins not landed)"
    if reason is not None:
        return Plan(reason, None, rows=_one(PLUGINS_ROW, Target(1.05)))
    idle = _idle_plugins(fixtures)
    if len(idle) < 10:
        return Plan(f"n/a (only {len(idle)} idle test plugins in {fixtures})", None,
                    rows=_one(PLUGINS_ROW, Target(1.05)))

    def side(label: str, enabled: list[str]) -> Side:
        config = ctx.scratch / f"plugins-{len(enabled)}.toml"
        config.write_text("".join(f"plugins.{n} = true\n" for n in enabled))
        return Side(label, [Step(["env", f"AMG_PLUGIN_PATH={fixtures}",
                                  f"AMG_SYSTEM_CONFIG={config}", *ctx.tools.amg,
                                  "version"])])
    return Plan(side("amg", idle[:10]), side("amg (no plugins)", []),
                rows=_one(PLUGINS_ROW, Target(1.05)))


PLUGINS_ROW = "startup/version, 10 idle plugins (B: amg with none)"


def _idle_plugins(fixtures: Path) -> list[str]:
    """Test plugins whose manifest does not declare ``amg version``'s wrapper hook."""
    import tomllib

    idle = []
    for manifest in sorted(fixtures.glob("*/plugin.toml")):
        data = tomllib.loads(manifest.read_text())
        if "cmd_version" not in data.get("hooks", []):
            idle.append(data.get("name", manifest.parent.name))
    return idle


def _touch(paths: list[Path]) -> Callable[[], None]:
    """Give *paths* a new, past mtime each call: stat changes, content does not."""
    counter = [0]

    def touch() -> None:
        counter[0] += 1
        stamp = 1_500_000_000 + counter[0]
        for path in paths:
            os.utime(path, (stamp, stamp))
    return touch


def _status(which: str, kind: str, target: Target) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos[which]
        files = repo.meta["sample_files"][:10]
        hg_files = [repo.hg / f for f in files]
        git_files = [repo.git / f for f in files] if repo.git else []
        hg_setup = git_setup = prepare = cleanup = None
        if kind == "touched":
            hg_setup, git_setup = _touch(hg_files), _touch(git_files)
        elif kind == "modified":
            saved = {p: p.read_bytes() for p in hg_files + git_files}

            def prepare() -> None:
                for path, data in saved.items():
                    path.write_bytes(data + b"a benchmark modification\n")

            def cleanup() -> None:
                for path, data in saved.items():
                    path.write_bytes(data)
        return Plan(_amg(ctx, ("status",), [_cmd(ctx.tools.amg, "status", cwd=repo.hg)],
                         hg_setup),
                    Side("hg", [_cmd(ctx.tools.hg, "status", cwd=repo.hg)], hg_setup),
                    _git(ctx, "status", "--porcelain", cwd=repo.git, setup=git_setup),
                    _one(f"status/{which}/{kind}", target), prepare, cleanup)
    return plan


def _history(command: str, args: Callable[[Repo], list[str]],
             git_args: Callable[[Repo], list[str]], target: Target,
             row: str) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos["history"]
        argv = args(repo)
        return Plan(_amg(ctx, (command,), [_cmd(ctx.tools.amg, command, *argv, cwd=repo.hg)]),
                    Side("hg", [_cmd(ctx.tools.hg, command, *argv, cwd=repo.hg)]),
                    _git(ctx, *git_args(repo), cwd=repo.git) if repo.git else [],
                    _one(row, target))
    return plan


def commit_one(ctx: Context) -> Plan:
    repo = ctx.repos["big"]
    # Not one of the ten the status rows touch: after a commit, hg leaves the
    # file's entry for a content check, which would burden those rows.
    name = repo.meta["sample_files"][-1]
    counter = [0]

    def modify(root: Path) -> Callable[[], None]:
        def setup() -> None:
            counter[0] += 1
            with open(root / name, "ab") as f:
                f.write(b"benchmark commit %d\n" % counter[0])
        return setup
    message = ["-u", "Bench <bench@example.org>", "-m", "benchmark: one modified file"]
    return Plan(_amg(ctx, ("commit",), [_cmd(ctx.tools.amg, "commit", *message, cwd=repo.hg)],
                     modify(repo.hg)),
                Side("hg", [_cmd(ctx.tools.hg, "commit", *message, cwd=repo.hg)],
                     modify(repo.hg)),
                _git(ctx, "commit", "-q", "-a", *message[2:], cwd=repo.git,
                     setup=modify(repo.git) if repo.git else None),
                _one("commit/big/one modified file", Target(0.5)))


def update_big(ctx: Context) -> Plan:
    repo = ctx.repos["big"]

    def to_null() -> None:
        subprocess.run([*ctx.tools.hg, "update", "-q", "null"], cwd=repo.hg,
                       env=ctx.env, check=True)

    def back_to_tip() -> None:
        subprocess.run([*ctx.tools.hg, "update", "-q", "-C", "tip"], cwd=repo.hg,
                       env=ctx.env, check=True)
    return Plan(_amg(ctx, ("update",), [_cmd(ctx.tools.amg, "update", "tip", cwd=repo.hg)],
                     to_null),
                Side("hg", [_cmd(ctx.tools.hg, "update", "tip", cwd=repo.hg)], to_null),
                [], _one("update/big/null to tip", Target(1.0)), cleanup=back_to_tip)


def addcommit_big(ctx: Context) -> Plan:
    repo = ctx.repos["big"]
    tree = plain_tree(repo, ctx.log)

    def fresh(init: list[str]) -> Callable[[], None]:
        def setup() -> None:
            for meta in (tree / ".hg", tree / ".git"):
                if meta.exists():
                    shutil.rmtree(meta)
            subprocess.run(init, cwd=tree, env=ctx.env, check=True,
                           stdout=subprocess.DEVNULL)
        return setup

    def steps(prefix: list[str]) -> list[Step]:
        return [_cmd(prefix, "add", "-q", cwd=tree),
                _cmd(prefix, "commit", "-q", "-u", "Bench <bench@example.org>", "-m",
                     "import", cwd=tree),
                _cmd(prefix, "status", cwd=tree)]
    floors = []
    if ctx.tools.git:
        git = [ctx.tools.git]
        floors = [Side("git", [_cmd(git, "add", "-A", cwd=tree),
                               _cmd(git, "commit", "-q", "-m", "import", cwd=tree),
                               _cmd(git, "status", "--porcelain", cwd=tree)],
                       fresh([*git, "init", "-q"]))]
    return Plan(_amg(ctx, ("init", "add", "commit", "status"), steps(ctx.tools.amg),
                     fresh([*ctx.tools.amg, "init"])),
                Side("hg", steps(ctx.tools.hg), fresh([*ctx.tools.hg, "init"])), floors,
                [Row("addcommit/big/add + commit", slice(0, 2), Target(0.7)),
                 Row("addcommit/big/first status after", slice(2, 3), Target(0.05))])


def _storage(which: str, what: Callable[[Repo], str], row: str) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos[which]
        args = [str(repo.hg), what(repo)]
        reason = amg_api_missing()
        a: Side | str = reason or Side(
            "amg", [Step([ctx.tools.python, "-c", snippets.AMG_READ, *args], self_timed=True)])
        b = Side("hg", [Step([ctx.tools.hg_python, "-c", snippets.HG_READ, *args],
                             self_timed=True)])
        return Plan(a, b, [], _one(row, Target(1.5)))
    return plan


def write_chain(ctx: Context) -> Plan:
    dest = ctx.scratch / "write-chain"

    def side(label: str, python: str) -> Side:
        step = Step(["env", f"PYTHONPATH={ROOT}", python, "-m", "benchmarks.apply", label,
                     "chain", str(ctx.repos["chain"].meta["seed"]), str(dest)],
                    self_timed=True)
        return Side(label, [step], lambda: shutil.rmtree(dest, ignore_errors=True))
    reason = amg_api_missing()
    return Plan(reason or side("amg", ctx.tools.python), side("hg", ctx.tools.hg_python), [],
                _one("write/chain/5,000 commits through the API", Target()))


def _hot(repo: Repo) -> str:
    return repo.meta["hot_file"]


SCENARIOS: list[Scenario] = [
    Scenario("startup/version", (), True, startup_version),
    Scenario("startup/root", ("small",), True, startup_root),
    Scenario("startup/plugins", (), True, startup_plugins),
    *(Scenario(f"status/small/{kind}", ("small",), True, _status("small", kind, Target(0.15)))
      for kind in ("clean", "touched", "modified")),
    *(Scenario(f"status/big/{kind}", ("big",), False,
               _status("big", kind, Target(0.6 if kind != "modified" else None)))
      for kind in ("clean", "touched", "modified")),
    Scenario("commit/big", ("big",), False, commit_one),
    Scenario("log/history/limit", ("history",), False, _history(
        "log", lambda r: ["-l", "100"], lambda r: ["log", "--all", "-n", "100"],
        Target(0.3), "log/history/-l 100")),
    Scenario("log/history/full", ("history",), False, _history(
        "log", lambda r: [], lambda r: ["log", "--all"], Target(0.7), "log/history/full")),
    Scenario("cat/history", ("history",), False, _history(
        "cat", lambda r: ["-r", "1000", _hot(r)],
        lambda r: ["show", f"{r.git_rev(1000)}:{_hot(r)}"], Target(), "cat/history/-r 1000")),
    Scenario("diff/history", ("history",), False, _history(
        "diff", lambda r: ["-r", "1000", "-r", "4999"],
        lambda r: ["diff", r.git_rev(1000), r.git_rev(4999)], Target(0.7),
        "diff/history/-r 1000 -r 4999")),
    Scenario("annotate/history", ("history",), False, _history(
        "annotate", lambda r: ["-r", "tip", _hot(r)],
        lambda r: ["blame", r.git_rev(4999), "--", _hot(r)], Target(0.7),
        "annotate/history/most-revised file")),
    Scenario("verify/history", ("history",), False, _history(
        "verify", lambda r: ["-q"], lambda r: ["fsck", "--no-progress"], Target(0.7),
        "verify/history")),
    Scenario("storage/chain/file", ("chain",), False, _storage(
        "chain", lambda r: r.meta["file"], "storage/chain/every file revision")),
    Scenario("storage/history/manifest", ("history",), False, _storage(
        "history", lambda r: "manifest", "storage/history/every manifest revision")),
    Scenario("storage/history/changelog", ("history",), False, _storage(
        "history", lambda r: "changelog", "storage/history/whole changelog")),
    Scenario("write/chain", ("chain",), False, write_chain),
    Scenario("update/big", ("big",), False, update_big, heavy=True),
    Scenario("addcommit/big", ("big",), False, addcommit_big, heavy=True),
]


def all_scenarios() -> list[Scenario]:
    """The core table plus every ``benchmarks/scenarios_*.py`` module's ``SCENARIOS``.

    Each area (exchange, fsmonitor, revsets...) keeps its scenarios in its own
    module, so they grow without editing this table.
    """
    import importlib
    import pkgutil

    import benchmarks

    found = list(SCENARIOS)
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name.startswith("scenarios_"):
            found.extend(importlib.import_module(f"benchmarks.{info.name}").SCENARIOS)
    return found
