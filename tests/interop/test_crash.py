"""A commit killed with SIGKILL at any write point leaves a journal that
blocks further writes until ``recover``, after which both tools verify the
repository and the earlier history is byte-identical."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from amalgam import error
from amalgam.repo import FileChange, Repository

USER = "Test <t@example.com>"

# Runs one commit in a child process and SIGKILLs it at the chosen point.
CHILD = r"""
import os, signal, sys
from amalgam.repo import FileChange, Repository
from amalgam.storage import revlog, store, transaction

root, point, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
counts = {}

def die_at(name):
    counts[name] = counts.get(name, 0) + 1
    if name == point and counts[name] == target:
        os.kill(os.getpid(), signal.SIGKILL)

def instrument(owner, attr, before, after):
    original = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        die_at(before)
        result = original(*args, **kwargs)
        die_at(after)
        return result
    setattr(owner, attr, wrapper)

instrument(revlog.Revlog, "addrevision", "append-before", "append-after")
instrument(revlog.Revlog, "_split", "split-before", "split-after")
instrument(store.Fncache, "write", "fncache-before", "fncache-after")
instrument(transaction.Transaction, "close", "close-before", "close-after")

repo = Repository.open(root)
repo.commit_files({
    b"small.txt": FileChange(b"changed\n"),
    b"grows.bin": FileChange(os.urandom(150_000)),
    b"dir/new.txt": FileChange(b"new file\n"),
    b"copy.txt": FileChange(b"changed\n", copy_source=b"small.txt"),
}, user="killed <k@example.com>", date=(1_700_000_100, 0), message="doomed")
print(counts)
"""

POINTS = [
    ("append-before", 1), ("append-after", 1), ("append-after", 2), ("split-before", 1),
    ("split-after", 1), ("append-after", 3), ("append-after", 4), ("append-after", 5),
    ("append-after", 6), ("fncache-before", 1), ("fncache-after", 1), ("close-before", 1),
]


def _snapshot(root: Path) -> dict[str, bytes]:
    store = root / ".hg" / "store"
    return {str(p.relative_to(store)): p.read_bytes() for p in store.rglob("*")
            if p.is_file() and not p.name.startswith(("undo", "journal", "lock"))}


@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    repo = Repository.create(str(root))
    repo.commit_files({b"small.txt": FileChange(b"hello\n"),
                       b"grows.bin": FileChange(b"\0" * 1000)},
                      user=USER, date=(1_700_000_000, 0), message="base")
    repo.commit_files({b"small.txt": FileChange(b"hello again\n")},
                      user=USER, date=(1_700_000_001, 0), message="second")
    return root


def _kill(root: Path, point: str, count: int, env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), point, str(count)],
                          env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.stdout, proc.stderr)
    assert (root / ".hg" / "store" / "journal").exists()


def test_points_are_reached(base_repo, isolated_env):
    """Every kill point of the list happens during the child's commit."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(base_repo), "none", "0"],
                          env=isolated_env, capture_output=True, timeout=120, text=True)
    assert proc.returncode == 0, proc.stderr
    counts = eval(proc.stdout)  # the child's own dict literal
    for point, count in POINTS:
        assert counts.get(point, 0) >= count, (point, counts)


@pytest.mark.parametrize("recover_with", ["amg", "hg"])
@pytest.mark.parametrize("point,count", POINTS)
def test_killed_commit_recovers(base_repo, amg, hg, isolated_env, point, count, recover_with):
    before = _snapshot(base_repo)
    _kill(base_repo, point, count, isolated_env)

    repo = Repository.open(str(base_repo))
    with pytest.raises(error.RecoveryNeeded) as info:
        repo.commit_files({b"x": FileChange(b"x")}, user=USER, message="blocked")
    assert any("amg recover" in hint for hint in info.value.hints)

    if recover_with == "amg":
        result = amg("recover", cwd=base_repo)
        assert result.rc == 0, result.stderr
        assert result.out.startswith(b"rolling back interrupted transaction\n")
    else:
        hg("recover", "--no-verify", cwd=base_repo)
    assert _snapshot(base_repo) == before
    result = amg("verify", cwd=base_repo)
    assert result.rc == 0, result.stderr
    hg("verify", cwd=base_repo)
    assert amg("recover", cwd=base_repo).rc == 1
    # The repository takes new commits again.
    Repository.open(str(base_repo)).commit_files({b"x": FileChange(b"x")}, user=USER,
                                                 message="after", date=(1_700_000_200, 0))
    hg("verify", cwd=base_repo)
