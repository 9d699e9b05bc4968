"""Node ids: hexadecimal forms and parsing, and the NewType stand-ins."""
from __future__ import annotations

import binascii

import pytest

from amalgam.node import NODE_LEN, Node, Rev, bin, hex, nullid, short

NODE = bytes(range(200, 220))


def test_hex_and_short_are_lowercase_digits() -> None:
    assert hex(NODE) == binascii.hexlify(NODE).decode("ascii")
    assert short(NODE) == hex(NODE)[:12]
    assert hex(nullid) == "0" * 40


def test_bin_parses_str_and_bytes_back() -> None:
    assert bin(hex(NODE)) == NODE
    assert bin(hex(NODE).upper().encode("ascii")) == NODE


@pytest.mark.parametrize("text", ["", "0" * 39, "0" * 41, "g" * 40, " " + "0" * 39,
                                  "0" * 38 + " 0", b"\xff" * 40])
def test_bin_refuses_what_is_not_40_hex_digits(text: str | bytes) -> None:
    with pytest.raises(ValueError):
        bin(text)


def test_the_types_are_the_values_at_run_time() -> None:
    assert Node(NODE) is NODE and Rev(5) == 5 and len(nullid) == NODE_LEN
