"""amalgam.tags: .hgtags parsing, hg's precedence across heads, local tags."""
from __future__ import annotations

from amalgam import tags
from amalgam.node import hex, nullid
from amalgam.repo import FileChange, Repository


def _h(node):
    return hex(node).encode()


def test_parse_history_and_bad_lines():
    a, b = b"1" * 40, b"2" * 40
    warnings = []
    found = tags.parse(b"%s v1\n\nbad\nxyz v2\n%s v1\n" % (a, b), ".hgtags", warnings.append)
    assert found == {"v1": (bytes.fromhex("2" * 40), [bytes.fromhex("1" * 40)])}
    assert len(warnings) == 2


def test_precedence_and_local_tags(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    n0 = repo.commit_files({b"f": FileChange(b"0\n")}, user="u", date=(0, 0), message="0")
    n1 = repo.commit_files({b".hgtags": FileChange(b"%s rel\n" % _h(n0))}, user="u",
                           date=(1, 0), message="1", p1=n0)
    # Head A moves rel to n1 (history: n0); head B removes a tag it never saw.
    repo.commit_files({b".hgtags": FileChange(b"%s rel\n%s rel\n" % (_h(n0), _h(n1)))},
                      user="u", date=(2, 0), message="2", p1=n1)
    repo.commit_files({b".hgtags": FileChange(b"%s rel\n%s gone\n" % (_h(n0), _h(nullid)))},
                      user="u", date=(3, 0), message="3", p1=n1)
    found = tags.tags(repo)
    # The head that superseded n0 (its history contains it) wins.
    assert found["rel"] == n1
    assert "gone" not in found and tags.tagtype(repo, "gone") == "global"
    assert found["tip"] == repo.changelog.tip()
    repo.vfs.write("localtags", b"%s mine\n" % _h(n0))
    assert tags.tags(repo)["mine"] == n0 and tags.tagtype(repo, "mine") == "local"
    assert tags.nodetags(repo, n0) == ["mine"]
    assert tags.tagtype(repo, "tip") is None


def test_head_fnodes_are_cached_per_tip(tmp_path, monkeypatch):
    # Finding .hgtags on every head reads their manifests; a new process with
    # the same tip reads the cache instead, and any new tip recomputes.
    repo = Repository.create(str(tmp_path / "r"))
    n0 = repo.commit_files({b"f": FileChange(b"0\n")}, user="u", date=(0, 0), message="0")
    repo.commit_files({b".hgtags": FileChange(b"%s rel\n" % _h(n0))}, user="u",
                      date=(1, 0), message="1", p1=n0)
    assert tags.tags(Repository.open(repo.root))["rel"] == n0
    scans = []
    real = tags._scan_heads
    monkeypatch.setattr(tags, "_scan_heads", lambda r: scans.append(1) or real(r))
    assert tags.tags(Repository.open(repo.root))["rel"] == n0
    assert scans == []
    repo.vfs.write(tags._FNODES_CACHE, b"garbage")
    assert tags.tags(Repository.open(repo.root))["rel"] == n0
    assert scans == [1]
    tip = repo.changelog.tip()
    n2 = repo.commit_files({b".hgtags": FileChange(b"%s rel\n%s rel\n" % (_h(n0), _h(tip)))},
                           user="u", date=(2, 0), message="2", p1=tip)
    assert tags.tags(Repository.open(repo.root))["rel"] == tip != n2
    assert scans == [1, 1]


def test_bynode_matches_nodetags_and_is_a_copy(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    n0 = repo.commit_files({b"f": FileChange(b"0\n")}, user="u", date=(0, 0), message="0")
    repo.commit_files({b".hgtags": FileChange(b"%s zed\n%s alpha\n" % (_h(n0), _h(n0)))},
                      user="u", date=(1, 0), message="1", p1=n0)
    found = tags.bynode(repo)
    assert found == {n0: ["alpha", "zed"], repo.changelog.tip(): ["tip"]}
    assert found[n0] == tags.nodetags(repo, n0)
    found[n0].append("scribbled")
    assert tags.nodetags(repo, n0) == ["alpha", "zed"]
