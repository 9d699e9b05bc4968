"""The fsmonitor plugin as users meet it: listing, help, debugfsmonitor, the
fast path, nested repositories, symlinked directories, other writers of the
dirstate, and when it (does not) save its state."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from amalgam.plugins.fsmonitor import state as statemod

_PROBE = """
import sys
from amalgam.cli import main
rc = main(sys.argv[1:])
sys.stderr.write("MODULES %s %s %s\\n" % ("pywatchman" in sys.modules,
                                         "amalgam.plugins.fsmonitor" in sys.modules,
                                         "amalgam.plugins.fsmonitor.client" in sys.modules))
sys.exit(rc)
"""


@pytest.fixture
def repo(amg, fsrepo: Path) -> Path:
    (fsrepo / "a").write_bytes(b"a\n")
    (fsrepo / "d").mkdir()
    (fsrepo / "d" / "b").write_bytes(b"b\n")
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=fsrepo).rc == 0
    return fsrepo


def _same(amg, fsm_config, root: Path, *args: str) -> str:
    ours = amg(*fsm_config, "status", *args, cwd=root)
    plain = amg("status", *args, cwd=root)
    assert (ours.rc, ours.stdout, ours.stderr) == (plain.rc, plain.stdout, plain.stderr)
    return ours.stdout


def _clock(root: Path) -> str:
    return statemod.decode((root / ".hg" / statemod.STATE_FILE).read_bytes()).clock


def _probe(isolated_env, fsm_config, root: Path, *args: str) -> tuple[str, str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *fsm_config, *args], cwd=root,
                          env=isolated_env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    return proc.stdout.decode(), err.rsplit("MODULES ", 1)[1].strip()


def test_log_imports_neither_the_plugin_nor_pywatchman(isolated_env, fsm_config, repo):
    _, loaded = _probe(isolated_env, fsm_config, repo, "log", "-q")
    assert loaded == "False False False"
    (repo / "new").write_bytes(b"n\n")
    out, loaded = _probe(isolated_env, fsm_config, repo, "status")
    assert out == "? new\n"
    # Status talks to Watchman with pywatchman's codec alone, not its package.
    assert loaded == "False True True"


def test_plugins_lists_it(amg):
    res = amg("plugins")
    assert res.rc == 0
    block = res.stdout.split("fsmonitor ", 1)[1].split("\n\n")[0]
    assert "built-in" in block and "wc_walk, wc_status" in block
    assert "debugfsmonitor" in block


def test_help_explains_setup(amg):
    res = amg("help", "fsmonitor")
    assert res.rc == 0
    for text in ("Watchman", "pywatchman", "[plugins]", "fsmonitor = true", "walk-on-invalidate",
                 "sockpath", "threshold", "timeout", "debugfsmonitor"):
        assert text in res.stdout, text


def test_help_of_debugfsmonitor(amg, fsm_config):
    res = amg(*fsm_config, "help", "debugfsmonitor")
    assert res.rc == 0 and "fallback counts" in res.stdout


def test_debugfsmonitor(amg, fsm_config, repo: Path):
    res = amg(*fsm_config, "debugfsmonitor", cwd=repo)
    assert res.rc == 0
    assert "state: unusable (no-state: no saved state)\n" in res.stdout
    assert "full walks: 0\n" in res.stdout and "watchman: watching " in res.stdout
    (repo / "u").write_bytes(b"u\n")
    amg(*fsm_config, "status", cwd=repo)
    res = amg(*fsm_config, "debugfsmonitor", "-v", cwd=repo)
    out = res.stdout
    assert "state: saved\n" in out and f"clock: {_clock(repo)}\n" in out
    assert f"host: {socket.gethostname()}\n" in out
    assert "ignore rules: " in out and "(current)" in out
    # "changed since" when that status recorded the files it had to read
    assert re.search(r"^dirstate: (unchanged|changed since)$", out, re.M)
    assert "notable files: 1\n  u\n" in out
    assert "full walks: 1\n  no-state: 1\n" in out
    assert "last full walk: no-state: no saved state (" in out


def test_debugfsmonitor_without_watchman(amg, fsm_config, repo: Path, tmp_path: Path):
    config = [*fsm_config, "--config", f"fsmonitor.sockpath={tmp_path / 'nosock'}"]
    res = amg(*config, "debugfsmonitor", cwd=repo)
    assert res.rc == 0 and "watchman: unavailable (" in res.stdout


def test_nested_repository(amg, fsm_config, repo: Path):
    _same(amg, fsm_config, repo)
    (repo / "d" / "loose").write_bytes(b"x\n")
    assert "? d/loose\n" in _same(amg, fsm_config, repo)
    assert amg("init", str(repo / "d" / "sub"), cwd=repo).rc == 0
    (repo / "d" / "sub" / "inner").write_bytes(b"x\n")
    out = _same(amg, fsm_config, repo)
    assert "inner" not in out
    # The notable unknown file lands inside a repository created around it.
    (repo / "n").mkdir()
    (repo / "n" / "f").write_bytes(b"x\n")
    assert "? n/f\n" in _same(amg, fsm_config, repo)
    assert amg("init", str(repo / "n"), cwd=repo).rc == 0
    assert "n/f" not in _same(amg, fsm_config, repo)


def test_directory_replaced_by_a_symlink(amg, fsm_config, repo: Path, tmp_path: Path):
    _same(amg, fsm_config, repo)
    other = tmp_path / "other"
    other.mkdir()
    (other / "b").write_bytes(b"b\n")  # same content behind the link
    (repo / "d" / "b").unlink()
    (repo / "d").rmdir()
    (repo / "d").symlink_to(other)
    out = _same(amg, fsm_config, repo)
    assert "! d/b\n" in out and "? d\n" in out
    out = _same(amg, fsm_config, repo, "-A")
    assert "! d/b\n" in out


def test_dirstate_rewritten_by_hg(amg, hg, fsm_config, repo: Path):
    _same(amg, fsm_config, repo)
    hg("forget", "a", cwd=repo)
    hg("commit", "-m", "forget a", cwd=repo)
    assert "? a\n" in _same(amg, fsm_config, repo)
    (repo / "d" / "b").write_bytes(b"changed\n")
    assert "M d/b\n" in _same(amg, fsm_config, repo)
    hg("commit", "-m", "b", cwd=repo)
    assert "M d/b" not in _same(amg, fsm_config, repo)
    hg("--config", "ui.rollback=true", "rollback", cwd=repo)
    assert "M d/b\n" in _same(amg, fsm_config, repo, "-A")


def test_filtered_or_partial_status_does_not_save(amg, fsm_config, repo: Path):
    amg(*fsm_config, "status", cwd=repo)
    clock = _clock(repo)
    (repo / "u").write_bytes(b"u\n")
    assert amg(*fsm_config, "status", "a", cwd=repo).stdout == ""
    assert _clock(repo) == clock
    assert amg(*fsm_config, "status", "-m", cwd=repo).stdout == ""
    (repo / "a").write_bytes(b"changed\n")
    assert "? u\n" in _same(amg, fsm_config, repo)
    assert _clock(repo) != clock


def test_nothing_changed_keeps_the_saved_state(amg, fsm_config, fsrepo: Path):
    for name in ("a", "b"):
        (fsrepo / name).write_bytes(b"%s\n" % name.encode())
        # Old enough that no status rewrites the dirstate to record them clean.
        os.utime(fsrepo / name, (1_000_000_000, 1_000_000_000))
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=fsrepo).rc == 0
    (fsrepo / "a").write_bytes(b"changed\n")
    _same(amg, fsm_config, fsrepo)
    state = fsrepo / ".hg" / statemod.STATE_FILE
    saved = state.read_bytes()
    res = amg(*fsm_config, "--debug", "status", cwd=fsrepo)
    assert "fsmonitor: nothing changed, state kept\n" in res.stdout and "M a\n" in res.stdout
    assert state.read_bytes() == saved
    (fsrepo / "a").write_bytes(b"a\n")  # the committed content again: no longer notable
    assert _same(amg, fsm_config, fsrepo) == ""
    assert state.read_bytes() != saved
    saved = state.read_bytes()
    assert amg("forget", "b", cwd=fsrepo).rc == 0  # only the dirstate changes
    assert _same(amg, fsm_config, fsrepo) == "R b\n"
    assert state.read_bytes() != saved


def test_busy_working_copy_lock_skips_the_save(amg, fsm_config, repo: Path):
    amg(*fsm_config, "status", cwd=repo)
    clock = _clock(repo)
    lock = repo / ".hg" / "wlock"
    os.symlink(f"{socket.gethostname()}:{os.getpid()}", lock)
    try:
        (repo / "u").write_bytes(b"u\n")
        res = amg(*fsm_config, "--debug", "status", cwd=repo)
        assert "fsmonitor: working copy locked, state not saved" in res.stdout
        assert _clock(repo) == clock
    finally:
        lock.unlink()
    assert "? u\n" in _same(amg, fsm_config, repo)
    assert _clock(repo) != clock


def test_after_amg_commits_the_kernel_names_the_changed_entries(amg, fsm_config, fsrepo,
                                                               monkeypatch):
    """A few entries changed by amg's own writes need no comparison of two dirstates."""
    from amalgam.plugins.fsmonitor import walk
    from amalgam.wc import dirstate_cache

    monkeypatch.setattr(dirstate_cache, "MIN_SIZE", 0)  # this small dirstate gets the cache
    for d in range(4):
        (fsrepo / f"d{d}").mkdir()
        for f in range(5):
            (fsrepo / f"d{d}" / f"f{f}").write_bytes(b"%d %d\n" % (d, f))
            os.utime(fsrepo / f"d{d}" / f"f{f}", (1_000_000_000, 1_000_000_000))
    assert amg("commit", "-Aqm", "base", "-u", "test", cwd=fsrepo).rc == 0
    _same(amg, fsm_config, fsrepo)
    compared: list[int] = []
    real = walk._dirstate_changes
    monkeypatch.setattr(walk, "_dirstate_changes",
                        lambda *args: compared.append(1) or real(*args))
    (fsrepo / "d1" / "f1").write_bytes(b"changed\n")
    assert amg("commit", "-qm", "one", "-u", "test", cwd=fsrepo).rc == 0
    assert amg("rm", "-q", "d2/f2", cwd=fsrepo).rc == 0
    (fsrepo / "d3" / "new").write_bytes(b"new\n")
    assert amg("add", "-q", "d3/new", cwd=fsrepo).rc == 0
    assert _same(amg, fsm_config, fsrepo) == "A d3/new\nR d2/f2\n"
    assert not compared
    saved = statemod.decode((fsrepo / ".hg" / statemod.STATE_FILE).read_bytes())
    assert saved.key is not None
    # Another writer (here: a rebuilt cache knows no history) means a comparison again.
    (fsrepo / ".hg" / "cache" / "amalgam-dirstate").unlink()
    assert amg("forget", "-q", "d3/new", cwd=fsrepo).rc == 0
    assert _same(amg, fsm_config, fsrepo) == "R d2/f2\n? d3/new\n"
    assert compared


@pytest.mark.parametrize("change, expected", [
    ("moved-out", "! d/b\n! d/e/f\n"),
    ("renamed", "! d/b\n! d/e/f\n? n/b\n? n/e/f\n"),
    ("inner-removed", "! d/e/f\n"),
    ("replaced-by-a-file", "! d/b\n! d/e/f\n? d\n"),
])
def test_vanished_directories_without_a_look_at_every_directory(
        amg, fsm_config, repo: Path, tmp_path: Path, monkeypatch, change: str, expected: str):
    """Watchman names a vanished directory's files: the kernel's per-directory look is skipped."""
    import shutil

    from amalgam.wc import hinted

    (repo / "d" / "e").mkdir()
    (repo / "d" / "e" / "f").write_bytes(b"f\n")
    assert amg("commit", "-Aqm", "e", "-u", "test", cwd=repo).rc == 0
    _same(amg, fsm_config, repo)
    calls = {"trusted": 0, "unreal": 0}
    real_trusted, real_unreal = hinted.trusted, hinted._unreal

    def trusted(*args):
        calls["trusted"] += 1
        return real_trusted(*args)

    def unreal(*args):
        calls["unreal"] += 1
        return real_unreal(*args)

    monkeypatch.setattr(hinted, "trusted", trusted)
    monkeypatch.setattr(hinted, "_unreal", unreal)
    if change == "moved-out":
        os.rename(repo / "d", tmp_path / "elsewhere")
    elif change == "renamed":
        os.rename(repo / "d", repo / "n")
    elif change == "inner-removed":
        shutil.rmtree(repo / "d" / "e")
    else:
        shutil.rmtree(repo / "d")
        (repo / "d").write_bytes(b"now a file\n")
    assert _same(amg, fsm_config, repo) == expected
    assert calls == {"trusted": 1, "unreal": 0}
