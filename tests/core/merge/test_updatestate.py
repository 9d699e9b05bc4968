"""``.hg/updatestate`` marks an interrupted update; finishing an update or a merge clears it."""
from __future__ import annotations


def test_merge_clears_a_leftover_updatestate_so_it_can_be_committed(amg, tmp_path):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_text("first\n")
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    (root / "a").write_text("second\n")
    assert amg("commit", "-m", "two", "-u", "t", "-d", "1 0", cwd=root).rc == 0
    assert amg("update", "0", cwd=root).rc == 0
    (root / "z").write_text("z\n")
    assert amg("commit", "-Aqm", "other head", "-u", "t", "-d", "2 0", cwd=root).rc == 0
    (root / ".hg" / "updatestate").write_text("0" * 40 + "\n")
    assert amg("merge", "1", cwd=root).rc == 0
    assert not (root / ".hg" / "updatestate").exists()
    assert amg("commit", "-m", "merged", "-u", "t", "-d", "3 0", cwd=root).rc == 0
