"""Unified/git rendering and --stat, pinned to hg's exact output."""
from __future__ import annotations

import random

import pytest

from amalgam.display import diff as d
from amalgam.display.lines import matching_blocks, splitlines


def pair(a: bytes | None, b: bytes | None, **kw) -> d.FilePair:
    return d.FilePair(b"f" if a is not None else None, b"f" if b is not None else None,
                      lambda: a or b"", lambda: b or b"", **kw)


def text(fd: d.FileDiff) -> bytes:
    return b"".join(d.output([fd]))


def test_splitlines_keeps_newlines_and_a_last_partial_line() -> None:
    assert splitlines(b"") == []
    assert splitlines(b"a\nb") == [b"a\n", b"b"]
    assert splitlines(b"a\r\nb\n") == [b"a\r\n", b"b\n"]  # only \n ends a line


def test_matching_blocks_end_with_a_sentinel_and_cover_equal_runs() -> None:
    a, b = [b"x", b"y", b"z"], [b"x", b"q", b"z"]
    assert matching_blocks(a, b) == [(0, 0, 1), (2, 2, 1), (3, 3, 0)]


def test_plain_header_with_dates_and_hunks() -> None:
    fd = d.render(pair(b"a\nb\nc\n", b"a\nB\nc\nd\n", date1=(0.0, 0), date2=(86400.0, -3600)),
                  git=False, revs=("9a1b1fef3207", "58b02851540c"))
    assert text(fd) == (
        b"diff -r 9a1b1fef3207 -r 58b02851540c f\n"
        b"--- a/f\tThu Jan 01 00:00:00 1970 +0000\n"
        b"+++ b/f\tFri Jan 02 01:00:00 1970 +0100\n"
        b"@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n")
    assert (fd.added, fd.removed) == (2, 1)


def test_missing_newline_marker_on_both_sides() -> None:
    fd = d.render(pair(b"x", b"y"), git=True)
    assert text(fd) == (b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n"
                        b"-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n")


def test_new_and_deleted_files_use_dev_null_and_epoch() -> None:
    added = d.render(pair(None, b"n\n", date2=(5.0, 0)), git=False, revs=("a",))
    assert b"--- /dev/null\tThu Jan 01 00:00:00 1970 +0000\n" in text(added)
    assert b"@@ -0,0 +1,1 @@\n+n\n" in text(added)
    gone = d.render(pair(b"n\n", None), git=True)
    assert text(gone) == (b"diff --git a/f b/f\ndeleted file mode 100644\n--- a/f\n"
                          b"+++ /dev/null\n@@ -1,1 +0,0 @@\n-n\n")


def test_plain_diff_prints_nothing_for_empty_or_mode_only_changes() -> None:
    assert text(d.render(pair(None, b""), git=False)) == b""
    assert text(d.render(pair(b"x\n", b"x\n", flags2="x"), git=False)) == b""
    assert text(d.render(pair(None, b""), git=True)) == (
        b"diff --git a/f b/f\nnew file mode 100644\n")
    assert text(d.render(pair(b"x\n", b"x\n", flags2="x"), git=True)) == (
        b"diff --git a/f b/f\nold mode 100644\nnew mode 100755\n")


def test_binary_files() -> None:
    plain = d.render(pair(None, b"\0bin"), git=False, revs=("a", "b"))
    assert text(plain) == b"diff -r a -r b f\nBinary file f has changed\n"
    git = d.render(pair(None, b"\0bin"), git=True)
    # Checked against `hg diff --git` for the same 4 bytes.
    assert text(git) == (
        b"diff --git a/f b/f\nnew file mode 100644\n"
        b"index 0000000000000000000000000000000000000000..badc806ed7d7937d6fcb727b07d0e90ec752bf9f\n"
        b"GIT binary patch\nliteral 4\nLc${NM%FF`*0%`#|\n\n")
    assert text(d.render(pair(None, b"\0bin"), git=False, text=True)).endswith(
        b"+\0bin\n\\ No newline at end of file\n")


def test_copy_and_rename_headers() -> None:
    fd = d.render(d.FilePair(b"a", b"b", lambda: b"x\n", lambda: b"x\n", copy="rename"),
                  git=True)
    assert text(fd) == b"diff --git a/a b/b\nrename from a\nrename to b\n"
    assert fd.statname == b"a => b"


def test_context_width_and_hunk_split() -> None:
    a = b"".join(b"%d\n" % i for i in range(1, 11))
    b = b"".join(b"%d\n" % i for i in (2, 3, 4, 5, 6, 7, 8, 10, 11))
    assert list(d.unified(a, b, 3)) == [
        b"@@ -1,4 +1,3 @@\n", b"-1\n", b" 2\n", b" 3\n", b" 4\n",
        b"@@ -6,5 +5,5 @@\n", b" 6\n", b" 7\n", b" 8\n", b"-9\n", b" 10\n", b"+11\n"]
    assert list(d.unified(a, b, 0)) == [
        b"@@ -1,1 +0,0 @@\n", b"-1\n", b"@@ -9,1 +7,0 @@\n", b"-9\n",
        b"@@ -10,0 +9,1 @@\n", b"+11\n"]


def test_stat_table_and_scaling() -> None:
    rows = [d.render(pair(b"", b"x\n" * 300), git=True),
            d.render(d.FilePair(b"b", b"b", lambda: b"", lambda: b"\0"), git=True)]
    lines = list(d.stat(rows, width=80))
    assert lines[0].startswith(b" f |  300 +")
    assert len(lines[0].rstrip()) <= 80
    assert lines[1] == b" b |  Bin \n"
    assert lines[-1] == b" 2 files changed, 300 insertions(+), 0 deletions(-)\n"


@pytest.fixture
def hg_repo(tmp_path, hg):
    hg("init", str(tmp_path / "r"))
    return tmp_path / "r"


def test_random_edits_place_hunks_where_hg_does(hg_repo, hg) -> None:
    """Many small random edits of repetitive text: our hunks equal hg's."""
    rng = random.Random(7)
    words = [b"a\n", b"b\n", b"c\n", b"\n", b"}\n"]
    target = hg_repo / "f"
    for _round in range(15):
        old = b"".join(rng.choice(words) for _ in range(rng.randint(0, 30)))
        new = bytearray(old)
        lines = splitlines(bytes(new))
        for _edit in range(rng.randint(1, 4)):
            pos = rng.randint(0, len(lines))
            if lines and rng.random() < 0.5:
                del lines[min(pos, len(lines) - 1)]
            else:
                lines.insert(pos, rng.choice(words))
        new_text = b"".join(lines)
        target.write_bytes(old)
        hg("commit", "-q", "-A", "-m", "x", "-d", "0 0", cwd=hg_repo)
        target.write_bytes(new_text)
        theirs = hg("diff", "--git", cwd=hg_repo).out
        ours = b"".join(d.output([d.render(d.FilePair(b"f", b"f", lambda: old,
                                                      lambda: new_text), git=True)]))
        assert ours == theirs, (old, new_text)


def test_random_edits_without_final_newline_match_hg(hg_repo, hg) -> None:
    """Mostly distinct lines, the last one sometimes unterminated on either side."""
    rng = random.Random(11)
    target = hg_repo / "f"
    for _round in range(12):
        lines = [b"line %d\n" % rng.randint(0, 60) for _ in range(rng.randint(1, 25))]
        new = list(lines)
        for _edit in range(rng.randint(1, 3)):
            pos = rng.randint(0, len(new))
            if new and rng.random() < 0.5:
                del new[min(pos, len(new) - 1)]
            else:
                new.insert(pos, b"edit %d\n" % rng.randint(0, 9))
        old_text, new_text = b"".join(lines), b"".join(new)
        if rng.random() < 0.6:
            old_text = old_text.rstrip(b"\n")
        if rng.random() < 0.6:
            new_text = new_text.rstrip(b"\n")
        target.write_bytes(old_text)
        hg("commit", "-q", "-A", "-m", "x", "-d", "0 0", cwd=hg_repo)
        target.write_bytes(new_text)
        theirs = hg("diff", "--git", "--stat", cwd=hg_repo).out + hg("diff", "--git",
                                                                    cwd=hg_repo).out
        fd = d.render(d.FilePair(b"f", b"f", lambda: old_text, lambda: new_text), git=True)
        assert b"".join(d.stat([fd])) + text(fd) == theirs, (old_text, new_text)
