"""The parsed-dirstate cache: used only when it matches the dirstate byte for byte."""
from __future__ import annotations

import os

import pytest

from amalgam.vfs import VFS
from amalgam.wc import dirstate
from amalgam.wc import dirstate_cache as dscache


def _data(n: int = 6000, mtime: int = 1000) -> bytes:
    entries = {b"dir/%0200d" % i: ("n", 0o100644, i, mtime) for i in range(n)}
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, {b"dir/%0200d" % 1: b"src"}, now=2**30)
    assert len(data) >= dscache.MIN_SIZE
    return data


def _build(*args) -> bytes:
    return b"".join(dscache.build(*args))


def _patch(*args) -> bytes:
    return b"".join(dscache.patch(*args))


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


# -- the summary and the runs ---------------------------------------------------

def _entries(n: int) -> dict[bytes, tuple]:
    import random

    rng = random.Random(n)
    states = ["n"] * 8 + ["a", "r", "m"]
    entries = {}
    for i in range(n):
        depth = rng.randrange(4)
        path = b"/".join(b"d%d" % rng.randrange(6) for _ in range(depth)) + (b"/" if depth else b"")
        state = rng.choice(states)
        size = rng.choice([i, i, -1, -2]) if state == "n" else -1
        entries[path + b"f%05d" % i] = (state, 0o100644, size, rng.choice([1000 + i, -1]))
    return entries


def test_runs_answer_like_the_entries_they_were_built_from():
    entries = _entries(3000)
    copies = {b"f00001": b"f00000"}
    cached = dscache.read(_build(b"k" * 20, b"\1" * 20, b"\2" * 20, entries, copies,
                                      b"", []), b"k" * 20)
    assert cached is not None and 100 < len(cached.bounds) + 1 <= dscache.RUNS
    assert cached.entries() == entries
    assert cached.count == len(entries) and cached.copies == copies
    assert cached.nonnormal == {p: v for p, v in entries.items() if dscache.nonnormal(v)}
    assert set(cached.dirs) == {p.rpartition(b"/")[0] for p in entries}
    assert cached.maxmtime == max(v[3] for v in entries.values())
    for path in list(entries)[::97]:
        assert cached.get(path) == entries[path]
    assert cached.get(b"d0/missing") is None
    for prefix in (b"d0/", b"d3/d1/", b"d5/d5/d5/", b"nothing/"):
        assert dict(cached.under((prefix,))) == \
            {p: v for p, v in entries.items() if p.startswith(prefix)}


def test_a_cache_for_another_dirstate_or_damaged_is_not_used():
    blob = _build(b"k" * 20, b"\1" * 20, b"\2" * 20, _entries(50), {}, b"", [])
    assert dscache.read(blob, b"j" * 20) is None
    assert dscache.read(blob[:-5], b"k" * 20) is None
    assert dscache.read(b"", b"k" * 20) is None
    assert dscache.read(b"\0\0\0\3abc", b"k" * 20) is None


def test_patching_runs_gives_what_a_full_build_gives():
    entries = _entries(2000)
    old = dscache.read(_build(b"k" * 20, b"\1" * 20, b"\2" * 20, entries, {}, b"", []),
                     b"k" * 20)
    changes = {b"d0/new": ("a", 0, -1, -1), b"zz/last": ("n", 0o100755, 3, 5000)}
    for path in list(entries)[::400]:
        changes[path] = None
    for path in list(entries)[1::400]:
        changes[path] = ("n", 0o100644, 7, 1)
    after = dict(entries)
    for path, value in changes.items():
        if value is None:
            after.pop(path)
        else:
            after[path] = value
    patched = dscache.read(_patch(old, b"n" * 20, b"\3" * 20, b"\0" * 20, changes,
                                         {b"zz/last": b"d0/new"}, b"", []), b"n" * 20)
    assert patched is not None and patched.entries() == after
    assert patched.count == len(after) and patched.p1 == b"\3" * 20
    assert patched.nonnormal == {p: v for p, v in after.items() if dscache.nonnormal(v)}
    assert set(patched.dirs) >= {p.rpartition(b"/")[0] for p in after}
    assert patched.copies == {b"zz/last": b"d0/new"}
    assert patched.maxmtime == max(v[3] for v in after.values())


# -- DirState on a big dirstate --------------------------------------------------------

@pytest.fixture
def bigrepo(tmp_path):
    from amalgam.repo import Repository

    repo = Repository.create(str(tmp_path / "r"))
    entries = {b"dir%d/%0150d" % (i % 40, i): ("n", 0o100644, i, 1000) for i in range(8000)}
    entries[b"dir1/added"] = ("a", 0, -1, -1)
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, {b"dir1/added": b"dir2/src"}, now=2**30)
    assert len(data) >= dscache.MIN_SIZE
    repo.vfs.write("dirstate", data)
    return repo, entries


def test_a_cached_dirstate_is_read_without_loading_every_entry(bigrepo):
    repo, entries = bigrepo
    dirstate.DirState.open(repo)  # builds the cache
    ds = dirstate.DirState.open(repo)
    assert ds._entries is None
    assert ds.p1() == b"\1" * 20 and len(ds) == len(entries)
    assert ds.rawget(b"dir3/%0150d" % 3) == ("n", 0o100644, 3, 1000)
    assert b"dir1/added" in ds and b"dir1/nope" not in ds
    assert ds.nonnormal() == {b"dir1/added": ("a", 0, -1, -1)}
    assert ds.copied(b"dir1/added") == b"dir2/src"
    assert sorted(p for p, _ in ds.under((b"dir7/",))) == sorted(
        p for p in entries if p.startswith(b"dir7/"))
    assert ds._entries is None  # still nothing loaded in full
    assert ds.raw() == entries


def _write(repo, change) -> bytes:
    with repo.wlock():
        ds = dirstate.DirState.open(repo)
        change(ds)
        ds.write()
    return repo.vfs.read("dirstate")


def test_a_few_changes_are_spliced_and_read_back_as_a_full_pack_would(bigrepo, monkeypatch):
    repo, entries = bigrepo
    packs = []
    real = dirstate.pack
    monkeypatch.setattr(dirstate, "pack", lambda *a, **k: packs.append(1) or real(*a, **k))
    st = os.stat_result((0o100755, 0, 0, 1, 0, 0, 42, 0, 1500, 0))
    moved = b"dir5/%0150d" % 5

    def change(ds):
        ds.set_clean(b"dir3/%0150d" % 3, st)
        ds.drop(b"dir4/%0150d" % 4)
        ds.add(b"newdir/new")
        ds.copy(b"dir6/%0150d" % 6, b"newdir/new")
        ds.remove(moved)
        ds.copy(None, b"dir1/added")
        ds.setparents(b"\5" * 20)

    data = _write(repo, change)
    assert not packs
    p1, p2, got, copies = dirstate.parse(data)
    expected = dict(entries)
    expected[b"dir3/%0150d" % 3] = ("n", 0o100755, 42, 1500)
    del expected[b"dir4/%0150d" % 4]
    expected[b"newdir/new"] = ("a", 0, -1, -1)
    expected[moved] = ("r", 0, 0, 0)
    assert (p1, got, copies) == (b"\5" * 20, expected, {b"newdir/new": b"dir6/%0150d" % 6})
    again = dirstate.DirState.open(repo)  # through the patched cache
    assert again._entries is None and again.raw() == expected
    assert again.copies() == copies and again.nonnormal() == {
        p: v for p, v in expected.items() if dscache.nonnormal(v)}


def test_many_changes_or_an_unchanged_future_mtime_mean_a_full_pack(bigrepo, monkeypatch):
    repo, entries = bigrepo
    packs = []
    real = dirstate.pack
    monkeypatch.setattr(dirstate, "pack", lambda *a, **k: packs.append(1) or real(*a, **k))
    data = _write(repo, lambda ds: [ds.add(b"many/%d" % i) for i in range(50)])
    assert packs and len(dirstate.parse(data)[2]) == len(entries) + 50
    packs.clear()
    future = dirstate.fs_now(repo.vfs.join()) + 10
    st = os.stat_result((0o100644, 0, 0, 1, 0, 0, 1, 0, future, 0))
    _write(repo, lambda ds: ds.set_clean(b"dir3/%0150d" % 3, st))  # not older than now: -1
    assert not packs  # the changed entry itself is downgraded while splicing
    assert dirstate.DirState.open(repo).rawget(b"dir3/%0150d" % 3)[3] == -1
    st = os.stat_result((0o100644, 0, 0, 1, 0, 0, 1, 0, 1200, 0))
    _write(repo, lambda ds: ds.set_clean(b"dir2/%0150d" % 2, st))
    assert not packs
    # A kept far-future mtime (a clock a day off) makes the next write pack it all,
    # so the ambiguous-mtime rule is applied to every entry as hg would.
    far = dirstate.fs_now(repo.vfs.join()) + 3 * 86400
    st = os.stat_result((0o100644, 0, 0, 1, 0, 0, 1, 0, far, 0))
    _write(repo, lambda ds: ds.set_clean(b"dir2/%0150d" % 12, st))
    assert not packs
    _write(repo, lambda ds: ds.add(b"one/more"))
    assert packs


def test_an_empty_dirstate_has_a_cache_too():
    cached = dscache.read(_build(b"k" * 20, b"\0" * 20, b"\0" * 20, {}, {}, b"", []),
                         b"k" * 20)
    assert cached is not None and cached.entries() == {} and cached.get(b"a") is None
    assert cached.count == 0 and list(cached.under((b"d/",))) == []
    patched = dscache.read(_patch(cached, b"n" * 20, b"\0" * 20, b"\0" * 20,
                                         {b"a": ("a", 0, -1, -1)}, {}, b"", []),
                         b"n" * 20)
    assert patched.entries() == {b"a": ("a", 0, -1, -1)}
    assert patched.changed_since(b"k" * 20) == {b"a"} and patched.changed_since(b"x" * 20) is None


def test_a_few_changes_to_a_cached_dirstate_never_load_it_whole(bigrepo):
    repo, entries = bigrepo
    dirstate.DirState.open(repo)  # builds the cache
    st = os.stat_result((0o100644, 0, 0, 1, 0, 0, 77, 0, 1300, 0))
    with repo.wlock():
        ds = dirstate.DirState.open(repo)
        ds.set_clean(b"dir3/%0150d" % 3, st)
        ds.drop(b"dir4/%0150d" % 4)
        ds.add(b"dir9/new")
        assert ds._entries is None
        assert ds.rawget(b"dir3/%0150d" % 3) == ("n", 0o100644, 77, 1300)
        assert b"dir4/%0150d" % 4 not in ds and b"dir9/new" in ds
        ds.write()
        assert ds._entries is None and not ds._lazy
    expected = dict(entries)
    expected[b"dir3/%0150d" % 3] = ("n", 0o100644, 77, 1300)
    del expected[b"dir4/%0150d" % 4]
    expected[b"dir9/new"] = ("a", 0, -1, -1)
    assert dirstate.parse(repo.vfs.read("dirstate"))[2] == expected
    again = dirstate.DirState.open(repo)
    assert again._entries is None and again.raw() == expected
    with repo.wlock():
        ds = dirstate.DirState.open(repo)
        ds.add(b"dir9/other")
        assert len(ds) == len(expected) + 1  # a query needing them all loads them
        assert ds.nonnormal()[b"dir9/other"] == ("a", 0, -1, -1)
        ds.write()
    assert len(dirstate.DirState.open(repo)) == len(expected) + 1


def test_a_settled_dirstate_is_found_by_its_stat_without_reading_it(bigrepo, monkeypatch):
    repo, entries = bigrepo
    monkeypatch.setattr(dirstate, "_SETTLE_NS", 0)  # as if written seconds ago
    first = dirstate.DirState.open(repo)  # hashes it, notes its stat
    assert first._data is not None and repo.vfs.exists(dirstate.SETTLED)
    reads = []
    real = repo.vfs.tryread
    monkeypatch.setattr(repo.vfs, "tryread", lambda name: reads.append(name) or real(name))
    ds = dirstate.DirState.open(repo)
    assert reads == [] and ds._data is None and ds.key() == first.key()
    assert ds.raw() == entries
    st = os.stat_result((0o100644, 0, 0, 1, 0, 0, 5, 0, 1100, 0))
    with repo.wlock():  # a splice works from the cache's copy of the file
        ds.set_clean(b"dir3/%0150d" % 3, st)
        ds.write()
    expected = dict(entries)
    expected[b"dir3/%0150d" % 3] = ("n", 0o100644, 5, 1100)
    assert dirstate.parse(repo.vfs.read("dirstate"))[2] == expected
    again = dirstate.DirState.open(repo)  # another file now: read and hashed again
    assert "dirstate" in reads and again.raw() == expected


def test_an_unsettled_or_unknown_stat_means_hashing(bigrepo, monkeypatch):
    repo, entries = bigrepo
    dirstate.DirState.open(repo)  # just written: its ctime is too recent to name it
    assert not repo.vfs.exists(dirstate.SETTLED)
    monkeypatch.setattr(dirstate, "_SETTLE_NS", 0)
    dirstate.DirState.open(repo)
    for damaged in (b"", b"garbage", b"1 2 3 4 zz", b"\xff\xfe"):
        repo.vfs.write(dirstate.SETTLED, damaged)
        ds = dirstate.DirState.open(repo)
        assert ds._data is not None and ds.raw() == entries
