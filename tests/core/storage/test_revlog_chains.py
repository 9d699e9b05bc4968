"""Reading long delta chains out of order: the texts kept along a chain."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

from amalgam.error import StorageError
from amalgam.storage import mdiff, revlog_cache
from amalgam.storage.revlog import Revlog

from .test_revlog import MiniTransaction, MiniVFS, _fill, _texts


@pytest.fixture
def chain(tmp_path: Path) -> tuple[MiniVFS, list[bytes], list[bytes]]:
    """One revlog whose 120 revisions form a single delta chain."""
    vfs = MiniVFS(tmp_path)
    rl = Revlog(vfs, b"data/f", options={"compression": "zlib"})
    texts = _texts(120)
    nodes = _fill(rl, MiniTransaction(vfs), texts)
    assert rl.chainlen(119) == 119  # the scenario needs one long chain
    return vfs, texts, nodes


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many deltas each ``mdiff.patches`` call applies."""
    applied: list[int] = []
    real = mdiff.patches

    def patches(text, deltas):
        deltas = list(deltas)
        applied.append(len(deltas))
        return real(text, deltas)

    monkeypatch.setattr(mdiff, "patches", patches)
    return applied


def test_newest_first_reads_apply_a_bounded_number_of_deltas(chain, monkeypatch):
    vfs, texts, _nodes = chain
    rl = Revlog(vfs, b"data/f")
    applied = _counting(monkeypatch)
    assert rl.revision(119) == texts[119]
    assert sum(applied) == 119  # the first read pays for the whole chain once
    applied.clear()
    for rev in range(118, -1, -1):
        assert rl.revision(rev) == texts[rev]
    # Each later read starts from a text kept along the chain.
    assert sum(applied) <= 119 * revlog_cache.STEP // 2 + revlog_cache.STEP
    assert max(applied) <= revlog_cache.STEP


def test_kept_texts_are_still_hash_checked(chain, monkeypatch):
    vfs, texts, _nodes = chain
    rl = Revlog(vfs, b"data/f")
    rl.revision(119)
    kept = [key for key in revlog_cache.kept if key[0] is rl._stops.token]
    assert kept, "a long chain keeps intermediate texts"
    rev = max(key[1] for key in kept)
    revlog_cache.kept[(rl._stops.token, rev)] = b"not the stored text\n"
    with pytest.raises(StorageError, match="integrity check failed"):
        rl.revision(rev)


def test_reload_does_not_reuse_texts_of_the_old_files(chain, tmp_path):
    vfs, texts, nodes = chain
    rl = Revlog(vfs, b"data/f")
    rl.revision(119)
    # Another writer replaces the revlog with different content.
    for name in ("data/f.i", "data/f.d"):
        (tmp_path / name).unlink(missing_ok=True)
    other = _texts(120, seed=7)
    _fill(Revlog(vfs, b"data/f"), MiniTransaction(vfs), other)
    rl.reload()
    for rev in range(119, -1, -7):
        assert rl.revision(rev) == other[rev]


def test_the_shared_cache_stays_within_its_budget(chain, monkeypatch):
    vfs, texts, _nodes = chain
    monkeypatch.setattr(revlog_cache, "BUDGET", 3 * len(texts[-1]))
    # A private cache for this test; the process-wide one comes back after.
    monkeypatch.setattr(revlog_cache, "kept", OrderedDict())
    monkeypatch.setattr(revlog_cache, "kept_bytes", 0)
    rl = Revlog(vfs, b"data/f")
    for rev in range(119, -1, -1):
        assert rl.revision(rev) == texts[rev]
        assert revlog_cache.kept_bytes <= revlog_cache.BUDGET
        assert revlog_cache.kept_bytes == sum(map(len, revlog_cache.kept.values()))


def test_cache_bytes_option_bounds_the_full_text_cache(tmp_path, monkeypatch):
    vfs = MiniVFS(tmp_path)
    texts = [b"%d\n" % i * 3000 for i in range(3)]  # ~6-9 KB each
    _fill(Revlog(vfs, b"data/f"), MiniTransaction(vfs), texts)
    small = Revlog(vfs, b"data/f", options={"cache_bytes": 4096})
    big = Revlog(vfs, b"data/f", options={"cache_bytes": 1 << 20})
    for rl in (small, big):
        rl.revision(2)
    applied = _counting(monkeypatch)
    assert small.revision(2) == big.revision(2) == texts[2]
    assert len(applied) == 1  # only the small-budget revlog had to rebuild it


class CountingVFS(MiniVFS):
    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.reads = 0

    def __call__(self, path, mode="rb", atomictemp=False):
        self.reads += mode == "rb"
        return super().__call__(path, mode, atomictemp)


@pytest.mark.parametrize("inline", [True, False])
def test_in_order_reads_share_one_read_ahead(tmp_path, inline):
    vfs = CountingVFS(tmp_path)
    texts = [b"revision %d\n" % i * 20 for i in range(200)]
    rl = Revlog(vfs, b"data/f", options={"new_inline": inline, "max_chain_len": 0})
    _fill(rl, MiniTransaction(vfs), texts)  # full texts, like the changelog
    rl = Revlog(vfs, b"data/f")
    vfs.reads = 0
    assert [rl.revision(rev) for rev in range(200)] == texts
    assert vfs.reads <= 2  # the whole revlog fits one read-ahead window


def test_truncated_file_still_reads_what_is_there(tmp_path):
    vfs = MiniVFS(tmp_path)
    texts = [b"revision %d\n" % i * 20 for i in range(50)]
    _fill(Revlog(vfs, b"data/f", options={"new_inline": False, "max_chain_len": 0}),
          MiniTransaction(vfs), texts)
    data = tmp_path / "data" / "f.d"
    data.write_bytes(data.read_bytes()[:-5])
    rl = Revlog(vfs, b"data/f")
    assert rl.revision(0) == texts[0]
    with pytest.raises(StorageError, match="beyond the end"):
        rl.revision(49)


def test_threads_reading_while_steps_are_evicted(chain, monkeypatch):
    # A threaded server: each request has its own revlog, all share the kept
    # steps, and a tiny budget makes eviction race with every walk.
    import threading

    vfs, texts, _nodes = chain
    monkeypatch.setattr(revlog_cache, "BUDGET", 2 * len(texts[-1]))
    monkeypatch.setattr(revlog_cache, "kept", OrderedDict())
    monkeypatch.setattr(revlog_cache, "kept_bytes", 0)
    errors: list[BaseException] = []

    def reader(offset: int) -> None:
        try:
            for _ in range(3):
                rl = Revlog(vfs, b"data/f")
                for rev in range(119 - offset, -1, -3):
                    assert rl.revision(rev) == texts[rev]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    import sys

    threads = [threading.Thread(target=reader, args=(i % 3,)) for i in range(6)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so races show
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert revlog_cache.kept_bytes == sum(map(len, revlog_cache.kept.values()))
