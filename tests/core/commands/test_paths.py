"""``amg paths`` lists [paths] from the repository's .hg/hgrc like hg."""
from __future__ import annotations

from pathlib import Path


def test_paths_from_hgrc(amg, hg, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    assert amg("init", str(repo)).rc == 0
    (repo / ".hg" / "hgrc").write_text("[paths]\ndefault = /srv/main\nother = ../sib\n")
    assert amg("paths", cwd=repo).stdout == f"default = /srv/main\nother = {tmp_path / 'sib'}\n"
    assert amg("paths", "default", cwd=repo).stdout == "/srv/main\n"
    assert hg("paths", "other", cwd=repo).stdout == amg("paths", "other", cwd=repo).stdout
    missing = amg("paths", "nope", cwd=repo)
    assert missing.rc == 1 and "not found!" in missing.stderr


def test_pull_without_default_path(amg, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    assert amg("init", str(repo)).rc == 0
    result = amg("pull", cwd=repo)
    assert result.rc != 0 and "default repository not configured!" in result.stderr
