"""A local ``amg clone`` against hg 7.2.4's: same repository, same ``.hg`` files."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.vfs import VFS

#: What hg writes into a new clone that amg does not, and why that is fine:
#: hg computes its branch/tag caches for the new clone's filters after the
#: copy (amg neither reads nor writes those caches; the ones the source had
#: are copied), and keeps working-copy probes and a manifest cache in
#: wcache/ (amg keeps its own state elsewhere).
HG_ONLY = {"cache/branch2-base", "cache/tags2", "cache/tags2-served",
           "wcache/checkisexec", "wcache/checklink", "wcache/checklink-target",
           "wcache/checknoexec", "wcache/manifestfulltextcache"}


def _commit(hg, repo: Path, name: str, text: str, *extra: str) -> None:
    (repo / name).write_text(text)
    hg("commit", "-qA", "-m", f"{name}: {text.strip()}", *extra, cwd=repo)


def _source(hg, tmp_path: Path, publish: bool = True) -> Path:
    src = tmp_path / "src"
    hg("init", str(src))
    if not publish:
        (src / ".hg" / "hgrc").write_text("[phases]\npublish = False\n")
    _commit(hg, src, "a", "1\n")
    (src / "sub dir").mkdir()
    _commit(hg, src, "sub dir/B.txt", "2\n")
    hg("phase", "-q", "--public", "-r", "0", cwd=src)
    hg("bookmark", "-q", "main", cwd=src)
    hg("tag", "-q", "v1", cwd=src)
    hg("branch", "-q", "other", cwd=src)
    _commit(hg, src, "a", "3\n")
    hg("update", "-q", "default", cwd=src)
    hg("branches", cwd=src)  # leaves hg's branch caches for the clone to take
    hg("tags", cwd=src)
    return src


def _meta(repo: Path) -> set[str]:
    """Files of *repo*'s .hg, without amg's own caches (hg knows nothing of them)."""
    hgdir = repo / ".hg"
    return {str(p.relative_to(hgdir)) for p in hgdir.rglob("*")
            if p.is_file() and not p.name.startswith("amalgam-")}


def _state(hg, repo: Path) -> tuple[str, str, str]:
    log = hg("log", "-T", "{node} {phase} {branch} {tags}\n", cwd=repo).stdout
    marks = hg("bookmarks", "-T", "{bookmark} {node}\n", cwd=repo).stdout
    parents = hg("parents", "-T", "{node}\n", cwd=repo).stdout
    return log, marks, parents


@pytest.fixture
def links(monkeypatch) -> None:
    """Let the clone hard-link, as it does once VFS breaks links before writing."""
    monkeypatch.setattr(VFS, "breaks_hardlinks", True, raising=False)


@pytest.mark.parametrize("publish", [True, False], ids=["publishing", "non-publishing"])
@pytest.mark.parametrize("noupdate", [False, True], ids=["update", "noupdate"])
def test_same_repository_and_files_as_hg(amg, hg, tmp_path: Path, links, publish: bool,
                                         noupdate: bool) -> None:
    src = _source(hg, tmp_path, publish)
    flags = ["-U"] if noupdate else []
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = amg("clone", *flags, str(src), str(ours))
    assert result.rc == 0, result.stderr
    expected = hg("clone", *flags, str(src), str(theirs))
    assert result.stdout == expected.stdout
    assert _state(hg, ours) == _state(hg, theirs)
    assert _meta(ours) - HG_ONLY == _meta(theirs) - HG_ONLY
    assert {"store/fncache", "store/00changelog.i", "bookmarks"} <= _meta(ours)
    assert hg("verify", "-q", cwd=ours).rc == 0
    assert amg("verify", "-q", cwd=ours).rc == 0
    assert hg("status", cwd=ours).stdout == ""
    store = ours / ".hg" / "store"
    for name in ("00changelog.i", "00manifest.i", "data/a.i"):
        assert (store / name).stat().st_nlink > 1, name
    assert hg("paths", "default", cwd=ours).stdout.strip() == str(src)


def test_hg_clones_and_writes_an_amg_clone(amg, hg, tmp_path: Path, links) -> None:
    src = _source(hg, tmp_path)
    before = {p: p.read_bytes() for p in (src / ".hg" / "store").rglob("*") if p.is_file()}
    ours = tmp_path / "ours"
    assert amg("clone", "-q", str(src), str(ours)).rc == 0
    again = tmp_path / "again"
    hg("clone", "-q", str(ours), str(again))
    assert _state(hg, again) == _state(hg, ours)
    hg("verify", "-q", cwd=again)
    # hg gives a linked file its own copy before appending: the source stays as it was.
    _commit(hg, ours, "a", "4\n")
    hg("verify", "-q", cwd=ours)
    after = {p: p.read_bytes() for p in (src / ".hg" / "store").rglob("*") if p.is_file()}
    assert after == before
    hg("verify", "-q", cwd=src)


def test_amg_commit_in_a_copied_clone_leaves_the_source_alone(amg, hg, tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.setattr(VFS, "breaks_hardlinks", False, raising=False)
    src = _source(hg, tmp_path)
    ours = tmp_path / "ours"
    assert amg("clone", "-q", str(src), str(ours)).rc == 0
    (ours / "a").write_text("5\n")
    assert amg("commit", "-m", "five", "-u", "t", cwd=ours).rc == 0
    hg("verify", "-q", cwd=ours)
    hg("verify", "-q", cwd=src)
    assert len(hg("log", "-T", "x", cwd=src).stdout) == 4


def test_secret_changesets_stay_home_as_with_hg(amg, hg, tmp_path: Path, links) -> None:
    src = _source(hg, tmp_path)
    hg("phase", "-q", "--secret", "--force", "-r", "tip", cwd=src)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert amg("clone", "-q", "-U", str(src), str(ours)).rc == 0
    hg("clone", "-q", "-U", str(src), str(theirs))
    assert _state(hg, ours)[:2] == _state(hg, theirs)[:2]
    assert "secret" not in _state(hg, ours)[0]
    hg("verify", "-q", cwd=ours)


def test_pull_flag_matches_hg_pull_clone(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = amg("clone", "--pull", str(src), str(ours))
    assert result.rc == 0, result.stderr
    assert result.stdout == hg("clone", "--pull", str(src), str(theirs)).stdout
    assert _state(hg, ours) == _state(hg, theirs)
    assert (ours / ".hg" / "store" / "00changelog.i").stat().st_nlink == 1


def test_amg_commit_in_an_hg_linked_clone_leaves_the_source_alone(amg, hg,
                                                                  tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    theirs = tmp_path / "theirs"
    hg("clone", "-q", str(src), str(theirs))  # hg hard-links the store
    store = src / ".hg" / "store"
    before = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    (theirs / "a").write_text("6\n")
    assert amg("commit", "-m", "six", "-u", "t", cwd=theirs).rc == 0
    assert {p: p.read_bytes() for p in store.rglob("*") if p.is_file()} == before
