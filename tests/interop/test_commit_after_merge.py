"""``amg commit`` after ``amg merge`` against ``hg commit`` after ``hg merge``.

Each side merges and commits with its own tool; the resulting nodes must
match, which proves amg honours the merge state (file nodes taken from the
other side, second file parents only for files really merged, refusal while
conflicts are unresolved).
"""
from __future__ import annotations

import pytest

from .differential import DATE


def _alike(twin, *args: str) -> None:
    """``twin.same`` with stdout and stderr compared, each tool's own name normalised."""
    ra, rh = twin.run(*args)
    context = (f"command: {' '.join(args)}\n--- amg (rc {ra.rc}) ---\n{ra.stdout}"
               f"{ra.stderr}\n--- hg (rc {rh.rc}) ---\n{rh.stdout}{rh.stderr}")
    for text_a, text_h in ((ra.stdout, rh.stdout), (ra.stderr, rh.stderr)):
        normal_a = twin._normal(text_a, twin.a).replace("'amg ", "'hg ")
        assert normal_a == twin._normal(text_h, twin.h), context
    assert ra.rc == rh.rc, context


def _forked(twin, base: dict[str, str], local: dict[str, str],
            other: dict[str, str]) -> None:
    """rev 0 = *base*, rev 1 = *local* on top, rev 2 = *other* on rev 0; wc at rev 1."""
    for path, data in base.items():
        twin.write(path, data)
    twin.same("add", *sorted(base))
    twin.same("commit", "-m", "base", *DATE)
    for path, data in local.items():
        twin.write(path, data)
    twin.same("addremove", "-q")
    twin.same("commit", "-m", "local", *DATE)
    twin.same("update", "-q", "0")
    for path, data in other.items():
        twin.write(path, data)
    twin.same("addremove", "-q")
    twin.same("commit", "-q", "-m", "other", *DATE)
    twin.same("update", "-q", "1")


def _commit_merge(twin) -> None:
    _alike(twin, "commit", "-m", "merged", *DATE)
    twin.same("status")
    twin.same("resolve", "-l")
    twin.assert_same_state()


def test_clean_merge_of_disjoint_edits(twin):
    _forked(twin, {"a": "a\n", "b": "b\n", "c": "c\n"},
            {"a": "a local\n"}, {"b": "b other\n"})
    _alike(twin, "merge")
    _commit_merge(twin)


def test_same_file_edited_apart_merges_cleanly(twin):
    base = "".join(f"line {i}\n" for i in range(10))
    _forked(twin, {"f": base},
            {"f": base.replace("line 1\n", "line 1 local\n")},
            {"f": base.replace("line 8\n", "line 8 other\n")})
    _alike(twin, "merge")
    _commit_merge(twin)


def test_file_taken_from_other_side_only(twin):
    _forked(twin, {"a": "a\n", "b": "b\n"},
            {"a": "a local\n"}, {"b": "b other\n", "new": "new on other\n"})
    _alike(twin, "merge")
    twin.same("status")
    _commit_merge(twin)


def test_conflict_resolved_by_hand_then_committed(twin):
    _forked(twin, {"f": "base\n", "g": "g\n"},
            {"f": "local\n"}, {"f": "other\n", "g": "g other\n"})
    _alike(twin, "merge")
    twin.write("f", "resolved\n")
    _alike(twin, "resolve", "-m", "f")
    _commit_merge(twin)


def test_commit_refused_while_unresolved(twin):
    _forked(twin, {"f": "base\n"}, {"f": "local\n"}, {"f": "other\n"})
    _alike(twin, "merge")
    twin.write("f", "edited but not marked\n")
    _alike(twin, "commit", "-m", "too early", *DATE)
    twin.same("resolve", "-l")
    twin.assert_same_state()
    _alike(twin, "resolve", "-m", "f")
    _commit_merge(twin)


@pytest.mark.parametrize("tool", [":other", ":local"])
def test_merge_with_tool_then_commit(twin, tool):
    _forked(twin, {"f": "base\n", "g": "g\n"},
            {"f": "local\n"}, {"f": "other\n", "g": "g other\n"})
    _alike(twin, "merge", "--tool", tool)
    _commit_merge(twin)


def _readded_on_one_side(twin, *, side: str) -> None:
    """f removed and added again (a file node without parents) on *side* only.

    Neither side's file node then descends from the other's, so only the
    merge state tells which parents hg gives the committed file.
    """
    twin.write("f", "base\n")
    twin.write("g", "g\n")
    twin.same("add", "f", "g")
    twin.same("commit", "-m", "base", *DATE)
    twin.same("remove", "f")
    twin.same("commit", "-m", "drop f", *DATE)
    twin.write("f", "readded\n")
    twin.same("add", "f")
    twin.same("commit", "-m", "readd f", *DATE)
    twin.same("update", "-q", "0")
    twin.write("g", "g other\n")
    twin.same("commit", "-q", "-m", "other", *DATE)
    local, other = ("3", "2") if side == "other" else ("2", "3")
    twin.same("update", "-q", local)
    _alike(twin, "merge", other)


def test_file_node_reused_from_other_side(twin):
    _readded_on_one_side(twin, side="other")
    twin.same("status")
    _commit_merge(twin)


def test_edited_after_merge_taken_from_other_side(twin):
    _readded_on_one_side(twin, side="other")
    twin.write("f", "edited after the merge\n")
    _commit_merge(twin)


def test_edited_after_merge_kept_from_local_side(twin):
    _readded_on_one_side(twin, side="local")
    twin.write("f", "edited after the merge\n")
    _commit_merge(twin)


def test_update_conflict_blocks_commit_until_resolved(twin):
    """An update that leaves conflicts writes a merge state too (one parent only)."""
    twin.write("f", "base\n")
    twin.same("add", "f")
    twin.same("commit", "-m", "base", *DATE)
    twin.write("f", "next\n")
    twin.same("commit", "-m", "next", *DATE)
    twin.same("update", "-q", "0")
    twin.write("f", "uncommitted\n")
    _alike(twin, "update", "--tool", ":merge", "1")
    _alike(twin, "commit", "-m", "too early", *DATE)
    twin.write("f", "fixed\n")
    _alike(twin, "resolve", "-m", "f")
    _commit_merge(twin)
