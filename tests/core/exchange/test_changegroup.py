"""Changegroup framing and generation details not covered by the hg round trips."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from amalgam.error import Abort
from amalgam.exchange.changegroup import Unpacker, _ManifestEntries, line_insertions, readchunk
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
    old, text = mlog.revlog.rawdata(0), mlog.revlog.rawdata(1)
    line = b"b\0" + hex(new_b).encode() + b"\n"
    at = old.index(b"b\0")
    aligned = struct.pack(">lll", at, len(old), len(line)) + line
    assert line_insertions(old, aligned) == [line[:-1]]
    assert _ManifestEntries(repo)(1, 0, aligned) == [(b"b", new_b)]
    # A hunk starting mid-line inserts a piece that parses as nonsense: not trusted,
    # the manifests are compared instead.
    cut = struct.pack(">lll", at + 2, len(old), len(text) - at - 2) + text[at + 2:]
    assert line_insertions(old, cut) is None
    assert _ManifestEntries(repo)(1, 0, cut) == [(b"b", new_b)]
    # A delta rewriting everything lists every line (a superset is safe: the
    # generator still filters by linkrev).
    whole = struct.pack(">lll", 0, len(old), len(text)) + text
    assert sorted(_ManifestEntries(repo)(1, 0, whole)) == sorted(
        (path, mlog.read(mlog.revlog.node(1)).node(path)) for path in (b"a", b"b"))
