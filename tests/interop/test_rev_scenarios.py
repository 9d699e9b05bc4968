"""Scenarios for the revision commands: amg and hg on copies of one repository.

Each test sets up history with hg in both copies (same dates, so same
nodes), then runs identify/heads/parents/summary/branch(es)/bookmarks/
tag(s)/phase with amg on one side and hg on the other, comparing stdout,
exit code and the state left behind.
"""
from __future__ import annotations

import pytest

from .differential import Twin


def both(twin: Twin, hg, *args: str) -> None:
    """Run a setup command with hg in both copies."""
    for root in (twin.a, twin.h):
        hg(*args, cwd=root)


@pytest.fixture
def branchy(twin, hg):
    """default: 0-1-3, feature: 2 (off 1, closed later in some tests), a tag, a bookmark."""
    twin.write("a", "a\n")
    both(twin, hg, "commit", "-Aqm", "first", "-d", "0 0")
    twin.write("b", "b\n")
    both(twin, hg, "commit", "-Aqm", "second\nmore text", "-d", "1 0")
    both(twin, hg, "branch", "-q", "feature")
    twin.write("a", "feature\n")
    both(twin, hg, "commit", "-qm", "on feature", "-d", "2 0")
    both(twin, hg, "update", "-q", "1")
    twin.write("c", "c\n")
    both(twin, hg, "commit", "-Aqm", "third", "-d", "3 3600")
    both(twin, hg, "bookmark", "-r", "2", "feat-mark")
    both(twin, hg, "tag", "-l", "-r", "1", "local-one")
    return twin


LISTINGS = [
    ("identify",), ("id", "-n"), ("id", "-nibtB"), ("id", "-r", "0"), ("id", "-r", "2", "-b"),
    ("id", "--debug"), ("id", "-q"), ("heads",), ("heads", "-t"), ("heads", "default"),
    ("heads", "feature", "-q"), ("heads", "-r", "2"), ("heads", "nope"), ("parents",),
    ("parents", "-r", "3"), ("parents", "-r", "0"), ("parents", "c"), ("parents", "-r", "3", "b"),
    ("parents", "zzz"), ("branches",), ("branches", "-q"), ("branches", "--debug"),
    ("branch",), ("tags",), ("tags", "-v"), ("tags", "-q"), ("bookmarks",),
    ("bookmarks", "-q"), ("phase",), ("phase", "-r", ":"), ("summary",), ("sum", "-q"),
]


def test_listing_commands(branchy):
    # One history for all of them: hg is slow to start and the setup is shared.
    for args in LISTINGS:
        branchy.same(*args)


def test_dirty_working_copy_identify_and_summary(branchy, hg):
    branchy.write("a", "changed\n")
    branchy.write("new", "x\n")
    branchy.same("id")
    branchy.same("id", "-n")
    branchy.same("summary")
    both(branchy, hg, "add", "new")
    both(branchy, hg, "remove", "b")
    both(branchy, hg, "copy", "c", "c2")
    branchy.same("summary")
    branchy.assert_same_state()


def test_summary_in_a_merge_and_on_null(branchy, hg):
    both(branchy, hg, "merge", "-q", "feature")
    branchy.same("summary")
    branchy.same("id")
    branchy.same("parents")
    both(branchy, hg, "update", "-qC", "null")
    branchy.same("summary")
    branchy.same("id")


def test_bookmark_lifecycle(branchy):
    for args in (("bookmark", "work"), ("bookmarks",), ("bookmark", "-r", "0", "old"),
                 ("bookmark", "-r", "1", "old"), ("bookmark", "-r", "0", "old"),
                 ("bookmark", "-f", "-r", "0", "old"), ("bookmark", "-m", "old", "older"),
                 ("bookmark", "-m", "older", "work"), ("bookmark", "-i"), ("bookmarks",),
                 ("bookmark", "-d", "older"), ("bookmark", "-d", "missing"),
                 ("bookmark", "feature"), ("bookmark", "12"), ("bookmark", "a:b"),
                 ("bookmark", "tip"), ("bookmark", "-l", "work"), ("bookmark", "-d", "-m", "x"),
                 ("bookmark", "-r", "1")):
        branchy.same(*args)
    branchy.assert_same_state()


def test_bookmark_moves_forward_only_without_force(branchy):
    branchy.same("bookmark", "-r", "0", "fw")
    branchy.same("bookmark", "fw")          # 0 -> 3 is forward: moves, becomes active
    branchy.same("bookmark", "-r", "2", "fw")
    branchy.same("bookmarks")
    branchy.assert_same_state()


def test_active_bookmark_follows_a_tag_commit(branchy):
    branchy.same("bookmark", "act")
    branchy.same("tag", "-d", "5 0", "v1")
    branchy.same("bookmarks")
    branchy.same("tags")
    branchy.assert_same_state()


def test_phase_moves(branchy):
    for args in (("phase", "-p", "1"), ("phase", "-r", ":"), ("phase", "-d", "0"),
                 ("phase", "-s", "3"), ("phase", "-s", "-f", "3"), ("phase", "-d", "-v", "3"),
                 ("phase", "-d", "-f", "0"), ("phase", "-s", "-f", "0"), ("phase", "-r", ":"),
                 ("phase", "-p", "2"), ("phase", "-p", "-d", "1"), ("phase", "-p", "null"),
                 ("summary",)):
        branchy.same(*args)
    branchy.assert_same_state()


def test_branch_command(branchy):
    for args in (("branch",), ("branch", "default"), ("branch", "feature"),
                 ("branch", "-f", "feature"), ("id",), ("branch", "-C"), ("branch", "  x  "),
                 ("branch",), ("summary",), ("branch", "a:b"), ("branch", "tip"),
                 ("branch", "12"), ("branch", "-C", "ignored")):
        branchy.same(*args)
    branchy.assert_same_state()


def test_first_named_branch_hint(twin, hg):
    twin.write("a", "a\n")
    both(twin, hg, "commit", "-Aqm", "first", "-d", "0 0")
    twin.same("branch", "topic")
    twin.assert_same_state()


def test_closed_branch_listings(branchy, hg):
    both(branchy, hg, "update", "-q", "feature")
    both(branchy, hg, "commit", "-q", "--close-branch", "-m", "done", "-d", "6 0")
    both(branchy, hg, "update", "-q", "default")
    for args in (("branches",), ("branches", "-c"), ("heads",), ("heads", "-c"),
                 ("heads", "feature"), ("heads", "-t"), ("branch", "feature"), ("summary",)):
        branchy.same(*args)


def test_inactive_branch(branchy, hg):
    both(branchy, hg, "update", "-q", "feature")
    both(branchy, hg, "merge", "-q", "default")
    both(branchy, hg, "commit", "-qm", "merge default in", "-d", "7 0")
    both(branchy, hg, "update", "-q", "default")
    both(branchy, hg, "branch", "-q", "-f", "default")
    twin = branchy
    twin.same("branches")
    twin.same("heads")
    twin.same("parents", "-r", "4")


def test_global_tags_add_move_remove(branchy):
    for args in (("tag", "-r", "0", "-d", "10 0", "v0"), ("tag", "-r", "1", "-d", "11 0", "v0"),
                 ("tag", "-f", "-r", "1", "-d", "12 0", "-m", "moved", "v0"),
                 ("tags",), ("tag", "--remove", "-d", "13 0", "v0"),
                 ("tag", "--remove", "-d", "13 0", "v0"), ("tag", "--remove", "nope"),
                 ("tag", "-d", "14 0", "-u", "someone", "a", "b"), ("tags", "-v"),
                 ("tag", "x", "x"), ("tag", " "), ("tag", "--remove", "-r", "1", "a"),
                 ("tag", "-r", "null", "n"), ("tag", "-d", "15 0", "default"), ("id",)):
        branchy.same(*args)
    branchy.assert_same_state()


def test_local_tags(branchy):
    for args in (("tag", "-l", "lt"), ("tag", "-l", "lt"), ("tag", "-l", "-f", "-r", "0", "lt"),
                 ("tags", "-v"), ("tag", "-l", "--remove", "lt"), ("tag", "--remove", "local-one"),
                 ("tags", "-v"), ("id",)):
        branchy.same(*args)
    branchy.assert_same_state()


def test_tag_refusals(branchy, hg):
    both(branchy, hg, "update", "-q", "0")
    branchy.same("tag", "nothead")
    branchy.write(".hgtags", "junk\n")
    both(branchy, hg, "update", "-q", "3")
    branchy.same("tag", "changed")
    branchy.remove(".hgtags")
    both(branchy, hg, "merge", "-q", "feature")
    branchy.same("tag", "inmerge")
    branchy.assert_same_state()


def test_divergent_hgtags_across_heads(twin, hg):
    """Two heads disagree on a tag: hg's precedence rule decides, both tools agree."""
    twin.write("a", "a\n")
    both(twin, hg, "commit", "-Aqm", "base", "-d", "0 0")
    both(twin, hg, "tag", "-d", "1 0", "rel")
    both(twin, hg, "tag", "-f", "-r", "0", "-d", "2 0", "rel")
    both(twin, hg, "update", "-q", "1")
    twin.write("b", "b\n")
    both(twin, hg, "commit", "-Aqm", "other head", "-d", "3 0")
    both(twin, hg, "tag", "-f", "-r", "3", "-d", "4 0", "rel")
    twin.same("tags")
    twin.same("id", "-r", "rel")
    twin.same("heads", "-q")


def test_mixed_use_on_one_checkout(tmp_path, amg, hg):
    """hg and amg alternate on one repository: each sees what the other wrote."""
    root = tmp_path / "mixed"
    hg("init", str(root))
    (root / "a").write_text("a\n")
    hg("commit", "-Aqm", "one", "-d", "0 0", cwd=root)
    assert amg("bookmark", "m1", cwd=root).rc == 0
    assert "* m1" in hg("bookmarks", cwd=root).stdout
    assert amg("tag", "-d", "1 0", "t1", cwd=root).rc == 0
    assert hg("tags", "-q", cwd=root).stdout == "tip\nt1\n"
    assert hg("log", "-r", ".", "-T", "{bookmarks}", cwd=root).stdout == "m1"
    hg("phase", "-p", "0", cwd=root)
    assert amg("phase", "-r", ":", cwd=root).stdout == "0: public\n1: draft\n"
    assert amg("phase", "-s", "1", cwd=root).rc == 1  # draft to secret needs -f
    assert amg("phase", "-s", "-f", "1", cwd=root).rc == 0
    assert hg("phase", "-r", "1", cwd=root).stdout == "1: secret\n"
    hg("branch", "-q", "next", cwd=root)
    assert amg("branch", cwd=root).stdout == "next\n"
    assert amg("branch", "-C", cwd=root).rc == 0
    assert hg("branch", cwd=root).stdout == "default\n"
    assert amg("id", cwd=root).stdout == hg("id", cwd=root).stdout
    hg("verify", "-q", cwd=root)
