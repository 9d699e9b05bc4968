"""``amg clone``, ``pull``, ``push``, ``incoming`` and ``outgoing`` at their edges."""
from __future__ import annotations

from pathlib import Path


def test_empty_repositories(amg, tmp_path: Path) -> None:
    assert amg("init", str(tmp_path / "empty")).rc == 0
    cloned = amg("clone", str(tmp_path / "empty"), str(tmp_path / "copy"))
    assert cloned.rc == 0, cloned.stderr
    assert "0 files updated" in cloned.stdout
    copy = tmp_path / "copy"
    assert amg("pull", cwd=copy).rc == 0
    for command in ("push", "incoming", "outgoing"):
        result = amg(command, cwd=copy)
        assert result.rc == 1 and "no changes found" in result.stdout, command


def test_clone_refuses_a_non_empty_destination(amg, tmp_path: Path) -> None:
    assert amg("init", str(tmp_path / "src")).rc == 0
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("mine\n")
    result = amg("clone", str(tmp_path / "src"), str(tmp_path / "busy"))
    assert result.rc != 0 and "is not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["file"]


def test_default_destination_and_unsupported_urls(amg, tmp_path: Path) -> None:
    assert amg("init", str(tmp_path / "src")).rc == 0
    (tmp_path / "work").mkdir()
    result = amg("clone", str(tmp_path / "src"), cwd=tmp_path / "work")
    assert result.rc == 0 and "destination directory: src" in result.stdout
    assert (tmp_path / "work" / "src" / ".hg").is_dir()
    remote = amg("clone", "ftp://example.com/repo", str(tmp_path / "x"))
    assert remote.rc == 255
    assert remote.stderr.startswith("abort: repository ftp://example.com/repo not found")
    assert "'ftp' URLs are not supported" in remote.stderr
    assert not (tmp_path / "x").exists()
