"""amalgam.branches: branch heads, closed heads and branch tips."""
from __future__ import annotations

from amalgam import branches
from amalgam.repo import FileChange, Repository


def test_heads_per_branch(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))

    def commit(i, p1=None, branch="default", close=False):
        return repo.commit_files({b"f": FileChange(b"%d\n" % i)}, user="u", date=(i, 0),
                                 message=str(i), branch=branch,
                                 extra={"close": "1"} if close else None,
                                 **({"p1": p1} if p1 else {}))

    n0 = commit(0)
    n1 = commit(1, n0)
    commit(2, n1, "feature")             # rev 1 stays a head of default
    commit(3, n0)                         # second default head
    n4 = commit(4, n0, "old")
    commit(5, n4, "old", close=True)
    bmap = branches.branchmap(repo)
    assert bmap.heads == {"default": [1, 3], "feature": [2], "old": [5]}
    assert bmap.branchheads("default") == [3, 1]
    assert bmap.branchheads("old") == [] and bmap.branchheads("old", closed=True) == [5]
    assert bmap.isclosed("old") and not bmap.isclosed("default")
    assert bmap.tiprev("default") == 3 and bmap.tiprev("old") == 5
    assert branches.branchtip(repo, "nope") is None


def _history(tmp_path, n=30):
    repo = Repository.create(str(tmp_path / "r"))
    node = None
    for i in range(n):
        branch = "b%d" % (i % 3) if i % 5 else "default"
        node = repo.commit_files({b"f": FileChange(b"%d\n" % i)}, user="u", date=(i, 0),
                                 message=str(i), branch=branch,
                                 extra={"close": "1"} if i % 7 == 6 else None,
                                 **({"p1": node} if node and i % 4 else {}))
    return repo


def _reads(monkeypatch):
    from amalgam.storage.changelog import Changelog

    reads = []
    real = Changelog.read
    monkeypatch.setattr(Changelog, "read", lambda self, rev: reads.append(rev) or real(self, rev))
    return reads


def _same(a, b):
    assert (a.heads, a.closed) == (b.heads, b.closed)


def test_the_heads_are_kept_so_the_next_process_reads_only_new_changesets(tmp_path, monkeypatch):
    repo = _history(tmp_path)
    full = branches._compute(repo, None)
    _same(branches.branchmap(repo), full)
    assert (tmp_path / "r" / ".hg" / branches.CACHE).exists()
    repo.commit_files({b"g": FileChange(b"x\n")}, user="u", date=(99, 0), message="new",
                      branch="b1")
    reads = _reads(monkeypatch)
    again = Repository.open(str(tmp_path / "r"))  # another process: memory is empty
    bmap = branches.branchmap(again)
    assert reads == [30]
    monkeypatch.undo()
    _same(bmap, branches._compute(again, None))
    assert bmap.branch(3) == again.changelog.read(3).branch


def test_a_cache_for_another_history_or_damaged_is_recomputed(tmp_path):
    repo = _history(tmp_path)
    branches.branchmap(repo)
    cache = tmp_path / "r" / ".hg" / branches.CACHE
    good = cache.read_bytes()
    first, *rest = good.split(b"\n", 1)
    for bad in (b"", b"garbage", b"0" * 40 + b" 29\n" + rest[0],
                first + b"\n" + b"f" * 40 + b" o default\n",
                first + b"\n" + rest[0].replace(b" o ", b" x ", 1),
                good.replace(b" 29\n", b" 99\n", 1)):
        cache.write_bytes(bad)
        fresh = Repository.open(str(tmp_path / "r"))
        _same(branches.branchmap(fresh), branches._compute(fresh, None))
