"""Hostile or damaged bundles abort cleanly and leave the repository byte for byte unchanged."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from amalgam.exchange.bundle2 import OutPart, Writer
from amalgam.exchange.changegroup import chunkheader, closechunk
from amalgam.node import nullid
from amalgam.storage.revlog import hashrevision


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted((root / ".hg").rglob("*")) if p.is_file()}


def _chunk(node: bytes, p1: bytes, p2: bytes, base: bytes, link: bytes, delta: bytes) -> bytes:
    header = node + p1 + p2 + base + link
    return chunkheader(len(header) + len(delta)) + header + delta


def _full(text: bytes) -> bytes:
    return struct.pack(">lll", 0, 0, len(text)) + text


def _cg_with_file(path: bytes, link: bytes, *, base: bytes = nullid,
                  node: bytes | None = None, text: bytes = b"evil\n") -> bytes:
    node = node or hashrevision(text, nullid, nullid)
    group = _chunk(node, nullid, nullid, base, link, _full(text)) + closechunk()
    return (closechunk() + closechunk() + chunkheader(len(path)) + path + group
            + closechunk())


def _bundle(payload: bytes, parttype: str = "changegroup", **kw) -> bytes:
    writer = Writer()
    writer.addpart(OutPart(parttype, data=payload, mandatory_params=[("version", "02")]
                           if parttype == "changegroup" else [], **kw))
    return b"".join(writer.chunks())


@pytest.fixture
def target(amg, tmp_path: Path):
    """A repository with one changeset, made by unbundling our own bundle."""
    repo = tmp_path / "repo"
    assert amg("init", str(repo)).rc == 0
    from amalgam.repo import Repository

    r = Repository.open(str(repo))
    from amalgam.repo import FileChange

    r.commit_files({b"f": FileChange(b"data\n")}, user="t", message="m", date=(0.0, 0))
    return repo, r.changelog.revlog.node(0)


def _refused(amg, repo: Path, data: bytes, tmp_path: Path, expect: str) -> None:
    before = _snapshot(repo)
    path = tmp_path / "hostile.hg"
    path.write_bytes(data)
    result = amg("unbundle", str(path), cwd=repo)
    assert result.rc != 0
    assert "Traceback" not in result.stderr
    assert expect in result.stderr, result.stderr
    assert _snapshot(repo) == before
    assert amg("verify", cwd=repo).rc == 0


@pytest.mark.parametrize("path", [b"../evil", b"/etc/evil", b".hg/hgrc", b".HG/hgrc",
                                  b"a/../../x", b"sub/.Hg/x", b"a//b", b"a\nb"])
def test_bad_file_names(amg, target, tmp_path, path):
    repo, link = target
    _refused(amg, repo, _bundle(_cg_with_file(path, link)), tmp_path, "refusing file name")


def test_unknown_delta_base(amg, target, tmp_path):
    repo, link = target
    _refused(amg, repo, _bundle(_cg_with_file(b"g", link, base=b"\x11" * 20)), tmp_path,
             "unknown delta base")


def test_hash_mismatch(amg, target, tmp_path):
    repo, link = target
    _refused(amg, repo, _bundle(_cg_with_file(b"g", link, node=b"\x22" * 20)), tmp_path,
             "integrity check failed")


def test_unknown_link_node(amg, target, tmp_path):
    repo, _link = target
    _refused(amg, repo, _bundle(_cg_with_file(b"g", b"\x33" * 20)), tmp_path,
             "unknown changeset")


def test_unknown_mandatory_part(amg, target, tmp_path):
    repo, _link = target
    _refused(amg, repo, _bundle(b"x", parttype="made-up-part"), tmp_path,
             "missing support for bundle2 part type 'made-up-part'")


def test_unknown_advisory_part_is_skipped(amg, target, tmp_path):
    repo, _link = target
    path = tmp_path / "ok.hg"
    path.write_bytes(_bundle(b"x", parttype="made-up-part", mandatory=False))
    assert amg("unbundle", str(path), cwd=repo).rc == 0


@pytest.mark.parametrize("size", [-7, 3, 2**31 - 1])
def test_bad_chunk_sizes(amg, target, tmp_path, size):
    repo, _link = target
    payload = struct.pack(">i", size) + b"\0" * 8
    _refused(amg, repo, _bundle(payload), tmp_path, "abort:")


def test_truncated_bundle(amg, target, tmp_path):
    repo, link = target
    data = _bundle(_cg_with_file(b"g", link))
    _refused(amg, repo, data[:len(data) - 30], tmp_path, "abort:")


def test_not_a_bundle(amg, target, tmp_path):
    repo, _link = target
    _refused(amg, repo, b"PK\3\4 a zip file", tmp_path, "not a Mercurial bundle")


def test_zlib_bomb_is_bounded_and_refused(amg, target, tmp_path):
    import zlib

    repo, _link = target
    # 64 MiB inflating from a tiny stream: the first chunk header read from
    # it has an invalid length, so we stop after inflating one small piece.
    bomb = zlib.compress(b"\xff" * (64 << 20), 9)
    _refused(amg, repo, b"HG10GZ" + bomb, tmp_path, "abort:")


@pytest.mark.parametrize("name", [b"data/../../evil.i", b"hgrc", b"data/.hg/x.i",
                                  b"../requires", b"data/ok.txt"])
def test_stream_bundle_names_are_checked(amg, tmp_path, name):
    from urllib.parse import quote

    repo = tmp_path / "empty"
    assert amg("init", str(repo)).rc == 0
    from amalgam.exchange.streamclone import _varint

    payload = b"s" + _varint(len(name)) + _varint(3) + name + b"abc"
    writer = Writer()
    writer.newpart("stream2", data=payload,
                   mandatory_params=[("bytecount", "3"), ("filecount", "1"),
                                     ("requirements", quote("revlogv1", safe=""))])
    _refused(amg, repo, b"".join(writer.chunks()), tmp_path, "abort:")
    assert not (tmp_path / "evil.i").exists()


def test_manifest_naming_missing_file_revision(amg, target, tmp_path):
    """A bundle whose manifests name file revisions it does not carry is refused."""
    from amalgam.exchange.changegroup import generate
    from amalgam.repo import Repository

    repo, _link = target
    donor = Repository.create(str(tmp_path / "donor"))
    from amalgam.repo import FileChange

    donor.commit_files({b"f": FileChange(b"data\n")}, user="t", message="m", date=(0.0, 0))
    donor.commit_files({b"g": FileChange(b"new\n")}, user="t", message="m2", date=(1.0, 0))
    payload = b"".join(generate(donor, [1], [0], "02", keep=lambda path: False))
    _refused(amg, repo, _bundle(payload), tmp_path, "missing file data for g")


@pytest.mark.parametrize("spec", ["none-v2", "gzip-v2", "none-v3"])
def test_mutated_bundles_never_crash(tmp_path, spec):
    """Random byte flips, cuts and insertions: an abort or a clean apply, never a crash."""
    import io
    import random
    import shutil

    from amalgam.error import AmalgamError
    from amalgam.exchange import bundlespec
    from amalgam.exchange.bundle import apply_stream, bundle_chunks
    from amalgam.repo import FileChange, Repository
    from amalgam.ui import UI

    src = Repository.create(str(tmp_path / "src"), UI())
    for i in range(4):
        src.commit_files({b"f%d" % (i % 2): FileChange(b"line\n" * (i + 1)),
                          b"d/g": FileChange(b"%d\n" % i)}, user="t", message=str(i),
                         date=(float(i), 0))
    good = b"".join(bundle_chunks(src, bundlespec.parse(spec), range(4), []))
    rng = random.Random(spec)
    target = tmp_path / "t"
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.6:
                data[pos] = rng.randrange(256)
            elif choice < 0.8:
                del data[pos:pos + rng.randint(1, 16)]
            else:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        if not target.exists():
            Repository.create(str(target), UI())
        repo = Repository.open(str(target), UI(fout=io.BytesIO(), ferr=io.BytesIO()))
        try:
            apply_stream(repo, repo.ui, io.BytesIO(bytes(data)), source="unbundle")
        except AmalgamError:
            assert len(Repository.open(str(target))) == 0
        shutil.rmtree(target)
