"""The working-copy hooks are called when a plugin declares them, and cost nothing otherwise."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"


@pytest.fixture
def repo(tmp_path, amg):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_text("a\n")
    (root / "b").write_text("b\n")
    for name in ("a", "b"):  # old enough that the dirstate trusts their mtimes
        os.utime(root / name, (1_000_000_000, 1_000_000_000))
    assert amg("add", cwd=root).rc == 0
    assert amg("commit", "-m", "one", "-d", "0 0", "-u", "t", cwd=root).rc == 0
    return root


def _run(amg, root, *args, enabled=True):
    extra = ("--config", "plugins.wc_watch=true") if enabled else ()
    return amg(*extra, *args, cwd=root, env={"AMG_PLUGIN_PATH": str(FIXTURES)})


def test_walk_and_status_hooks(amg, repo):
    (repo / "a").write_text("changed, longer\n")
    (repo / "new").write_text("n\n")
    result = _run(amg, repo, "status")
    assert result.stdout == "M a\n? new\n"
    assert "wc_walk: full walk\n" in result.stderr
    assert "wc_status: modified=a unknown=new\n" in result.stderr


def test_walk_hint_limits_what_is_looked_at(amg, repo):
    (repo / "a").write_text("changed, longer\n")
    (repo / "b").write_text("changed too, longer\n")
    (repo / "new").write_text("n\n")
    (repo / ".hg" / "wc_watch_hint").write_text("b\nnew\n")
    result = _run(amg, repo, "status")
    # 'a' is provably clean in the dirstate and not hinted: it is not looked at.
    assert result.stdout == "M b\n? new\n"
    assert "wc_walk: hint b,new\n" in result.stderr


def test_add_hook_can_take_files(amg, repo):
    (repo / "x.big").write_text("huge\n")
    (repo / "y").write_text("y\n")
    result = _run(amg, repo, "add")
    assert "wc_add: x.big,y taken=x.big\n" in result.stderr
    assert _run(amg, repo, "status", enabled=False).stdout == "A y\n? x.big\n"


def test_commit_hook_sees_the_files(amg, repo):
    (repo / "a").write_text("changed\n")
    result = _run(amg, repo, "commit", "-m", "two", "-d", "0 0", "-u", "t")
    assert result.rc == 0
    assert "wc_commit: a\n" in result.stderr


def test_hooks_and_plugins_stay_unimported_when_not_declared(amg_proc, repo):
    """A plugin declaring no working-copy hook is never imported by them."""
    env = {"AMG_PLUGIN_PATH": str(FIXTURES)}
    (repo / "a").write_text("changed\n")
    (repo / "c").write_text("c\n")
    for args in (["status"], ["add", "c"], ["commit", "-m", "x", "-d", "0 0", "-u", "t"],
                 ["status", "-A"]):
        result = amg_proc("--config", "plugins.wc_idle=true", *args, cwd=repo, env=env)
        assert result.rc == 0, result.stderr
        assert "imported" not in result.stderr
        assert "pluggy" not in result.stderr
    probe = ("import sys, amalgam.cli as c; rc = c.main(['status']); "
             "sys.stderr.write(repr(sorted(m for m in sys.modules "
             "if m == 'pluggy' or m.startswith('wc_'))))")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True,
                          env={**os.environ, **env}, timeout=120)
    assert proc.stderr.decode().endswith("[]"), proc.stderr
