"""Deltas: our diff and patch against each other and against Mercurial's own code."""
from __future__ import annotations

import os
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amalgam.error import StorageError
from amalgam.storage import mdiff

hg_mdiff = pytest.importorskip("mercurial.mdiff")

# Texts built from a small alphabet of lines so that pairs share lines.
_line = st.sampled_from([b"a\n", b"b\n", b"hello world\n", b"\n", b"x", b"\x00\x01",
                         b"tail", b"\xff\xfe\n", b"a"])
_text = st.lists(_line, max_size=30).map(b"".join)
_binary = st.binary(max_size=300)


def _hunks(delta: bytes) -> list[tuple[int, int, bytes]]:
    out, pos = [], 0
    while pos < len(delta):
        start, end, length = struct.unpack_from(">lll", delta, pos)
        out.append((start, end, delta[pos + 12:pos + 12 + length]))
        pos += 12 + length
    return out


def _check_pair(a: bytes, b: bytes) -> None:
    delta = mdiff.textdiff(a, b)
    assert mdiff.patch(a, delta) == b
    assert hg_mdiff.patch(a, delta) == b
    assert mdiff.patch(a, hg_mdiff.textdiff(a, b)) == b


@settings(max_examples=300, deadline=None)
@given(_text, _text)
def test_text_pairs_roundtrip_with_hg(a: bytes, b: bytes) -> None:
    _check_pair(a, b)


@settings(max_examples=200, deadline=None)
@given(_binary, _binary)
def test_binary_pairs_roundtrip_with_hg(a: bytes, b: bytes) -> None:
    _check_pair(a, b)


@settings(max_examples=200, deadline=None)
@given(_text, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 8), _text), max_size=5))
def test_edited_text_roundtrip(a: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    b = bytearray(a)
    for pos, cut, insert in edits:
        pos = min(pos, len(b))
        b[pos:pos + cut] = insert
    _check_pair(a, bytes(b))


@settings(max_examples=100, deadline=None)
@given(st.lists(_text, min_size=1, max_size=12))
def test_patches_equals_sequential_application(texts: list[bytes]) -> None:
    deltas = [mdiff.textdiff(x, y) for x, y in zip(texts, texts[1:])]
    expected = texts[0]
    for delta in deltas:
        expected = mdiff.patch(expected, delta)
    assert expected == texts[-1]
    assert mdiff.patches(texts[0], deltas) == texts[-1]
    assert hg_mdiff.patches(texts[0], deltas) == texts[-1]


def test_delta_is_sorted_line_granular() -> None:
    a = b"one\ntwo\nthree\nfour\n"
    b = b"one\nTWO\nthree\nfour\nfive\n"
    hunks = _hunks(mdiff.textdiff(a, b))
    assert hunks == [(4, 8, b"TWO\n"), (19, 19, b"five\n")]
    assert hunks == _hunks(hg_mdiff.textdiff(a, b))


def test_hg_worked_example() -> None:
    delta = mdiff.textdiff(b"hello\nworld\n", b"hello\nworld\nmore\n")
    assert delta == bytes.fromhex("0000000c0000000c000000056d6f72650a")


def test_equal_and_empty() -> None:
    assert mdiff.textdiff(b"same\n", b"same\n") == b""
    assert mdiff.textdiff(b"", b"new") == mdiff.trivialdiffheader(3) + b"new"
    assert mdiff.patch(b"abc", b"") == b"abc"
    assert mdiff.patches(b"abc", []) == b"abc"
    assert mdiff.patch(b"abc", mdiff.replacediffheader(3, 2) + b"xy") == b"xy"


def test_binary_with_few_newlines_gives_small_delta() -> None:
    rnd = random.Random(7)
    # No newline at all: tokens come from the secondary boundaries.
    base = bytes(rnd.choice(b"abcdefgh ,;}\x00") for _ in range(200_000))
    assert b"\n" not in base
    new = base[:50_000] + b"INSERTED" + base[50_000:150_000] + base[150_100:]
    delta = mdiff.textdiff(base, new)
    assert mdiff.patch(base, delta) == new
    assert len(delta) < 2_000


def test_random_binary_edit_is_small() -> None:
    base = os.urandom(1 << 20)
    new = base[:5000] + b"hello" + base[5000:900_000] + base[900_100:]
    delta = mdiff.textdiff(base, new)
    assert hg_mdiff.patch(base, delta) == new
    assert len(delta) < 10_000


def test_repeated_lines_stay_correct() -> None:
    a = b"x\n" * 5000 + b"y\n" + b"x\n" * 5000
    b = b"x\n" * 4000 + b"z\n" + b"x\n" * 7000
    _check_pair(a, b)


def test_long_chain_fold() -> None:
    rnd = random.Random(3)
    text = b"".join(b"line %d\n" % i for i in range(2000))
    texts = [text]
    for _ in range(300):
        lines = texts[-1].splitlines(True)
        pos = rnd.randrange(len(lines))
        lines[pos] = b"changed %d\n" % rnd.randrange(10**6)
        texts.append(b"".join(lines))
    deltas = [mdiff.textdiff(x, y) for x, y in zip(texts, texts[1:])]
    assert mdiff.patches(texts[0], deltas) == texts[-1]


@pytest.mark.parametrize("delta", [
    struct.pack(">ll", 0, 1),                        # truncated header
    struct.pack(">lll", 0, 2, 5) + b"ab",            # data shorter than length
    struct.pack(">lll", 0, 2, 2**31 - 1),            # absurd length
    struct.pack(">lll", 2, 1, 0),                    # end before start
    struct.pack(">lll", -1, 1, 0),                   # negative start
    struct.pack(">lll", 0, 99, 0),                   # beyond the text
    struct.pack(">lll", 3, 4, 0) + struct.pack(">lll", 1, 2, 0),  # unsorted
    struct.pack(">lll", 0, 3, 0) + struct.pack(">lll", 2, 4, 0),  # overlapping
    struct.pack(">lll", 0, 1, -5),                   # negative length
])
@pytest.mark.parametrize("small_text", [mdiff._SMALL_TEXT, 0])
def test_bad_deltas_raise_storage_error(delta: bytes, small_text: int, monkeypatch) -> None:
    # Both the slicing path (small texts) and the fragment path validate.
    monkeypatch.setattr(mdiff, "_SMALL_TEXT", small_text)
    with pytest.raises(StorageError):
        mdiff.patch(b"abcdef", delta)
    with pytest.raises(StorageError):
        mdiff.patches(b"abcdef", [b"", delta])


def test_chain_growing_past_the_small_text_limit_switches_to_fragments() -> None:
    rnd = random.Random(5)
    texts = [b"".join(b"row %d\n" % i for i in range(300))]
    while len(texts[-1]) < 3 * mdiff._SMALL_TEXT:
        lines = texts[-1].splitlines(True)
        pos = rnd.randrange(len(lines) + 1)
        lines[pos:pos] = [b"added %d %s\n" % (rnd.randrange(10**6), b"x" * rnd.randrange(200))
                          for _ in range(rnd.randrange(1, 40))]
        texts.append(b"".join(lines))
    deltas = [mdiff.textdiff(x, y) for x, y in zip(texts, texts[1:])]
    assert len(texts[0]) < mdiff._SMALL_TEXT
    assert mdiff.patches(texts[0], deltas) == texts[-1]
    assert mdiff.patches(memoryview(texts[0]), deltas) == texts[-1]
    assert mdiff.patches(texts[0], deltas[:1]) == texts[1]
    assert mdiff.patches(texts[0], [b""]) == texts[0]
