"""log: selection, limits and bad input, in-process (formats are pinned in tests/interop)."""
from __future__ import annotations

import pytest

from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(tmp_path, amg):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    r = Repository.open(str(root))
    for n in range(5):
        r.commit_files({b"f%d" % (n % 2): FileChange(b"%d\n" % n)}, user="u <u@x>",
                       date=(n * 86400.0, 0), message=f"change {n}")
    return root


def revs(out: bytes) -> list[int]:
    return [int(line.split(b":")[0]) for line in out.splitlines()]


def test_default_is_newest_first_and_limit_stops_early(amg, repo) -> None:
    assert revs(amg("log", "-q", cwd=repo).out) == [4, 3, 2, 1, 0]
    assert revs(amg("log", "-q", "-l", "2", cwd=repo).out) == [4, 3]


def test_file_history_uses_the_files_own_revisions(amg, repo) -> None:
    assert revs(amg("log", "-q", "f1", cwd=repo).out) == [3, 1]
    assert revs(amg("log", "-q", "glob:f*", "-l", "3", cwd=repo).out) == [4, 3, 2]


def test_date_keyword_and_user_filters(amg, repo) -> None:
    assert revs(amg("log", "-q", "-d", "<1970-01-02", cwd=repo).out) == [1, 0]
    assert revs(amg("log", "-q", "-k", "CHANGE 3", cwd=repo).out) == [3]
    assert amg("log", "-q", "-u", "nobody", cwd=repo).out == b""


@pytest.mark.parametrize("args, message", [
    (("-l", "0"), "abort: limit must be positive"),
    (("-l", "x"), "abort: limit must be a positive integer"),
    (("-r", "99"), "abort: unknown revision '99'"),
    (("-d", "not a date"), "amg: parse error: invalid date: 'not a date'"),
    (("-f", "nosuch"), "abort: cannot follow file not in parent revision"),
])
def test_bad_input_is_a_clean_abort(amg, repo, args, message) -> None:
    result = amg("log", *args, cwd=repo)
    assert result.rc != 0
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
