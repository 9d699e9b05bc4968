"""Matchers and ignore files: every pattern kind, -I/-X, include files, walk pruning."""
from __future__ import annotations

import os

import pytest

from amalgam import error
from amalgam.wc.ignore import parse_lines
from amalgam.wc.match import always, exact, glob_to_re, match


@pytest.fixture
def root(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    return str(tmp_path)


@pytest.mark.parametrize("pattern,yes,no", [
    ("glob:*.c", [b"a.c", b"a.c/x"], [b"d/a.c", b"a.h"]),
    ("glob:**.c", [b"a.c", b"d/e/a.c"], [b"a.h"]),
    ("glob:d/**/x", [b"d/x", b"d/e/x"], [b"x", b"dx"]),
    ("glob:{a,b}.txt", [b"a.txt", b"b.txt"], [b"c.txt"]),
    ("glob:[ab]?", [b"a1", b"bz"], [b"c1", b"a/"]),
    ("glob:[!a]x", [b"bx"], [b"ax"]),
    ("re:d/.*\\.py$", [b"d/x.py"], [b"x.py", b"d/x.pyc"]),
    ("path:d", [b"d", b"d/x", b"d/e/f"], [b"dx", b"x/d"]),
    ("d", [b"d/x"], [b"dd"]),
    ("rootfilesin:d", [b"d/x"], [b"d/e/x", b"x"]),
    ("rootfilesin:.", [b"x"], [b"d/x"]),
    ("relglob:*.o", [b"x.o", b"d/e/x.o"], [b"x.oo"]),
    ("relre:\\.orig$", [b"d/a.orig"], [b"d/a.orig2"]),
])
def test_pattern_kinds(root, pattern, yes, no):
    m = match(root, root, [pattern])
    for path in yes:
        assert m(path), path
    for path in no:
        assert not m(path), path


def test_relative_to_cwd_and_uipath(root):
    cwd = os.path.join(root, "d")
    m = match(root, cwd, ["e", "glob:*.c", "../top"])
    assert m(b"d/e/f") and m(b"d/x.c") and m(b"top")
    assert not m(b"x.c")
    assert m.files() == [b"d/e", b"top"]
    assert m.exact(b"top") and not m.exact(b"d/x.c")
    assert m.uipath(b"top") == "../top" and m.uipath(b"d/e/f") == "e/f"


def test_outside_root_is_refused(root):
    with pytest.raises(error.InputError, match="not under root"):
        match(root, root, ["../elsewhere"])
    with pytest.raises(error.InputError, match="not under root"):
        match(root, root, ["/"])


def test_include_exclude(root):
    m = match(root, root, [], include=["d"], exclude=["glob:**.o"])
    assert m(b"d/x") and not m(b"d/x.o") and not m(b"x")
    assert not m.always() and always()(b"anything")


def test_visitdir_prunes_only_unrelated_dirs(root):
    m = match(root, root, ["path:d/e/f", "glob:x/*.c"])
    assert m.visitdir(b"") and m.visitdir(b"d") and m.visitdir(b"d/e")
    assert m.visitdir(b"x") and not m.visitdir(b"y") and not m.visitdir(b"d/z")
    assert match(root, root, ["re:.*"]).visitdir(b"anything")


def test_listfile(root):
    lst = os.path.join(root, "list")
    with open(lst, "wb") as fp:
        fp.write(b"a\nglob:d/*.c\n")
    m = match(root, root, ["listfile:list"])
    assert m(b"a") and m(b"d/x.c") and not m(b"b")
    with open(lst, "wb") as fp:
        fp.write(b"a\0b\xff\0")
    m = match(root, root, ["listfile0:list"])
    assert m(b"b\xff") and m(b"a") and not m(b"c")
    with pytest.raises(error.InputError, match="unable to read file list"):
        match(root, root, ["listfile:missing"])


def test_exact_matcher():
    m = exact("/r", "/r", [b"a", b"d/b"])
    assert m(b"a") and m(b"d/b") and not m(b"d") and m.exact(b"a")
    assert m.visitdir(b"d") and not m.visitdir(b"e")


def test_bad_regex_is_an_input_error(root):
    with pytest.raises(error.InputError, match="invalid pattern"):
        match(root, root, ["re:("])


def test_set_patterns_are_refused(root):
    with pytest.raises(error.InputError, match="fileset"):
        match(root, root, ["set:added()"])


def test_glob_to_re_escapes_specials():
    assert glob_to_re(b"a.b+c") == b"a\\.b\\+c"
    assert glob_to_re(b"\\*") == b"\\*"


def test_ignore_file_syntax():
    warnings = []
    pats = parse_lines(b"# comment\n*.pyc\nsyntax: glob\n*.o  \nre:^build/\n"
                       b"a\\#b\nsyntax: nonsense\nrootglob:top\n", ".hgignore", warnings.append)
    assert pats == [("relre", b"*.pyc"), ("relglob", b"*.o"), ("relre", b"^build/"),
                    ("relglob", b"a#b"), ("rootglob", b"top")]
    assert warnings == [".hgignore: ignoring invalid syntax 'nonsense'\n"]


def test_status_lists_ignored_files_alone(tmp_path):
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.status import status

    repo = Repository.create(str(tmp_path / "r"))
    (tmp_path / "r" / ".hgignore").write_bytes(b"syntax: glob\n*.o\nbuild\n")
    (tmp_path / "r" / "x.o").write_bytes(b"")
    (tmp_path / "r" / "build").mkdir()
    (tmp_path / "r" / "build" / "out").write_bytes(b"")
    (tmp_path / "r" / "plain").write_bytes(b"")
    ds = DirState.open(repo)
    m = always(repo.root, repo.root)
    only = status(repo, ds, m, ignored=True, unknown=False)
    assert (only.ignored, only.unknown) == ([b"build/out", b"x.o"], [])
    both = status(repo, ds, m, ignored=True, unknown=True)
    assert (both.ignored, both.unknown) == ([b"build/out", b"x.o"], [b".hgignore", b"plain"])
    assert status(repo, ds, m).ignored == []
