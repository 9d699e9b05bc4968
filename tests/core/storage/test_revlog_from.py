"""``Revlog.revision_from``: a revision rebuilt from a known text further along its chain."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.error import StorageError
from amalgam.node import nullid
from amalgam.storage import mdiff
from amalgam.storage.revlog import Revlog

from .test_revlog import MiniTransaction, MiniVFS, _fill, _texts


def _revlog(tmp_path: Path, count: int = 40, **options) -> tuple[MiniVFS, list[bytes]]:
    vfs = MiniVFS(tmp_path)
    rl = Revlog(vfs, b"data/f", options={"compression": "zlib", **options})
    texts = _texts(count)
    _fill(rl, MiniTransaction(vfs), texts)
    return vfs, texts


def _fresh(vfs: MiniVFS, **options) -> Revlog:
    """The revlog reopened: nothing cached in memory."""
    return Revlog(vfs, b"data/f", options={"compression": "zlib", **options})


@pytest.mark.parametrize("generaldelta", [True, False])
def test_every_base_along_the_chain_gives_the_plain_text(tmp_path, generaldelta):
    vfs, texts = _revlog(tmp_path, generaldelta=generaldelta)
    last = len(texts) - 1
    chain, _ = _fresh(vfs, generaldelta=generaldelta).deltachain(last)
    assert len(chain) > 10  # the scenario needs a chain to cut
    for base in chain:
        rl = _fresh(vfs, generaldelta=generaldelta)
        assert rl.revision_from(last, base, texts[base]) == texts[last] == rl.revision(last)


def test_only_the_deltas_after_the_base_are_applied(tmp_path, monkeypatch):
    vfs, texts = _revlog(tmp_path)
    rl = _fresh(vfs)
    chain, _ = rl.deltachain(30)
    base = chain[-4]
    applied: list[int] = []
    real = mdiff.patches
    monkeypatch.setattr(mdiff, "patches",
                        lambda text, deltas: applied.append(len(deltas)) or real(text, deltas))
    assert rl.revision_from(30, base, texts[base]) == texts[30]
    assert applied == [3]
    # The result is kept: a read of the same revision rebuilds nothing.
    assert rl.revision(30) == texts[30]
    assert applied == [3]


def test_a_base_outside_the_chain_is_refused(tmp_path):
    vfs, texts = _revlog(tmp_path)
    rl = _fresh(vfs)
    # A later revision is never in an earlier one's chain ...
    assert rl.revision_from(10, 20, texts[20]) is None
    # ... nor is the main line in a side branch's chain.
    tr = MiniTransaction(vfs)
    side = rl.addrevision(texts[5] + b"side\n", tr, 40, rl.node(5), nullid)
    child = rl.addrevision(texts[5] + b"side\nchild\n", tr, 41, side, nullid)
    rl = _fresh(vfs)
    assert 20 not in rl.deltachain(rl.rev(child))[0]
    assert rl.revision_from(child, 20, texts[20]) is None
    assert rl.revision_from(child, rl.rev(side), texts[5] + b"side\n") == rl.revision(child)


def test_a_wrong_base_text_fails_the_hash_check(tmp_path):
    vfs, texts = _revlog(tmp_path)
    rl = _fresh(vfs)
    base = rl.deltachain(30)[0][-5]
    damaged = bytearray(texts[base])
    damaged[len(damaged) // 2] ^= 1
    with pytest.raises(StorageError, match="integrity check failed"):
        rl.revision_from(30, base, bytes(damaged))
    # Nothing wrong was kept: the plain read still gives the right text.
    assert rl.revision(30) == texts[30]
    # A text of the wrong size is not even tried.
    assert rl.revision_from(30, base, texts[base] + b"more\n") is None


def test_the_base_itself_is_hash_checked(tmp_path):
    vfs, texts = _revlog(tmp_path)
    assert _fresh(vfs).revision_from(12, 12, texts[12]) == texts[12]
    with pytest.raises(StorageError, match="integrity check failed"):
        _fresh(vfs).revision_from(12, 12, texts[13][:len(texts[12])].ljust(len(texts[12])))


def test_remember_keeps_a_checked_text_of_the_right_size(tmp_path, monkeypatch):
    vfs, texts = _revlog(tmp_path)
    rl = _fresh(vfs)
    rl.remember(7, texts[7] + b"wrong size")  # ignored
    rl.remember(8, texts[8])
    rebuilt: list[int] = []
    real = rl._rebuild
    monkeypatch.setattr(rl, "_rebuild", lambda rev: rebuilt.append(rev) or real(rev))
    assert rl.rawdata(8) == texts[8]
    assert rebuilt == []
    assert rl.rawdata(7) == texts[7]
    assert rebuilt == [7]


def test_a_revision_with_flags_is_left_to_a_plain_read(tmp_path):
    from amalgam.storage.revlog_index import REVIDX_EXTSTORED

    vfs, texts = _revlog(tmp_path, count=5)
    rl = _fresh(vfs)
    tr = MiniTransaction(vfs)
    flagged = rl.addrevision(texts[4] + b"stored elsewhere\n", tr, 5, rl.node(4), nullid,
                             flags=REVIDX_EXTSTORED)
    rl = _fresh(vfs)
    rev = rl.rev(flagged)
    assert rl.revision_from(rev, 4, texts[4]) is None
    rl.remember(rev, texts[4] + b"stored elsewhere\n")
    assert rev not in rl._cache
