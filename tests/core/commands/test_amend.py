"""``amg commit --amend`` on its own (the hg comparisons are in tests/interop/test_amend.py)."""
from __future__ import annotations

import os
import sys

import pytest

from amalgam import phases
from amalgam.repo import Repository


@pytest.fixture
def repo(amg, tmp_path):
    """Two draft changesets: 0 adds a and keep, 1 changes a."""
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_text("one\n")
    (root / "keep").write_text("k\n")
    assert amg("commit", "-A", "-m", "first", "-d", "0 0", cwd=root).rc == 0
    (root / "a").write_text("one\ntwo\n")
    assert amg("commit", "-m", "second", "-d", "1 0", "-u", "alice", cwd=root).rc == 0
    return root


def _tip(root):
    repo = Repository.open(str(root))
    cl = repo.changelog
    return cl.read(cl.revlog.node(len(cl.revlog) - 1)), len(cl.revlog)


def _editor(tmp_path, body: str) -> str:
    """An editor command that records what it was given and writes *body*."""
    script = tmp_path / "editor.py"
    script.write_text("import sys, shutil\n"
                      f"shutil.copy(sys.argv[1], {str(tmp_path / 'seen.txt')!r})\n"
                      f"open(sys.argv[1], 'w').write({body!r})\n")
    return f"{sys.executable} {script}"


def test_amend_keeps_message_user_and_date(amg, repo, tmp_path):
    (repo / "a").write_text("changed\n")
    result = amg("commit", "--amend", cwd=repo, env={"HGEDITOR": "true"})
    assert result.rc == 0, result.err
    assert result.out.startswith(b"saved backup bundle to ")
    assert result.out.rstrip().endswith(b"-amend.hg")
    entry, count = _tip(repo)
    assert count == 2
    assert (entry.description, entry.user, entry.date) == ("second", "alice", (1.0, 0))
    assert entry.files == (b"a",)
    assert len(entry.extra["amend_source"]) == 40
    assert amg("status", cwd=repo).out == b""
    assert amg("verify", "-q", cwd=repo).rc == 0


def test_amend_editor_starts_from_old_message(amg, repo, tmp_path):
    result = amg("commit", "--amend", "-e", "-m", "given",
                 cwd=repo, env={"HGEDITOR": _editor(tmp_path, "edited\n")})
    assert result.rc == 0, result.err
    assert (tmp_path / "seen.txt").read_text().startswith("given\n")
    assert _tip(repo)[0].description == "edited"
    amg("commit", "--amend", cwd=repo, env={"HGEDITOR": _editor(tmp_path, "again\n")})
    assert (tmp_path / "seen.txt").read_text().startswith("edited\n")
    assert _tip(repo)[0].description == "again"


def test_amend_empty_message_aborts_and_changes_nothing(amg, repo, tmp_path):
    before = _tip(repo)
    result = amg("commit", "--amend", cwd=repo, env={"HGEDITOR": _editor(tmp_path, "HG: x\n")})
    assert (result.rc, result.err) == (255, b"abort: empty commit message\n")
    assert _tip(repo) == before
    assert not (repo / ".hg" / "strip-backup").exists()


def test_amend_nothing_changed(amg, repo):
    result = amg("commit", "--amend", "-m", "second", cwd=repo)
    assert (result.rc, result.out) == (1, b"nothing changed\n")
    assert not (repo / ".hg" / "strip-backup").exists()


def test_amend_quiet_and_verbose(amg, repo):
    quiet = amg("commit", "--amend", "-q", "-m", "quiet", cwd=repo)
    assert (quiet.rc, quiet.out) == (0, b"")
    verbose = amg("commit", "--amend", "-v", "-m", "loud", cwd=repo)
    assert verbose.rc == 0
    lines = verbose.out.decode().splitlines()
    assert lines[0].startswith("amending changeset ")
    assert lines[-1].startswith("committed changeset 1:")


def test_amend_keeps_secret_phase(amg, repo):
    assert amg("phase", "--force", "--secret", ".", cwd=repo).rc == 0
    assert amg("commit", "--amend", "-m", "still secret", cwd=repo).rc == 0
    assert phases.phase(Repository.open(str(repo)), 1) == phases.SECRET


@pytest.mark.parametrize("setup, message, code", [
    ("public", "abort: cannot amend public changesets: ", 10),
    ("children", "abort: cannot amend changeset, as that will orphan 1 descendants\n", 10),
    ("null", "abort: cannot amend the null revision\n", 10),
])
def test_amend_refusals(amg, repo, setup, message, code):
    if setup == "public":
        amg("phase", "--public", ".", cwd=repo)
    elif setup == "children":
        amg("update", "0", cwd=repo)
    else:
        amg("update", "null", cwd=repo)
    before = _tip(repo)
    result = amg("commit", "--amend", "-m", "x", cwd=repo)
    assert result.rc == 255
    assert result.err.decode().startswith(message)
    detailed = amg("commit", "--amend", "-m", "x", "--config", "ui.detailed-exit-code=yes",
                   cwd=repo)
    assert detailed.rc == code
    assert _tip(repo) == before


def test_amend_refused_while_merging(amg, repo):
    amg("update", "0", cwd=repo)
    (repo / "other").write_text("o\n")
    amg("commit", "-A", "-m", "other", "-d", "2 0", cwd=repo)
    assert amg("merge", "1", cwd=repo).rc == 0
    result = amg("commit", "--amend", "-m", "x", "--config", "ui.detailed-exit-code=yes",
                 cwd=repo)
    assert (result.rc, result.err) == (20, b"abort: cannot amend changesets while merging\n")


def test_amend_partial_leaves_other_changes_pending(amg, repo):
    (repo / "a").write_text("a2\n")
    (repo / "keep").write_text("k2\n")
    assert amg("commit", "--amend", "-m", "only keep", "keep", cwd=repo).rc == 0
    assert _tip(repo)[0].files == (b"a", b"keep")
    assert amg("status", cwd=repo).out == b"M a\n"
    assert amg("cat", "-r", ".", "a", cwd=repo).out == b"one\ntwo\n"


def test_amend_backup_restores_the_old_changeset(amg, repo):
    old = amg("log", "-r", ".", "-T", "{node}", cwd=repo).out
    result = amg("commit", "--amend", "-m", "new", cwd=repo)
    bundle = result.out.decode().split("saved backup bundle to ", 1)[1].strip()
    assert os.path.basename(bundle).startswith(old[:12].decode())
    assert amg("unbundle", bundle, cwd=repo).rc == 0
    assert amg("log", "-r", old.decode(), "-T", "{desc}", cwd=repo).out == b"second"
