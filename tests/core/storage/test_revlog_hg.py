"""Revlogs against real hg: we read what hg wrote, and hg reads (and verifies) what we wrote."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amalgam.node import nullid
from amalgam.storage.revlog import Revlog

from .test_revlog import MiniTransaction, MiniVFS, _texts

hg_revlog = pytest.importorskip("mercurial.revlog")
hg_vfs = pytest.importorskip("mercurial.vfs")
hg_constants = pytest.importorskip("mercurial.revlogutils.constants")
hg_config = pytest.importorskip("mercurial.revlogutils.config")


def _make_repo(hg_exe: str, root: Path, compression: str) -> Path:
    """An hg repository with text, binary and >1 MiB files, a branch and a merge."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root.parent), "HGRCPATH": "",
           "HGPLAIN": "1", "HGUSER": "test <test@example.com>", "LANG": "C.UTF-8"}

    def hg(*args: str, cwd: Path | None = None) -> None:
        subprocess.run([hg_exe, *args], cwd=cwd, env=env, check=True,
                       capture_output=True, timeout=300)

    hg("init", str(root), "--config", f"format.revlog-compression={compression}")
    rnd = random.Random(42)
    text = [b"line %d\n" % i for i in range(300)]
    big = bytearray(rnd.randbytes(1_200_000))
    for i in range(12):
        text[rnd.randrange(len(text))] = b"edit %d\n" % i
        (root / "text.txt").write_bytes(b"".join(text))
        pos = rnd.randrange(len(big) - 100)
        big[pos:pos + 40] = rnd.randbytes(50)
        (root / "big.bin").write_bytes(bytes(big))
        (root / "bin.dat").write_bytes(bytes([0, 1, 2, i]) * 50 + rnd.randbytes(20))
        (root / "sub").mkdir(exist_ok=True)
        (root / "sub" / f"f{i % 3}.txt").write_bytes(b"content %d\n" % i * (i + 1))
        hg("commit", "-q", "-A", "-m", f"commit {i}", "-d", f"{i} 0", cwd=root)
        if i == 8:
            hg("update", "-q", "-r", "4", cwd=root)
    hg("merge", "-q", "-r", "8", "--tool", "internal:other", cwd=root)
    hg("commit", "-q", "-m", "merge", "-d", "30 0", cwd=root)
    return root


def _revlogs(store: Path) -> list[bytes]:
    """Radixes of every revlog in the store."""
    out = []
    for dirpath, _dirs, files in os.walk(store):
        for name in files:
            if name.endswith(".i") and not name.startswith(("undo", "journal")):
                rel = os.path.relpath(os.path.join(dirpath, name), store)
                out.append(os.fsencode(rel)[:-2])
    return sorted(out)


def _hg_open(store: Path, radix: bytes) -> Any:
    opener = hg_vfs.vfs(os.fsencode(store))
    opener.options = {}
    kind = (hg_constants.KIND_CHANGELOG if radix == b"00changelog"
            else hg_constants.KIND_MANIFESTLOG if radix == b"00manifest"
            else hg_constants.KIND_FILELOG)
    # As in a repository with the generaldelta and sparserevlog requirements.
    deltas = hg_config.DeltaConfig(general_delta=True, sparse_revlog=True)
    return hg_revlog.revlog(opener, target=(kind, radix), radix=radix, writable=False,
                            delta_config=deltas)


@pytest.fixture(scope="module", params=["zstd", "zlib"])
def hg_template(request: pytest.FixtureRequest, hg_exe: str,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per engine: hg commits are slow."""
    return _make_repo(hg_exe, tmp_path_factory.mktemp("hg") / "repo", request.param)


@pytest.fixture
def hg_repo(hg_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(hg_template, copy, symlinks=True)
    return copy


def test_read_what_hg_wrote(hg_repo: Path) -> None:
    store = hg_repo / ".hg" / "store"
    radixes = _revlogs(store)
    assert b"00changelog" in radixes and b"data/big.bin" in radixes
    ours_split = set()
    for radix in radixes:
        theirs = _hg_open(store, radix)
        ours = Revlog(MiniVFS(store), radix)
        assert len(ours) == len(theirs)
        if not ours.is_inline():
            ours_split.add(radix)
        for rev in ours:
            entry = theirs.index[rev]
            assert ours.node(rev) == theirs.node(rev)
            assert ours.parentrevs(rev) == theirs.parentrevs(rev)
            assert ours.linkrev(rev) == theirs.linkrev(rev)
            assert ours.flags(rev) == theirs.flags(rev)
            assert ours.rawsize(rev) == entry[2]
            assert ours.deltaparent(rev) == theirs.deltaparent(rev)
            assert ours.revision(rev) == theirs.revision(rev)
        assert ours.verify_integrity() == [] and ours.checksize() == []
    assert {b"00changelog", b"data/big.bin"} <= ours_split


def _options_like_hg(radix: bytes, compression: str) -> dict[str, Any]:
    if radix == b"00changelog":
        # hg 7.x: the changelog starts split, has no generaldelta and no deltas.
        return {"compression": compression, "new_inline": False,
                "generaldelta": False, "max_chain_len": 0}
    return {"compression": compression}


def test_hg_verifies_what_we_wrote(hg_repo: Path, hg: Any, tmp_path: Path) -> None:
    """Rewrite every revlog of an hg repo with our writer; hg must find it all intact."""
    store = hg_repo / ".hg" / "store"
    requires = (store / "requires").read_bytes()
    compression = "zstd" if b"revlog-compression-zstd" in requires else "zlib"
    ours_store = tmp_path / "ours"
    vfs = MiniVFS(ours_store)
    radixes = _revlogs(store)
    layouts = {}
    for radix in radixes:
        theirs = _hg_open(store, radix)
        rl = Revlog(vfs, radix, options=_options_like_hg(radix, compression))
        tr = MiniTransaction(vfs)
        for rev in range(len(theirs)):
            p1, p2 = theirs.parents(theirs.node(rev))
            node = rl.addrevision(theirs.revision(rev), tr, theirs.linkrev(rev), p1, p2)
            assert node == theirs.node(rev)
            assert rl.parentrevs(rev) == theirs.parentrevs(rev)
        layouts[radix] = (rl.is_inline(), theirs._inline)
        for suffix in (b".i", b".d"):
            src = ours_store / os.fsdecode(radix + suffix)
            dst = store / os.fsdecode(radix + suffix)
            if dst.exists():
                dst.unlink()
            if src.exists():
                shutil.copyfile(src, dst)
    # Same layout choices as hg for this history (inline small files, split big ones).
    assert layouts[b"00changelog"] == (False, False)
    assert layouts[b"data/big.bin"] == (False, False)
    assert layouts[b"data/text.txt"] == (True, True)
    for radix in radixes:
        reread = _hg_open(store, radix)
        ours = Revlog(vfs, radix)
        for rev in range(len(reread)):
            assert reread.revision(rev) == ours.revision(rev)
        assert reread.checksize() == (0, 0)
    result = hg("verify", "-q", cwd=hg_repo, check=False)
    assert result.rc == 0, result.stdout + result.stderr
    assert "error" not in result.stderr
    out = hg("debugdata", "-m", "0", cwd=hg_repo).out
    assert out == Revlog(vfs, b"00manifest").revision(0)


def test_hg_reads_our_zstd_and_zlib_chunks(tmp_path: Path) -> None:
    """Each engine's chunks decode in hg, including the raw and NUL-led forms."""
    for engine in ("zstd", "zlib", "none"):
        vfs = MiniVFS(tmp_path / engine)
        rl = Revlog(vfs, b"data/x", options={"compression": engine, "max_chain_len": 2})
        tr = MiniTransaction(vfs)
        texts = [b"short", b"\x00binary start" * 3, b"a\n" * 500, b"a\n" * 500 + b"b\n",
                 bytes(range(256)) * 20]
        texts += _texts(15, seed=9)  # small edits: deltas and intermediate snapshots
        node = nullid
        for i, text in enumerate(texts):
            node = rl.addrevision(text, tr, i, node, nullid)
        theirs = _hg_open(tmp_path / engine, b"data/x")
        assert [theirs.revision(r) for r in range(len(texts))] == texts
        assert [theirs.node(r) for r in range(len(texts))] == [rl.node(r) for r in rl]
        # hg agrees on which revisions are (intermediate) snapshots.
        assert [theirs.issnapshot(r) for r in rl] == [rl.issnapshot(r) for r in rl]
        assert rl.stats()["intermediate_snapshots"] >= 3
        assert theirs.checksize() == (0, 0)


@pytest.mark.parametrize("size", [131070, 131071])
def test_split_threshold_matches_hg(hg: Any, tmp_path: Path, size: int) -> None:
    """hg splits once the data reaches 128 KiB ('u' + 131071 bytes does)."""
    content = random.Random(size).randbytes(size)
    repo = tmp_path / "repo"
    hg("init", str(repo))
    (repo / "a").write_bytes(content)
    hg("commit", "-q", "-A", "-m", "big", cwd=repo)
    hg_split = (repo / ".hg" / "store" / "data" / "a.d").exists()
    vfs = MiniVFS(tmp_path / "ours")
    rl = Revlog(vfs, b"data/a", options={"compression": "zstd"})
    rl.addrevision(content, MiniTransaction(vfs), 0, nullid, nullid)
    assert rl.is_inline() == (not hg_split)
    assert hg_split == (size == 131071)
    ours = (tmp_path / "ours" / "data" / "a.i").read_bytes()
    theirs = (repo / ".hg" / "store" / "data" / "a.i").read_bytes()
    assert ours == theirs


_line = st.sampled_from([b"a\n", b"b\n", b"common line\n", b"\x00\x01\x02", b"x" * 60 + b"\n"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(_line, max_size=40).map(b"".join),
                          st.integers(0, 100), st.integers(0, 100), st.booleans()),
                min_size=1, max_size=15),
       st.sampled_from(["zstd", "zlib", "none"]), st.integers(1, 4), st.booleans())
def test_random_histories_read_back_by_hg(steps: list[tuple[bytes, int, int, bool]],
                                          engine: str, maxchain: int, sparse: bool) -> None:
    """Random DAGs (merges included) and delta settings: hg reads every revision."""
    with tempfile.TemporaryDirectory() as tmp:
        vfs = MiniVFS(Path(tmp))
        rl = Revlog(vfs, b"data/r", options={"compression": engine, "max_chain_len": maxchain,
                                             "sparse": sparse, "inline_threshold": 2000})
        tr = MiniTransaction(vfs)
        texts = {}
        for i, (text, a, b, merge) in enumerate(steps):
            p1 = rl.node(a % len(rl)) if len(rl) else nullid
            p2 = rl.node(b % len(rl)) if merge and len(rl) else nullid
            if p2 == p1:
                p2 = nullid
            node = rl.addrevision(text, tr, i, p1, p2)
            texts[node] = text
        theirs = _hg_open(Path(tmp), b"data/r")
        assert len(theirs) == len(rl)
        for rev in rl:
            assert theirs.node(rev) == rl.node(rev)
            assert theirs.revision(rev) == texts[rl.node(rev)]
            assert theirs.parentrevs(rev) == rl.parentrevs(rev)
            assert rl.chainlen(rev) <= maxchain
        assert theirs.checksize() == (0, 0)
