"""The merge state file: hg's record format, round trip, damage is a clean error."""
from __future__ import annotations

import hashlib
import struct

import pytest

from amalgam import error
from amalgam.merge.state import MergeState
from amalgam.repo import Repository

L, O, A = b"\x11" * 20, b"\x22" * 20, b"\x33" * 20


@pytest.fixture
def repo(tmp_path):
    return Repository.create(str(tmp_path / "r"))


def records(data: bytes):
    out, pos = [], 0
    while pos < len(data):
        kind, length = struct.unpack_from(">sI", data, pos)
        out.append((kind, data[pos + 5:pos + 5 + length]))
        pos += 5 + length
    return out


def test_round_trip_and_layout(repo):
    ms = MergeState.start(repo, L, O, ["working copy", "merge rev"])
    ms.add(b"dir/f", b"local text\n", "x", (b"dir/f", A), (b"dir/f", O), L)
    ms.add(b"gone", b"kept\n", "", (b"gone", A), (b"gone", b"\0" * 20), None, kind=b"C")
    ms.set_extra(b"g", b"filenode-source", b"other")
    ms.write()
    digest = hashlib.sha1(b"dir/f").hexdigest()
    assert repo.vfs.read("merge/" + digest) == b"local text\n"
    recs = records(repo.vfs.read("merge/state2"))
    assert recs[0] == (b"L", L.hex().encode())
    assert recs[1] == (b"O", O.hex().encode())
    assert recs[2] == (b"F", b"\0".join([b"dir/f", b"u", digest.encode(), b"dir/f", b"dir/f",
                                         A.hex().encode(), b"dir/f", O.hex().encode(), b"x"]))
    assert recs[3][0] == b"t" and recs[3][1].startswith(b"Cgone\0u\0")
    assert (b"t", b"lworking copy\0merge rev") in recs
    assert (b"t", b"fg\0filenode-source\0other") in recs
    old = repo.vfs.read("merge/state").split(b"\n")
    assert old[0] == L.hex().encode()
    assert old[1].split(b"\0")[0] == b"dir/f" and len(old) == 3  # C records stay out

    back = MergeState.read(repo)
    assert (back.local, back.other) == (L, O)
    assert back.unresolved() == [b"dir/f", b"gone"]
    assert back.kinds == {b"dir/f": b"F", b"gone": b"C"}
    assert back.extras[b"dir/f"][b"ancestorlinknode"] == L.hex().encode()
    assert back.labels == ["working copy", "merge rev"]
    back.mark(b"dir/f", "r")
    back.write()
    assert MergeState.read(repo).unresolved() == [b"gone"]
    MergeState.clear(repo)
    assert not MergeState.read(repo).active()


def test_no_state_is_inactive(repo):
    ms = MergeState.read(repo)
    assert not ms.active() and ms.unresolved() == []


@pytest.mark.parametrize("data", [
    b"L\0\0",                                   # truncated header
    b"L\0\0\0\x28" + b"ab",                     # truncated record
    b"L\0\0\0\x04zzzz",                         # bad node
    b"F\0\0\0\x03a\0u",                         # short file record
    b"F\0\0\0\x13a\0q\0h\0a\0a\0n\0a\0n\0",     # unknown file state
    b"X\0\0\0\x00",                             # unsupported mandatory record
])
def test_damaged_state_is_a_clean_error(repo, data):
    repo.vfs.makedirs("merge")
    repo.vfs.write("merge/state2", data)
    with pytest.raises(error.StateError):
        MergeState.read(repo)


def test_unknown_advisory_record_is_skipped(repo):
    repo.vfs.makedirs("merge")
    node = L.hex().encode()
    repo.vfs.write("merge/state2", b"L" + struct.pack(">I", 40) + node + b"x\0\0\0\x02hi")
    assert MergeState.read(repo).local == L


def test_reads_old_format_alone(repo):
    repo.vfs.makedirs("merge")
    rec = b"\0".join([b"f", b"u", b"h" * 40, b"f", b"f", A.hex().encode(), b"f", b""])
    repo.vfs.write("merge/state", L.hex().encode() + b"\n" + rec + b"\n")
    ms = MergeState.read(repo)
    assert ms.local == L and ms.unresolved() == [b"f"]
