"""The parsed-dirstate cache: used only when it matches the dirstate byte for byte."""
from __future__ import annotations

import pytest

from amalgam.vfs import VFS
from amalgam.wc import dirstate
from amalgam.wc import dirstate_cache as dscache


def _data(n: int = 6000, mtime: int = 1000) -> bytes:
    entries = {b"dir/%0200d" % i: ("n", 0o100644, i, mtime) for i in range(n)}
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, {b"dir/%0200d" % 1: b"src"}, now=2**30)
    assert len(data) >= dscache.MIN_SIZE
    return data


@pytest.fixture
def vfs(tmp_path):
    return VFS(str(tmp_path))


def test_a_big_dirstate_is_served_from_the_cache_the_second_time(vfs, monkeypatch):
    data = _data()
    first = dirstate.load(vfs, data)
    assert first == dirstate.parse(data)

    def no_parse(data):
        raise AssertionError("parsed again")

    monkeypatch.setattr(dirstate, "parse", no_parse)
    assert dirstate.load(vfs, data) == first


def test_a_stale_or_damaged_cache_is_replaced(vfs):
    dirstate.load(vfs, _data(mtime=1000))
    changed = _data(mtime=2000)
    assert dirstate.load(vfs, changed) == dirstate.parse(changed)
    vfs.write(dscache.NAME, b"\xff not marshal")
    assert dirstate.load(vfs, changed) == dirstate.parse(changed)
    vfs.write(dscache.NAME, b"")
    assert dirstate.load(vfs, changed)[2][b"dir/%0200d" % 5] == ("n", 0o100644, 5, 2000)


def test_a_small_dirstate_leaves_no_cache(vfs):
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, {b"a": ("n", 0o100644, 1, 5)}, {}, now=2**30)
    assert dirstate.load(vfs, data) == dirstate.parse(data)
    assert not vfs.exists(dscache.NAME)


def test_a_damaged_big_dirstate_still_aborts(vfs):
    data = _data()
    dirstate.load(vfs, data)
    from amalgam import error

    with pytest.raises(error.StorageError):
        dirstate.load(vfs, data[:-3])
