"""Status split over forked workers answers exactly what one process answers."""
from __future__ import annotations

import os

import pytest

from amalgam import worker
from amalgam.wc import status as statusmod

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need fork()")


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def messy(amg, tmp_path):
    """A committed tree of 30 directories, then every kind of change status reports.

    30 is more than the 8 per worker the walk scans before sharing them out.
    """
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    for d in range(30):
        for f in range(6):
            _write(root / f"d{d}" / f"sub{f % 2}" / f"f{f}.txt", f"{d} {f}\n")
    _write(root / ".hgignore", "syntax: glob\nbuild/\n*.o\n")
    _write(root / "top.txt", "top\n")
    os.symlink("top.txt", root / "link")
    assert amg("commit", "-Aqm", "base", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    _write(root / "d0" / "sub0" / "f0.txt", "longer content now\n")      # modified
    past = 1_000_000_000
    os.utime(root / "d1" / "sub1" / "f1.txt", (past, past))              # lookup, clean
    _write(root / "d2" / "sub0" / "f2.txt", "2 9\n")                      # same size, changed
    os.utime(root / "d2" / "sub0" / "f2.txt", (past, past))
    os.unlink(root / "d3" / "sub1" / "f3.txt")                           # deleted
    _write(root / "d4" / "new.txt", "new\n")                              # unknown
    _write(root / "build" / "out.txt", "ignored\n")                       # ignored dir
    _write(root / "d5" / "x.o", "ignored\n")                              # ignored file
    assert amg("rm", "-q", "d6/sub0/f0.txt", cwd=root).rc == 0            # removed
    _write(root / "d7" / "added.txt", "added\n")
    assert amg("add", "-q", "d7/added.txt", cwd=root).rc == 0             # added
    assert amg("cp", "-q", "d8/sub0/f0.txt", "d8/copy.txt", cwd=root).rc == 0
    os.unlink(root / "d9" / "sub0" / "f2.txt")                           # file became a dir
    _write(root / "d9" / "sub0" / "f2.txt" / "inside", "x\n")
    nested = root / "d10" / "nested"
    assert amg("init", str(nested)).rc == 0                               # not ours
    _write(nested / "file", "x\n")
    for name in os.listdir(root / "d11" / "sub1"):                        # dir became a symlink
        os.unlink(root / "d11" / "sub1" / name)
    os.rmdir(root / "d11" / "sub1")
    os.symlink("../d0/sub1", root / "d11" / "sub1")
    os.chmod(root / "d0" / "sub1" / "f1.txt", 0o755)                      # exec bit
    return root


@pytest.mark.parametrize("args", [
    ("status", "-A"),
    ("status",),
    ("status", "-mard"),
    ("status", "-i"),
    ("status", "-A", "d0", "d9", "d11"),
    ("status", "-C"),
])
def test_workers_report_what_one_process_reports(amg, messy, monkeypatch, args):
    serial = amg(*args, "--config", "worker.enabled=false", cwd=messy)
    assert serial.rc == 0 and serial.stdout
    forks: list[tuple[str, int]] = []
    real = worker.fork_map

    def counting(fn, parts):
        forks.append((fn.__qualname__.split(".")[0], len(parts)))
        return real(fn, parts)

    monkeypatch.setattr(statusmod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(worker, "count", lambda ui: 3)
    monkeypatch.setattr(worker, "fork_map", counting)
    parallel = amg(*args, cwd=messy)
    assert forks and {n for _, n in forks} == {3}
    if args == ("status", "-A"):
        assert ("_walk", 3) in forks  # the tree walk itself was shared
    assert (parallel.rc, parallel.stdout, parallel.stderr) == \
        (serial.rc, serial.stdout, serial.stderr)


def test_commit_with_workers_records_the_same_changes(amg, messy, monkeypatch):
    monkeypatch.setattr(statusmod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(worker, "count", lambda ui: 2)
    used: list[str] = []
    real = worker.fork_map
    monkeypatch.setattr(worker, "fork_map",
                        lambda fn, parts: used.append(fn.__qualname__) or real(fn, parts))
    assert amg("commit", "-qm", "all", "-u", "t", "-d", "0 0", cwd=messy).rc == 0
    shown = amg("log", "-r", ".", "-T", "{files}\n", cwd=messy).stdout.split()
    assert "d0/sub0/f0.txt" in shown and "d2/sub0/f2.txt" in shown
    assert "d1/sub1/f1.txt" not in shown  # touched only: clean by content
    assert "_unseen_shared.<locals>.part" in used  # commit's lstat-only status was shared
    assert amg("status", "-mard", cwd=messy).stdout.splitlines() == [
        "! d11/sub1/f1.txt", "! d11/sub1/f3.txt", "! d11/sub1/f5.txt",
        "! d3/sub1/f3.txt", "! d9/sub0/f2.txt"]


@pytest.mark.parametrize("workers", [1, 3])
def test_a_cached_dirstate_is_shared_out_by_runs_without_loading_it(amg, messy, monkeypatch,
                                                                    workers):
    from amalgam.repo import Repository
    from amalgam.wc import dirstate
    from amalgam.wc import dirstate_cache as dscache
    from amalgam.wc.match import always

    expected = amg("status", "-mardC", "--config", "worker.enabled=false", cwd=messy).stdout
    monkeypatch.setattr(dscache, "MIN_SIZE", 0)  # every dirstate is served by the cache
    monkeypatch.setattr(statusmod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(worker, "count", lambda ui: workers)
    assert amg("status", "-mardC", cwd=messy).stdout == expected
    repo = Repository.open(str(messy))
    ds = dirstate.DirState.open(repo)
    assert ds._cached is not None
    st = statusmod.status(repo, ds, always(), unknown=False, fixup=False)
    assert ds._entries is None  # read run by run, never merged
    assert (st.modified, st.added, st.removed, st.deleted) == (
        sorted(st.modified), ["d7/added.txt".encode(), b"d8/copy.txt"], [b"d6/sub0/f0.txt"],
        [b"d11/sub1/f1.txt", b"d11/sub1/f3.txt", b"d11/sub1/f5.txt", b"d3/sub1/f3.txt",
         b"d9/sub0/f2.txt"])
    assert b"d0/sub0/f0.txt" in st.modified and b"d2/sub0/f2.txt" in st.modified
    assert amg("commit", "-qm", "all", "-u", "t", "-d", "0 0", cwd=messy).rc == 0
    monkeypatch.undo()
    assert amg("status", "-mard", cwd=messy).stdout.splitlines() == [
        "! d11/sub1/f1.txt", "! d11/sub1/f3.txt", "! d11/sub1/f5.txt",
        "! d3/sub1/f3.txt", "! d9/sub0/f2.txt"]
