"""``python -m benchmarks``: run the side-by-side benchmarks, write the report."""
from __future__ import annotations

import argparse
import fnmatch
import json
import shlex
import sys
from pathlib import Path

from benchmarks import report
from benchmarks.repos import build
from benchmarks.runner import Side, measure, pair_ratio
from benchmarks.scenarios import Context, Plan, Scenario, Target, all_scenarios
from benchmarks.tools import find_tools, bench_env

HERE = Path(__file__).resolve().parent
#: counted runs of the baseline alone when amg cannot run the scenario yet
ALONE_RUNS = 3


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("patterns", nargs="*", metavar="SCENARIO-GLOB",
                        help="run only scenarios matching these globs (e.g. 'status/*')")
    parser.add_argument("--quick", action="store_true",
                        help="small repository and start-up rows only")
    parser.add_argument("--runs", type=int, default=5, help="counted runs (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs (default 1)")
    parser.add_argument("--heavy-runs", type=int, default=None,
                        help="counted runs of the minutes-long scenarios (update and "
                             "add+commit of the big tree; default: --runs)")
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="directory for RESULTS.md and results.json")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache",
                        help="directory of the generated repositories")
    parser.add_argument("--installed", action="store_true",
                        help="measure the amg and hg on PATH (with this interpreter's "
                             "site-packages) instead of private virtualenvs")
    parser.add_argument("--merge", action="store_true",
                        help="keep the rows of scenarios not run now from the existing "
                             "results.json (refresh part of the table)")
    args = parser.parse_args(argv)
    if args.heavy_runs is None:
        args.heavy_runs = args.runs
    if args.runs < 1 or args.heavy_runs < 1 or args.warmup < 0:
        parser.error("--runs and --heavy-runs must be >= 1, --warmup >= 0")
    return args


def select(args: argparse.Namespace) -> list[Scenario]:
    chosen = [s for s in all_scenarios() if s.quick or not args.quick]
    if args.patterns:
        chosen = [s for s in chosen
                  if any(fnmatch.fnmatchcase(s.name, p) for p in args.patterns)]
    return chosen


def _met(target: Target, a: dict, b: dict, ratio: float | None,
         floors: dict[str, dict]) -> str:
    failed = []
    if target.ratio is not None and (ratio is None or ratio > target.ratio):
        failed.append("time")
    python = floors.get("python -c pass")
    if target.floor_factor is not None and python is not None \
            and a["median"] > target.floor_factor * python["median"]:
        failed.append("vs python")
    if a["peak_rss"] > b["peak_rss"]:
        failed.append("memory")
    return "yes" if not failed else f"no ({', '.join(failed)})"


def run_scenario(scenario: Scenario, ctx: Context, args: argparse.Namespace) -> list[dict]:
    """Measure one scenario; return its report rows."""
    plan: Plan = scenario.plan(ctx)
    if plan.b is None:
        return [{"name": row.name, "scenario": scenario.name,
                 "a": plan.a if isinstance(plan.a, str) else "n/a", "b": None, "floors": {},
                 "ratio": None, "target": row.target.text(), "met": "n/a"}
                for row in plan.rows]
    sides: list[Side] = [plan.b, *plan.floors]
    if isinstance(plan.a, Side):
        sides.insert(0, plan.a)
    runs = args.heavy_runs if scenario.heavy else args.runs
    if not isinstance(plan.a, Side):
        runs = min(runs, ALONE_RUNS)
    warmup = args.warmup
    groups = [(row.name, row.steps) for row in plan.rows]
    try:
        if plan.prepare:
            plan.prepare()
        results, failures = measure(sides, groups, runs, warmup, ctx.env)
    finally:
        if plan.cleanup:
            plan.cleanup()
    rows = []
    for row in plan.rows:
        summary = {label: (failures[label] if label in failures else s.summary())
                   for label, s in results[row.name].items()}
        a = plan.a if isinstance(plan.a, str) else summary[plan.a.label]
        b = summary[plan.b.label]
        ratio = None
        floors = {f.label: summary[f.label] for f in plan.floors
                  if isinstance(summary[f.label], dict)}
        if isinstance(a, dict) and isinstance(b, dict):
            ratio = pair_ratio(results[row.name][plan.a.label], results[row.name][plan.b.label])
            met = _met(row.target, a, b, ratio, floors)
        else:
            met = "n/a"
        rows.append({"name": row.name, "scenario": scenario.name, "a": a, "b": b,
                     "a_label": plan.a.label if isinstance(plan.a, Side) else "amg",
                     "b_label": plan.b.label, "floors": floors, "ratio": ratio,
                     "target": row.target.text(), "met": met})
        _log(f"  {row.name}: A {_brief(a)} | B {_brief(b)} | A/B "
             f"{'—' if ratio is None else f'{ratio:.2f}'} | {met}")
    return rows


def _brief(side: dict | str | None) -> str:
    if isinstance(side, dict):
        return f"{side['median'] * 1000:.1f} ms"
    return str(side)


def _lock(cache: Path):
    """Hold the cache for this run: scenarios mutate its working copies, so two
    runs sharing a cache would corrupt each other's measurements."""
    import fcntl

    handle = open(cache / "lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _log(f"waiting for another benchmark run using {cache} (or pass --cache) ...")
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def write(args: argparse.Namespace, tools, env: dict[str, str], repos: dict,
          rows: list[dict]) -> None:
    """Write RESULTS.md and results.json for the rows measured so far."""
    info = report.machine(tools, env)
    command = "python -m benchmarks " + shlex.join(args.argv)
    repo_meta = {n: {k: v for k, v in r.meta.items() if k != "git_revs"}
                 for n, r in repos.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(
        {"machine": info, "command": command, "runs": args.runs,
         "heavy_runs": args.heavy_runs, "warmup": args.warmup,
         "repositories": repo_meta, "rows": rows}, indent=1) + "\n")
    (args.out / "RESULTS.md").write_text(report.markdown(rows, info, repo_meta, command))


def _kept_rows(args: argparse.Namespace, running: set[str]) -> list[dict]:
    """With --merge: earlier rows of scenarios this run does not measure, in table order.

    Rows measured with the other tools mode (venvs or the installed tools)
    are dropped: one table compares one pair of installations.
    """
    previous = args.out / "results.json"
    if not args.merge or not previous.is_file():
        return []
    data = json.loads(previous.read_text())
    mode = "installed" if args.installed else "venv"
    if data.get("machine", {}).get("tools_mode", "installed") != mode:
        return []
    return [r for r in data["rows"] if r.get("scenario") not in running]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    scenarios = select(args)
    if args.list:
        for s in scenarios:
            print(f"{s.name:28} needs: {', '.join(s.needs) or '-'}"
                  f"{'  (quick)' if s.quick else ''}")
        return 0
    if not scenarios:
        _log("abort: no scenario matches")
        return 1
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    lock = _lock(cache)
    scratch = cache / "scratch"
    scratch.mkdir(exist_ok=True)
    env = bench_env(cache / "home")
    tools = find_tools(cache, env, installed=args.installed)
    needed = sorted({n for s in scenarios for n in s.needs})
    repos = {name: build(name, cache, tools, env, _log) for name in needed}
    ctx = Context(tools, repos, env, scratch, _log)
    measured: list[dict] = []
    kept = _kept_rows(args, {s.name for s in scenarios})
    order = {s.name: i for i, s in enumerate(all_scenarios())}
    for scenario in scenarios:
        _log(f"{scenario.name} ...")
        measured.extend(run_scenario(scenario, ctx, args))
        rows = sorted(kept + measured, key=lambda r: order.get(r["scenario"], len(order)))
        # Rewritten after every scenario: a long run cut short keeps its rows.
        write(args, tools, env, repos, rows)
    _log(f"wrote {args.out / 'RESULTS.md'} and results.json")
    lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
