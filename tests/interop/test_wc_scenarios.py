"""Working-copy scenarios run by amg and by hg on twin repositories.

Each scenario asserts the same stdout and exit code for every command and
the same repository afterwards (nodes, parents, status as hg sees it, a
clean ``hg verify``).
"""
from __future__ import annotations

import os

import pytest

D = ("-d", "0 0")


def _base(twin) -> None:
    twin.write("a", "a\n")
    twin.write("b", "b\n")
    twin.write("d/c", "c\n")
    twin.same("add")
    twin.same("commit", "-m", "base", *D)


def test_edit_and_commit(twin):
    _base(twin)
    twin.write("a", "a2\n")
    twin.same("status")
    twin.same("commit", "-m", "edit", *D)
    twin.same("status", "-A")
    twin.assert_same_state()


def test_add_everything_and_explicit(twin):
    twin.write("x", "1\n")
    twin.write("d/y", "2\n")
    twin.same("add", "x")
    twin.same("add")
    twin.same("add", "x")
    twin.same("add", "nonexistent", stderr=True)
    twin.same("status")
    twin.assert_same_state()


def test_forget_and_remove_rules(twin):
    _base(twin)
    twin.write("a", "changed\n")
    twin.write("new", "n\n")
    twin.same("add", "new")
    twin.same("remove", "a", stderr=True)
    twin.same("remove", "new", stderr=True)
    twin.same("remove", "-f", "new")
    twin.same("forget", "d")
    twin.same("remove", "b")
    twin.same("status")
    twin.same("commit", "-m", "removals", *D)
    twin.assert_same_state()


def test_remove_after_for_deleted_files(twin):
    _base(twin)
    twin.remove("a")
    twin.same("status")
    twin.same("remove", "-A", "b", stderr=True)
    twin.same("remove", "-A")
    twin.same("commit", "-m", "gone", *D)
    twin.assert_same_state()


def test_nothing_changed_and_missing(twin):
    _base(twin)
    twin.same("commit", "-m", "nothing", *D)
    twin.remove("a")
    twin.same("commit", "-m", "nothing", *D)
    twin.same("commit", "-m", "x", *D, "a", stderr=True)
    twin.assert_same_state()


def test_ignored_files(twin):
    twin.write(".hgignore", "syntax: glob\n*.o\nbuild\nre:^tmp/\n")
    twin.write("src/main.c", "int main;\n")
    twin.write("src/main.o", "obj\n")
    twin.write("build/out", "x\n")
    twin.write("tmp/t", "x\n")
    twin.same("status")
    twin.same("status", "-i")
    twin.same("add")
    twin.same("add", "src/main.o")
    twin.same("status", "-A")
    twin.same("commit", "-m", "ignore", *D)
    twin.assert_same_state()


def test_ignore_include_and_subinclude(twin):
    twin.write(".hgignore", "subinclude:sub/.hgignore\ninclude:extra-ignore\n")
    twin.write("extra-ignore", "syntax: glob\n*.log\n")
    twin.write("sub/.hgignore", "syntax: glob\n*.tmp\n")
    twin.write("sub/x.tmp", "x")
    twin.write("x.tmp", "x")
    twin.write("a.log", "x")
    twin.write("sub/deep/b.log", "x")
    twin.same("status")
    twin.same("status", "-i")


def test_copy_and_rename(twin):
    _base(twin)
    twin.same("copy", "a", "a2")
    twin.same("rename", "b", "b2")
    twin.same("copy", "d", "e")
    twin.same("rename", "a2", "a3")
    twin.same("status", "-C")
    twin.same("commit", "-m", "copies", *D)
    twin.same("status", "-C", "--change", "tip")
    twin.assert_same_state()


def test_copy_refusals(twin):
    _base(twin)
    twin.write("untracked", "u\n")
    twin.same("copy", "a", "b", stderr=True)
    twin.same("copy", "a", "untracked", stderr=True)
    twin.same("copy", "untracked", "z", stderr=True)
    twin.same("copy", "a", "b", "nodir", stderr=True)
    twin.same("copy", "-A", "a", "notthere", stderr=True)
    twin.same("copy", "-f", "a", "untracked")
    twin.same("status", "-C")
    twin.assert_same_state()


def test_addremove_similarity(twin):
    twin.write("big", "".join(f"line {i}\n" for i in range(20)))
    twin.write("other", "o\n")
    twin.same("commit", "-A", "-m", "one", *D)
    twin.each(lambda root: os.rename(root / "big", root / "moved"))
    twin.write("moved", "".join(f"line {i}\n" for i in range(21)))
    twin.remove("other")
    twin.write("fresh", "f\n")
    twin.same("addremove", "-s", "75")
    twin.same("status", "-C")
    twin.same("commit", "-m", "two", *D)
    twin.assert_same_state()


def test_exec_bit_and_symlinks(twin):
    twin.write("script", "#!/bin/sh\n", mode=0o755)
    twin.write("plain", "p\n")
    twin.symlink("plain", "link")
    twin.same("add")
    twin.same("commit", "-m", "modes", *D)
    twin.each(lambda root: os.chmod(root / "plain", 0o755))
    twin.same("status")
    twin.symlink("script", "link")
    twin.same("status")
    twin.same("commit", "-m", "flip", *D)
    twin.same("status", "-A")
    twin.assert_same_state()


def test_binary_and_non_utf8_names(twin):
    twin.write(b"caf\xe9.bin", b"\0\1\2\xff")
    twin.write(b"dir\xff/x", b"x\n")
    twin.same("add")
    twin.same("status")
    twin.same("commit", "-m", "bytes", *D)
    twin.write(b"caf\xe9.bin", b"\0\1\2\xfe")
    twin.same("status")
    twin.assert_same_state()


def test_relative_paths_from_subdirectory(twin):
    _base(twin)
    twin.write("d/new", "n\n")
    twin.write("a", "changed\n")
    twin.same("status", cwd="d")
    twin.same("status", ".", cwd="d")
    twin.same("status", "..", cwd="d")
    twin.same("add", cwd="d")
    twin.same("status", "-n", "glob:*", cwd="d")
    twin.same("commit", "-m", "sub", *D, ".", cwd="d")
    twin.assert_same_state()


def test_status_flags(twin):
    _base(twin)
    twin.write("a", "mod\n")
    twin.write("u", "unknown\n")
    twin.same("copy", "b", "bc")
    twin.remove("d/c")
    for flags in (["-m"], ["-a"], ["-r"], ["-d"], ["-u"], ["-c"], ["-A"], ["-q"],
                  ["-mardu"], ["-n"], ["-0"], ["-C"], ["-A", "-q"], ["--rev", "0"],
                  ["--rev", "0", "--rev", "0"], ["--change", "0"]):
        twin.same("status", *flags)


def test_status_patterns_and_include_exclude(twin):
    _base(twin)
    twin.write("d/c", "changed\n")
    twin.write("a", "changed\n")
    twin.write("z.txt", "new\n")
    for args in (["glob:**"], ["re:d/"], ["path:d"], ["rootfilesin:d"], ["-I", "d"],
                 ["-X", "d"], ["-X", "glob:*.txt"], ["d", "a"]):
        twin.same("status", *args)


def test_commit_partial_and_branch_close(twin):
    _base(twin)
    twin.write("a", "1\n")
    twin.write("b", "2\n")
    twin.same("commit", "-m", "only a", *D, "a")
    twin.same("status")
    twin.same("commit", "-m", "rest", "-u", "someone else", *D)
    twin.same("commit", "--close-branch", "-m", "closing", *D)
    twin.write("a", "3\n")
    twin.same("commit", "-m", "reopen", *D)
    twin.assert_same_state()


def test_commit_message_sources(twin, tmp_path):
    _base(twin)
    msg = tmp_path / "msg"
    msg.write_text("from a file\n\nbody\n")
    twin.write("a", "1\n")
    twin.same("commit", "-l", str(msg), *D)
    twin.write("a", "2\n")
    twin.same("commit", "-l", "-", *D, stdin=b"from stdin\n")
    twin.write("a", "3\n")
    twin.same("commit", "-m", "x", "-l", str(msg), *D)
    twin.same("commit", "-m", "dated", "-d", "2020-02-03 04:05 +0100")
    twin.write("a", "4\n")
    twin.same("commit", "-m", "dated", "-d", "2020-02-03 04:05 +0100")
    twin.same("commit", "-m", "x", "-d", "not a date")
    twin.assert_same_state()


def test_bad_paths_abort_like_hg(twin):
    _base(twin)
    twin.each(lambda root: os.symlink("d", root / "dl"))
    for args in (["add", ".hg/foo"], ["add", ".HG/foo"], ["add", "foo/.hg/bar"],
                 ["add", "../outside"], ["add", "dl/c"], ["status", "dl/c"],
                 ["copy", "a", ".hg/x"]):
        twin.same(*args)


@pytest.mark.parametrize("first", ["hg", "amg"])
def test_mixed_use_on_one_checkout(tmp_path, amg, hg, first):
    """hg and amg alternate on one working copy; each sees what the other did."""
    root = tmp_path / "r"
    hg("init", str(root))
    tools = {"hg": lambda *a: hg(*a, cwd=root), "amg": lambda *a: amg(*a, cwd=root)}
    one, two = (tools[first], tools["amg" if first == "hg" else "hg"])
    (root / "a").write_text("a\n")
    (root / "b").write_text("b\n")
    one("add", "a")
    assert two("status").stdout == "A a\n? b\n"
    two("add", "b")
    assert one("status").stdout == "A a\nA b\n"
    one("commit", "-m", "1", *D)
    (root / "a").write_text("changed\n")
    assert two("status").stdout == "M a\n"
    two("rename", "b", "c")
    assert one("status", "-C").stdout == "M a\nA c\n  b\nR b\n"
    two("commit", "-m", "2", *D)
    assert one("status", "-A").stdout == "C a\nC c\n"
    assert hg("verify", "-q", cwd=root).rc == 0


def test_new_head_and_verbose_commit(twin, hg):
    _base(twin)
    twin.write("a", "second\n")
    twin.same("commit", "-m", "two", *D)
    twin.each(lambda root: hg("update", "-q", "0", cwd=root))
    twin.write("b", "other line\n")
    twin.same("commit", "-v", "-m", "head", *D)
    twin.write("b", "more\n")
    twin.same("commit", "-q", "-m", "quiet", *D)
    twin.same("status", "--rev", "1", "--rev", "2", "-C")
    twin.assert_same_state()


def test_merge_commit_rules(twin, hg):
    _base(twin)
    twin.write("a", "left\n")
    twin.same("commit", "-m", "left", *D)
    twin.each(lambda root: hg("update", "-q", "0", cwd=root))
    twin.write("b", "right\n")
    twin.same("commit", "-m", "right", *D)
    twin.each(lambda root: hg("merge", "-q", "1", cwd=root))
    twin.same("status")
    twin.same("commit", "-m", "partial", *D, "a")
    twin.same("commit", "-m", "merged", *D)
    twin.assert_same_state()


def test_addremove_pairs_already_renamed_files(twin):
    twin.write("big", "".join(f"line {i}\n" for i in range(8)))
    twin.same("commit", "-A", "-m", "one", *D)
    twin.same("rename", "big", "big2")
    twin.write("big2", "".join(f"line {i}\n" for i in range(9)))
    twin.same("addremove", "-s", "50")
    twin.same("status", "-C")
    twin.same("commit", "-m", "two", *D)
    twin.assert_same_state()


def test_commit_moves_the_active_bookmark_like_hg(twin):
    twin.write("a", "one\n")
    twin.same("commit", "-A", "-m", "first", "-d", "0 0")
    twin.same("bookmark", "feature")
    twin.write("a", "two\n")
    twin.same("commit", "-m", "second", "-d", "1 0")
    twin.same("bookmarks")
    twin.same("bookmark", "-i")
    twin.write("a", "three\n")
    twin.same("commit", "-m", "third", "-d", "2 0")
    twin.same("bookmarks")
    twin.assert_same_state()
