"""Changegroup framing and generation details not covered by the hg round trips."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from amalgam.error import Abort
from amalgam.exchange.changegroup import Unpacker, _new_entries, _parse_insertions, readchunk
from amalgam.node import hex
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


def test_readchunk_bounds() -> None:
    assert readchunk(io.BytesIO(b"\0\0\0\0")) == b""
    assert readchunk(io.BytesIO(struct.pack(">i", 7) + b"abc")) == b"abc"
    for bad in (1, 4, -1):
        with pytest.raises(Abort):
            readchunk(io.BytesIO(struct.pack(">i", bad) + b"x" * 8))
    with pytest.raises(Abort, match="stream ended unexpectedly"):
        readchunk(io.BytesIO(struct.pack(">i", 100) + b"short"))


def test_unknown_version_is_refused() -> None:
    with pytest.raises(Abort, match="unsupported changegroup version '09'"):
        Unpacker(io.BytesIO(b""), "09")


def test_new_entries_fall_back_when_a_delta_is_not_line_aligned(tmp_path: Path) -> None:
    repo = Repository.create(str(tmp_path / "r"), UI())
    repo.commit_files({b"a": FileChange(b"1\n"), b"b": FileChange(b"2\n")}, user="t",
                      message="m", date=(0.0, 0))
    repo.commit_files({b"b": FileChange(b"3\n")}, user="t", message="m", date=(0.0, 0))
    mlog = repo.manifestlog
    new_b = mlog.read(mlog.revlog.node(1)).node(b"b")
    line = b"b\0" + hex(new_b).encode() + b"\n"
    aligned = struct.pack(">lll", 0, 0, len(line)) + line
    assert _parse_insertions(aligned) == [(b"b", new_b)]
    # A hunk cutting a line in two parses as nonsense and must not be trusted.
    cut = struct.pack(">lll", 1, 1, 3) + b"xy\n"
    assert _parse_insertions(cut) is None
    assert _new_entries(repo, 1, cut) == [(b"b", new_b)]
    # A plausible-looking line naming a revision no filelog has is not trusted either.
    fake = b"b\0" + b"1" * 40 + b"\n"
    bogus = struct.pack(">lll", 0, 0, len(fake)) + fake
    assert _new_entries(repo, 1, bogus) == [(b"b", new_b)]
