"""Filelog metadata header and the Filelog wrapper."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from amalgam import error
from amalgam.storage.filelog import META_MARKER, pack_meta, parse_meta

keys = st.binary(min_size=1, max_size=8).filter(lambda k: b"\n" not in k and b": " not in k
                                                and b"\x01" not in k)
values = st.binary(max_size=20).filter(lambda v: b"\n" not in v and b"\x01" not in v)


def test_copy_header_matches_hg_layout():
    text = pack_meta({b"copyrev": b"ab" * 20, b"copy": b"a.txt"}, b"hello\n")
    assert text == b"\x01\ncopy: a.txt\ncopyrev: " + b"ab" * 20 + b"\n\x01\nhello\n"


def test_content_starting_with_marker_gets_empty_block():
    text = pack_meta({}, b"\x01\nodd")
    assert text == b"\x01\n\x01\n\x01\nodd"
    assert parse_meta(text) == ({}, 4)


def test_plain_content_is_untouched():
    assert pack_meta({}, b"plain") == b"plain"
    assert parse_meta(b"plain") == (None, 0)


@given(st.dictionaries(keys, values, max_size=4), st.binary(max_size=50))
def test_round_trip(meta, content):
    text = pack_meta(meta, content)
    parsed, offset = parse_meta(text)
    assert text[offset:] == content
    assert (parsed or {}) == meta


@pytest.mark.parametrize("text", [META_MARKER + b"copy: a", META_MARKER + b"nocolon\n\x01\n"])
def test_malformed_header_is_a_storage_error(text):
    with pytest.raises(error.StorageError):
        parse_meta(text)
