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


def _hinted(amg, root, hint: bytes, *args):
    (root / ".hg" / "wc_watch_hint").write_bytes(hint)
    try:
        return _run(amg, root, "status", *args)
    finally:
        (root / ".hg" / "wc_watch_hint").unlink()


def test_hint_still_reports_entries_it_cannot_vouch_for(amg, repo):
    """Added, removed and content-unknown entries are checked even when not hinted."""
    (repo / "c").write_text("c\n")
    assert amg("add", "c", cwd=repo).rc == 0
    assert amg("remove", "b", cwd=repo).rc == 0
    result = _hinted(amg, repo, b"", "-A")
    assert result.rc == 0
    assert result.stdout == _run(amg, repo, "status", "-A", enabled=False).stdout
    assert result.stdout == "A c\nR b\nC a\n"


def test_hinted_path_under_a_symlinked_directory_is_deleted(amg, tmp_path):
    root = tmp_path / "s"
    assert amg("init", str(root)).rc == 0
    (root / "d").mkdir()
    (root / "d" / "f").write_text("f\n")
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "f").write_text("f\n")
    (root / "d" / "f").unlink()
    (root / "d").rmdir()
    (root / "d").symlink_to(elsewhere)
    expected = _run(amg, root, "status", enabled=False).stdout
    assert expected == "! d/f\n? d\n"
    assert _hinted(amg, root, b"d\nd/f\n").stdout == expected


def test_hinted_names_the_walk_would_not_list_are_dropped(amg, repo, tmp_path):
    """Outside the working copy, inside .hg, inside a nested repository: not unknown."""
    (tmp_path / "outside").write_text("x\n")
    assert amg("init", str(repo / "sub")).rc == 0
    (repo / "sub" / "inner").write_text("x\n")
    (repo / "new").write_text("n\n")
    hint = b"../outside\n.hg/requires\nsub/inner\nnew\n"
    assert _hinted(amg, repo, hint).stdout == "? new\n"
    assert _run(amg, repo, "status", enabled=False).stdout == "? new\n"


def test_unhinted_files_of_a_vanished_directory_are_deleted(amg, tmp_path):
    """A plugin may leave out names under a removed directory: they are not trusted."""
    root = tmp_path / "v"
    assert amg("init", str(root)).rc == 0
    (root / "d" / "e").mkdir(parents=True)
    (root / "d" / "e" / "f").write_text("f\n")
    (root / "g").write_text("g\n")
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    (root / "d" / "e" / "f").unlink()
    (root / "d" / "e").rmdir()
    (root / "d").rmdir()
    expected = _run(amg, root, "status", enabled=False).stdout
    assert expected == "! d/e/f\n"
    assert _hinted(amg, root, b"").stdout == expected
    assert _hinted(amg, root, b"d\n").stdout == expected
