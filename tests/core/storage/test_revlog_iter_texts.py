"""Revlog.iter_texts: every revision read once, each text from its base's text."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from amalgam.error import StorageError
from amalgam.node import nullid, nullrev
from amalgam.storage.revlog import Revlog
from amalgam.storage.revlog_index import REVIDX_EXTSTORED
from tests.core.storage.test_revlog import MiniTransaction, MiniVFS, _fill, _texts


@pytest.fixture
def vfs(tmp_path: Path) -> MiniVFS:
    return MiniVFS(tmp_path)


def _write(vfs: MiniVFS, texts: list[bytes], **options: object) -> Revlog:
    rl = Revlog(vfs, b"data/c", options=dict(options))
    _fill(rl, MiniTransaction(vfs), texts)
    return Revlog(vfs, b"data/c", options=dict(options))


@pytest.mark.parametrize("inline", [True, False])
@pytest.mark.parametrize("generaldelta", [True, False])
def test_texts_match_revision_in_order(vfs: MiniVFS, inline: bool, generaldelta: bool) -> None:
    texts = _texts(300)
    rl = _write(vfs, texts, new_inline=inline, generaldelta=generaldelta, max_chain_len=40)
    seen = []
    for rev, text, base, delta in rl.iter_texts():
        seen.append(rev)
        assert text == texts[rev]
        assert base == rl.deltaparent(rev)
        assert (delta is None) == (base == nullrev)
    assert seen == list(range(300))
    assert any(rl.deltaparent(rev) == nullrev for rev in range(1, 300))  # several chains


def test_delta_is_the_stored_one(vfs: MiniVFS) -> None:
    texts = _texts(20)
    rl = _write(vfs, texts)
    for rev, _text, base, delta in rl.iter_texts():
        if delta is not None:
            assert delta == rl.revdiff(base, rev)


def test_no_kept_bases_leaves_deltas_to_revision(vfs: MiniVFS) -> None:
    texts = _texts(30)
    rl = _write(vfs, texts)
    out = list(rl.iter_texts(keep_bytes=0))
    assert [rev for rev, text, _b, _d in out if text is not None] == [
        rev for rev in range(30) if rl.deltaparent(rev) == nullrev]
    assert all(rl.revision(rev) == texts[rev] for rev, *_ in out)


def test_damaged_revision_is_left_to_revision(vfs: MiniVFS) -> None:
    texts = _texts(12)
    rl = _write(vfs, texts, new_inline=False, compression="none")
    # Change a byte of revision 5's stored chunk: it still decodes, its hash fails.
    start = rl.start(5) + rl.length(5) - 2
    path = Path(vfs.join(b"data/c.d"))
    data = bytearray(path.read_bytes())
    data[start] ^= 0x01
    path.write_bytes(bytes(data))
    rl = Revlog(vfs, b"data/c")
    out = {rev: text for rev, text, _b, _d in rl.iter_texts()}
    assert out[5] is None
    with pytest.raises(StorageError, match="integrity check failed"):
        rl.revision(5)
    for rev in range(12):
        if rev != 5 and out[rev] is None:  # its chain passes through 5
            with pytest.raises(StorageError):
                rl.revision(rev)
        elif rev != 5:
            assert out[rev] == texts[rev]


def test_index_not_end_to_end_leaves_everything_to_revision(vfs: MiniVFS) -> None:
    _write(vfs, _texts(8), new_inline=False)
    path = Path(vfs.join(b"data/c.i"))
    data = bytearray(path.read_bytes())
    # Revision 3's offset (high 48 bits of the first field) one byte further.
    (field,) = struct.unpack_from(">Q", data, 64 * 3)
    struct.pack_into(">Q", data, 64 * 3, field + (1 << 16))
    path.write_bytes(bytes(data))
    out = list(Revlog(vfs, b"data/c").iter_texts())
    assert [(rev, text) for rev, text, _b, _d in out] == [(rev, None) for rev in range(8)]


def test_flagged_revision_is_left_to_revision(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/c")
    tr = MiniTransaction(vfs)
    rl.addrevision(b"plain\n", tr, 0, nullid, nullid)
    node = rl.addrevision(b"stored elsewhere\n", tr, 1, rl.node(0), nullid, flags=REVIDX_EXTSTORED)
    out = list(Revlog(vfs, b"data/c").iter_texts())
    assert out[0][1] == b"plain\n"
    assert out[1][1] is None
    assert Revlog(vfs, b"data/c").rev(node) == 1


def test_texts_are_remembered(vfs: MiniVFS) -> None:
    texts = _texts(5)
    rl = _write(vfs, texts)
    for _ in rl.iter_texts():
        pass
    # A later read is served from the cache: the stored chunks are no longer needed.
    Path(vfs.join(b"data/c.i")).write_bytes(b"")
    assert rl.revision(4) == texts[4]
