"""amalgam.bookmarks: hg's file format, the active bookmark, moving it forward."""
from __future__ import annotations

import pytest

from amalgam import bookmarks, error
from amalgam.node import hex, nullid
from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    n0 = repo.commit_files({b"f": FileChange(b"0\n")}, user="u", date=(0, 0), message="0")
    repo.commit_files({b"f": FileChange(b"1\n")}, user="u", date=(1, 0), message="1", p1=n0)
    repo.commit_files({b"g": FileChange(b"2\n")}, user="u", date=(2, 0), message="2", p1=n0)
    return repo


def test_write_sorts_by_name_like_hg(repo):
    cl = repo.changelog.revlog
    bookmarks.write(repo, {"zeta": cl.node(1), "alpha": cl.node(0)})
    assert repo.vfs.read("bookmarks") == b"%s alpha\n%s zeta\n" % (
        hex(cl.node(0)).encode(), hex(cl.node(1)).encode())
    assert bookmarks.read(repo) == {"alpha": cl.node(0), "zeta": cl.node(1)}


def test_bad_lines_warn_and_unknown_nodes_are_skipped(repo, capsys):
    repo.vfs.write("bookmarks", b"nonsense\n" + b"ab" * 20 + b" gone\n")
    assert bookmarks.read(repo) == {}


def test_active_and_deactivate(repo):
    cl = repo.changelog.revlog
    bookmarks.write(repo, {"m": cl.node(0)})
    bookmarks.activate(repo, "m")
    assert bookmarks.active(repo) == "m"
    bookmarks.activate(repo, "gone")
    assert bookmarks.active(repo) is None
    bookmarks.activate(repo, None)
    assert not repo.vfs.exists("bookmarks.current")


def test_advance_active_only_forward(repo):
    cl = repo.changelog.revlog
    bookmarks.write(repo, {"m": cl.node(0)})
    bookmarks.activate(repo, "m")
    assert not bookmarks.advance_active(repo, cl.node(1), cl.node(2))   # not on old node
    assert bookmarks.advance_active(repo, cl.node(0), cl.node(1))
    assert bookmarks.read(repo)["m"] == cl.node(1)
    assert not bookmarks.advance_active(repo, cl.node(1), cl.node(2))   # sideways
    assert bookmarks.is_descendant(repo, nullid, cl.node(2))


@pytest.mark.parametrize("name,message", [("tip", "reserved"), ("a:b", "cannot be used"),
                                          ("42", "integer"), ("   ", "whitespace")])
def test_refused_names(repo, name, message):
    with pytest.raises(error.InputError, match=message):
        bookmarks.check_name(repo, name)


def test_damaged_file_warns_once_per_command_like_hg(tmp_path, amg, hg):
    root = tmp_path / "h"
    hg("init", str(root))
    (root / "f").write_bytes(b"0\n")
    hg("commit", "-Aqm", "zero", "-u", "u", "-d", "0 0", cwd=root)
    hg("commit", "-qm", "one", "-u", "u", "-d", "0 0", "--config", "ui.allowemptycommit=1",
       cwd=root)
    (root / ".hg" / "bookmarks").write_bytes(b"nonsense\n" + b"zz" * 20 + b" x\n\xff bad\n")
    for args in (("log",), ("heads",)):
        ours, theirs = amg(*args, cwd=root), hg(*args, cwd=root)
        assert ours.out == theirs.out
        assert ours.err == theirs.err and ours.err.count(b"malformed") == 3
