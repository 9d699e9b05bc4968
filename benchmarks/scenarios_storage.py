"""Storage rows beyond the core table: revisions read newest first.

The core ``storage/*`` rows read every revision oldest first, where each
read starts from the previous text.  Reading newest first (what ``log -p``
and history walks do) makes each read rebuild its delta chain from the
snapshot, so it measures how well chains are reused across reads.
"""
from __future__ import annotations

from collections.abc import Callable

from benchmarks import snippets
from benchmarks.repos import Repo
from benchmarks.runner import Side, Step
from benchmarks.scenarios import Context, Plan, Scenario, Target, _one
from benchmarks.tools import amg_api_missing

_OLDEST_FIRST = "for rev in range(count):"
_NEWEST_FIRST = "for rev in range(count - 1, -1, -1):"


def _newest_first(snippet: str) -> str:
    assert _OLDEST_FIRST in snippet, "the shared snippet changed shape"
    return snippet.replace(_OLDEST_FIRST, _NEWEST_FIRST)


def _reverse(which: str, what: Callable[[Repo], str], row: str) -> Scenario:
    def plan(ctx: Context) -> Plan:
        repo = ctx.repos[which]
        args = [str(repo.hg), what(repo)]
        reason = amg_api_missing()
        a: Side | str = reason or Side("amg", [Step(
            [ctx.tools.python, "-c", _newest_first(snippets.AMG_READ), *args],
            self_timed=True)])
        b = Side("hg", [Step([ctx.tools.hg_python, "-c", _newest_first(snippets.HG_READ),
                              *args], self_timed=True)])
        return Plan(a, b, [], _one(row, Target(1.5)))

    return Scenario(f"storage/{which}/{row.rsplit('/', 1)[-1].split()[0]}-newest-first",
                    (which,), False, plan)


SCENARIOS: list[Scenario] = [
    _reverse("chain", lambda r: r.meta["file"], "storage/chain/file newest first"),
    _reverse("history", lambda r: "manifest", "storage/history/manifest newest first"),
]
