"""Filelog metadata header and the Filelog wrapper."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

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


@settings(deadline=None)  # a loaded machine must not fail a format test
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


def test_filelog_on_a_real_revlog(tmp_path):
    from amalgam.repo import FileChange, Repository

    repo = Repository.create(str(tmp_path / "r"))
    n1 = repo.commit_files({b"a": FileChange(b"\x01\nstarts with marker\n")},
                           user="u", date=(0, 0), message="m")
    n2 = repo.commit_files({b"b": FileChange(b"copied\n", copy_source=b"a"),
                            b"a": FileChange(b"plain\n")}, user="u", date=(0, 0), message="m")
    flog_a, flog_b = repo.file(b"a"), repo.file(b"b")
    node_a1 = repo.manifest_of(n1)[b"a"]
    node_b = repo.manifest_of(n2)[b"b"]
    assert flog_a.read(node_a1) == b"\x01\nstarts with marker\n"
    assert flog_a.rawdata(node_a1).startswith(b"\x01\n\x01\n")
    assert flog_a.size(0) == len(b"\x01\nstarts with marker\n")
    assert flog_a.renamed(node_a1) is None
    assert flog_b.renamed(node_b) == (b"a", node_a1)
    assert flog_b.parents(node_b) == (b"\0" * 20, b"\0" * 20)
    assert flog_b.read(node_b) == b"copied\n" and flog_b.size(0) == 7
    assert not flog_b.cmp(node_b, b"copied\n") and flog_b.cmp(node_b, b"other\n")
    node_a2 = repo.manifest_of(n2)[b"a"]
    assert flog_a.parents(node_a2) == (node_a1, b"\0" * 20)
    assert not flog_a.cmp(node_a2, b"plain\n") and flog_a.cmp(node_a2, b"plain")
    assert not flog_a.cmp(node_a1, b"\x01\nstarts with marker\n")
    n3 = repo.commit_files({b"a": FileChange(b"\x01\nmarker again\n")},
                           user="u", date=(0, 0), message="m")
    # A metadata block moves the real parent to the second slot, as hg stores it.
    assert flog_a.parents(repo.manifest_of(n3)[b"a"]) == (b"\0" * 20, node_a2)
