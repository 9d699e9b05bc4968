"""Which added files count as copies between two revisions, decided as hg does.

A copy only shows (``status -C --rev``, ``diff --git -r -r``) when the first
revision's version of the source is in the copied file's ancestry (copy
records standing in for first parents); otherwise it is a new file.
Branches that meet only at a common ancestor chain backward renames with
forward copies.  (The benchmark history, 5,000 changesets, showed these
rules apart from a plain "source exists in the first revision" check.)
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def history(hg, tmp_path: Path) -> Path:
    root = tmp_path / "r"
    hg("init", str(root))

    def commit(message: str, *args: str) -> None:
        hg("commit", "-q", "-A", "-u", "t", "-d", "0 0", "-m", message, *args, cwd=root)

    (root / "src").write_text("one\n")
    (root / "old").write_text("old\n")
    (root / "keep").write_text("keep\n")
    commit("0: base")
    hg("copy", "src", "plain-copy", cwd=root)
    commit("1: copy of the base's src")
    (root / "src").write_text("one\ntwo\n")
    commit("2: edit src")
    hg("copy", "src", "copy-of-edited", cwd=root)
    hg("rename", "old", "renamed", cwd=root)
    commit("3: copy the edited src, rename old")
    hg("update", "-q", "0", cwd=root)
    hg("rename", "keep", "kept-elsewhere", cwd=root)
    (root / "src").write_text("one\nother branch\n")
    commit("4: other branch renames keep, edits src its own way")
    return root


@pytest.mark.parametrize("revs", [("0", "3"), ("1", "3"), ("3", "0"), ("3", "4"),
                                  ("4", "3"), ("2", "4"), ("0", "4")])
def test_copies_between_revisions_match_hg(history, hg, amg, revs) -> None:
    a, b = revs
    for args in (["status", "-C", "--rev", a, "--rev", b], ["diff", "--git", "-r", a, "-r", b]):
        ours = amg(*args, cwd=history)
        theirs = hg(*args, cwd=history)
        assert (ours.rc, ours.stdout) == (theirs.rc, theirs.stdout), args
