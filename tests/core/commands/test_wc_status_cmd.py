"""status/commit through the command line: fix-ups, recorded stats, bad input."""
from __future__ import annotations

import os
import stat

import pytest

from amalgam.repo import Repository
from amalgam.wc.dirstate import DirState

OLD = 1_000_000_000


@pytest.fixture
def repo(tmp_path, amg):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    for name in ("a", "b", "d/c"):
        path = root / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(name + "\n")
        os.utime(path, (OLD, OLD))
    assert amg("commit", "-A", "-q", "-m", "one", "-d", "0 0", "-u", "t", cwd=root).rc == 0
    return root


def _entries(root):
    return {p: DirState.open(Repository.open(str(root))).get(p) for p in (b"a", b"b", b"d/c")}


def test_commit_records_sizes_and_mtimes(repo):
    for entry in _entries(repo).values():
        assert entry.state == "n" and entry.size >= 0 and entry.mtime == OLD


def test_status_reads_no_content_when_stats_agree(repo, amg, monkeypatch):
    import builtins

    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(os.fsdecode(file) if isinstance(file, (str, bytes)) else file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    assert amg("status", "-A", cwd=repo).stdout == "C a\nC b\nC d/c\n"
    assert not [f for f in opened if isinstance(f, str)
                and os.path.basename(f) in ("a", "b", "c")]


def test_touched_file_is_compared_then_fixed_up(repo, amg):
    os.utime(repo / "a", (OLD + 10, OLD + 10))
    assert amg("status", cwd=repo).stdout == ""
    assert _entries(repo)[b"a"].mtime == OLD + 10  # the fix-up was written


def test_same_size_edit_is_seen(repo, amg):
    (repo / "a").write_text("A\n")
    os.utime(repo / "a", (OLD, OLD))  # same size, same mtime: only mode/copy could tell
    (repo / "b").write_text("B\n")  # same size, new mtime: content decides
    assert amg("status", cwd=repo).stdout == "M b\n"


def test_file_replaced_by_directory(repo, amg, hg):
    os.unlink(repo / "a")
    (repo / "a").mkdir()
    (repo / "a" / "inner").write_text("x\n")
    assert amg("status", cwd=repo).stdout == hg("status", cwd=repo).stdout == "! a\n? a/inner\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_reported_not_crashing(repo, amg):
    os.utime(repo / "b", (OLD + 5, OLD + 5))
    os.chmod(repo / "b", 0)
    try:
        result = amg("status", cwd=repo)
    finally:
        os.chmod(repo / "b", stat.S_IRUSR | stat.S_IWUSR)
    assert result.rc == 0 and result.stdout == "! b\n"


def test_truncated_dirstate_aborts_cleanly(repo, amg):
    data = (repo / ".hg" / "dirstate").read_bytes()
    (repo / ".hg" / "dirstate").write_bytes(data[:50])
    result = amg("status", cwd=repo)
    assert result.rc == 255
    assert result.stderr.startswith("abort: working directory state appears damaged")
    assert "Traceback" not in result.stderr


def test_exec_bit_change_is_modified(repo, amg, hg):
    os.chmod(repo / "b", 0o755)
    assert amg("status", cwd=repo).stdout == hg("status", cwd=repo).stdout == "M b\n"


def test_commit_editor(repo, amg, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'from the editor\\n' > \"$1\"\n")
    editor.chmod(0o755)
    (repo / "a").write_text("changed\n")
    result = amg("commit", "-d", "0 0", "-u", "t", cwd=repo, env={"HGEDITOR": str(editor)})
    assert result.rc == 0, result.stderr
    log = Repository.open(str(repo))
    assert log.changelog.read(log.changelog.tip()).description == "from the editor"


def test_commit_empty_message_aborts(repo, amg):
    (repo / "a").write_text("changed\n")
    result = amg("commit", "-u", "t", cwd=repo, env={"HGEDITOR": "true"})
    assert (result.rc, result.stderr) == (255, "abort: empty commit message\n")
    assert amg("status", cwd=repo).stdout == "M a\n"


def test_commit_failing_editor_aborts(repo, amg):
    (repo / "a").write_text("changed\n")
    result = amg("commit", "-u", "t", cwd=repo, env={"HGEDITOR": "false"})
    assert result.rc == 255 and "edit failed" in result.stderr


def test_directory_replaced_by_symlink_is_not_followed(repo, amg, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c").write_text("not ours\n")
    os.rename(repo / "d", repo / "d.real")
    os.symlink(outside, repo / "d")
    assert amg("status", cwd=repo).stdout == "! d/c\n? d\n? d.real/c\n"
    assert amg("status", "-mard", cwd=repo).stdout == "! d/c\n"
    result = amg("commit", "-m", "x", "-u", "t", "-d", "0 0", cwd=repo)
    assert result.rc == 1 and result.stdout.startswith("nothing changed")
