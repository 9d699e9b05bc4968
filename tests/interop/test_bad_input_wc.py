"""Issue 5's bad-input list, command by command, against hg where hg can be the oracle.

Each case must give hg's one-line abort (or warning) and exit code, no
traceback, and leave the repository as it was.  Earlier tests already cover
parts of the list: tests/core/wc/test_audit.py (the auditor itself),
tests/core/commands/test_wc_status_cmd.py (directory in place of a file,
unreadable file, truncated dirstate, symlinked directory),
tests/core/wc/test_dirstate.py (dirstate-v2 refused), tests/core/commands/
test_update.py and tests/interop/test_merge_update.py (interrupted update).
"""
from __future__ import annotations

import os

import pytest

from amalgam.repo import Repository

from .differential import DATE, Twin


@pytest.fixture
def twin(tmp_path, amg, hg):
    twin = Twin(tmp_path, amg, hg)
    twin.write("a", "a\n")
    twin.write("foo/x", "x\n")
    twin.same("add", "a", "foo/x")
    twin.same("commit", "-m", "base", *DATE)
    twin.write(".hg/x", "not tracked\n")
    twin.write("new", "n\n")
    return twin


def _history(root) -> list[bytes]:
    repo = Repository.open(str(root))
    cl = repo.changelog.revlog
    return [cl.node(r) for r in range(len(cl))]


@pytest.mark.parametrize("args", [
    ("add", "../outside"), ("add", "/etc/passwd"), ("status", "/etc"),
    ("add", ".hg/x"), ("add", ".HG/x"), ("add", ".hg"), ("add", "foo/.hg/x"),
    ("add", ".h\u200cg/x"), ("add", ".hg\u200d/x"),
    ("commit", "-m", "m", ".hg/x"), ("forget", ".hg/x"), ("remove", ".Hg/x"),
    ("copy", "a", ".hg/y"), ("rename", "a", ".HG/y"), ("cat", "-r", ".", ".hg/hgrc"),
    ("files", ".hg"), ("revert", ".hg/x"), ("diff", ".hg/x"), ("annotate", ".hg/x"),
])
def test_paths_outside_or_inside_dot_hg_refused(twin, args):
    before = _history(twin.a)
    twin.same(*args, stderr=True)
    assert _history(twin.a) == before
    twin.assert_same_state()


def test_symlink_traversal_refused(twin, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s\n")
    twin.symlink(str(outside), "link")
    for args in (("add", "link/secret"), ("status", "link/secret"),
                 ("commit", "-m", "m", "link/secret"), ("addremove", "link/secret")):
        twin.same(*args, stderr=True)
    twin.assert_same_state()
    assert (outside / "secret").read_text() == "s\n"


def test_file_replaced_by_directory(twin):
    twin.remove("a")
    twin.write("a/inner", "i\n")
    twin.same("status")
    twin.same("commit", "-m", "named", "a", stderr=True)
    twin.same("commit", "-m", "rest", *DATE)
    twin.same("diff")
    twin.assert_same_state()


def test_add_refuses_file_directory_clash(twin):
    twin.remove("a")
    twin.write("a/inner", "i\n")
    twin.same("add", "a/inner", stderr=True)
    twin.remove("foo")
    twin.write("foo", "now a file\n")
    twin.same("add", "foo", stderr=True)
    twin.assert_same_state()


def test_commit_refuses_clash_a_dirstate_got_anyway(twin, amg):
    """commit guards the store even when a clash got into the dirstate anyway."""
    from amalgam.ui import UI
    from amalgam.wc.dirstate import DirState

    os.unlink(twin.a / "a")
    (twin.a / "a").mkdir()
    (twin.a / "a" / "inner").write_text("i\n")
    repo = Repository.open(str(twin.a), UI())
    with repo.wlock():
        ds = DirState.open(repo)
        ds.add(b"a/inner")
        ds.write()
    before = _history(twin.a)
    result = amg("commit", "-m", "clash", cwd=twin.a)
    assert (result.rc, result.err) == (
        255, b"abort: file 'a' in dirstate clashes with 'a/inner'\n")
    assert _history(twin.a) == before


def test_commit_after_interrupted_update(twin):
    twin.each(lambda root: (root / ".hg" / "updatestate").write_text("0" * 40 + "\n"))
    twin.write("a", "changed\n")
    twin.same("commit", "-m", "refused", stderr=True)
    twin.same("commit", "--amend", "-m", "refused", stderr=True)
    twin.same("commit", "-m", "refused", "--config", "ui.detailed-exit-code=yes")
    twin.same("update", "-C", ".")
    twin.assert_same_state()


def test_interrupted_update_then_merge_continues(twin):
    twin.write("a", "second\n")
    twin.same("commit", "-m", "second", "-d", "1 0")
    twin.same("update", "0")
    twin.write("z", "z\n")
    twin.same("add", "z")
    twin.same("commit", "-m", "other head", "-d", "2 0")
    twin.each(lambda root: (root / ".hg" / "updatestate").write_text("0" * 40 + "\n"))
    twin.same("merge", "1")
    twin.same("commit", "-m", "merged", *DATE)
    twin.assert_same_state()


def test_newer_dirstate_format_refused(tmp_path, amg, hg):
    # This hg has no Rust extensions, so it cannot write dirstate-v2 itself.
    hg("init", str(tmp_path / "v2"))
    (tmp_path / "v2" / "f").write_text("f\n")
    hg("commit", "-A", "-m", "f", *DATE, cwd=tmp_path / "v2")
    with open(tmp_path / "v2" / ".hg" / "requires", "a") as fp:
        fp.write("dirstate-v2\n")
    before = (tmp_path / "v2" / ".hg" / "dirstate").read_bytes()
    for args in (("status",), ("commit", "-m", "x"), ("add", "g"), ("commit", "--amend")):
        result = amg(*args, cwd=tmp_path / "v2")
        assert result.rc == 255, (args, result.err)
        assert result.err.startswith(b"abort: repository requires features unknown to this "
                                     b"version: dirstate-v2\n"), result.err
    assert (tmp_path / "v2" / ".hg" / "dirstate").read_bytes() == before


@pytest.mark.parametrize("cut", [10, 39, 45, 60])
def test_truncated_dirstate_writes_nothing(twin, amg, cut):
    path = twin.a / ".hg" / "dirstate"
    path.write_bytes(path.read_bytes()[:cut])
    damaged = path.read_bytes()
    before = _history(twin.a)
    for args in (("status",), ("add", "new"), ("commit", "-m", "x"), ("commit", "--amend")):
        result = amg(*args, cwd=twin.a)
        assert result.rc == 255, (args, result.err)
        assert result.err.startswith(b"abort: "), result.err
    assert path.read_bytes() == damaged
    assert _history(twin.a) == before


def test_file_deleted_while_commit_reads_it(twin, amg, monkeypatch):
    """Gone between status and reading: a clean abort, no changeset, dirstate kept."""
    from amalgam.wc import status as statusmod

    twin.write("a", "changed\n")
    real_status = statusmod.status

    def status_then_delete(*args, **kwargs):
        result = real_status(*args, **kwargs)
        os.unlink(twin.a / "a")
        return result

    monkeypatch.setattr(statusmod, "status", status_then_delete)
    dirstate = (twin.a / ".hg" / "dirstate").read_bytes()
    before = _history(twin.a)
    result = amg("commit", "-m", "x", "a", cwd=twin.a)
    monkeypatch.undo()
    assert result.rc == 255
    assert result.err == (b"abort: a: No such file or directory\n"
                          b"(the file changed while committing; try again)\n")
    assert _history(twin.a) == before
    assert (twin.a / ".hg" / "dirstate").read_bytes() == dirstate
    assert amg("status", cwd=twin.a).out == b"! a\n? new\n"


def test_unreadable_file_at_commit(twin, amg, monkeypatch):
    """Root reads everything, so refuse the read itself: a clean abort, nothing written."""
    import builtins

    from amalgam.wc import commit as commitmod

    twin.write("a", "changed\n")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if os.fsdecode(file).endswith(os.sep + "a"):
            raise PermissionError(13, "Permission denied", os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(commitmod, "open", guarded_open, raising=False)
    before = _history(twin.a)
    result = amg("commit", "-m", "x", "a", cwd=twin.a)
    monkeypatch.undo()
    assert result.rc == 255
    assert result.err == (b"abort: a: Permission denied\n"
                          b"(make it readable, or leave it out with -X)\n")
    assert _history(twin.a) == before
    assert amg("status", "a", cwd=twin.a).out == b"M a\n"
    assert amg("verify", "-q", cwd=twin.a).rc == 0


def test_file_deleted_while_status_reads_it(twin, amg, monkeypatch):
    """A file vanishing between the walk and the content check shows as deleted, like hg."""
    import builtins

    from amalgam.wc import status as statusmod

    twin.write("a", "b\n")  # same size: status must read it to decide
    os.utime(twin.a / "a", (0, 0))
    real_open = builtins.open

    def vanishing_open(file, *args, **kwargs):
        if os.fsdecode(file).endswith(os.sep + "a"):
            os.unlink(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(statusmod, "open", vanishing_open, raising=False)
    result = amg("status", cwd=twin.a)
    monkeypatch.undo()
    assert (result.rc, result.out, result.err) == (0, b"! a\n? new\n", b"")


def test_file_changed_while_status_reads_it(twin, amg, monkeypatch):
    """Edited between the walk and the content check: never recorded clean by mistake."""
    import builtins

    from amalgam.wc import status as statusmod

    twin.write("a", "b\n")  # same size as committed "a\n": status must read it
    os.utime(twin.a / "a", (0, 0))
    real_open = builtins.open
    edits = []

    def editing_open(file, *args, **kwargs):
        if os.fsdecode(file).endswith(os.sep + "a") and not edits:
            edits.append(file)
            with real_open(file, "wb") as fp:
                fp.write(b"a\n")  # back to the committed content, with a new mtime
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(statusmod, "open", editing_open, raising=False)
    first = amg("status", cwd=twin.a)
    monkeypatch.undo()
    assert edits and first.rc == 0 and b"Traceback" not in first.err
    assert first.out == b"? new\n"
    # The file really is clean now; and editing it again is seen.
    assert amg("status", cwd=twin.a).out == b"? new\n"
    (twin.a / "a").write_text("x\n")
    os.utime(twin.a / "a", (0, 0))
    assert amg("status", cwd=twin.a).out == b"M a\n? new\n"
