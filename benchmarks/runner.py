"""Timing: wall time and peak RSS of child processes, interleaved runs.

Each run of a side is: its untimed ``setup``, then its timed ``steps`` (one
child process each).  Peak RSS comes from ``os.wait4``'s per-child rusage;
``getrusage(RUSAGE_CHILDREN)`` only reports the largest child ever seen.
A step may time itself (``self_timed``): it prints ``BENCH_SECONDS=<s>``
and that figure replaces the wall time (used by in-process snippets, whose
interpreter start-up is not what they measure).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable


class StepFailed(Exception):
    """A timed command exited non-zero; the message holds its stderr tail."""


@dataclass
class Step:
    argv: list[str]
    cwd: str | None = None
    self_timed: bool = False


@dataclass
class Side:
    """One tool's way of doing a scenario."""

    label: str
    steps: list[Step]
    setup: Callable[[], None] | None = None


@dataclass
class Samples:
    """Per-run measurements of one side; ``times[i]`` sums the steps in a group."""

    times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        return {"median": statistics.median(self.times), "min": min(self.times),
                "max": max(self.times), "runs": len(self.times),
                "peak_rss": max(self.rss), "times": self.times}


def run_step(step: Step, env: dict[str, str]) -> tuple[float, int]:
    """Run one child; return (seconds, peak RSS in bytes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(step.argv, cwd=step.cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise StepFailed(f"exit {proc.returncode}: " + " / ".join(tail))
        if step.self_timed:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
            if "BENCH_SECONDS=" not in text:
                raise StepFailed("self-timed step printed no BENCH_SECONDS")
            elapsed = float(text.split("BENCH_SECONDS=")[1].split()[0])
    return elapsed, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def measure(sides: list[Side], groups: list[tuple[str, slice]], runs: int, warmup: int,
            env: dict[str, str]) -> tuple[dict[str, dict[str, Samples]], dict[str, str]]:
    """Interleave the sides (A B A B ...) for *warmup* + *runs* rounds.

    Returns ``({group: {side label: Samples}}, {side label: failure})``: a
    side whose setup or step fails is dropped from the remaining rounds and
    its failure is reported instead of its timings.
    """
    results = {name: {side.label: Samples() for side in sides} for name, _ in groups}
    failures: dict[str, str] = {}
    for round_ in range(warmup + runs):
        for side in sides:
            if side.label in failures:
                continue
            try:
                if side.setup is not None:
                    side.setup()
                measured = [run_step(step, env) for step in side.steps]
            except (StepFailed, OSError, subprocess.SubprocessError) as exc:
                failures[side.label] = f"failed: {exc}"
                continue
            if round_ < warmup:
                continue
            for name, group in groups:
                chosen = measured[group]
                results[name][side.label].times.append(sum(t for t, _ in chosen))
                results[name][side.label].rss.append(max(r for _, r in chosen))
    return results, failures


def pair_ratio(a: Samples, b: Samples) -> float | None:
    """Median of the per-round ratios a/b (rounds were interleaved)."""
    pairs = [x / y for x, y in zip(a.times, b.times) if y > 0]
    return statistics.median(pairs) if pairs else None
