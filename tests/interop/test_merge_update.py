"""amg update/merge/resolve/revert against hg on copies of the same repository.

Every scenario builds the same history in both copies (with hg, fixed
dates), runs one command line on each side and compares stdout, exit code
and, where the messages are ours too, stderr with the program name
normalised; then the state real hg reports (nodes, parents, status,
bookmarks) and the working files.
"""
from __future__ import annotations

import os

import pytest

from .differential import DATE


def hg_both(twin, *args):
    """Run real hg in both copies (setting up identical history)."""
    for root in (twin.a, twin.h):
        twin._hg(*args, cwd=root)


def commit(twin, message, *extra):
    hg_both(twin, "commit", "-q", "-A", "-m", message, *DATE, *extra)


def alike(twin, *args, stderr=True):
    """Like ``twin.same`` but hg's name in hints (stdout too) is normalised."""
    ra, rh = twin.run(*args)
    out_a = twin._normal(ra.stdout, twin.a).replace("'amg ", "'hg ")
    out_h = twin._normal(rh.stdout, twin.h)
    context = (f"command: {' '.join(args)}\n--- amg (rc {ra.rc}) ---\n{ra.stdout}"
               f"{ra.stderr}\n--- hg (rc {rh.rc}) ---\n{rh.stdout}{rh.stderr}")
    assert out_a == out_h, context
    assert ra.rc == rh.rc, context
    if stderr:
        err_a = twin._normal(ra.stderr, twin.a).replace("amg", "hg")
        assert err_a == twin._normal(rh.stderr, twin.h), context
    return ra, rh


def files_of(root):
    """Every working file (not .hg) with its content, exec bit and link target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".hg"]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                out[rel] = ("link", os.readlink(full))
            else:
                with open(full, "rb") as fp:
                    out[rel] = (fp.read(), bool(os.stat(full).st_mode & 0o100))
    return out


def same_everywhere(twin):
    twin.assert_same_state()
    assert files_of(twin.a) == files_of(twin.h)
    # The merge state must read the same in hg on both sides.
    ra = twin._hg("resolve", "-l", cwd=twin.a)
    rh = twin._hg("resolve", "-l", cwd=twin.h)
    assert ra.stdout == rh.stdout


@pytest.fixture
def forked(twin):
    """0: base; 1: edits f line 2 (default head); 2: edits f line 5, changes g."""
    twin.write("f", "1\n2\n3\n4\n5\n")
    twin.write("g", "g\n")
    commit(twin, "base")
    twin.write("f", "1\nTWO\n3\n4\n5\n")
    commit(twin, "local")
    hg_both(twin, "update", "-q", "0")
    twin.write("f", "1\n2\n3\n4\nFIVE\n")
    twin.write("g", "g2\n")
    commit(twin, "other")
    hg_both(twin, "update", "-q", "1")
    return twin


@pytest.fixture
def conflicting(twin):
    """Like *forked* but both heads edit line 2 of f."""
    twin.write("f", "1\n2\n3\n")
    twin.write("g", "g\n")
    commit(twin, "base")
    twin.write("f", "1\nlocal\n3\n")
    commit(twin, "local")
    hg_both(twin, "update", "-q", "0")
    twin.write("f", "1\nother\n3\n")
    twin.write("g", "g2\n")
    commit(twin, "other")
    hg_both(twin, "update", "-q", "1")
    return twin


# -- update ---------------------------------------------------------------------


@pytest.mark.parametrize("target", ["0", "2", "null", "tip"])
def test_update_to_revisions(forked, target):
    alike(forked, "update", target)
    same_everywhere(forked)


def test_update_aliases_and_rev_flag(forked):
    alike(forked, "checkout", "0")
    alike(forked, "co", "-r", "2")
    alike(forked, "up", "-r", "1", "2")
    same_everywhere(forked)


def test_update_without_revision_goes_to_newest_head(forked):
    hg_both(forked, "update", "-q", "0")
    alike(forked, "update")
    same_everywhere(forked)


def test_update_from_null_and_back(forked):
    alike(forked, "update", "null")
    alike(forked, "update")
    same_everywhere(forked)


def test_update_carries_local_change_cleanly(forked):
    hg_both(forked, "update", "-q", "0")
    forked.write("g", "g local\n")
    forked.write("f", "1\n2\n3\nfour\n5\n")
    alike(forked, "update", "1")
    same_everywhere(forked)


def test_update_carries_local_change_with_conflict(forked):
    hg_both(forked, "update", "-q", "0")
    forked.write("f", "1\nmine\n3\n4\n5\n")
    alike(forked, "update", "1")
    same_everywhere(forked)
    alike(forked, "resolve", "-l")


def test_update_clean_discards_changes(forked):
    forked.write("f", "scribble\n")
    forked.write("new", "n\n")
    hg_both(forked, "add", "new")
    forked.remove("g")
    alike(forked, "update", "-C", "2")
    same_everywhere(forked)


def test_update_check_refuses_dirty(forked):
    forked.write("f", "scribble\n")
    alike(forked, "update", "-c", "0")
    alike(forked, "update", "-C", "-c", "0")
    same_everywhere(forked)


def test_update_across_branches_with_changes_aborts(forked):
    forked.write("f", "scribble\n")
    alike(forked, "update", "2")
    same_everywhere(forked)


def test_update_refuses_differing_untracked_file(forked):
    forked.write("extra", "mine\n")
    hg_both(forked, "update", "-q", "0")
    forked.write("g2", "x\n")
    hg_both(forked, "update", "-q", "2")
    forked.write("h", "h\n")
    commit(forked, "adds h")
    hg_both(forked, "update", "-q", "1")
    forked.write("h", "different\n")
    alike(forked, "update", "3")
    same_everywhere(forked)


def test_update_to_bookmark_activates_and_leaves(forked):
    hg_both(forked, "bookmark", "-r", "2", "feature")
    alike(forked, "update", "feature")
    same_everywhere(forked)
    alike(forked, "update", "0")
    same_everywhere(forked)


def test_update_symlinks_exec_bits_and_binary(twin):
    twin.write("script", "#!/bin/sh\n", mode=0o755)
    twin.symlink("script", "link")
    twin.write("blob", b"\0\1\2")
    commit(twin, "one")
    twin.write("script", "#!/bin/sh\necho\n", mode=0o644)
    twin.symlink("blob", "link")
    twin.write("blob", b"\0\3")
    twin.write("dir/deep/file", "x\n")
    commit(twin, "two")
    alike(twin, "update", "0")
    same_everywhere(twin)
    alike(twin, "update", "1")
    same_everywhere(twin)


def test_update_non_utf8_names(twin):
    twin.write(b"caf\xe9", "latin-1 name\n")
    commit(twin, "one")
    alike(twin, "update", "null")
    alike(twin, "update", "0")
    same_everywhere(twin)


def test_interrupted_update_is_finished_by_rerunning(forked):
    for root in (forked.a, forked.h):
        (root / ".hg" / "updatestate").write_text("0" * 40 + "\n")
    alike(forked, "update", "2")
    assert not (forked.a / ".hg" / "updatestate").exists()
    same_everywhere(forked)


# -- merge -----------------------------------------------------------------------


def test_merge_without_conflicts_then_commit_same_nodes(forked):
    alike(forked, "merge")
    same_everywhere(forked)
    commit(forked, "merged")
    same_everywhere(forked)


def test_merge_conflict_markers_resolve_and_commit(conflicting):
    alike(conflicting, "merge", "2")
    same_everywhere(conflicting)
    alike(conflicting, "resolve", "-l")
    conflicting.write("f", "1\nboth\n3\n")
    alike(conflicting, "resolve", "-m", "f")
    same_everywhere(conflicting)
    commit(conflicting, "merged")
    same_everywhere(conflicting)


@pytest.mark.parametrize("tool", [":local", ":other", ":union", ":fail", ":merge3",
                                  ":merge-local", ":merge-other"])
def test_merge_tools(conflicting, tool):
    alike(conflicting, "merge", "--tool", tool, "2")
    same_everywhere(conflicting)


def test_merge_abort_restores(conflicting):
    alike(conflicting, "merge", "2")
    alike(conflicting, "merge", "--abort")
    same_everywhere(conflicting)
    alike(conflicting, "merge", "--abort")


def test_merge_errors(forked):
    alike(forked, "merge", "0")
    alike(forked, "merge", "1")
    hg_both(forked, "update", "-q", "0")
    alike(forked, "merge")
    hg_both(forked, "update", "-q", "2")
    forked.write("f", "dirty\n")
    alike(forked, "merge", "1")
    hg_both(forked, "update", "-q", "-C", "1")
    alike(forked, "merge", "2", "-q")
    alike(forked, "merge", "2")
    alike(forked, "update", "0")


def test_merge_single_head_and_three_heads(twin):
    twin.write("a", "a\n")
    commit(twin, "zero")
    alike(twin, "merge")
    for name in ("x", "y"):
        hg_both(twin, "update", "-q", "0")
        twin.write(name, name)
        commit(twin, name)
    alike(twin, "merge")
    same_everywhere(twin)


def test_merge_change_delete_conflicts(twin):
    twin.write("a", "a\n")
    twin.write("b", "b\n")
    commit(twin, "base")
    twin.write("a", "a2\n")
    hg_both(twin, "remove", "b")
    commit(twin, "one")
    hg_both(twin, "update", "-q", "0")
    hg_both(twin, "remove", "a")
    twin.write("b", "b2\n")
    commit(twin, "two")
    alike(twin, "merge", "1")
    same_everywhere(twin)


def test_merge_takes_exec_bit_and_removal_from_other(twin):
    twin.write("run", "echo\n")
    twin.write("gone", "x\n")
    twin.write("kept", "k\n")
    commit(twin, "base")
    twin.write("kept", "k2\n")
    commit(twin, "one")
    hg_both(twin, "update", "-q", "0")
    twin.write("run", "echo\n", mode=0o755)
    hg_both(twin, "remove", "gone")
    twin.write("new", "n\n")
    commit(twin, "two")
    hg_both(twin, "update", "-q", "1")
    alike(twin, "merge")
    same_everywhere(twin)
    commit(twin, "merged")
    same_everywhere(twin)


def test_merge_binary_conflict(twin):
    twin.write("bin", b"\0base")
    commit(twin, "base")
    twin.write("bin", b"\0one")
    commit(twin, "one")
    hg_both(twin, "update", "-q", "0")
    twin.write("bin", b"\0two")
    commit(twin, "two")
    alike(twin, "merge", "1")
    same_everywhere(twin)


def test_merge_preview(forked):
    alike(forked, "merge", "-P", "2")
    same_everywhere(forked)


# -- resolve --------------------------------------------------------------------


def test_resolve_without_merge(forked):
    alike(forked, "resolve", "-l")
    alike(forked, "resolve", "-a")
    alike(forked, "resolve", "-m")
    alike(forked, "resolve")


def test_resolve_marks_and_remerges(conflicting):
    alike(conflicting, "merge", "2")
    alike(conflicting, "resolve", "-m", "-a")
    alike(conflicting, "resolve", "-l")
    alike(conflicting, "resolve", "-u", "f")
    alike(conflicting, "resolve", "-l")
    alike(conflicting, "resolve", "-m", "nothere")
    alike(conflicting, "resolve", "--tool", ":other", "-a")
    alike(conflicting, "resolve", "-l")
    same_everywhere(conflicting)


def test_resolve_remerge_keeps_conflict(conflicting):
    alike(conflicting, "merge", "2")
    alike(conflicting, "resolve", "-a")
    same_everywhere(conflicting)


# -- revert ---------------------------------------------------------------------


@pytest.fixture
def edited(twin):
    for name in "abcde":
        twin.write(name, name + "\n")
    commit(twin, "zero")
    hg_both(twin, "remove", "e")
    twin.write("f", "f\n")
    twin.write("a", "a1\n")
    commit(twin, "one")
    twin.write("a", "a1 more\n")
    hg_both(twin, "remove", "b")
    twin.remove("c")
    twin.write("n", "n\n")
    hg_both(twin, "add", "n")
    return twin


@pytest.mark.parametrize("args", [
    ("--all",), ("--all", "-n"), ("--all", "-r", "0"), ("--all", "-r", "0", "-n"),
    ("--all", "--no-backup"), ("-C", "--all"), ("a", "n"), ("-v", "a", "b"),
    ("nothere",), ("d",), ("-r", "0", "e"), ("-I", "a", "--all"),
])
def test_revert(edited, args):
    alike(edited, "revert", *args)
    same_everywhere(edited)


def test_revert_needs_names(edited):
    alike(edited, "revert")
    hg_both(edited, "revert", "-q", "--all", "--no-backup")
    edited.remove("n")
    alike(edited, "revert")


def test_revert_during_merge_needs_rev(conflicting):
    alike(conflicting, "merge", "--tool", ":local", "2")
    alike(conflicting, "revert", "--all")
    alike(conflicting, "revert", "-r", ".", "--all")
    same_everywhere(conflicting)


# -- mixed use ------------------------------------------------------------------


def test_mixed_hg_merge_then_amg_resolve_then_hg_commit(conflicting, amg, hg):
    root = conflicting.a
    hg("merge", "2", cwd=root, check=False)
    assert amg("resolve", "-l", cwd=root).stdout == "U f\n"
    (root / "f").write_text("1\nfixed\n3\n")
    assert amg("resolve", "-m", "f", cwd=root).rc == 0
    assert hg("resolve", "-l", cwd=root).stdout == "R f\n"
    hg("commit", "-m", "merged", *DATE, cwd=root)
    hg("verify", "-q", cwd=root)


def test_mixed_amg_merge_then_hg_resolve(conflicting, amg, hg):
    root = conflicting.a
    assert amg("merge", "2", cwd=root).rc == 1
    assert hg("resolve", "-l", cwd=root).stdout == "U f\n"
    hg("resolve", "--tool", ":other", "-a", cwd=root)
    assert amg("resolve", "-l", cwd=root).stdout == "R f\n"
    hg("commit", "-m", "merged", *DATE, cwd=root)
    assert amg("update", "0", cwd=root).rc == 0
    assert hg("status", cwd=root).stdout == "? f.orig\n"
    hg("update", "tip", cwd=root)
    assert amg("update", "-C", "1", cwd=root).rc == 0
    assert hg("status", "-A", cwd=root).stdout == "? f.orig\nC f\nC g\n"


def test_update_with_removed_and_added_files(forked):
    hg_both(forked, "update", "-q", "0")
    hg_both(forked, "remove", "g")
    forked.write("added", "a\n")
    hg_both(forked, "add", "added")
    alike(forked, "update", "1")
    same_everywhere(forked)
    alike(forked, "update", "null")
    same_everywhere(forked)
