"""Dirstate v1: byte-exact round trips with hg's files, the ambiguous-mtime rule, bad input."""
from __future__ import annotations

import os
import struct

import pytest

from amalgam import error
from amalgam.node import nullid
from amalgam.repo import Repository
from amalgam.wc import dirstate as dsmod
from amalgam.wc.dirstate import DirState, Entry


def _entries(data: bytes) -> dict:
    return dsmod.parse(data)[2]


def test_reads_and_rewrites_hgs_dirstate_identically(tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    (root / "a").write_text("a\n")
    (root / "b").write_text("b\n")
    hg("add", "a", "b", cwd=root)
    hg("commit", "-m", "one", cwd=root)
    hg("copy", "a", "c", cwd=root)
    hg("remove", "b", cwd=root)
    original = (root / ".hg" / "dirstate").read_bytes()
    repo = Repository.open(str(root))
    ds = DirState.open(repo)
    assert ds.get(b"c") == Entry("a", 0, -1, -1)
    assert ds.get(b"b").state == "r"
    assert ds.copied(b"c") == b"a"
    assert ds.p1() == repo.changelog.tip() and ds.p2() == nullid
    with repo.wlock():
        ds.write()
    rewritten = (root / ".hg" / "dirstate").read_bytes()
    assert dsmod.parse(rewritten)[:2] == dsmod.parse(original)[:2]
    before, after = _entries(original), _entries(rewritten)
    assert before.keys() == after.keys()
    for name, value in before.items():  # only an mtime may turn ambiguous
        assert after[name] in (value, (*value[:3], -1))
    assert dsmod.parse(rewritten)[3] == {b"c": b"a"}
    out = hg("status", "-C", cwd=root).stdout
    assert out == "A c\n  a\nR b\n"


def test_ambiguous_mtime_is_written_as_minus_one(tmp_path):
    now = 1_000_000
    entries = {b"old": ("n", 0o100644, 3, now - 1), b"same": ("n", 0o100644, 3, now),
               b"future": ("n", 0o100644, 3, now + 10 * 86400), b"added": ("a", 0, -1, -1)}
    data = dsmod.pack(b"\1" * 20, nullid, entries, {}, now)
    parsed = _entries(data)
    assert parsed[b"old"][3] == now - 1
    assert parsed[b"same"][3] == -1
    assert parsed[b"future"][3] == now + 10 * 86400
    assert entries[b"same"][3] == -1  # the in-memory copy is not trusted either


def test_set_clean_right_now_is_not_trusted(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    path = tmp_path / "r" / "f"
    path.write_bytes(b"data")
    ds = DirState.open(repo)
    ds.set_clean(b"f", os.lstat(path))
    with repo.wlock():
        ds.write()
    assert DirState.open(repo).get(b"f") == Entry("n", os.lstat(path).st_mode, 4, -1)


@pytest.mark.parametrize("data", [b"\0" * 39, b"\0" * 40 + b"n\0\0", b"\0" * 40 +
                                  struct.pack(">cllll", b"n", 0, 0, 0, 50) + b"short",
                                  b"\0" * 40 + struct.pack(">cllll", b"z", 0, 0, 0, 1) + b"x",
                                  b"\0" * 40 + struct.pack(">cllll", b"n", 0, 0, 0, -5)])
def test_damaged_dirstate_is_a_clean_error(data):
    with pytest.raises(error.StorageError, match="damaged"):
        dsmod.parse(data)


def test_dirstate_v2_is_refused_with_a_hint(tmp_path):
    made = Repository.create(str(tmp_path / "r"))
    repo = Repository(made.root, made.ui, made.requirements | {"dirstate-v2"})
    with pytest.raises(error.RequirementError) as info:
        DirState.open(repo)
    assert "debugupgrade" in info.value.hints[0]
    with pytest.raises(error.RequirementError):
        dsmod.parse(b"dirstate-v2\n" + b"\0" * 100)


def test_states_and_merge_bookkeeping(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    ds = DirState.open(repo)
    ds.setparents(b"\1" * 20, b"\2" * 20)
    ds.merge(b"m")
    ds.otherparent(b"o")
    ds.add(b"dir/a")
    assert ds.hasdir(b"dir") and not ds.hasdir(b"m")
    ds.remove(b"m")
    assert ds.get(b"m") == Entry("r", 0, -1, 0)
    ds.setparents(b"\1" * 20)
    assert ds.get(b"o") == Entry("n", 0, -1, -1)
    assert ds.get(b"m") == Entry("r", 0, 0, 0)
    ds.drop(b"dir/a")
    assert not ds.hasdir(b"dir")
    assert list(ds) == [b"m", b"o"]


def test_non_utf8_names_round_trip(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    ds = DirState.open(repo)
    name = b"caf\xe9/\xff\xfe"
    ds.add(name)
    ds.copy(b"src\x80", name)
    with repo.wlock():
        ds.write()
    again = DirState.open(repo)
    assert list(again) == [name] and again.copied(name) == b"src\x80"
