"""The same history through ``hg commit`` and through our commit API gives
identical changeset, manifest and file nodes, and each tool verifies the
other's repository."""
from __future__ import annotations

import os
import random

import pytest

from amalgam.repo import FileChange as F, Repository
from .scenario import USER, FormatConfig, Step, build_amg, build_hg, fingerprint

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


# -- merges through hg's memctx, the way the benchmark generator commits ----------
#
# The benchmark "history" stream (benchmarks/history.py) commits merges by
# passing only the paths whose result differs from p1, removals as None.  At
# its revision 1500 a merge removed files that p2 had deleted and p1 kept
# unchanged; hg's commit leaves such inherited removals out of the changeset's
# file list (the node then differs if we list them).  Each case below is one
# merge shape, committed through hg's memctx in-process and through our API.

BASE = {b"keep": b"keep\n", b"gone-p2": b"gone on p2\n", b"gone-p2-changed-p1": b"x\n",
        b"both-drop": b"dropped by the merge\n", b"gone-p1": b"gone on p1\n",
        b"gone-p1-changed-p2": b"y\n", b"theirs": b"base\n", b"same": b"same base\n",
        b"flag": b"#!/bin/sh\n", b"src": b"copy source\n", b"cnflct": b"1\n2\n3\n"}

# (name, p1 changes, p2 changes, merge changes relative to p1)
MERGE_SHAPES = [
    ("removed-on-p2-unchanged-on-p1", {}, {b"gone-p2": None}, {b"gone-p2": None}),
    ("removed-on-p2-changed-on-p1", {b"gone-p2-changed-p1": F(b"x2\n")},
     {b"gone-p2-changed-p1": None}, {b"gone-p2-changed-p1": None}),
    ("present-in-both-removed-by-merge", {}, {}, {b"both-drop": None}),
    ("removed-on-p1-unchanged-on-p2", {b"gone-p1": None}, {}, {b"gone-p1": None}),
    ("removed-on-p1-changed-on-p2", {b"gone-p1": None},
     {b"gone-p1": F(b"changed on p2\n")}, {b"gone-p1": None}),
    ("changed-on-other-side", {}, {b"theirs": F(b"p2 version\n")},
     {b"theirs": F(b"p2 version\n")}),
    ("changed-identically-on-both", {b"same": F(b"same new\n")},
     {b"same": F(b"same new\n")}, {}),
    ("flag-only-change-on-p2", {}, {b"flag": F(b"#!/bin/sh\n", "x")},
     {b"flag": F(b"#!/bin/sh\n", "x")}),
    ("copy-on-p2-taken-by-merge", {}, {b"copy": F(b"copy source\n", copy_source=b"src")},
     {b"copy": F(b"copy source\n", copy_source=b"src")}),
    ("copy-made-in-the-merge", {}, {},
     {b"new-copy": F(b"copy source\nmore\n", copy_source=b"src")}),
    ("both-changed-merged", {b"cnflct": F(b"0\n1\n2\n3\n")}, {b"cnflct": F(b"1\n2\n3\n4\n")},
     {b"cnflct": F(b"0\n1\n2\n3\n4\n")}),
]

USER_B = USER.encode()


def _memctx_history(path: str, commits: list[tuple[dict, int, int]]) -> list[bytes]:
    """Commit *commits* ``(files, p1, p2)`` through hg's memctx in one transaction."""
    from mercurial import context, hg as hgmod, ui as uimod  # oracle only

    ui = uimod.ui.load()
    repo = hgmod.repository(ui, path.encode(), create=True)
    nodes: list[bytes] = []
    with repo.wlock(), repo.lock(), repo.transaction(b"test"):
        for number, (files, p1, p2) in enumerate(commits):
            def filectx(repo, memctx, name, _files=files):
                change = _files[name]
                if change is None:
                    return None
                return context.memfilectx(repo, memctx, name, change.data,
                                          islink=change.flags == "l",
                                          isexec=change.flags == "x",
                                          copysource=change.copy_source)
            parents = tuple(nodes[p] if p >= 0 else None for p in (p1, p2))
            ctx = context.memctx(repo, parents, b"commit %d" % number, sorted(files),
                                 filectx, user=USER_B, date=(1_700_000_000 + number, 0))
            nodes.append(ctx.commit())
    return nodes



def _api_history(path: str, commits: list[tuple[dict, int, int]]) -> list[bytes]:
    from amalgam.node import nullid

    repo = Repository.create(path)
    nodes: list[bytes] = []
    with repo.transaction("test"):
        for number, (files, p1, p2) in enumerate(commits):
            nodes.append(repo.commit_files(
                files, p1=nodes[p1] if p1 >= 0 else nullid,
                p2=nodes[p2] if p2 >= 0 else nullid, user=USER_B.decode(),
                date=(1_700_000_000 + number, 0), message=f"commit {number}"))
    return nodes


def _apply(state: dict, files: dict) -> dict:
    out = dict(state)
    for path, change in files.items():
        if change is None:
            out.pop(path, None)
        else:
            out[path] = change
    return out


def _changes(before: dict, after: dict) -> dict:
    """What a merge commit passes: the paths whose result differs from p1."""
    return {path: after.get(path) for path in before.keys() | after.keys()
            if before.get(path) != after.get(path)}


@pytest.mark.parametrize("shape", MERGE_SHAPES, ids=[s[0] for s in MERGE_SHAPES])
def test_merge_file_list_matches_memctx(hg, tmp_path, shape):
    """Each merge shape, in both directions, gives hg's nodes and file lists."""
    _name, left, right, merged = shape
    base = {path: F(data) for path, data in BASE.items()}
    p1_files = {**left, b"keep": F(b"keep p1\n")}
    p2_files = {**right, b"keep-p2": F(b"p2 only\n")}
    state1, state2 = _apply(base, p1_files), _apply(base, p2_files)
    result = _apply(state1, {**merged, b"keep-p2": F(b"p2 only\n")})
    commits = [(base, -1, -1), (p1_files, 0, -1), (p2_files, 0, -1),
               (_changes(state1, result), 1, 2),
               # The same merge with p2's line as first parent.
               (_changes(state2, result), 2, 1)]
    theirs, ours = str(tmp_path / "hg"), str(tmp_path / "amg")
    assert _api_history(ours, commits) == _memctx_history(theirs, commits)
    log = ("log", "--debug", "-T", "{rev} {node} {join(files, ',')}\n")
    assert hg(*log, cwd=ours).out == hg(*log, cwd=theirs).out
    assert hg("phase", "-r", "all()", cwd=ours).out == hg("phase", "-r", "all()",
                                                           cwd=theirs).out
    hg("verify", cwd=ours)
