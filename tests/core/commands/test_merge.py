"""amg merge: tool names, damaged merge state, state surviving the process, commit after it."""
from __future__ import annotations

import pytest


@pytest.fixture
def heads(tmp_path, hg):
    """Two heads editing the same line of f; working copy at rev 1."""
    root = tmp_path / "r"
    hg("init", str(root))
    (root / "f").write_text("1\n2\n3\n")
    hg("commit", "-A", "-m", "base", "-d", "0 0", cwd=root)
    (root / "f").write_text("1\nlocal\n3\n")
    hg("commit", "-m", "local", "-d", "0 0", cwd=root)
    hg("update", "0", cwd=root)
    (root / "f").write_text("1\nother\n3\n")
    hg("commit", "-m", "other", "-d", "0 0", cwd=root)
    hg("update", "1", cwd=root)
    return root


def test_unknown_tool_touches_nothing(amg, heads, hg):
    r = amg("merge", "--tool", ":nosuch", "2", cwd=heads)
    assert r.rc == 10 or r.rc == 255
    assert "unknown merge tool: :nosuch" in r.stderr
    assert hg("status", cwd=heads).stdout == ""
    assert not (heads / ".hg" / "merge").exists()


def test_tool_name_without_colon(amg, heads):
    r = amg("merge", "--tool", "local", "2", cwd=heads)
    assert r.rc == 0
    assert (heads / "f").read_text() == "1\nlocal\n3\n"


def test_conflict_state_survives_and_commit_records_two_parents(amg, heads, hg):
    assert amg("merge", "2", cwd=heads).rc == 1
    # A new process (hg) sees the same unresolved file and the markers.
    assert hg("resolve", "-l", cwd=heads).stdout == "U f\n"
    assert "<<<<<<< working copy\nlocal\n=======\nother\n>>>>>>> merge rev\n" in \
        (heads / "f").read_text()
    assert (heads / "f.orig").read_text() == "1\nlocal\n3\n"
    (heads / "f").write_text("1\nboth\n3\n")
    assert amg("resolve", "-m", "f", cwd=heads).stdout == "(no more unresolved files)\n"
    hg("commit", "-m", "merged", "-d", "0 0", cwd=heads)
    parents = hg("log", "-r", "tip", "-T", "{p1rev} {p2rev}", cwd=heads).stdout
    assert parents == "1 2"


def test_damaged_merge_state_is_a_clean_abort(amg, heads):
    assert amg("merge", "2", cwd=heads).rc == 1
    (heads / ".hg" / "merge" / "state2").write_bytes(b"F\0\0\0\x05abc")
    r = amg("resolve", "-l", cwd=heads)
    assert r.rc == 255 and "merge state is corrupt" in r.stderr
    assert "Traceback" not in r.stderr
    r = amg("update", "-C", ".", cwd=heads)
    assert r.rc == 0, r.stderr


def test_abort_restores_first_parent(amg, heads, hg):
    amg("merge", "2", cwd=heads)
    r = amg("merge", "--abort", cwd=heads)
    assert r.rc == 0
    assert r.stdout.startswith("aborting the merge, updating back to ")
    assert hg("log", "-r", "parents()", "-T", "{rev}", cwd=heads).stdout == "1"
    assert not (heads / ".hg" / "merge").exists()
    assert (heads / "f").read_text() == "1\nlocal\n3\n"
