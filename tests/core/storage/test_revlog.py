"""Revlog v1 on its own: write, read back, split, rollback, delta choice, corruption."""
from __future__ import annotations

import os
import random
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from amalgam.error import StorageError
from amalgam.node import nullid, nullrev
from amalgam.storage import mdiff
from amalgam.storage.revlog import LookupFailed, Revlog, hashrevision


class MiniVFS:
    """The call shape of amalgam.vfs.VFS, enough for a revlog."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def join(self, path: bytes) -> str:
        return os.path.join(self.base, os.fsdecode(path))

    def __call__(self, path: bytes, mode: str = "rb", atomictemp: bool = False) -> Any:
        target = self.join(path)
        if mode[0] in "wa":
            os.makedirs(os.path.dirname(target), exist_ok=True)
        if atomictemp:
            return _AtomicFile(target)
        return open(target, mode)

    def exists(self, path: bytes) -> bool:
        return os.path.exists(self.join(path))

    def stat(self, path: bytes) -> os.stat_result:
        return os.stat(self.join(path))

    def rename(self, src: bytes, dst: bytes) -> None:
        os.replace(self.join(src), self.join(dst))


class _AtomicFile:
    def __init__(self, target: str) -> None:
        self.target = target
        self.fp = open(target + ".tmp", "wb")

    def write(self, data: bytes) -> int:
        return self.fp.write(data)

    def __enter__(self) -> _AtomicFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.fp.close()
        os.replace(self.target + ".tmp", self.target)


class MiniTransaction:
    """Journal like hg: first offset per file; rollback restores backups, then truncates."""

    def __init__(self, vfs: MiniVFS) -> None:
        self.vfs = vfs
        self.offsets: dict[bytes, int] = {}
        self.backups: dict[bytes, bytes] = {}

    def add(self, path: bytes, offset: int) -> None:
        self.offsets.setdefault(path, offset)

    def addbackup(self, path: bytes) -> None:
        if path not in self.backups:
            with open(self.vfs.join(path), "rb") as fp:
                self.backups[path] = fp.read()

    def abort(self) -> None:
        for path, data in self.backups.items():
            with open(self.vfs.join(path), "wb") as fp:
                fp.write(data)
        for path, offset in self.offsets.items():
            if offset == 0 and path not in self.backups:
                os.unlink(self.vfs.join(path))
            else:
                os.truncate(self.vfs.join(path), offset)


def _texts(count: int, seed: int = 1) -> list[bytes]:
    rnd = random.Random(seed)
    lines = [b"line %d\n" % i for i in range(200)]
    out = []
    for _ in range(count):
        pos = rnd.randrange(len(lines))
        lines[pos] = b"changed %d\n" % rnd.randrange(10**9)
        if rnd.random() < 0.3:
            lines.insert(pos, b"new %d\n" % rnd.randrange(10**9))
        out.append(b"".join(lines))
    return out


def _fill(rl: Revlog, tr: MiniTransaction, texts: list[bytes]) -> list[bytes]:
    nodes: list[bytes] = []
    for i, text in enumerate(texts):
        p1 = nodes[-1] if nodes else nullid
        nodes.append(rl.addrevision(text, tr, i, p1, nullid))
    return nodes


@pytest.fixture
def vfs(tmp_path: Path) -> MiniVFS:
    return MiniVFS(tmp_path)


@pytest.mark.parametrize("engine", ["zlib", "zstd", "none"])
@pytest.mark.parametrize("generaldelta", [True, False])
def test_roundtrip_and_reopen(vfs: MiniVFS, engine: str, generaldelta: bool) -> None:
    options = {"compression": engine, "generaldelta": generaldelta}
    rl = Revlog(vfs, b"data/f", options=options)
    texts = _texts(60)
    nodes = _fill(rl, MiniTransaction(vfs), texts)
    for reader in (rl, Revlog(vfs, b"data/f", options={"compression": "zlib"})):
        assert len(reader) == 60
        assert reader.tip() == nodes[-1]
        for rev, (text, node) in enumerate(zip(texts, nodes)):
            assert reader.revision(rev) == text
            assert reader.revision(node) == text
            assert reader.node(rev) == node
            assert reader.rev(node) == rev
            assert reader.linkrev(rev) == rev
            assert reader.parentrevs(rev) == (rev - 1, nullrev)
            assert node == hashrevision(text, reader.node(rev - 1), nullid)
        assert reader.headrevs() == [59]
        assert reader.verify_integrity() == []
        assert reader.checksize() == []
    assert rl.stats()["deltas"] > 30


def test_existing_node_is_not_written_twice(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f")
    tr = MiniTransaction(vfs)
    node = rl.addrevision(b"a\n", tr, 0, nullid, nullid)
    size = os.path.getsize(vfs.join(b"data/f.i"))
    assert rl.addrevision(b"a\n", tr, 5, nullid, nullid) == node
    assert os.path.getsize(vfs.join(b"data/f.i")) == size
    assert len(rl) == 1


def test_lookups(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f")
    nodes = _fill(rl, MiniTransaction(vfs), [b"x\n", b"y\n", b"z\n"])
    assert rl.lookup_prefix(nodes[1].hex()[:12]) == nodes[1]
    assert rl.lookup_prefix(nodes[1].hex()[:5].upper()) == nodes[1]
    assert rl.lookup_prefix("zz") is None
    assert rl.rev(nullid) == nullrev and rl.node(nullrev) == nullid
    assert rl.hasnode(nodes[2]) and not rl.hasnode(b"\1" * 20)
    with pytest.raises(LookupFailed):
        rl.rev(b"\1" * 20)
    with pytest.raises(LookupFailed):
        rl.node(3)
    with pytest.raises(LookupFailed):
        rl.revision(7)
    # With enough nodes some one-digit prefix is shared.
    many = _fill(Revlog(vfs, b"data/g"), MiniTransaction(vfs),
                 [b"%d\n" % i for i in range(40)])
    digit = max("0123456789abcdef", key=lambda d: sum(n.hex()[0] == d for n in many))
    with pytest.raises(LookupFailed, match="ambiguous"):
        Revlog(vfs, b"data/g").lookup_prefix(digit)


def test_revdiff_and_deltaparent(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f")
    texts = _texts(10)
    _fill(rl, MiniTransaction(vfs), texts)
    assert rl.deltaparent(0) == nullrev
    assert rl.deltaparent(5) == 4
    assert rl.chainlen(5) == rl.chainlen(4) + 1
    assert rl.chainbase(5) == 0
    assert mdiff.patch(texts[4], rl.revdiff(4, 5)) == texts[5]
    assert mdiff.patch(texts[1], rl.revdiff(1, 8)) == texts[8]


def test_cachedelta_is_used_when_right_and_ignored_when_wrong(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f")
    tr = MiniTransaction(vfs)
    texts = _texts(4)
    nodes = _fill(rl, tr, texts[:3])
    new = texts[3]
    # A hint against rev 0 (not a parent, so never tried on its own).
    node = rl.addrevision(new, tr, 3, nodes[2], nullid,
                          cachedelta=(0, mdiff.textdiff(texts[0], new)))
    assert rl.deltaparent(rl.rev(node)) == 0
    wrong = rl.addrevision(new + b"x\n", tr, 4, node, nullid,
                           cachedelta=(0, mdiff.textdiff(texts[1], new)))
    assert rl.deltaparent(rl.rev(wrong)) == rl.rev(node)
    broken = rl.addrevision(new + b"y\n", tr, 5, wrong, nullid, cachedelta=(1, b"\xff"))
    again = Revlog(vfs, b"data/f")
    assert again.revision(node) == new
    assert again.revision(wrong) == new + b"x\n"
    assert again.revision(broken) == new + b"y\n"


def test_max_chain_length_forces_snapshots(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f", options={"max_chain_len": 3})
    _fill(rl, MiniTransaction(vfs), _texts(20))
    assert max(rl.chainlen(r) for r in rl) == 3
    nodelta = Revlog(vfs, b"data/g", options={"max_chain_len": 0})
    _fill(nodelta, MiniTransaction(vfs), _texts(5))
    assert all(nodelta.deltaparent(r) == nullrev for r in nodelta)


@pytest.mark.parametrize("sparse", [True, False])
def test_intermediate_snapshots_restart_long_chains(vfs: MiniVFS, sparse: bool) -> None:
    rl = Revlog(vfs, b"data/f", options={"max_chain_len": 4, "sparse": sparse})
    texts = _texts(40)
    _fill(rl, MiniTransaction(vfs), texts)
    full = [r for r in rl if rl.deltaparent(r) == nullrev]
    intermediate = [r for r in rl if rl.deltaparent(r) != nullrev and rl.issnapshot(r)]
    stats = rl.stats()
    assert stats["snapshots"] == len(full)
    assert stats["intermediate_snapshots"] == len(intermediate)
    assert max(rl.chainlen(r) for r in rl) == 4
    if sparse:
        assert full == [0] and len(intermediate) >= 5
        assert all(rl.deltaparent(r) not in rl.parentrevs(r) for r in intermediate)
    else:
        assert len(full) >= 6 and intermediate == []
    again = Revlog(vfs, b"data/f")
    assert [again.revision(r) for r in again] == texts


def test_unrelated_big_text_is_a_snapshot(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/f")
    tr = MiniTransaction(vfs)
    n0 = rl.addrevision(b"small\n" * 10, tr, 0, nullid, nullid)
    rl.addrevision(os.urandom(5000), tr, 1, n0, nullid)
    assert rl.deltaparent(1) == nullrev


def test_span_bound_rejects_far_bases(vfs: MiniVFS) -> None:
    """A branch whose parent lies far back in a big file gets a fresh snapshot."""
    rl = Revlog(vfs, b"data/f", options={"compression": "none"})
    tr = MiniTransaction(vfs)
    base = b"".join(b"%08d\n" % i for i in range(4000))  # 36 KB
    root = rl.addrevision(base, tr, 0, nullid, nullid)
    tip = root
    for i in range(8):  # unrelated big revisions pushed after the root
        tip = rl.addrevision(os.urandom(40_000), tr, i + 1, tip, nullid)
    rl.addrevision(base + b"tail\n", tr, 9, root, nullid)
    assert rl.deltaparent(9) == nullrev
    near = rl.addrevision(base + b"tail 2\n", tr, 10, rl.node(9), nullid)
    assert rl.deltaparent(rl.rev(near)) == 9


def test_inline_split_at_threshold(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/big", options={"compression": "none"})
    tr = MiniTransaction(vfs)
    texts = [os.urandom(50_000) for _ in range(4)]
    nodes = _fill(rl, tr, texts[:2])
    assert rl.is_inline() and not vfs.exists(b"data/big.d")
    nodes.append(rl.addrevision(texts[2], tr, 2, nodes[-1], nullid))
    assert not rl.is_inline()
    assert os.path.getsize(vfs.join(b"data/big.i")) == 3 * 64
    assert os.path.getsize(vfs.join(b"data/big.d")) == rl.end(2)
    nodes.append(rl.addrevision(texts[3], tr, 3, nodes[-1], nullid))
    reopened = Revlog(vfs, b"data/big")
    assert not reopened.is_inline()
    assert [reopened.revision(n) for n in nodes] == texts
    with open(vfs.join(b"data/big.i"), "rb") as fp:
        assert fp.read(4) == b"\x00\x02\x00\x01"


def test_split_then_rollback_restores_inline(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/big", options={"compression": "none"})
    _fill(rl, MiniTransaction(vfs), [b"first\n"])
    before = Path(vfs.join(b"data/big.i")).read_bytes()
    tr = MiniTransaction(vfs)
    for i in range(3):
        rl.addrevision(os.urandom(50_000), tr, i + 1, rl.tip(), nullid)
    assert not rl.is_inline()
    tr.abort()
    assert Path(vfs.join(b"data/big.i")).read_bytes() == before
    assert not vfs.exists(b"data/big.d")
    again = Revlog(vfs, b"data/big")
    assert again.is_inline() and again.revision(0) == b"first\n"


def test_new_split_revlog(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"00changelog", options={"new_inline": False, "generaldelta": False,
                                             "max_chain_len": 0})
    _fill(rl, MiniTransaction(vfs), [b"a\n", b"b\n"])
    with open(vfs.join(b"00changelog.i"), "rb") as fp:
        assert fp.read(4) == b"\x00\x00\x00\x01"
    assert vfs.exists(b"00changelog.d")
    assert Revlog(vfs, b"00changelog").revision(1) == b"b\n"


def test_empty_text_and_empty_revlog(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/e")
    assert len(rl) == 0 and rl.headrevs() == [nullrev]
    node = rl.addrevision(b"", MiniTransaction(vfs), 0, nullid, nullid)
    assert Revlog(vfs, b"data/e").revision(node) == b""


def test_unknown_options_are_refused(vfs: MiniVFS) -> None:
    with pytest.raises(StorageError):
        Revlog(vfs, b"data/f", options={"compression": "lzma"})
    rl = Revlog(vfs, b"data/f")
    with pytest.raises(StorageError):
        rl.addrevision(b"x", MiniTransaction(vfs), 0, nullid, nullid, flags=0x0001)


# -- corruption ------------------------------------------------------------

def _written(vfs: MiniVFS, engine: str = "zlib", inline: bool = True) -> Path:
    rl = Revlog(vfs, b"data/c", options={"compression": engine, "new_inline": inline})
    _fill(rl, MiniTransaction(vfs), _texts(12))
    return Path(vfs.join(b"data/c.i"))


def _read_all(vfs: MiniVFS) -> None:
    rl = Revlog(vfs, b"data/c")
    for rev in rl:
        rl.revision(rev)


def _patch_entry(path: Path, rev: int, fmt: str, offset: int, value: int,
                 inline: bool = False) -> None:
    data = bytearray(path.read_bytes())
    pos = 64 * rev
    if inline:
        rl_pos = 0
        for _ in range(rev):
            rl_pos += 64 + struct.unpack_from(">i", data, rl_pos + 8)[0]
        pos = rl_pos
    struct.pack_into(fmt, data, pos + offset, value)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("inline", [True, False])
def test_truncated_index(vfs: MiniVFS, inline: bool) -> None:
    path = _written(vfs, inline=inline)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(StorageError):
        _read_all(vfs)
    path.write_bytes(data[:2])
    with pytest.raises(StorageError):
        _read_all(vfs)


def test_truncated_data_file(vfs: MiniVFS) -> None:
    _written(vfs, inline=False)
    dpath = Path(vfs.join(b"data/c.d"))
    dpath.write_bytes(dpath.read_bytes()[:-5])
    with pytest.raises(StorageError, match="beyond the end"):
        _read_all(vfs)
    assert Revlog(vfs, b"data/c").checksize()


@pytest.mark.parametrize("engine", ["zlib", "zstd", "none"])
def test_flipped_data_byte(vfs: MiniVFS, engine: str) -> None:
    _written(vfs, engine=engine, inline=False)
    dpath = Path(vfs.join(b"data/c.d"))
    data = bytearray(dpath.read_bytes())
    data[len(data) // 2] ^= 0x55
    dpath.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        _read_all(vfs)
    problems = Revlog(vfs, b"data/c").verify_integrity()
    assert problems and all(p.rev is not None for p in problems)


def test_integrity_message_names_revision(vfs: MiniVFS) -> None:
    path = _written(vfs, engine="none", inline=False)
    dpath = Path(vfs.join(b"data/c.d"))
    rl = Revlog(vfs, b"data/c")
    start = rl.start(0)
    data = bytearray(dpath.read_bytes())
    # Change a letter of the stored full text of rev 0 ('u' + text).
    data[start + 3] ^= 0x01
    dpath.write_bytes(bytes(data))
    assert path.exists()
    with pytest.raises(StorageError, match=r"integrity check failed on data/c:0"):
        Revlog(vfs, b"data/c").revision(0)


@pytest.mark.parametrize("base", [11, 50, -3])
def test_bad_delta_base(vfs: MiniVFS, base: int) -> None:
    path = _written(vfs, inline=False)
    _patch_entry(path, 5, ">i", 16, base)
    with pytest.raises(StorageError):
        Revlog(vfs, b"data/c").revision(5)
    assert Revlog(vfs, b"data/c").verify_integrity()


def test_unknown_revision_flags(vfs: MiniVFS) -> None:
    path = _written(vfs, inline=False)
    _patch_entry(path, 3, ">H", 6, 0x0001)
    with pytest.raises(StorageError, match="unknown flags"):
        Revlog(vfs, b"data/c").revision(3)


@pytest.mark.parametrize("header", [0x00000002, 0x00000000, 0x00100001, 0x0000DEAD])
def test_unknown_version_or_feature(vfs: MiniVFS, header: int) -> None:
    path = _written(vfs, inline=False)
    _patch_entry(path, 0, ">I", 0, header)
    with pytest.raises(StorageError):
        _read_all(vfs)


def test_unknown_compression_header(vfs: MiniVFS) -> None:
    _written(vfs, engine="none", inline=False)
    dpath = Path(vfs.join(b"data/c.d"))
    data = bytearray(dpath.read_bytes())
    assert data[0:1] == b"u"
    data[0:1] = b"Q"
    dpath.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="compression header"):
        Revlog(vfs, b"data/c").revision(0)


def test_huge_rawsize_does_not_allocate(vfs: MiniVFS) -> None:
    """A chunk whose content exceeds what the index promises is refused early."""
    path = _written(vfs, engine="zlib", inline=False)
    _patch_entry(path, 0, ">i", 12, 10)
    with pytest.raises(StorageError):
        Revlog(vfs, b"data/c").revision(0)
    _patch_entry(path, 0, ">i", 8, 2**31 - 1)
    with pytest.raises(StorageError):
        Revlog(vfs, b"data/c").revision(0)


def test_missing_data_file(vfs: MiniVFS) -> None:
    _written(vfs, inline=False)
    os.unlink(vfs.join(b"data/c.d"))
    with pytest.raises(StorageError, match="missing"):
        _read_all(vfs)


def test_copy_of_store_reads_the_same(vfs: MiniVFS, tmp_path: Path) -> None:
    """Big indexes go through mmap; content must not depend on that."""
    rl = Revlog(vfs, b"data/m", options={"new_inline": False})
    texts = _texts(1200, seed=5)
    _fill(rl, MiniTransaction(vfs), texts)
    assert os.path.getsize(vfs.join(b"data/m.i")) > 64 * 1024
    other = tmp_path / "copy"
    shutil.copytree(vfs.base, other)
    again = Revlog(MiniVFS(other), b"data/m")
    assert again.revision(1199) == texts[1199]
    assert again.revision(600) == texts[600]


@pytest.mark.parametrize("engine", ["zlib", "zstd", "none"])
@pytest.mark.parametrize("inline", [True, False])
def test_random_damage_only_raises_storage_error(tmp_path: Path, engine: str,
                                                 inline: bool) -> None:
    """Flipped bytes and truncations anywhere: reading and checking never crash."""
    pristine = tmp_path / "pristine"
    rl = Revlog(MiniVFS(pristine), b"data/c",
                options={"compression": engine, "new_inline": inline, "max_chain_len": 5})
    _fill(rl, MiniTransaction(MiniVFS(pristine)), _texts(15))
    files = sorted((pristine / "data").iterdir())
    rnd = random.Random(f"{engine}{inline}")
    damaged = 0
    for attempt in range(150):
        work = tmp_path / f"w{attempt}"
        shutil.copytree(pristine, work)
        target = work / "data" / rnd.choice(files).name
        data = bytearray(target.read_bytes())
        if rnd.random() < 0.2:
            del data[rnd.randrange(len(data)):]
        else:
            for _ in range(rnd.randint(1, 4)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        target.write_bytes(bytes(data))
        try:
            reader = Revlog(MiniVFS(work), b"data/c")
            problems = reader.verify_integrity() + reader.checksize()
            reader.stats()
            reader.headrevs()
        except StorageError:
            problems = ["unreadable"]
        damaged += bool(problems)
        shutil.rmtree(work)
    # Most damage is detected (a flip inside the 12 padding bytes is harmless).
    assert damaged > 100
