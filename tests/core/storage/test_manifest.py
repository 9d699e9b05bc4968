"""Flat manifests: lazy lookups, diff and splice-with-delta."""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from amalgam import error
from amalgam.node import nullid
from amalgam.storage.manifest import Manifest

paths = st.binary(min_size=1, max_size=6).filter(
    lambda p: not set(p) & {0, 10, 13})
entries = st.tuples(st.binary(min_size=20, max_size=20), st.sampled_from(["", "x", "l"]))
manifests = st.dictionaries(paths, entries, max_size=30)
changes = st.dictionaries(paths, st.none() | entries, max_size=10)


def _node(i: int) -> bytes:
    return hashlib.sha1(b"%d" % i).digest()


def test_text_format_is_sorted_lines():
    m = Manifest.from_entries({b"b": (_node(1), "x"), b"a": (_node(2), "")})
    assert m.text() == (b"a\0" + _node(2).hex().encode() + b"\n"
                        b"b\0" + _node(1).hex().encode() + b"x\n")


@settings(max_examples=200, deadline=None)
@given(manifests, st.lists(paths, max_size=5))
def test_lookup_agrees_with_dict(ents, probes):
    m = Manifest.from_entries(ents)
    assert len(m) == len(ents)
    assert list(m) == sorted(ents)
    assert dict(m.items()) == ents
    for p in list(ents) + probes:
        assert m.get(p) == ents.get(p)
        assert (p in m) == (p in ents)
        assert m.node(p) == (ents[p][0] if p in ents else nullid)


@settings(max_examples=200, deadline=None)
@given(manifests, changes)
def test_apply_and_diff_agree_with_dict(ents, chg):
    from mercurial import mdiff  # oracle: hg's own patch code

    m = Manifest.from_entries(ents)
    new, delta = m.apply(chg)
    expected = dict(ents)
    for p, v in chg.items():
        if v is None:
            expected.pop(p, None)
        else:
            expected[p] = v
    assert new == Manifest.from_entries(expected)
    if delta is None:  # nothing to delta against
        assert not m.text() and new.text()
    else:
        assert mdiff.patch(m.text(), delta) == new.text()
    want = {p: (ents.get(p), expected.get(p)) for p in set(ents) | set(expected)
            if ents.get(p) != expected.get(p)}
    assert m.diff(new) == want


def test_unchanged_apply_returns_same_manifest_and_empty_delta():
    m = Manifest.from_entries({b"a": (_node(1), "")})
    same, delta = m.apply({b"a": (_node(1), ""), b"gone": None})
    assert same is m and delta == b""


def test_large_manifest_lookup_and_diff():
    ents = {b"dir%03d/file%05d.txt" % (i % 997, i): (_node(i), "") for i in range(100_000)}
    m = Manifest.from_entries(ents)
    new, delta = m.apply({b"dir005/file00005.txt": (_node(-1), "x"), b"zz": (_node(-2), "")})
    assert new.get(b"dir005/file00005.txt") == (_node(-1), "x")
    assert len(delta) < 200
    assert set(m.diff(new)) == {b"dir005/file00005.txt", b"zz"}


@pytest.mark.parametrize("text", [b"a\0" + b"z" * 40 + b"\n", b"no-nul\n",
                                  b"a\0" + b"0" * 40 + b"q\n", b"a\0" + b"0" * 10 + b"\n"])
def test_corrupt_lines_raise_storage_error(text):
    m = Manifest(text)
    with pytest.raises(error.StorageError):
        list(m.items())


def test_missing_final_newline_is_corrupt():
    with pytest.raises(error.StorageError):
        Manifest(b"a\0" + b"0" * 40)


@pytest.mark.parametrize("bad", [(b"a\nb", ""), (b"a", "y"), (b"", "")])
def test_bad_entries_are_refused(bad):
    path, flags = bad
    with pytest.raises(error.InputError):
        Manifest().apply({path: (_node(1), flags)})


def test_builder_refuses_paths_out_of_order():
    from amalgam.storage.manifest import ManifestBuilder

    builder = ManifestBuilder(Manifest.from_entries({b"a": (_node(1), "")}))
    builder.set(b"b", (_node(2), ""))
    for path in (b"a", b"b"):
        with pytest.raises(ValueError):
            builder.set(path, (_node(3), ""))


@settings(max_examples=100, deadline=None)
@given(manifests, changes)
def test_builder_fed_in_order_equals_apply(ents, chg):
    from amalgam.storage.manifest import ManifestBuilder

    m = Manifest.from_entries(ents)
    builder = ManifestBuilder(m)
    for path in sorted(chg):
        builder.set(path, chg[path])
    assert builder.finish() == m.apply(chg)


def test_adjacent_changes_make_one_delta_hunk():
    import struct

    ents = {b"f%02d" % i: (_node(i), "") for i in range(20)}
    m = Manifest.from_entries(ents)
    new, delta = m.apply({b"f03": (_node(-3), ""), b"f04": None, b"f05": (_node(-5), "x")})
    start, end, size = struct.unpack(">lll", delta[:12])
    assert len(delta) == 12 + size
    assert m.text()[:start] + delta[12:] + m.text()[end:] == new.text()


@pytest.mark.parametrize("step", [1, 7, 97, 1000])
def test_builder_on_a_big_parent_matches_a_rebuilt_manifest(step):
    from mercurial import mdiff  # oracle: hg's own patch code

    ents = {b"d%02d/f%05d" % (i % 13, i): (_node(i), "") for i in range(3000)}
    m = Manifest.from_entries(ents)
    chg: dict = {}
    for n, path in enumerate(sorted(ents)[::step]):
        chg[path] = None if n % 3 == 2 else (_node(-n), "x" if n % 2 else "")
    chg[b"zz/new"] = (_node(-1), "l")
    new, delta = m.apply(chg)
    expected = {p: v for p, v in {**ents, **chg}.items() if v is not None}
    assert new == Manifest.from_entries(expected)
    assert mdiff.patch(m.text(), delta) == new.text()
