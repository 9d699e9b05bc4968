"""``amg bundle`` argument handling; interop is in tests/interop/test_exchange_bundles.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(amg, tmp_path: Path) -> Path:
    path = tmp_path / "r"
    assert amg("init", str(path)).rc == 0
    Repository.open(str(path)).commit_files({b"f": FileChange(b"x\n")}, user="t",
                                            message="m", date=(0.0, 0))
    return path


@pytest.mark.parametrize("spec,message", [
    ("lzma-v2", "unknown bundle compression 'lzma'"),
    ("none-v9", "unsupported bundle type 'v9'"),
    ("none-v2;cg.version=07", "unsupported changegroup version '07'"),
    ("none-v2;bogus=1", "unsupported bundle parameter 'bogus'"),
])
def test_bad_bundlespec(amg, repo: Path, spec: str, message: str) -> None:
    result = amg("bundle", "--all", "-t", spec, "out.hg", cwd=repo)
    assert result.rc != 0 and message in result.stderr
    assert not (repo / "out.hg").exists()


def test_nothing_to_bundle(amg, repo: Path) -> None:
    result = amg("bundle", "--base", "0", "out.hg", cwd=repo)
    assert result.rc == 1 and "no changes found" in result.stdout
    assert not (repo / "out.hg").exists()


def test_roundtrip_through_amg(amg, repo: Path, tmp_path: Path) -> None:
    assert amg("bundle", "--all", "-t", "zstd-v2", str(tmp_path / "b.hg"), cwd=repo).rc == 0
    other = tmp_path / "o"
    assert amg("init", str(other)).rc == 0
    result = amg("unbundle", str(tmp_path / "b.hg"), cwd=other)
    assert result.rc == 0
    assert "added 1 changesets with 1 changes to 1 files" in result.stdout
    assert Repository.open(str(other)).changelog.tip() == Repository.open(str(repo)).changelog.tip()


def test_unbundle_missing_file(amg, repo: Path) -> None:
    result = amg("unbundle", "nope.hg", cwd=repo)
    assert result.rc != 0 and "nope.hg" in result.stderr
