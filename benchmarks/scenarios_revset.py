"""Revset and template rows (issue 6) on the 5,000-commit *history* repository.

The expressions are the issue's, adapted so they select something in the
generated history: its authors are Ada, Grace, Alan, Edsger and Barbara
(``benchmarks/streams.py``), and its paths live under generated directory
names, so ``file()`` globs the top directory of the hot file.
"""
from __future__ import annotations

from collections.abc import Callable

from benchmarks.repos import Repo
from benchmarks.runner import Side
from benchmarks.scenarios import Context, Plan, Scenario, Target, _amg, _cmd, _one

#: each at most half of hg's time
HALF = Target(0.5)


def _topdir(repo: Repo) -> str:
    return repo.meta["hot_file"].split("/", 1)[0]


def _log(name: str, args: Callable[[Repo], list[str]], row: str) -> Scenario:
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos["history"]
        argv = args(repo)
        # git has no revsets or templates to compare with: no floor rows.
        return Plan(_amg(ctx, ("log",), [_cmd(ctx.tools.amg, "log", *argv, cwd=repo.hg)]),
                    Side("hg", [_cmd(ctx.tools.hg, "log", *argv, cwd=repo.hg)]), [],
                    _one(row, HALF))

    return Scenario(name, ("history",), False, plan)


SCENARIOS: list[Scenario] = [
    _log("revset/ancestors-user",
         lambda r: ["-r", "ancestors(tip) and user(ada)", "-T", "{node}\\n"],
         "revset/history/ancestors(tip) and user(ada)"),
    _log("revset/descendants-file",
         lambda r: ["-r", f'descendants(100) and file("glob:{_topdir(r)}/**")'],
         "revset/history/descendants(100) and file(glob:TOP/**)"),
    _log("revset/json-500", lambda r: ["-T", "json", "-l", "500"],
         "revset/history/log -T json -l 500"),
    _log("revset/sort-date", lambda r: ["-r", "sort(all(), -date)", "-l", "10"],
         "revset/history/sort(all(), -date) -l 10"),
]
