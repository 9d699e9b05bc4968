"""The parent manifest's full-text cache: used only for its node, intact."""
from __future__ import annotations

import pytest

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
