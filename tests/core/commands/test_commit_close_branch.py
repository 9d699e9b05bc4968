"""``amg commit --close-branch``: hg's refusals for branches without heads and non-heads."""
from __future__ import annotations

import pytest


@pytest.fixture
def repo(amg, tmp_path):
    root = tmp_path / "r"
    amg("init", str(root))
    for i in range(2):
        (root / "f").write_text(f"{i}\n")
        assert amg("commit", "-A", "-m", str(i), "-d", f"{i} 0", cwd=root).rc == 0
    return root


def test_close_branch_without_heads(amg, repo):
    amg("branch", "feature", cwd=repo)
    result = amg("commit", "--close-branch", "-m", "x", "--config",
                 "ui.detailed-exit-code=yes", cwd=repo)
    assert (result.rc, result.err) == (10, b'abort: branch "feature" has no heads to close\n')


def test_close_branch_from_non_head(amg, repo):
    amg("update", "0", cwd=repo)
    result = amg("commit", "--close-branch", "-m", "x", cwd=repo)
    assert result.rc == 255
    assert result.err == (b"abort: can only close branch heads\n(use --force-close-branch "
                          b"to close branch from a non-head changeset)\n")
    forced = amg("commit", "--force-close-branch", "-m", "x", cwd=repo)
    assert forced.rc == 0, forced.err
    assert amg("log", "-r", "tip", "-T", "{extras}", cwd=repo).out.endswith(b"close=1")


def test_close_branch_head(amg, repo):
    assert amg("commit", "--close-branch", "-m", "closing", cwd=repo).rc == 0
    assert amg("heads", "-T", "{rev}\n", cwd=repo).out == b""
