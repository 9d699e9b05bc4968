"""``commit --amend`` scenarios run with amg and hg on copies of one repository.

Each asserts the same stdout (the backup bundle's path included), exit
code, resulting nodes/phases/bookmarks/status and a clean ``hg verify``,
and that both sides saved the same backup bundle names.
"""
from __future__ import annotations

import os

import pytest

from .differential import DATE, Twin


@pytest.fixture(autouse=True)
def _editor(isolated_env):
    # Amend without -m opens the editor in both tools; "true" keeps the text.
    isolated_env["HGEDITOR"] = "true"


def _backups(root) -> list[str]:
    path = root / ".hg" / "strip-backup"
    return sorted(os.listdir(path)) if path.exists() else []


def _check(twin: Twin) -> None:
    twin.assert_same_state()
    assert _backups(twin.a) == _backups(twin.h)


def _base(twin: Twin) -> None:
    """Two draft changesets: a (root) and b on top of it."""
    twin.write("a", "one\n")
    twin.write("keep", "k\n")
    twin.same("add", "a", "keep")
    twin.same("commit", "-m", "first", *DATE)
    twin.write("a", "one\ntwo\n")
    twin.same("commit", "-m", "second", "-d", "1 0")


def test_amend_message_only(twin):
    _base(twin)
    twin.same("commit", "--amend", "-m", "second, reworded")
    _check(twin)


def test_amend_modified_file_keeps_message(twin):
    _base(twin)
    twin.write("a", "one\ntwo\nthree\n")
    twin.same("commit", "--amend")
    _check(twin)
    twin.same("log", "-v", "-r", ".")


def test_amend_add_and_remove(twin):
    _base(twin)
    twin.write("new", "n\n")
    twin.same("add", "new")
    twin.same("remove", "keep")
    twin.same("commit", "--amend", "-m", "add new, drop keep", "-d", "2 0")
    _check(twin)


def test_amend_rename_and_copy_chain(twin):
    _base(twin)
    twin.same("copy", "a", "b")
    twin.same("commit", "-m", "copy a to b", "-d", "2 0")
    twin.same("rename", "b", "c")
    twin.same("rename", "keep", "kept")
    twin.same("commit", "--amend", "-d", "3 0")
    _check(twin)
    twin.same("log", "-r", ".", "-T", "{file_copies}\n")


def test_amend_addremove(twin):
    _base(twin)
    twin.write("untracked", "u\n")
    twin.remove("keep")
    twin.same("commit", "--amend", "-A", "-m", "addremove")
    _check(twin)


def test_amend_moves_bookmarks(twin):
    _base(twin)
    twin.same("bookmark", "active")
    twin.same("bookmark", "-r", ".", "other")
    twin.write("a", "changed\n")
    twin.same("commit", "--amend", "-m", "on bookmarks")
    _check(twin)
    twin.same("bookmarks")


def test_amend_head_with_later_heads(twin):
    _base(twin)
    twin.same("update", "0")
    twin.write("side", "s\n")
    twin.same("add", "side")
    twin.same("commit", "-m", "side branch", "-d", "2 0")
    twin.same("update", "1")
    twin.write("a", "amended\n")
    twin.same("commit", "--amend", "-m", "amended middle")
    _check(twin)


def test_amend_root(twin):
    twin.write("r", "root\n")
    twin.same("add", "r")
    twin.same("commit", "-m", "root", *DATE)
    twin.write("r2", "second file\n")
    twin.same("add", "r2")
    twin.same("commit", "--amend", "-m", "root with two files")
    _check(twin)


def test_amend_exec_bit(twin):
    _base(twin)
    twin.each(lambda root: os.chmod(root / "a", 0o755))
    twin.same("commit", "--amend")
    _check(twin)


def test_amend_symlink(twin):
    _base(twin)
    twin.symlink("a", "link")
    twin.same("add", "link")
    twin.same("commit", "--amend", "-m", "with a link")
    _check(twin)


def test_amend_partial_keeps_other_changes(twin):
    _base(twin)
    twin.write("a", "a changed\n")
    twin.write("keep", "keep changed\n")
    twin.same("commit", "--amend", "keep")
    _check(twin)
    twin.same("status")


def test_amend_secret_stays_secret_and_user_date(twin):
    _base(twin)
    twin.same("phase", "--force", "--secret", ".")
    twin.same("commit", "--amend", "-u", "someone else", "-d", "5 60")
    _check(twin)


def test_amend_close_branch(twin):
    _base(twin)
    twin.same("commit", "--amend", "--close-branch", "-m", "closed default")
    _check(twin)
    twin.same("branches", "--closed")


def test_amend_onto_named_branch(twin):
    _base(twin)
    twin.same("branch", "feature")
    twin.same("commit", "--amend", "--close-branch", "-m", "no heads", stderr=True)
    twin.same("commit", "--amend", "-m", "moved to feature")
    _check(twin)
    twin.same("branches")


def test_amend_twice_and_logfile(twin):
    _base(twin)
    twin.write("a", "x\n")
    twin.same("commit", "--amend")
    twin.each(lambda root: (root / "msg.txt").write_text("from a file\n"))
    twin.same("commit", "--amend", "-l", "msg.txt", "-X", "msg.txt")
    _check(twin)


def test_amend_merge_changeset(twin):
    _base(twin)
    twin.same("update", "0")
    twin.write("z", "z\n")
    twin.same("add", "z")
    twin.same("commit", "-m", "other head", "-d", "2 0")
    twin.same("merge", "1")
    twin.same("commit", "-m", "merge", "-d", "3 0")
    twin.write("z", "z\nmore\n")
    twin.same("commit", "--amend", "-m", "merge, amended")
    _check(twin)


def test_amend_undoes_the_old_changes(twin):
    """Reverting, re-adding and removing what the old changeset did."""
    _base(twin)
    twin.write("added", "new in second\n")
    twin.same("add", "added")
    twin.same("remove", "keep")
    twin.same("commit", "-m", "third", "-d", "2 0")
    twin.write("a", "one\ntwo\n")  # unchanged from the parent after all
    twin.same("remove", "added")
    twin.write("keep", "k\n")
    twin.same("add", "keep")
    twin.same("commit", "--amend")
    _check(twin)
    twin.same("log", "-r", ".", "-T", "{files}|{file_adds}|{file_dels}\n")


def test_amend_with_copy_of_untouched_file(twin):
    _base(twin)
    twin.same("copy", "keep", "keep2")
    twin.same("commit", "--amend", "-m", "second with a copy")
    twin.same("log", "-r", ".", "-T", "{file_copies}\n")
    twin.write("keep2", "edited copy\n")
    twin.same("commit", "--amend")
    twin.same("log", "-r", ".", "-T", "{file_copies}\n")
    _check(twin)


def test_amend_nothing_changed(twin):
    _base(twin)
    twin.same("commit", "--amend")
    twin.same("commit", "--amend", "-m", "second", "-d", "1 0")
    _check(twin)


@pytest.mark.parametrize("setup", ["public", "children", "merging", "null"])
def test_amend_refusals(twin, setup):
    _base(twin)
    if setup == "public":
        twin.same("phase", "--public", ".")
    elif setup == "children":
        twin.same("update", "0")
    elif setup == "merging":
        twin.same("update", "0")
        twin.write("other", "o\n")
        twin.same("add", "other")
        twin.same("commit", "-m", "other head", "-d", "2 0")
        twin.same("merge", "1")
    else:
        twin.same("update", "null")
    twin.write("keep", "changed\n") if setup != "null" else None
    twin.same("commit", "--amend", "-m", "refused", stderr=True)
    twin.same("commit", "--amend", "-m", "refused", "--config", "ui.detailed-exit-code=yes")
    _check(twin)


# -- debugstrip: the strip under amend, driven directly ---------------------------


def _branches(twin: Twin) -> None:
    """0 - 1 - 2 and 0 - 3 (a later head), working directory on 2, bookmark on 1."""
    _base(twin)
    twin.write("c", "c\n")
    twin.same("add", "c")
    twin.same("commit", "-m", "third", "-d", "2 0")
    twin.same("update", "0")
    twin.write("side", "s\n")
    twin.same("add", "side")
    twin.same("commit", "-m", "side", "-d", "3 0")
    twin.same("bookmark", "-r", "1", "mark")
    twin.same("phase", "--force", "--secret", "3")
    twin.same("update", "2")


@pytest.mark.parametrize("args", [
    ("3",), ("1",), ("-r", "1", "--no-backup"), ("0",), ("-k", "1"), ("2", "3"), ()])
def test_debugstrip(twin, args):
    _branches(twin)
    twin.same("debugstrip", *args)
    _check(twin)


def test_debugstrip_local_changes(twin):
    _branches(twin)
    twin.write("a", "local\n")
    twin.same("debugstrip", "1", stderr=True)
    twin.same("debugstrip", "3")
    twin.same("debugstrip", "-f", "1")
    _check(twin)
