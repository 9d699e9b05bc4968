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
    assert not (tmp_path / "r" / ".hg" / "cache").exists()
