"""The same history through ``hg commit`` and through our commit API gives
identical changeset, manifest and file nodes, and each tool verifies the
other's repository."""
from __future__ import annotations

import os
import random

import pytest

from amalgam.repo import FileChange as F, Repository
from .scenario import FormatConfig, Step, build_amg, build_hg, fingerprint

LONG_DIR = b"/".join([b"VeryLongDirectoryName%d" % i for i in range(6)])


def _blob(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _text(seed: int, lines: int) -> bytes:
    rnd = random.Random(seed)
    return b"".join(b"line %d %d\n" % (i, rnd.randrange(10**6)) for i in range(lines))


LINEAR = [
    Step({b"a.txt": F(b"hello\nworld\n"), b"Dir/sub/AUX.c": F(b"aux\n"),
          b".hidden": F(b"dot\n"), "café/naïve.txt".encode(): F(b"unicode\n")}, "first"),
    Step({b"a.txt": F(b"hello\nworld\nmore\n"), b"run.sh": F(b"#!/bin/sh\n", "x"),
          b"link": F(b"a.txt", "l")}, "second", tz=-3600),
    Step({b"b.txt": F(b"hello\nworld\nmore\n", copy_source=b"a.txt"),
          b"run.sh": F(b"#!/bin/sh\n", "")}, "copy and drop exec bit"),
    Step({b"moved.txt": F(b"aux\n", copy_source=b"Dir/sub/AUX.c"), b"Dir/sub/AUX.c": None,
          LONG_DIR + b"/SomeQuiteLongFileName.txt": F(b"long path\n")}, "rename", tz=18000),
    Step({b"\x01meta": F(b"\x01\nlooks like metadata\n"), b"bin.dat": F(b"\0\1\2" * 100)},
         "binary and marker", branch="stable"),
    Step({b"\x01meta": F(b"\x01\nchanged\n"), b"empty": F(b"")}, "on stable"),
    Step({b"a.txt": F(b"closing\n")}, "close it", close=True),
]

MERGES = [
    Step({b"a": F(b"1\n2\n3\n"), b"b": F(b"b\n"), b"c": F(b"c\n"), b"d": F(b"d\n")}, "base"),
    Step({b"a": F(b"1\n2\n3\n4\n"), b"new": F(b"from p1\n")}, "p1 side"),
    Step({b"b": F(b"b2\n"), b"only-p2": F(b"p2 file\n"), b"d": None,
          b"c": F(b"c\n", "x")}, "p2 side", parent=0),
    # Merge: a from p1, b and only-p2 from p2, c both exec and changed, d stays removed.
    Step({b"a": F(b"1\n2\n3\n4\n"), b"b": F(b"b2\n"), b"c": F(b"c merged\n", "x"),
          b"new": F(b"from p1\n"), b"only-p2": F(b"p2 file\n")}, "merge", parent=1, merge=2),
    Step({b"b": F(b"b3\n")}, "after merge"),
    Step({b"e": F(b"e\n"), b"b": F(b"b\n")}, "another head", parent=2),
    # Merge the other way round: b goes back to the base content, a copy appears.
    Step({b"b": F(b"b\n"), b"a": F(b"1\n2\n3\n"), b"c": F(b"c\n", "x"), b"e": F(b"e\n"),
          b"only-p2": F(b"p2 file\n"), b"copy": F(b"1\n2\n3\n", copy_source=b"a")},
         "merge 2", parent=5, merge=4),
]

BIG = [
    Step({b"big.bin": F(_blob(1, 1_500_000)), b"grow.txt": F(_text(2, 2000))}, "big"),
    *[Step({b"grow.txt": F(_text(2, 2000) + _text(10 + i, 3000 + 400 * i))}, f"grow {i}")
      for i in range(4)],
    Step({b"big.bin": F(_blob(1, 1_500_000)[:-10] + b"0123456789")}, "tweak big"),
]


@pytest.mark.parametrize("steps", [LINEAR, MERGES, BIG], ids=["linear", "merges", "big"])
@pytest.mark.parametrize("engine", ["zstd", "zlib"])
def test_same_history_same_nodes(hg, amg, tmp_path, steps, engine):
    hgroot, amgroot = tmp_path / "hg", tmp_path / "amg"
    removed = build_hg(hg, hgroot, steps, ("--config", f"format.revlog-compression={engine}"))
    repo = build_amg(amgroot, steps, removed, FormatConfig(**{"revlog-compression": engine}))
    assert fingerprint(hg, amgroot) == fingerprint(hg, hgroot)
    assert (amgroot / ".hg/store/requires").read_bytes() == \
        (hgroot / ".hg/store/requires").read_bytes()
    assert (amgroot / ".hg/store/phaseroots").read_bytes() == \
        (hgroot / ".hg/store/phaseroots").read_bytes()
    hg("verify", cwd=amgroot)
    result = amg("verify", cwd=hgroot)
    assert result.rc == 0, result.stderr
    assert b"checked %d changesets" % len(steps) in result.out
    assert len(repo) == len(steps)
    ours = set((amgroot / ".hg/store/fncache").read_bytes().splitlines())
    theirs = set((hgroot / ".hg/store/fncache").read_bytes().splitlines())
    assert sorted(ours) == sorted(theirs), "the fncache must list exactly the revlog files"


def test_hg_repository_reads_back(hg, tmp_path):
    """Everything hg wrote reads back through our API exactly as hg reports it."""
    root = tmp_path / "hg"
    build_hg(hg, root, LINEAR + [Step({b"a.txt": F(b"x" * 200_000)}, "split")])
    repo = Repository.open(str(root))
    for rev in range(len(repo)):
        node = repo.lookup(str(rev))
        entry = repo.read_changeset(node)
        tmpl = "{node}\\0{manifest}\\0{author}\\0{desc}\\0{branch}\\0{join(files,'\x02')}"
        hnode, hman, user, desc, branch, files = hg(
            "log", "-r", str(rev), "--debug", "-T", tmpl, cwd=root).stdout.split("\0")
        assert (node.hex(), entry.manifest.hex(), entry.user, entry.description,
                entry.branch) == (hnode, hman.split(":")[-1], user, desc, branch)
        assert [f.decode() for f in entry.files] == (files.split("\x02") if files else [])
        manifest = repo.manifest_of(node)
        listed = hg("manifest", "--debug", "-r", str(rev), cwd=root).out.splitlines()
        assert len(manifest) == len(listed)
        for line in listed:
            hexnode, perm, kind, path = line[:40], line[41:44], line[45:46], line[47:]
            flags = {b"@": "l", b"*": "x"}.get(kind, "")
            assert manifest.get(path) == (bytes.fromhex(hexnode.decode()), flags)
            assert perm == (b"755" if flags == "x" else b"644")
            content = hg("cat", "-r", str(rev), "--", os.fsdecode(path), cwd=root).out
            if flags != "l":  # hg cat follows the link in the working copy
                assert repo.read_file(node, path) == content
