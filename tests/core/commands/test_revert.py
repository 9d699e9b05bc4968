"""amg revert: backups, dirstate after reverting, paths outside the repository."""
from __future__ import annotations


def test_revert_backup_and_clean_dirstate(amg, tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    (root / "a").write_text("a\n")
    hg("commit", "-A", "-m", "zero", "-d", "0 0", cwd=root)
    (root / "a").write_text("changed\n")
    r = amg("revert", "a", cwd=root)
    assert (r.rc, r.out, r.err) == (0, b"", b"")
    assert (root / "a").read_text() == "a\n"
    assert (root / "a.orig").read_text() == "changed\n"
    # The reverted file is recorded clean with its size (no lookup next time).
    state = hg("debugstate", cwd=root).stdout.split()
    assert state[0] == "n" and state[2] == "2"
    assert hg("status", cwd=root).stdout == "? a.orig\n"


def test_revert_outside_repository_aborts(amg, tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    r = amg("revert", str(tmp_path), cwd=root)
    assert r.rc == 255 and "Traceback" not in r.stderr
    r = amg("revert", ".hg/requires", cwd=root)
    assert r.rc == 255 and "Traceback" not in r.stderr
