"""History display against real hg: log, diff, cat, files, manifest, annotate, grep, archive.

One rich history (edits, adds, removes, copies, renames, a binary file, an
executable bit, a symlink, a non-UTF-8 name, a branch, merges, a tag and a
bookmark) is built by hg in both copies of a Twin, so both have the same
nodes; every scenario then runs one command line with amg on one copy and
hg on the other and compares stdout and exit code byte for byte.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .differential import Twin

NONUTF8 = b"caf\xe9.txt"


def _both_hg(twin: Twin, *args: str, cwd: str = "") -> None:
    for root in (twin.a, twin.h):
        twin._hg(*args, cwd=root / cwd)


def build_history(root: Path, hg: Callable[..., Any]) -> None:
    """Twelve changesets with every kind of change the display commands render."""
    def write(path: str | bytes, data: str | bytes, mode: int | None = None) -> None:
        full = os.path.join(os.fsencode(root), os.fsencode(path))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(full, mode)

    def commit(message: str, when: int, *extra: str) -> None:
        hg("commit", "-q", "-A", "-m", message, "-d", f"{when} {-3600 * (when % 3)}", *extra)

    hg("init")
    write("a.txt", "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n")
    write("b.txt", "bee\n")
    write("dir/c.txt", "sea\nline\n")
    commit("initial import", 100000)
    write("a.txt", "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n")
    write("bin.dat", b"\0\1\2binary\n")
    write("nonl.txt", "no newline")
    commit("edit a, add binary\n\nwith a longer description\nover lines", 200000)
    hg("copy", "-q", "a.txt", "acopy.txt")
    hg("rename", "-q", "b.txt", "dir/b-moved.txt")
    write("script.sh", "#!/bin/sh\necho hi\n", mode=0o755)
    commit("copy, rename, executable", 300000)
    os.symlink("a.txt", root / "link")
    write(NONUTF8, "latin-1 name\n")
    hg("remove", "-q", "nonl.txt")
    commit("symlink, odd name, removal", 400000, "-u", "Other Person <other@example.org>")
    hg("branch", "-q", "feature")
    write("dir/c.txt", "sea\nline\nfeature work\n")
    commit("work on a branch", 500000)
    write("bin.dat", b"\0\1\2binary changed\n")
    commit("binary change on the branch", 600000)
    hg("update", "-q", "default")
    write("a.txt", "zero\none\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n")
    commit("prepend on default", 700000)
    hg("merge", "-q", "feature")
    commit("merge feature", 800000)
    hg("tag", "-d", "900000 0", "v1.0")
    hg("bookmark", "mark")
    write("acopy.txt", "one\nTWO\nthree\nchanged in copy\n")
    commit("edit the copy", 1000000)
    hg("rename", "-q", "dir/b-moved.txt", "b-again.txt")
    commit("rename again", 1100000)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, hg_exe: str) -> Path:
    """The history, built once per module by real hg; tests work on copies."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HG", "AMG_"))}
    env.update(HGRCPATH="", HGPLAIN="1", HGUSER="test <test@example.com>", TZ="UTC",
               HGENCODING="utf-8")

    def hg(*args: str) -> None:
        subprocess.run([hg_exe, *args], cwd=root, env=env, check=True,
                       capture_output=True, timeout=120)

    build_history(root, hg)
    return root


@pytest.fixture
def history(twin: Twin, template: Path) -> Twin:
    for side in (twin.a, twin.h):
        shutil.rmtree(side)
        shutil.copytree(template, side, symlinks=True)
    return twin


COMMITTED = [
    # log
    ("log",), ("log", "-v"), ("log", "--debug"), ("log", "-q"), ("history", "-l", "3"),
    ("log", "-r", "2"), ("log", "-r", "3:5"), ("log", "-r", "5:3", "-r", "0"),
    ("log", "-p", "-r", "1:3"), ("log", "-p", "--git", "-r", "2:4"), ("log", "--stat"),
    ("log", "-G"), ("log", "-G", "-q"), ("log", "-G", "-v", "-l", "4"),
    ("log", "-G", "-r", "2:6", "-q"), ("log", "-b", "feature"), ("log", "-u", "other"),
    ("log", "-k", "RENAME"), ("log", "-d", "<1970-01-04"), ("log", "-d", "1970-01-05"),
    ("log", "-M", "-q"), ("log", "-m"), ("log", "a.txt"), ("log", "-q", "dir"),
    ("log", "-f", "-q", "b-again.txt"), ("log", "-q", "glob:*.txt"),
    ("log", "-q", "-I", "dir/**"), ("log", "-p", "-l", "1", "bin.dat"),
    ("log", "-r", "tip", "--debug"), ("log", "-r", "null"),
    ("log", "-T", "json", "-l", "3"), ("log", "-T", "compact"), ("log", "-T", "phases", "-r", "2"),
    ("log", "-T", "{rev}:{node|short} {branch} {tags} {bookmarks} {files}\n"),
    ("log", "-q", "-T", "{desc|firstline}\n", "a.txt"),
    # diff between revisions
    ("diff", "-r", "0", "-r", "1"), ("diff", "-r", "0", "-r", "tip"),
    ("diff", "--git", "-r", "0", "-r", "tip"), ("diff", "--git", "-r", "tip", "-r", "0"),
    ("diff", "-c", "2", "--git"), ("diff", "-c", "3"), ("diff", "-c", "3", "--git"),
    ("diff", "-c", "7"), ("diff", "--stat", "-r", "0", "-r", "tip"),
    ("diff", "--stat", "--git", "-c", "2"), ("diff", "-U", "1", "-c", "6"),
    ("diff", "-U", "0", "-c", "1"), ("diff", "--reverse", "-c", "1"),
    ("diff", "--reverse", "--git", "-c", "10"), ("diff", "-c", "5", "--git"),
    ("diff", "-c", "1", "a.txt"), ("diff", "-c", "1", "-X", "a.txt"),
    ("diff", "-a", "-c", "1", "bin.dat"),
    # cat, files, manifest
    ("cat", "-r", "0", "a.txt"), ("cat", "-r", "3", "link"), ("cat", "a.txt", "missing"),
    ("cat", "-r", "1", "nonl.txt"), ("files",), ("files", "-r", "2"), ("files", "-0"),
    ("files", "dir"), ("files", "nothing-here"), ("files", "-r", "0", "glob:**.txt"),
    ("manifest",), ("manifest", "-v"), ("manifest", "--debug", "-r", "3"),
    ("manifest", "--all"), ("manifest", "-r", "2"),
    # annotate
    ("annotate", "a.txt"), ("annotate", "-u", "-n", "-c", "-d", "-l", "a.txt"),
    ("blame", "-v", "-u", "acopy.txt"), ("annotate", "-c", "b-again.txt"),
    ("annotate", "-f", "-n", "acopy.txt"), ("annotate", "-q", "-d", "-u", "dir/c.txt"),
    ("annotate", "bin.dat"), ("annotate", "-r", "2", "a.txt"), ("annotate", "nosuch"),
    # grep
    ("grep", "TWO"), ("grep", "-n", "-i", "two"), ("grep", "-l", "e"), ("grep", "--all", "TWO"),
    ("grep", "--all", "-n", "-u", "sea"), ("grep", "-r", "1", "binary"),
    ("grep", "nomatch"), ("grep", "-0", "one"),
]


@pytest.mark.parametrize("args", COMMITTED, ids=" ".join)
def test_history_commands_match_hg(history: Twin, args: tuple[str, ...]) -> None:
    history.same(*args)


def test_non_utf8_names_round_trip(history: Twin) -> None:
    ra, rh = history.same("files", "-r", "tip")
    assert NONUTF8 in ra.out
    history.same("cat", "-r", "tip", os.fsdecode(NONUTF8))
    history.same("log", "-q", os.fsdecode(NONUTF8))


WORKDIR = [
    ("diff", "--git"), ("diff", "--stat"), ("diff", "--git", "--stat"),
    ("diff", "--git", "-r", "0"), ("diff", "--git", "-r", "5"), ("diff", "--git", "a.txt"),
    ("diff", "--git", "--reverse"), ("files",), ("grep", "working"), ("grep", "-l", "one"),
    ("cat", "a.txt"), ("annotate", "a.txt"),
]


@pytest.mark.parametrize("args", WORKDIR, ids=" ".join)
def test_working_copy_changes_match_hg(history: Twin, args: tuple[str, ...]) -> None:
    history.write("a.txt", "working\none\nTWO\nthree\n")
    history.write("new.txt", "working copy file\n")
    _both_hg(history, "add", "-q", "new.txt")
    _both_hg(history, "copy", "-q", "acopy.txt", "second-copy.txt")
    _both_hg(history, "remove", "-q", "script.sh")
    history.remove("b-again.txt")  # missing, not removed: hg leaves it out of diffs
    history.same(*args)


def _dateless(text: str) -> list[str]:
    return [line.split("\t")[0] for line in text.splitlines()]


def test_plain_working_diff_matches_hg_but_for_now(history: Twin) -> None:
    history.write("a.txt", "changed\n")
    ra, rh = history.run("diff")
    assert ra.rc == rh.rc == 0
    assert _dateless(ra.stdout) == _dateless(rh.stdout)
    assert "+++ b/a.txt\t" in ra.stdout


@pytest.mark.parametrize("kind", ["files", "tar", "tgz", "zip", "uzip", "tbz2"])
def test_archives_are_identical_to_hg(history: Twin, kind: str) -> None:
    # hg itself crashes on a non-UTF-8 name in a zip, so zips take a revision before it.
    rev = "2" if "zip" in kind else "7"
    for root, run in ((history.a, history._amg), (history.h, history._hg)):
        result = run("archive", "-r", rev, "-t", kind, str(root / f"out.{kind}"), cwd=root)
        assert result.rc == 0
    mine, theirs = history.a / f"out.{kind}", history.h / f"out.{kind}"
    if kind == "files":
        assert _tree(mine) == _tree(theirs)
    elif kind == "tbz2":
        import tarfile

        with tarfile.open(mine) as ta, tarfile.open(theirs) as th:
            assert [(m.name, m.mode, m.mtime) for m in ta] == \
                [(m.name, m.mode, m.mtime) for m in th]
    else:
        assert mine.read_bytes() == theirs.read_bytes()


def _tree(top: Path) -> list[tuple[bytes, int, float, bytes]]:
    """(path, mode, mtime, content or link target) of everything under *top*."""
    out = []
    base = os.fsencode(top)
    for dirpath, _dirs, names in os.walk(base):
        for name in names:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            if os.path.islink(full):  # neither tool dates a symlink
                out.append((os.path.relpath(full, base), st.st_mode, 0.0, os.readlink(full)))
                continue
            with open(full, "rb") as fh:
                content = fh.read()
            out.append((os.path.relpath(full, base), st.st_mode, st.st_mtime, content))
    return sorted(out)


def test_zip_of_a_non_utf8_name_aborts_cleanly(history: Twin, amg) -> None:
    result = amg("archive", "-r", "7", "-t", "zip", str(history.a / "out.zip"), cwd=history.a)
    assert result.rc == 255
    assert result.stderr.startswith("abort: cannot store the non-UTF-8 file name")
    assert not (history.a / "out.zip").exists()


def test_archive_archival_text_for_a_tagged_and_untagged_revision(history: Twin) -> None:
    for rev in ("7", "10"):
        for root, run in ((history.a, history._amg), (history.h, history._hg)):
            assert run("archive", "-r", rev, str(root / f"d{rev}"), cwd=root).rc == 0
        assert (history.a / f"d{rev}" / ".hg_archival.txt").read_bytes() == \
            (history.h / f"d{rev}" / ".hg_archival.txt").read_bytes()


def test_mixed_use_hg_commits_then_amg_reads(history: Twin, amg, hg) -> None:
    """A checkout driven alternately by hg and amg: amg sees hg's new commits at once."""
    root = history.a
    (root / "a.txt").write_text("hg wrote this\n")
    hg("commit", "-q", "-m", "by hg", "-d", "1200000 0", cwd=root)
    mine = amg("log", "-l", "2", "-p", cwd=root)
    theirs = hg("log", "-l", "2", "-p", cwd=root)
    assert mine.out == theirs.out
    (root / "a.txt").write_text("then amg diffs\n")
    assert amg("diff", "--git", cwd=root).out == hg("diff", "--git", cwd=root).out
    assert amg("annotate", "a.txt", cwd=root).out == hg("annotate", "a.txt", cwd=root).out


def test_stat_pads_wide_names_by_their_columns(amg, hg, tmp_path: Path) -> None:
    root = tmp_path / "wide"
    assert hg("init", str(root)).rc == 0
    names = ["plain.txt", "é.txt", "漢字.txt", "ｆｕｌｌ.txt"]
    for name in names:
        (root / name).write_text("a\n")
    assert hg("commit", "-qAm", "x", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    for name in names:
        (root / name).write_text("a\nb\n")
    expected = hg("diff", "--stat", cwd=root).stdout
    assert " 漢字.txt     |" in expected  # padded by columns (two per wide character)
    assert amg("diff", "--stat", cwd=root).stdout == expected


def test_a_rename_whose_source_is_filtered_out_shows_as_a_copy(amg, hg, tmp_path: Path) -> None:
    root = tmp_path / "rn"
    assert hg("init", str(root)).rc == 0
    (root / "z").write_text("z\n")
    assert hg("commit", "-qAm", "a", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    assert hg("mv", "z", "zz", cwd=root).rc == 0
    assert hg("commit", "-qm", "b", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    assert hg("mv", "zz", "zzz", cwd=root).rc == 0
    for args in (["-r0", "-r1", "zz"], ["-r0", "-r1"], ["-r0", "-r1", "--stat", "zz"],
                 ["zzz"], []):
        expected = hg("diff", "--git", *args, cwd=root).stdout
        assert amg("diff", "--git", *args, cwd=root).stdout == expected, args
    assert "copy from z" in hg("diff", "--git", "-r0", "-r1", "zz", cwd=root).stdout
