"""revlog_index.Index: decoded entries, and the one-entry cache in front of them."""
from __future__ import annotations

import pytest

from amalgam.storage.revlog_index import ENTRY, ENTRY_SIZE, Entry, Index


def _packed(rev: int) -> bytes:
    return ENTRY.pack(((rev * 100) << 16) | 0, 10 + rev, 20 + rev, rev, rev, rev - 1, -1,
                      bytes([rev]) * 20)


def _index() -> Index:
    return Index(b"t", b"".join(_packed(rev) for rev in range(4)), inline=False)


def test_entries_decode_and_alternate_reads_stay_right():
    index = _index()
    expected = {rev: Entry(0 if rev == 0 else rev * 100, 0, 10 + rev, 20 + rev, rev, rev,
                           rev - 1, -1, bytes([rev]) * 20) for rev in range(4)}
    for rev in (2, 2, 3, 2, 0, 0, 1, 3):
        assert index[rev] == expected[rev]
        assert index[rev].p1 == rev - 1 and index.node(rev) == bytes([rev]) * 20
    assert len(index) == 4 and len(_packed(0)) == ENTRY_SIZE


@pytest.mark.parametrize("rev", [-1, 4, 1 << 40])
def test_out_of_range_is_an_index_error_even_after_a_read(rev):
    index = _index()
    index[3]
    with pytest.raises(IndexError):
        index[rev]


def test_appended_entries_are_not_shadowed_by_the_cache():
    index = _index()
    index[3]
    added = Entry(999, 0, 1, 1, 4, 4, 3, -1, b"\x04" * 20)
    index.append(added)
    assert index[4] == added and index[3].offset == 300
