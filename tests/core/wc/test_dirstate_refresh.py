"""A stale dirstate cache brought up to date from the records another writer changed."""
from __future__ import annotations

import random

import pytest

from amalgam.wc import dirstate
from amalgam.wc import dirstate_cache as dscache
from amalgam.wc import dirstate_v1


def _base(rng: random.Random, n: int) -> tuple[dict[bytes, tuple], dict[bytes, bytes]]:
    entries = {}
    for i in range(n):
        name = b"d%d/" % rng.randrange(30) + b"f" * rng.randrange(1, 60) + b"%05d" % i
        entries[name] = (rng.choice("nnnnnnnram"), 0o100644, rng.randrange(-2, 5000),
                         rng.choice([-1, 1000 + i]))
    copies = {name: b"src/%d" % i for i, name in enumerate(list(entries)[::97])}
    return entries, copies


def _rewrite(rng: random.Random, entries: dict, copies: dict, edits: int
             ) -> tuple[dict[bytes, tuple], dict[bytes, bytes]]:
    """What a writer that keeps the order it read does: values change in place,
    removed names go, new (or re-added) names go to the end."""
    entries, copies = dict(entries), dict(copies)
    names = list(entries)
    for _ in range(edits):
        name = rng.choice(names)
        kind = rng.randrange(6)
        if kind == 0:
            entries[name] = ("n", 0o100755, rng.randrange(9000), rng.randrange(2000, 3000))
        elif kind == 1:
            copies[name] = b"moved/from/%d" % rng.randrange(10**6)
        elif kind == 2:
            copies.pop(name, None)
        elif kind == 3 and name in entries:
            del entries[name]
            copies.pop(name, None)
        elif kind == 4:
            entries[b"new/%d" % rng.randrange(10**6)] = ("a", 0, -1, -1)
        elif name in entries:  # dropped and added again: it moves to the end
            value = entries.pop(name)
            entries[name] = value
    copies = {k: v for k, v in copies.items() if k in entries}
    return entries, copies


def _cache(data: bytes) -> dscache.Cached:
    marks: list[int] = []
    p1, p2, entries, copies = dirstate_v1.parse(data, marks)
    key = b"o" * 20
    pieces = dscache.build(key, p1, p2, entries, copies, data, marks)
    cached = dscache.read(b"".join(pieces), key)
    assert cached is not None
    return cached


def _boundaries(data: bytes) -> set[int]:
    marks: list[int] = []
    saved = dirstate_v1.MARK_EVERY
    dirstate_v1.MARK_EVERY = 1
    try:
        dirstate_v1.parse(data, marks)
    finally:
        dirstate_v1.MARK_EVERY = saved
    return set(marks)


def _check(cached: dscache.Cached, data: bytes) -> None:
    p1, p2, entries, copies = dirstate_v1.parse(data)
    assert (cached.p1, cached.p2) == (p1, p2)
    assert cached.entries() == entries and cached.count == len(entries)
    assert cached.copies == copies
    assert cached.nonnormal == {p: v for p, v in entries.items() if dscache.nonnormal(v)}
    assert bytes(cached.data()) == data
    assert set(cached.marks) <= _boundaries(data)
    assert len(cached.marks) >= len(entries) // dirstate_v1.MARK_EVERY // 2


@pytest.mark.parametrize("seed", range(12))
def test_a_refreshed_cache_equals_a_full_parse(seed):
    rng = random.Random(seed)
    entries, copies = _base(rng, 3000)
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, copies, now=2**30)
    cached = _cache(data)
    refreshed_count = 0
    for step in range(4):  # refreshed several times: its marks must stay right
        entries, copies = _rewrite(rng, entries, copies, rng.choice([1, 2, 3, 5]))
        new = dirstate.pack(bytes([step + 2]) * 20, b"\0" * 20, entries, copies, now=2**30)
        key = bytes([step]) * 20
        pieces = dscache.refresh(cached, key, new)
        if pieces is None:  # too different: the caller parses in full
            cached = _cache(new)
            continue
        refreshed = dscache.read(b"".join(pieces), key)
        assert refreshed is not None
        _check(refreshed, new)
        assert refreshed.changed_since(cached.key) is not None
        cached = refreshed
        refreshed_count += 1
    assert refreshed_count


def test_changed_names_are_remembered_for_a_file_system_monitor():
    rng = random.Random(5)
    entries, copies = _base(rng, 3000)
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, copies, now=2**30)
    cached = _cache(data)
    touched = sorted(entries)[100:105]
    for name in touched:
        entries[name] = ("n", 0o100644, 1, 1500)
    new = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, copies, now=2**30)
    pieces = dscache.refresh(cached, b"n" * 20, new)
    refreshed = dscache.read(b"".join(pieces), b"n" * 20)
    assert refreshed.changed_since(cached.key) == set(touched)
    assert refreshed.changed_since(b"n" * 20) == set()


def test_versions_that_do_not_line_up_are_parsed_in_full():
    rng = random.Random(7)
    entries, copies = _base(rng, 3000)
    data = dirstate.pack(b"\1" * 20, b"\0" * 20, entries, copies, now=2**30)
    cached = _cache(data)
    shuffled = list(entries.items())
    rng.shuffle(shuffled)
    other = dirstate.pack(b"\1" * 20, b"\0" * 20, dict(shuffled), copies, now=2**30)
    assert dscache.refresh(cached, b"n" * 20, other) is None
    assert dscache.refresh(cached, b"n" * 20, data[:30]) is None
    # A damaged record where the versions differ is never taken for an entry.
    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 0xFF
    pieces = dscache.refresh(cached, b"n" * 20, bytes(damaged))
    if pieces is not None:
        _check(dscache.read(b"".join(pieces), b"n" * 20), bytes(damaged))
    truncated = data[:-7]
    assert dscache.refresh(cached, b"n" * 20, truncated) is None


def test_splicing_keeps_marks_on_record_boundaries(tmp_path):
    from amalgam.repo import Repository

    repo = Repository.create(str(tmp_path / "r"))
    entries = {b"dir%d/%0150d" % (i % 40, i): ("n", 0o100644, i, 1000) for i in range(8000)}
    repo.vfs.write("dirstate", dirstate.pack(b"\1" * 20, b"\0" * 20, entries, {}, now=2**30))
    with repo.wlock():
        ds = dirstate.DirState.open(repo)
        ds.drop(b"dir3/%0150d" % 3)
        ds.add(b"dir9/new")
        ds.remove(b"dir7/%0150d" % 7000)
        ds.write()
    data = repo.vfs.read("dirstate")
    cached = dirstate.DirState.open(repo)._cached
    assert cached is not None and bytes(cached.data()) == data
    assert set(cached.marks) <= _boundaries(data)


def test_a_dirstate_another_tool_rewrote_is_not_parsed_again(tmp_path, monkeypatch):
    from amalgam.repo import Repository

    repo = Repository.create(str(tmp_path / "r"))
    entries = {b"dir%d/%0150d" % (i % 40, i): ("n", 0o100644, i, 1000) for i in range(8000)}
    repo.vfs.write("dirstate", dirstate.pack(b"\1" * 20, b"\0" * 20, entries, {}, now=2**30))
    dirstate.DirState.open(repo)  # builds the cache
    for i in range(0, 8000, 900):
        entries[b"dir%d/%0150d" % (i % 40, i)] = ("n", 0o100644, i, 1400)
    repo.vfs.write("dirstate", dirstate.pack(b"\2" * 20, b"\0" * 20, entries, {}, now=2**30))

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed in full")

    monkeypatch.setattr(dirstate, "parse", no_parse)
    ds = dirstate.DirState.open(repo)
    assert ds.p1() == b"\2" * 20 and ds.raw() == entries
