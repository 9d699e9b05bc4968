"""When status records files it proved clean by reading them ("fixups")."""
from __future__ import annotations

import os

from amalgam.wc.status import _worth_writing


def _stat(size: int) -> os.stat_result:
    return os.stat_result((0o100644, 0, 0, 1, 0, 0, size, 0, 0, 0))


def test_a_few_small_files_in_a_big_dirstate_are_not_worth_a_rewrite():
    fixups = [(b"f%d" % n, _stat(500)) for n in range(10)]
    assert not _worth_writing(fixups, 100_000)


def test_fixups_are_recorded_in_a_small_dirstate():
    assert _worth_writing([(b"f", _stat(500))], 200)


def test_a_big_file_is_recorded_even_in_a_big_dirstate():
    assert _worth_writing([(b"f", _stat(50 * 1024 * 1024))], 100_000)


def test_many_fixups_are_recorded():
    fixups = [(b"f%d" % n, _stat(10)) for n in range(20_000)]
    assert _worth_writing(fixups, 100_000)


def test_status_records_a_touched_file_of_a_small_repository(amg, tmp_path):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_text("a\n")
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    os.utime(root / "a", (1_000_000_000, 1_000_000_000))
    assert amg("status", cwd=root).stdout == ""
    from amalgam.wc.dirstate import parse

    entries = parse((root / ".hg" / "dirstate").read_bytes())[2]
    assert entries[b"a"][3] == 1_000_000_000
