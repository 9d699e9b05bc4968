"""amg update: hooks, progress-free quiet output, interrupted updates, dirstate stats."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"
PLUGIN = {"AMG_PLUGIN_PATH": str(FIXTURES)}


@pytest.fixture
def two(tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    (root / "a").write_text("a\n")
    hg("commit", "-A", "-m", "zero", "-d", "0 0", cwd=root)
    (root / "b").write_text("b\n")
    (root / "a").write_text("a2\n")
    hg("commit", "-A", "-m", "one", "-d", "0 0", cwd=root)
    return root


def test_update_hooks_are_called(amg, two, hg):
    r = amg("update", "0", "--config", "plugins.merge_updatewatch=true", cwd=two, env=PLUGIN)
    assert r.rc == 0, r.stderr
    node = hg("log", "-r", "0", "-T", "{node|short}", cwd=two).stdout
    assert r.stderr.splitlines() == [
        f"update-begin {node} distance=1 partial=False",
        f"update-end {node} files=a,b error=False",
    ]


def test_merge_calls_update_hooks_too(amg, two, hg):
    hg("update", "0", cwd=two)
    (two / "c").write_text("c\n")
    hg("commit", "-A", "-m", "two", "-d", "0 0", cwd=two)
    r = amg("merge", "1", "--config", "plugins.merge_updatewatch=true", cwd=two, env=PLUGIN)
    assert r.rc == 0
    assert [line.split()[0] for line in r.stderr.splitlines()] == ["update-begin", "update-end"]


def test_refused_update_calls_no_hook(amg, two):
    amg("update", "0", cwd=two)
    (two / "b").write_text("untracked and different\n")
    r = amg("update", "1", "--config", "plugins.merge_updatewatch=true", cwd=two, env=PLUGIN)
    assert r.rc == 255
    # Refused before any file is touched: no hook call at all.
    assert "update-begin" not in r.stderr


def test_hook_plugin_not_imported_when_not_enabled(two, isolated_env):
    code = ("import sys; from amalgam.cli import main; "
            "rc = main(['update', '0']); "
            "print(rc, 'merge_updatewatch' in sys.modules, 'pluggy' in sys.modules)")
    env = dict(isolated_env, **PLUGIN)
    proc = subprocess.run([sys.executable, "-c", code], cwd=two, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.splitlines()[-1] == "0 False False", proc.stderr


def test_dirstate_records_written_files_so_status_reads_nothing(amg, two, hg):
    amg("update", "null", cwd=two)
    assert amg("update", "1", cwd=two).rc == 0
    out = hg("debugstate", cwd=two).stdout
    for line in out.splitlines():
        state, mode, size = line.split()[:3]
        assert state == "n" and mode == "644" and size != "-1"
    assert hg("status", "-A", cwd=two).stdout == "C a\nC b\n"


def test_interrupted_update_leaves_a_marker_and_rerun_finishes(amg, two, hg, monkeypatch):
    from amalgam.wc import files as wfiles

    real_write, calls = wfiles.write, []

    def dying_write(repo, path, data, flags=""):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(repo, path, data, flags)

    amg("update", "null", cwd=two)
    monkeypatch.setattr(wfiles, "write", dying_write)
    amg("update", "1", cwd=two)
    assert (two / ".hg" / "updatestate").read_text().strip() == \
        hg("log", "-r", "1", "-T", "{node}", cwd=two).stdout
    monkeypatch.setattr(wfiles, "write", real_write)
    assert amg("update", "1", cwd=two).rc == 0
    assert not (two / ".hg" / "updatestate").exists()
    assert hg("status", cwd=two).stdout == ""


def test_quiet_update_prints_nothing(amg, two):
    r = amg("update", "-q", "0", cwd=two)
    assert (r.rc, r.out, r.err) == (0, b"", b"")


def test_unknown_revision_and_both_flags(amg, two):
    r = amg("update", "nosuch", cwd=two)
    assert r.rc == 255 and "unknown revision 'nosuch'" in r.stderr
    r = amg("update", "-C", "-c", "0", cwd=two)
    assert r.rc == 255 and "cannot specify both --clean and --check" in r.stderr
    r = amg("update", "-r", "0", "1", cwd=two)
    assert r.rc == 255 and "please specify just one revision" in r.stderr


def test_update_over_a_directory_in_the_way_aborts_cleanly(amg, two):
    amg("update", "0", cwd=two)
    os.makedirs(two / "b" / "sub")
    (two / "b" / "sub" / "x").write_text("x\n")
    r = amg("update", "1", cwd=two)
    assert r.rc == 255 and "untracked file differs" in r.stderr
    # -C skips that check; the write itself then refuses to clobber the directory.
    r = amg("update", "-C", "1", "--config", "plugins.merge_updatewatch=true", cwd=two,
            env=PLUGIN)
    assert r.rc == 255
    assert "Traceback" not in r.stderr
    assert "a directory is in the way" in r.stderr
    assert r.stderr.splitlines()[1].endswith("error=True")
    assert (two / "b" / "sub" / "x").read_text() == "x\n"
