"""grep and annotate: exit codes and bad input."""
from __future__ import annotations

import pytest

from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(tmp_path, amg):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    r = Repository.open(str(root))
    r.commit_files({b"a": FileChange(b"one\ntwo\n")}, user="Ann <ann@x>", date=(0.0, 0),
                   message="m0")
    r.commit_files({b"a": FileChange(b"one\nTWO\nthree\n")}, user="Bob <bob@x>",
                   date=(1.0, 0), message="m1")
    return root


def test_grep_all_reports_appearing_and_disappearing_matches(amg, repo) -> None:
    result = amg("grep", "--all", "-i", "two", cwd=repo)
    assert result.rc == 0
    assert result.out == b"a:1:-:two\na:1:+:TWO\na:0:+:two\n"


def test_grep_invalid_pattern_and_no_match(amg, repo) -> None:
    bad = amg("grep", "-r", "1", "(", cwd=repo)
    assert bad.rc == 1 and bad.stderr.startswith("grep: invalid match pattern")
    assert amg("grep", "-r", "1", "nothing", cwd=repo).rc == 1


def test_annotate_columns(amg, repo) -> None:
    result = amg("annotate", "-u", "-n", "-l", "-r", "1", "a", cwd=repo)
    assert result.out == b"ann 0:1: one\nbob 1:2: TWO\nbob 1:3: three\n"


def test_annotate_needs_n_or_c_for_l(amg, repo) -> None:
    result = amg("annotate", "-l", "-u", "a", cwd=repo)
    assert result.rc == 255
    assert result.stderr == "abort: at least one of -n/-c is required for -l\n"
