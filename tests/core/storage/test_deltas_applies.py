"""``deltas._applies``: the in-place check of a caller's delta agrees with ``mdiff.patch``."""
from __future__ import annotations

import random
import struct

import pytest

from amalgam.error import StorageError
from amalgam.storage import deltas, mdiff


class _Base:
    """The one call ``_applies`` makes on a revlog."""

    def __init__(self, text: bytes | None) -> None:
        self.text = text

    def rawdata(self, rev: int) -> bytes:
        if self.text is None:
            raise StorageError("corrupt base")
        return self.text


def _oracle(base: bytes, delta: bytes, text: bytes) -> bool:
    try:
        return mdiff.patch(base, delta) == text
    except StorageError:
        return False


def _hunk(start: int, end: int, data: bytes) -> bytes:
    return struct.pack(">lll", start, end, len(data)) + data


def _lines(rnd: random.Random, count: int) -> list[bytes]:
    return [b"f%03d\0%040x\n" % (rnd.randrange(1000), rnd.randrange(1 << 160))
            for _ in range(count)]


def _cases(seed: int):
    """(base, delta, text): right deltas, and deltas or texts damaged in every way."""
    rnd = random.Random(seed)
    base = b"".join(_lines(rnd, rnd.randrange(0, 40)))
    new_lines = base.splitlines(keepends=True)
    for _ in range(rnd.randrange(0, 4)):
        at = rnd.randrange(len(new_lines) + 1)
        if new_lines and rnd.random() < 0.5:
            del new_lines[min(at, len(new_lines) - 1)]
        else:
            new_lines[at:at] = _lines(rnd, rnd.randrange(1, 3))
    text = b"".join(new_lines)
    delta = mdiff.textdiff(base, text)
    yield base, delta, text
    yield base, b"", base
    yield base, b"", text
    if text:
        flipped = bytearray(text)
        flipped[rnd.randrange(len(text))] ^= 1
        yield base, delta, bytes(flipped)
        yield base, delta, text[:-1]
    yield base, delta, text + b"x"
    if delta:
        yield base, delta[:-1], text
        yield base, delta[:rnd.randrange(1, 12)], text
        tampered = bytearray(delta)
        tampered[rnd.randrange(len(delta))] ^= 0x40
        yield base, bytes(tampered), text
    size = len(base)
    yield base, _hunk(size + 1, size + 1, b"x"), base + b"x"
    yield base, _hunk(size, size, b"tail\n"), base + b"tail\n"
    yield base, _hunk(0, 0, b"") + _hunk(0, 0, b"head\n"), b"head\n" + base
    if size > 10:
        yield base, _hunk(5, 9, b"ab") + _hunk(2, 3, b""), text  # out of order
        yield base, _hunk(5, 4, b""), base  # end before start
        yield base, _hunk(2, 6, b"xy") + _hunk(6, 8, b""), base[:2] + b"xy" + base[8:]
        yield base, struct.pack(">lll", 1, 2, 1 << 20) + b"z", base


@pytest.mark.parametrize("seed", range(60))
def test_the_in_place_check_agrees_with_patching(seed):
    for base, delta, text in _cases(seed):
        assert deltas._applies(_Base(base), 0, delta, text) == _oracle(base, delta, text), \
            (base, delta, text)


def test_a_base_that_cannot_be_read_refuses_the_delta():
    assert deltas._applies(_Base(None), 0, b"", b"") is False
