"""``log -G`` against real hg, byte for byte, in plain and in styled mode.

Random DAGs (seeded, so every run draws the same pictures) are built by
``hg debugbuilddag``; each scenario runs the same ``log -G`` with hg and with
amg on that repository.  Plain mode is the fixtures' HGPLAIN=1; styled mode
adds HGPLAINEXCEPT=graph, which both tools read as "draw ``:`` and ``~``".
"""
from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

STYLED = {"HGPLAINEXCEPT": "graph"}


def _dag_spec(seed: int) -> tuple[str, int]:
    """A debugbuilddag text: 12-30 nodes, about a third of them merges."""
    rnd = random.Random(seed)
    size = rnd.randint(12, 30)
    parts = ["+1:r0"]
    for i in range(1, size):
        p1 = rnd.randint(max(0, i - rnd.randint(1, 12)), i - 1)
        if i > 2 and rnd.random() < 0.35:
            p2 = rnd.choice([r for r in range(i) if r != p1])
            parts.append(f"*r{p1}/r{p2}:r{i}")
        else:
            parts.append(f"*r{p1}:r{i}")
    return " ".join(parts), size


def _scenarios(seed: int, size: int) -> list[list[str]]:
    rnd = random.Random(seed * 7919)
    revsets = ["+".join(map(str, sorted(rnd.sample(range(size), rnd.randint(1, size)))))
               for _ in range(3)]
    runs = [["-r", spec, *text] for spec in revsets
            for text in (["-q"], ["-T", "{rev}\na\n"], ["-T", "{rev}\na\nb\nc\n"])]
    runs += [["-q"], ["-q", "-l", str(rnd.randint(1, size))], ["-q", "-r", "not merge()"],
             ["-T", "{rev}\n\n", "-r", "merge()"], ["-q", "-r", "0:5", "-l", "2"]]
    return runs


@pytest.fixture
def hg_env(hg_exe: str, isolated_env: dict[str, str]):
    """Run hg with extra environment: ``hg_env(args, cwd, env) -> (rc, stdout)``."""
    def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, bytes]:
        proc = subprocess.run([hg_exe, *args], cwd=cwd, env={**isolated_env, **(env or {})},
                              capture_output=True, timeout=120)
        return proc.returncode, proc.stdout

    return run


def _compare(amg: Any, hg_env: Any, root: Path, args: list[str],
             env: dict[str, str] | None = None) -> None:
    expected = hg_env(["log", "-G", *args], root, env)
    got = amg("log", "-G", *args, cwd=root, env=env)
    assert (got.rc, got.stdout) == (expected[0], expected[1].decode()), args


@pytest.mark.parametrize("seed", [1, 2, 5, 7, 11, 12])
@pytest.mark.parametrize("styled", [False, True], ids=["plain", "styled"])
def test_random_dags(tmp_path: Path, amg: Any, hg: Any, hg_env: Any, seed: int,
                     styled: bool) -> None:
    spec, size = _dag_spec(seed)
    root = tmp_path / "dag"
    hg("init", str(root))
    hg("debugbuilddag", "-q", spec, cwd=root)
    hg("update", "-q", str(size // 2), cwd=root)
    for args in _scenarios(seed, size):
        _compare(amg, hg_env, root, args, STYLED if styled else None)


@pytest.fixture
def small(tmp_path: Path, hg: Any) -> Path:
    """Nine changesets with files: two merges, a branch, two users."""
    root = tmp_path / "small"
    hg("init", str(root))

    def commit(n: int, name: str, user: str = "alice") -> None:
        with open(root / name, "a") as fh:
            fh.write(f"{n}\n")
        hg("commit", "-q", "-A", "-m", f"change {n}\n\nbody {n}", "-u", user,
           "-d", f"{n * 86400} 0", cwd=root)

    commit(0, "a")
    commit(1, "a")
    commit(2, "a", "bob")
    hg("update", "-q", "0", cwd=root)
    commit(3, "b")
    hg("merge", "-q", "2", cwd=root)
    hg("commit", "-q", "-m", "merge 4", "-u", "alice", "-d", "345600 0", cwd=root)
    commit(5, "a", "bob")
    hg("update", "-q", "3", cwd=root)
    hg("branch", "-q", "side", cwd=root)
    commit(6, "c")
    hg("merge", "-q", "5", cwd=root)
    hg("commit", "-q", "-m", "merge 7", "-u", "bob", "-d", "604800 0", cwd=root)
    commit(8, "a")
    return root


TEMPLATED = [
    ["-T", "{rev}\n"], ["-T", "{rev}"], ["-T", "{rev}:{node|short} {desc}\n"],
    ["-T", "compact"], ["-T", "json"], ["-T", "json", "-l", "1"],
    ["-T", "json", "-r", "none()"], ["-T", "{rev}\n", "--debug"],
    ["-T", "changelog"], ["-T", "compact", "-v"], ["-T", "changelog", "-v"],
    ["-T", "xml", "--debug"], ["-T", "status", "-q"],
    ["-T", "{files}\n", "-r", "not merge()"], ["-T", "{rev}\n", "-l", "2"],
    ["-T", "{rev} {branch}\n", "-b", "side"], ["-T", "{rev}\n", "a"],
    ["-T", "{rev}\n", "-f", "a"], ["-l", "2"], ["-v", "-l", "3"], ["-q", "-l", "2"],
    ["-r", "not merge()"], ["-q", "-r", "6+5+1"], ["-q", "-r", "7+6+2"],
]


@pytest.mark.parametrize("args", TEMPLATED)
def test_templates_and_missing_parents(small: Path, amg: Any, hg_env: Any,
                                       args: list[str]) -> None:
    _compare(amg, hg_env, small, args)
    _compare(amg, hg_env, small, args, STYLED)

