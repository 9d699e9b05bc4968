"""Writing an update's files in forked workers: same result as one process, failures clean."""
from __future__ import annotations

import os
import sys

import pytest

from amalgam import worker
from amalgam.merge import getfiles

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

NAMES = ["a", "b/c", "b/d", "e/f/g", "h", "i/j", "k", "z"]


@pytest.fixture
def repo(tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    for i, name in enumerate(NAMES):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%s\n" % name.encode() * (i + 1))
    os.chmod(root / "h", 0o755)
    if sys.platform != "win32":
        os.symlink("a", root / "link")
    hg("commit", "-A", "-m", "files", "-d", "0 0", cwd=root)
    hg("update", "null", cwd=root)
    return root


@pytest.fixture
def forks(monkeypatch):
    """Every update uses workers; records the parts each fork_map call got."""
    calls = []
    real = worker.fork_map

    def recording(fn, parts):
        calls.append([list(part) for part in parts])
        return real(fn, parts)

    monkeypatch.setattr(getfiles, "PARALLEL_MIN", 1)
    monkeypatch.setattr(worker, "fork_map", recording)
    monkeypatch.setattr(worker, "count", lambda ui: 3)
    return calls


def _tree(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".hg"]
        for name in files:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            data = os.readlink(full) if os.path.islink(full) else open(full, "rb").read()
            out[os.path.relpath(full, root)] = (data, st.st_mode)
    return out


def _states(hg, root):
    # state, mode, size of every entry (mtimes differ between runs)
    return [line.split()[:3] + line.split()[-1:]
            for line in hg("debugstate", "--no-dates", cwd=root).stdout.splitlines()]


def test_workers_write_what_one_process_writes(amg, hg, repo, forks, tmp_path):
    assert amg("update", "tip", cwd=repo).rc == 0
    assert len(forks) == 1 and len(forks[0]) == 3
    assert sorted(p for part in forks[0] for p in part) == \
        sorted(n.encode() for n in [*NAMES, "link"])
    parallel_tree, parallel_states = _tree(repo), _states(hg, repo)
    assert hg("status", "-A", cwd=repo).stdout.count("C ") == len(NAMES) + 1
    amg("update", "null", cwd=repo)
    assert amg("update", "tip", "--config", "worker.enabled=false", cwd=repo).rc == 0
    assert _tree(repo) == parallel_tree
    assert _states(hg, repo) == parallel_states
    assert all(state[0] == "n" and state[2] != "-1" for state in parallel_states)


def test_workers_empty_the_tree_on_update_to_null(amg, hg, repo, forks, tmp_path):
    assert amg("update", "tip", cwd=repo).rc == 0
    (repo / "b" / "untracked").write_text("stays\n")
    r = amg("update", "null", cwd=repo)
    assert r.rc == 0
    assert r.stdout == "0 files updated, 0 files merged, 9 files removed, 0 files unresolved\n"
    assert len(forks) == 2 and len(forks[1]) == 3
    # Emptied directories go, one holding an untracked file stays, as in hg.
    assert sorted(p.name for p in repo.iterdir()) == [".hg", "b"]
    assert os.listdir(repo / "b") == ["untracked"]
    assert hg("debugstate", cwd=repo).stdout == ""
    assert hg("status", cwd=repo).stdout == "? b/untracked\n"


def test_a_failing_worker_aborts_and_a_rerun_finishes(amg, hg, repo, forks):
    # "z" is in the last part, written by a child process.
    os.makedirs(repo / "z" / "sub")
    r = amg("update", "-C", "tip", cwd=repo)
    assert r.rc == 255, r.stderr
    assert "Traceback" not in r.stderr
    assert "abort: cannot write z: a directory is in the way" in r.stderr
    assert forks and b"z" in forks[0][-1] and b"z" not in forks[0][0]
    assert (repo / ".hg" / "updatestate").exists()
    assert hg("parents", "-T", "{rev}", cwd=repo).stdout == ""
    os.rmdir(repo / "z" / "sub")
    os.rmdir(repo / "z")
    assert amg("update", "tip", cwd=repo).rc == 0
    assert not (repo / ".hg" / "updatestate").exists()
    assert hg("status", cwd=repo).stdout == ""


def test_small_updates_do_not_fork(amg, repo, monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "fork_map", lambda fn, parts: calls.append(parts))
    assert amg("update", "tip", cwd=repo).rc == 0
    assert calls == []


@pytest.mark.parametrize("parallel", [False, True])
def test_an_unwritable_file_aborts_like_hg_and_a_rerun_finishes(amg, hg, repo, monkeypatch,
                                                                 request, parallel):
    import errno

    if parallel:
        request.getfixturevalue("forks")
    target = os.fsencode(os.path.join(str(repo), "z"))
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if os.fsencode(path) == target and flags & os.O_WRONLY:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    r = amg("update", "tip", cwd=repo)
    monkeypatch.setattr(os, "open", real_open)
    assert r.rc == 255
    assert r.stderr == f"abort: {os.strerror(errno.EPERM)}: '{repo / 'z'}'\n"
    assert (repo / ".hg" / "updatestate").exists()
    assert amg("update", "tip", cwd=repo).rc == 0
    assert hg("status", cwd=repo).stdout == ""
