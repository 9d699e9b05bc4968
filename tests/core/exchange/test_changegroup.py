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


@pytest.mark.parametrize("batch", [1, 2, 256])
def test_generated_group_round_trips_across_read_batches(tmp_path: Path, monkeypatch,
                                                          batch: int) -> None:
    from amalgam.exchange import cgapply, changegroup

    monkeypatch.setattr(changegroup, "_BATCH_REVS", batch)
    src = Repository.create(str(tmp_path / "src"), UI())
    with src.lock(), src.transaction("build"):
        for i in range(7):
            files = {b"f": FileChange(b"line\n" * 50 + b"%d\n" % i)}
            if i % 3 == 0:
                files[b"d/g%d" % i] = FileChange(b"new %d\n" % i)
            src.commit_files(files, user="t", message=str(i), date=(0.0, 0))
    data = b"".join(changegroup.generate(src, range(len(src)), [], "03"))
    dst = Repository.create(str(tmp_path / "dst"), UI())
    with dst.lock(), dst.transaction("apply") as tr:
        result = cgapply.apply(dst, tr, Unpacker(io.BytesIO(data), "03"), UI())
    assert result.added == [src.changelog.revlog.node(r) for r in range(len(src))]
    for path in (b"f", b"d/g0", b"d/g3", b"d/g6"):
        theirs, ours = src.file(path).revlog, dst.file(path).revlog
        assert [ours.node(r) for r in range(len(ours))] == [
            theirs.node(r) for r in range(len(theirs))]
        assert all(ours.rawdata(r) == theirs.rawdata(r) for r in range(len(ours)))
