"""``amg root`` agrees with ``hg root``."""
from __future__ import annotations


def test_root_matches_hg_from_the_top_and_below(amg, hg, tmp_path) -> None:
    repo = tmp_path / "repo"
    hg("init", str(repo))
    sub = repo / "a" / "b"
    sub.mkdir(parents=True)
    for where in (repo, sub):
        ours = amg("root", cwd=where)
        assert (ours.rc, ours.stdout) == (0, hg("root", cwd=where).stdout)


def test_root_with_repository_option(amg, hg, tmp_path) -> None:
    hg("init", str(tmp_path / "repo"))
    r = amg("-R", str(tmp_path / "repo"), "root", cwd=tmp_path)
    assert (r.rc, r.stdout) == (0, f"{tmp_path / 'repo'}\n")
    r = amg("root", "-R", "repo", cwd=tmp_path)
    assert (r.rc, r.stdout) == (0, f"{tmp_path / 'repo'}\n")


def test_root_outside_a_repository(amg, hg, tmp_path) -> None:
    ours = amg("root", cwd=tmp_path)
    theirs = hg("root", cwd=tmp_path, check=False)
    assert ours.rc == theirs.rc == 255
    assert ours.out == b""
    assert ours.stderr == theirs.stderr == f"abort: no repository found in '{tmp_path}' (.hg not found)\n"
