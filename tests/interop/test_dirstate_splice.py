"""A big dirstate written by splicing a few records stays hg's dirstate."""
from __future__ import annotations

import os

from amalgam.wc import dirstate, dirstate_cache

NAME = "n" * 140


def _big(hg, root):
    assert hg("init", str(root)).rc == 0
    for d in range(20):
        sub = root / f"dir{d:02d}"
        sub.mkdir()
        for f in range(360):
            (sub / f"{NAME}{f:04d}").write_text(f"{d} {f}\n")
    assert hg("commit", "-Aqm", "base", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    data = (root / ".hg" / "dirstate").read_bytes()
    assert len(data) >= dirstate_cache.MIN_SIZE
    return root


def test_hg_reads_what_amg_splices_into_a_big_dirstate(amg, hg, tmp_path, monkeypatch):
    root = _big(hg, tmp_path / "r")
    name = NAME
    assert amg("status", cwd=root).stdout == ""  # builds the cache from hg's file

    (root / "dir03" / f"{name}0007").write_text("changed\n")
    (root / "dir04" / "new").write_text("new\n")
    assert amg("add", "-q", "dir04/new", cwd=root).rc == 0
    assert amg("rm", "-q", f"dir05/{name}0001", cwd=root).rc == 0
    assert amg("cp", "-q", f"dir06/{name}0002", "dir06/copy", cwd=root).rc == 0
    expected = amg("status", "-C", cwd=root).stdout
    assert hg("status", "-C", cwd=root).stdout == expected

    packs = []
    real = dirstate.pack
    monkeypatch.setattr(dirstate, "pack", lambda *a, **k: packs.append(1) or real(*a, **k))
    assert amg("commit", "-qm", "few", "-u", "t", "-d", "1 0", cwd=root).rc == 0
    assert not packs  # spliced, not repacked
    after = (root / ".hg" / "dirstate").read_bytes()
    assert hg("status", "-A", cwd=root).stdout == amg("status", "-A", cwd=root).stdout
    assert hg("status", cwd=root).stdout == ""
    assert hg("log", "-r", ".", "-T", "{desc} {files}\n", cwd=root).stdout == \
        f"few dir03/{name}0007 dir04/new dir05/{name}0001 dir06/copy\n"
    assert hg("verify", "-q", cwd=root).rc == 0
    ours = dirstate.parse(after)
    (root / ".hg" / "dirstate").write_bytes(after)
    assert hg("debugrebuilddirstate", cwd=root).rc == 0
    theirs = dirstate.parse((root / ".hg" / "dirstate").read_bytes())
    assert ours[0] == theirs[0]
    assert set(ours[2]) == set(theirs[2])


def test_a_dirstate_hg_rewrote_is_read_from_the_changed_records(amg, hg, tmp_path, monkeypatch):
    from amalgam.repo import Repository

    root = _big(hg, tmp_path / "r")
    assert amg("status", cwd=root).stdout == ""  # builds the cache
    for d in (1, 7, 13):
        os.utime(root / f"dir{d:02d}" / f"{NAME}{d:04d}", (1_500_000_000 + d,) * 2)
    assert hg("status", cwd=root).stdout == ""  # hg records them clean: a rewrite
    (root / "dir04" / "new").write_text("new\n")
    assert hg("add", "-q", "dir04/new", cwd=root).rc == 0
    assert hg("rm", "-q", f"dir05/{NAME}0001", cwd=root).rc == 0
    assert hg("cp", "-q", f"dir06/{NAME}0002", "dir06/copy", cwd=root).rc == 0
    data = (root / ".hg" / "dirstate").read_bytes()

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed in full")

    repo = Repository.open(str(root))
    monkeypatch.setattr(dirstate, "parse", no_parse)
    ds = dirstate.DirState.open(repo)
    monkeypatch.undo()
    p1, p2, entries, copies = dirstate.parse(data)
    assert ds.parents() == (p1, p2)
    assert ds.raw() == entries and ds.copies() == copies
    assert amg("status", "-C", cwd=root).stdout == hg("status", "-C", cwd=root).stdout
