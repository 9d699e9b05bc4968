"""wc.files.write replaces what is in the way without following it; read_revision reads once."""
from __future__ import annotations

import os
import stat

import pytest

from amalgam import error
from amalgam.repo import Repository
from amalgam.wc import files as wfiles

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks and modes")


@pytest.fixture
def repo(tmp_path, hg):
    root = tmp_path / "r"
    hg("init", str(root))
    return Repository.open(str(root))


@posix_only
def test_symlink_in_the_way_is_replaced_not_followed(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.write_bytes(b"keep\n")
    os.symlink(outside, os.path.join(repo.root, "f"))
    st = wfiles.write(repo, b"f", b"new\n")
    full = os.path.join(repo.root, "f")
    assert not os.path.islink(full)
    assert open(full, "rb").read() == b"new\n"
    assert outside.read_bytes() == b"keep\n"
    assert (st.st_size, st.st_mode) == (4, os.lstat(full).st_mode)


@posix_only
def test_exec_bit_follows_the_flags_on_existing_files(repo):
    full = os.path.join(repo.root, "x")
    wfiles.write(repo, b"x", b"1\n")
    assert not os.lstat(full).st_mode & 0o100
    st = wfiles.write(repo, b"x", b"2\n", "x")
    assert os.lstat(full).st_mode & 0o100 and st.st_mode == os.lstat(full).st_mode
    st = wfiles.write(repo, b"x", b"3\n", "")
    assert not os.lstat(full).st_mode & 0o111 and st.st_mode == os.lstat(full).st_mode
    assert open(full, "rb").read() == b"3\n"


@posix_only
def test_file_and_link_swap_places(repo):
    full = os.path.join(repo.root, "s")
    wfiles.write(repo, b"s", b"target", "l")
    assert os.readlink(full) == "target"
    wfiles.write(repo, b"s", b"plain\n")
    assert stat.S_ISREG(os.lstat(full).st_mode)
    wfiles.write(repo, b"s", b"other", "l")
    assert os.readlink(full) == "other"


def test_directory_in_the_way_aborts_and_is_kept(repo):
    os.makedirs(os.path.join(repo.root, "d", "sub"))
    for flags in ("", "l"):
        with pytest.raises(error.Abort, match="a directory is in the way"):
            wfiles.write(repo, b"d", b"data", flags)
    assert os.path.isdir(os.path.join(repo.root, "d", "sub"))


def test_file_in_the_way_of_a_directory_is_replaced(repo):
    with open(os.path.join(repo.root, "p"), "wb") as fp:
        fp.write(b"a file\n")
    wfiles.write(repo, b"p/q/r", b"deep\n")
    assert open(os.path.join(repo.root, "p", "q", "r"), "rb").read() == b"deep\n"


def test_read_revision_small_and_big_filelogs(repo, hg):
    root = repo.root
    small = b"small\n"
    big = os.urandom(100_000)  # incompressible: its index file is past the in-memory size
    split = os.urandom(200_000)  # past hg's inline limit: a small .i and a .d
    for name, data in (("small", small), ("big", big), ("split", split)):
        with open(os.path.join(root, name), "wb") as fp:
            fp.write(data)
    hg("commit", "-A", "-m", "three", "-d", "0 0", cwd=root)
    repo = Repository.open(root)
    manifest = repo.manifest_of(repo.changelog.revlog.node(0))
    assert os.path.getsize(os.path.join(root, ".hg", "store", "data", "big.i")) > 64 * 1024
    assert wfiles.read_revision(repo, b"small", manifest.get(b"small")[0]) == small
    assert wfiles.read_revision(repo, b"big", manifest.get(b"big")[0]) == big
    assert os.path.exists(os.path.join(root, ".hg", "store", "data", "split.d"))
    assert wfiles.read_revision(repo, b"split", manifest.get(b"split")[0]) == split


def test_read_revision_of_a_missing_filelog_is_a_storage_error(repo):
    with pytest.raises(error.StorageError):
        wfiles.read_revision(repo, b"nosuch", b"\1" * 20)
