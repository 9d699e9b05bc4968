"""Untracked files in the way of an update, found below existing directories only."""
from __future__ import annotations

import pytest


@pytest.fixture
def repo(tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    for name in ("d/e/f", "d/e2/x", "g/h", "top"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name}\n")
    hg("commit", "-A", "-m", "files", "-d", "0 0", cwd=root)
    hg("update", "null", cwd=root)
    return root


def test_differing_file_deep_in_an_existing_directory_is_refused(amg, repo):
    (repo / "d" / "e").mkdir(parents=True)
    (repo / "d" / "e" / "f").write_text("mine\n")
    r = amg("update", "tip", cwd=repo)
    assert r.rc == 255
    assert r.stderr.splitlines() == [
        "d/e/f: untracked file differs",
        "abort: untracked files in working directory differ from files in requested revision",
    ]
    assert (repo / "d" / "e" / "f").read_text() == "mine\n"
    assert not (repo / "g").exists()


def test_same_content_untracked_files_are_adopted(amg, hg, repo):
    (repo / "d" / "e").mkdir(parents=True)
    (repo / "d" / "e" / "f").write_text("d/e/f\n")
    (repo / "top").write_text("top\n")
    assert amg("update", "tip", cwd=repo).rc == 0
    assert hg("status", "-A", cwd=repo).stdout.count("C ") == 4


def test_an_untracked_file_where_a_directory_goes_is_refused_like_hg(amg, hg, repo, tmp_path):
    other = tmp_path / "other"
    hg("clone", "-U", str(repo), str(other))
    for root in (repo, other):
        (root / "g").write_text("in the way\n")
    r, h = amg("update", "tip", cwd=repo), hg("update", "tip", cwd=other, check=False)
    assert (r.rc, r.stdout) == (h.rc, h.stdout) == (255, "")
    assert r.stderr.replace(str(repo), "ROOT") == h.stderr.replace(str(other), "ROOT") \
        == "abort: Not a directory: 'ROOT/g/h'\n"
    assert (repo / "g").read_text() == "in the way\n"
    assert sorted(p.name for p in repo.iterdir()) == [".hg", "g"]  # nothing written


def test_a_tracked_file_where_a_directory_goes_is_replaced(amg, hg, tmp_path):
    root = tmp_path / "t"
    hg("init", str(root))
    (root / "g").write_text("file\n")
    hg("commit", "-A", "-m", "file", "-d", "0 0", cwd=root)
    hg("remove", "g", cwd=root)
    (root / "g").mkdir()
    (root / "g" / "h").write_text("g/h\n")
    hg("commit", "-A", "-m", "dir", "-d", "0 0", cwd=root)
    hg("update", "0", cwd=root)
    r = amg("update", "1", cwd=root)
    assert r.rc == 0, r.stderr
    assert (root / "g" / "h").read_text() == "g/h\n"
    assert hg("status", cwd=root).stdout == ""
