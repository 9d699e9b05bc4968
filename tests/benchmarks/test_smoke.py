"""Keep the benchmark harness working: run ``--quick`` once and check the
JSON it writes.  Nothing here is timed; speed lives in benchmarks/."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICK_ROWS = {"startup/version", "startup/root", "status/small/clean",
              "status/small/touched", "status/small/modified"}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory, hg_exe: str) -> dict:
    """One quick run (hg_exe skips, or fails in CI, without hg 7.2.4)."""
    tmp = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMG_", "HG"))}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--runs", "1", "--warmup", "0",
         "--out", str(tmp / "out"), "--cache", str(tmp / "cache")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (tmp / "out" / "RESULTS.md").read_text().startswith("# Benchmark results")
    return json.loads((tmp / "out" / "results.json").read_text())


def _is_timing(side: object) -> bool:
    return (isinstance(side, dict) and side["runs"] == 1
            and all(isinstance(side[k], float) and side[k] > 0
                    for k in ("median", "min", "max"))
            and isinstance(side["peak_rss"], int) and side["peak_rss"] > 0)


@pytest.mark.slow
def test_quick_covers_startup_and_small_status_only(quick_results: dict) -> None:
    names = {row["name"] for row in quick_results["rows"]}
    assert QUICK_ROWS <= names
    assert not any("big" in n or "history" in n or "chain" in n for n in names)
    assert set(quick_results["repositories"]) == {"small"}


@pytest.mark.slow
def test_every_row_has_hg_timing_and_amg_timing_or_reason(quick_results: dict) -> None:
    for row in quick_results["rows"]:
        if row["name"] not in QUICK_ROWS:
            continue
        assert _is_timing(row["b"]), row
        a = row["a"]
        if isinstance(a, str):
            assert a.startswith(("n/a", "failed")), row
            assert row["ratio"] is None and row["met"] == "n/a"
        else:
            assert _is_timing(a), row
            assert row["ratio"] > 0 and row["met"].startswith(("yes", "no"))


@pytest.mark.slow
def test_startup_rows_carry_the_python_floor(quick_results: dict) -> None:
    rows = {row["name"]: row for row in quick_results["rows"]}
    for name in ("startup/version", "startup/root"):
        assert _is_timing(rows[name]["floors"]["python -c pass"])


@pytest.mark.slow
def test_machine_is_described(quick_results: dict) -> None:
    machine = quick_results["machine"]
    assert "7.2.4" in machine["hg"]
    assert machine["cores"] >= 1 and machine["python"]
