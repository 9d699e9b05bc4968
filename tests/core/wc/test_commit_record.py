"""What a commit records in the dirstate, and the compact stats it keeps for it."""
from __future__ import annotations

import os

import pytest

from amalgam.wc.commit import _stat_of


@pytest.mark.parametrize("mtime_ns", [0, 1_700_000_000_999_999_999, 1_700_000_000_000_000_001,
                                      1_234_567_890_500_000_000, -1_500_000_000])
def test_rebuilt_stat_rounds_mtime_as_lstat_does(tmp_path, mtime_ns):
    f = tmp_path / "f"
    f.write_bytes(b"x" * 7)
    os.utime(f, ns=(0, mtime_ns))
    real = os.lstat(f)
    rebuilt = _stat_of(real.st_mode, real.st_size, real.st_mtime_ns)
    assert (rebuilt.st_mode, rebuilt.st_size) == (real.st_mode, 7)
    assert rebuilt.st_mtime == real.st_mtime
    assert int(rebuilt.st_mtime) == int(real.st_mtime)
    assert rebuilt.st_mtime_ns == real.st_mtime_ns


def test_commit_records_each_file_as_stat_before_reading(amg, tmp_path):
    from amalgam.wc.dirstate import parse

    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    names = [f"d{n % 3}/f{n}" for n in range(40)]
    for n, name in enumerate(names):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_bytes(b"%d\n" % n * (n + 1))
        os.utime(root / name, (1_000_000_000 + n, 1_000_000_000 + n))
    os.chmod(root / names[5], 0o755)
    assert amg("commit", "-Aqm", "one", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    (root / names[7]).unlink()
    assert amg("remove", "-q", names[7], cwd=root).rc == 0
    (root / names[9]).write_bytes(b"changed\n")
    os.utime(root / names[9], (1_100_000_000, 1_100_000_000))
    assert amg("commit", "-qm", "two", "-u", "t", "-d", "0 0", cwd=root).rc == 0
    entries = parse((root / ".hg" / "dirstate").read_bytes())[2]
    assert names[7].encode() not in entries
    assert len(entries) == len(names) - 1
    for name in names:
        if name == names[7]:
            continue
        st = os.lstat(root / name)
        state, mode, size, mtime = entries[name.encode()]
        assert (state, mode, size, mtime) == ("n", st.st_mode, st.st_size,
                                              int(st.st_mtime)), name
    assert amg("status", cwd=root).stdout == ""


def test_working_files_refuse_a_path_outside_the_commit(amg, tmp_path):
    from amalgam.repo import Repository
    from amalgam.ui import UI
    from amalgam.wc.commit import _WorkingFiles
    from amalgam.wc.dirstate import DirState

    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_bytes(b"a\n")
    (root / "b").write_bytes(b"b\n")
    repo = Repository.open(str(root), UI())
    files = _WorkingFiles(repo, DirState.open(repo), [b"b", b"a"], set(), None)
    assert list(files) == [b"a", b"b"]
    with pytest.raises(KeyError):
        files[b"c"]
    assert files[b"b"].data == b"b\n"
    recorded = dict(files.stats())
    assert recorded[b"a"] is None
    assert recorded[b"b"].st_size == 2


def test_drop_caches_lets_storage_be_reread_and_keeps_a_transaction_intact(amg, tmp_path):
    from amalgam.repo import FileChange, Repository
    from amalgam.ui import UI

    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    repo = Repository.open(str(root), UI())
    with repo.transaction("t"):
        first = repo.commit_files({b"a": FileChange(b"1\n")}, user="u", message="m",
                                  date=(0, 0))
        kept = repo.manifestlog
        repo.drop_caches()  # inside a transaction: nothing is dropped
        assert repo.manifestlog is kept
        second = repo.commit_files({b"b": FileChange(b"2\n")}, p1=first, user="u",
                                   message="m", date=(0, 0))
    repo.drop_caches()
    assert repo.manifestlog is not kept
    assert sorted(repo.manifest_of(second)) == [b"a", b"b"]
    assert repo.read_file(second, b"b") == b"2\n"
    assert sorted(repo.store.fncache_entries()) == [b"data/a.i", b"data/b.i"]
