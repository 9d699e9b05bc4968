"""The parent manifest's full-text cache: used only for its node, intact."""
from __future__ import annotations

import pytest

from amalgam.node import hex
from amalgam.repo import Repository
from amalgam.storage import manifestcache


@pytest.fixture
def repo(amg, tmp_path, monkeypatch):
    monkeypatch.setattr(manifestcache, "MIN_SIZE", 0)
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    for name in ("a", "b", "c"):
        (root / name).write_text(name + "\n")
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    (root / "a").write_text("changed\n")
    assert amg("commit", "-qm", "two", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    return root


def _rebuilds(monkeypatch, repo: Repository) -> list[bytes]:
    calls: list[bytes] = []
    real = repo.manifestlog.revlog.revision
    monkeypatch.setattr(repo.manifestlog.revlog, "revision",
                        lambda node, *a, **k: calls.append(node) or real(node, *a, **k))
    return calls


def test_the_parent_manifest_is_read_from_the_cache_the_second_time(repo, monkeypatch):
    first = Repository.open(str(repo))
    tip = first.changelog.revlog.node(1)
    expected = first.manifest_of(tip).text()
    assert first.manifest_of(tip, keep=True).text() == expected
    again = Repository.open(str(repo))
    rebuilt = _rebuilds(monkeypatch, again)
    assert again.manifest_of(tip, keep=True).text() == expected
    assert rebuilt == []


def test_a_damaged_or_foreign_cache_is_a_miss(repo, monkeypatch):
    first = Repository.open(str(repo))
    one, two = first.changelog.revlog.node(0), first.changelog.revlog.node(1)
    first.manifest_of(two, keep=True)
    path = repo / ".hg" / manifestcache.NAME
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    again = Repository.open(str(repo))
    rebuilt = _rebuilds(monkeypatch, again)
    assert again.manifest_of(two, keep=True).text() == first.manifest_of(two).text()
    assert rebuilt  # the damaged copy was not trusted
    fresh = Repository.open(str(repo))
    rebuilt = _rebuilds(monkeypatch, fresh)
    assert fresh.manifest_of(one, keep=True).get(b"a") != fresh.manifest_of(two).get(b"a")
    assert rebuilt  # the cache holds the other revision's manifest


# -- reading through the kept text ----------------------------------------------


@pytest.fixture
def wide(amg, tmp_path, monkeypatch):
    """A repository of 60 files whose manifests are deltas of each other."""
    monkeypatch.setattr(manifestcache, "MIN_SIZE", 0)
    root = tmp_path / "w"
    assert amg("init", str(root)).rc == 0
    for i in range(60):
        (root / f"f{i:02d}").write_text(f"file {i}\n")
    assert amg("commit", "-Aqm", "base", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    return root


def _hg_commits(hg, root, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        with open(root / f"f{i % 60:02d}", "a") as fp:
            fp.write(f"hg {i}\n")
        hg("commit", "-qm", f"hg {i}", "-u", "h", "-d", "0 0", cwd=root)


def _mnode(repo: Repository, rev: int) -> bytes:
    return repo.changelog.read(repo.changelog.revlog.node(rev)).manifest


def _kept_node(root) -> bytes:
    data = (root / ".hg" / manifestcache.NAME).read_bytes()
    return data[len(manifestcache._MAGIC):len(manifestcache._MAGIC) + 20]


def _through(monkeypatch, repo: Repository) -> tuple[list[bytes], list[int]]:
    """(nodes read in full, base revs read through) by *repo*'s manifest revlog."""
    rebuilt = _rebuilds(monkeypatch, repo)
    bases: list[int] = []
    revlog = repo.manifestlog.revlog
    real = revlog.revision_from
    monkeypatch.setattr(revlog, "revision_from",
                        lambda node, base, text: bases.append(base) or real(node, base, text))
    return rebuilt, bases


def test_a_later_manifest_is_read_through_the_kept_one(wide, hg, monkeypatch):
    first = Repository.open(str(wide))
    base = first.manifest_of(first.changelog.revlog.node(0), keep=True)
    assert _kept_node(wide) == _mnode(first, 0)
    _hg_commits(hg, wide, 3)
    plain = Repository.open(str(wide))
    tip = plain.changelog.revlog.node(3)
    expected = plain.manifest_of(tip).text()
    assert expected != base.text()
    assert plain.manifestlog.revlog.deltachain(3)[0][0] == 0  # the chain passes the kept one
    again = Repository.open(str(wide))
    rebuilt, bases = _through(monkeypatch, again)
    assert again.manifest_of(tip, keep=True).text() == expected
    assert rebuilt == [] and bases == [0]
    assert _kept_node(wide) == _mnode(first, 0)  # three small deltas: not worth a rewrite
    monkeypatch.setattr(manifestcache, "REFRESH_DELTAS", 2)
    assert Repository.open(str(wide)).manifest_of(tip, keep=True).text() == expected
    assert _kept_node(wide) == _mnode(again, 3)


def test_a_wrong_kept_text_falls_back_to_the_revlog(wide, hg, monkeypatch):
    first = Repository.open(str(wide))
    text = bytearray(first.manifest_of(first.changelog.revlog.node(0)).text())
    text[len(text) // 2] ^= 1  # a line no later delta replaces, stored with a valid CRC
    manifestcache.store(first.vfs, _mnode(first, 0), bytes(text))
    _hg_commits(hg, wide, 2)
    old = bytes(first.manifest_of(first.changelog.revlog.node(0)).text())
    again = Repository.open(str(wide))
    tip = again.changelog.revlog.node(2)
    rebuilt, bases = _through(monkeypatch, again)
    manifest = again.manifest_of(tip, keep=True)
    assert bases == [0] and rebuilt == [_mnode(again, 2)]
    assert manifest.text() == Repository.open(str(wide)).manifest_of(tip).text()
    assert manifest.text() != old
    assert _kept_node(wide) == _mnode(again, 2)  # the bad copy was replaced


def test_a_kept_node_the_revlog_no_longer_has_is_a_miss(wide, hg, monkeypatch):
    first = Repository.open(str(wide))
    text = first.manifest_of(first.changelog.revlog.node(0)).text()
    manifestcache.store(first.vfs, b"\x01" * 20, text)  # e.g. rolled back since
    again = Repository.open(str(wide))
    rebuilt, bases = _through(monkeypatch, again)
    assert again.manifest_of(again.changelog.revlog.node(0), keep=True).text() == text
    assert rebuilt == [_mnode(again, 0)] and bases == []
    assert _kept_node(wide) == _mnode(again, 0)


@pytest.mark.parametrize("damage", ["truncated", "longer", "header", "missing"])
def test_a_damaged_or_missing_file_is_a_miss(wide, monkeypatch, damage):
    first = Repository.open(str(wide))
    tip = first.changelog.revlog.node(0)
    expected = first.manifest_of(tip, keep=True).text()
    path = wide / ".hg" / manifestcache.NAME
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes({"truncated": data[:-1], "longer": data + b"x\n",
                          "header": data[:20]}[damage])
    assert manifestcache.load(first.vfs, _mnode(first, 0)) is None
    again = Repository.open(str(wide))
    rebuilt, bases = _through(monkeypatch, again)
    assert again.manifest_of(tip, keep=True).text() == expected
    assert rebuilt == [_mnode(again, 0)] and bases == []
    assert path.read_bytes() == data  # rewritten whole


def test_a_commit_takes_its_parent_manifest_from_the_cache(wide, hg, monkeypatch):
    from amalgam.repo import FileChange

    first = Repository.open(str(wide))
    first.manifest_of(first.changelog.revlog.node(0), keep=True)
    _hg_commits(hg, wide, 2)
    repo = Repository.open(str(wide))
    rebuilt, bases = _through(monkeypatch, repo)
    chains: list[int] = []
    revlog = repo.manifestlog.revlog
    real = revlog._rebuild
    monkeypatch.setattr(revlog, "_rebuild", lambda rev: chains.append(rev) or real(rev))
    p1 = repo.changelog.revlog.node(2)
    with repo.lock():
        repo.commit_files({b"f07": FileChange(b"amg\n")}, p1=p1, user="a", message="m",
                          date=(0, 0))
    # The parent was read through the kept text, and its delta checked without a rebuild.
    assert rebuilt == [] and bases == [0] and chains == []
    assert hg("verify", "-q", cwd=wide).rc == 0
    assert hg("cat", "-r", "tip", "f07", cwd=wide).out == b"amg\n"


def test_hg_and_amg_committing_in_turn_stay_verifiable(wide, amg, hg, monkeypatch):
    from amalgam.storage.revlog import Revlog

    monkeypatch.setattr(manifestcache, "REFRESH_DELTAS", 3)
    through: list[bool] = []
    real = Revlog.revision_from
    monkeypatch.setattr(Revlog, "revision_from", lambda self, *a: through.append(
        bool(r := real(self, *a))) or r)
    for turn in range(6):
        _hg_commits(hg, wide, 1, start=turn)
        (wide / "f59").write_text(f"amg {turn}\n")
        (wide / f"new{turn}").write_text("added\n")
        assert amg("commit", "-Aqm", f"amg {turn}", "-u", "a", "-d", "0 0", cwd=wide).rc == 0
        assert hg("status", cwd=wide).out == b""
    assert hg("verify", "-q", cwd=wide).rc == 0
    assert through == [True] * 5  # after the first, each amg commit read hg's parent through it
    repo = Repository.open(str(wide))
    tip = repo.changelog.tip()
    assert repo.manifest_of(tip, keep=True).text() == hg(
        "debugdata", "-m", hex(_mnode(repo, len(repo) - 1)), cwd=wide).out
