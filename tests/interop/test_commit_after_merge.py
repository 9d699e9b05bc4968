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
