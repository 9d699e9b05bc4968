"""cat, files, manifest and archive: output files and bad input."""
from __future__ import annotations

import pytest

from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(tmp_path, amg):
    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    Repository.open(str(root)).commit_files(
        {b"d/a": FileChange(b"alpha\n"), b"x": FileChange(b"run\n", "x")},
        user="u", date=(0.0, 0), message="m")
    return root


def test_output_format_specs(amg, repo, tmp_path) -> None:
    out = tmp_path / "o"
    result = amg("cat", "-r", "0", "-o", f"{out}/%d/%s-%R-%h-%b-%%", "d/a", cwd=repo)
    assert result.rc == 0
    files = list(out.rglob("*"))
    [written] = [f for f in files if f.is_file()]
    assert written.read_bytes() == b"alpha\n"
    assert written.parent.name == "d" and written.name.startswith("a-0-")
    assert written.name.endswith("-r-%")


def test_cat_missing_file_warns_and_fails(amg, repo) -> None:
    result = amg("cat", "-r", "0", "nosuch", cwd=repo)
    assert result.rc == 1
    assert "nosuch: no such file in rev" in result.stderr


def test_cat_bad_format_aborts(amg, repo) -> None:
    result = amg("cat", "-r", "0", "-o", "%n", "d/a", cwd=repo)
    assert result.rc == 255
    assert result.stderr == "abort: invalid format spec '%n' in output filename\n"


def test_manifest_verbose_and_all(amg, repo) -> None:
    assert amg("manifest", "-v", "-r", "0", cwd=repo).out == b"644   d/a\n755 * x\n"
    assert amg("manifest", "--all", cwd=repo).out == b"d/a\nx\n"
    assert amg("manifest", "--all", "-r", "0", cwd=repo).rc == 255


def test_files_print0_and_no_match(amg, repo) -> None:
    assert amg("files", "-r", "0", "-0", cwd=repo).out == b"d/a\0x\0"
    assert amg("files", "-r", "0", "nothing", cwd=repo).rc == 1


@pytest.mark.parametrize("args, message", [
    (("-t", "rar", "out"), "abort: unknown archive type 'rar'"),
    (("-t", "files", "-p", "pre", "out"), "abort: cannot give prefix when archiving to files"),
])
def test_archive_bad_input(amg, repo, args, message) -> None:
    result = amg("archive", "-r", "0", *args, cwd=repo)
    assert result.rc == 255
    assert result.stderr.startswith(message)
    assert not (repo / "out").exists()


def test_archive_tar_is_dated_by_the_changeset(amg, repo) -> None:
    import tarfile

    assert amg("archive", "-r", "0", "out.tgz", cwd=repo).rc == 0
    with tarfile.open(repo / "out.tgz") as tar:
        members = {m.name: m for m in tar}
    assert set(members) == {"out/.hg_archival.txt", "out/d/a", "out/x"}
    assert members["out/x"].mode == 0o755
    assert all(m.mtime == 0 for m in members.values())
