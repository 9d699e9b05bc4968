"""VFS: relative file access, atomic replacement, path checks."""
from __future__ import annotations

import os
import stat

import pytest

from amalgam.error import SecurityError
from amalgam.vfs import VFS


@pytest.fixture
def vfs(tmp_path):
    return VFS(str(tmp_path / "base"))


def test_write_creates_parents_and_reads_back(vfs, tmp_path):
    vfs.write(b"a/b/c.txt", b"data")
    assert (tmp_path / "base/a/b/c.txt").read_bytes() == b"data"
    assert vfs.read("a/b/c.txt") == b"data"
    vfs.append(b"a/b/c.txt", b"+more")
    vfs.append(b"new/file", b"x")
    assert vfs.read(b"a/b/c.txt") == b"data+more"
    assert vfs.read(b"new/file") == b"x"


def test_tryread_missing_is_empty(vfs):
    assert vfs.tryread(b"missing") == b""
    with pytest.raises(FileNotFoundError):
        vfs.read(b"missing")


def test_metadata_and_directory_operations(vfs):
    vfs.write(b"d/f", b"12345")
    assert vfs.exists(b"d/f") and vfs.isdir(b"d") and not vfs.isdir(b"d/f")
    assert vfs.stat(b"d/f").st_size == 5
    assert stat.S_ISREG(vfs.lstat(b"d/f").st_mode)
    assert vfs.listdir(b"d") == [b"f"]
    vfs.makedirs(b"e/g")
    assert vfs.isdir(b"e/g")
    vfs.rename(b"d/f", b"e/g/h")
    assert not vfs.exists(b"d/f") and vfs.read(b"e/g/h") == b"12345"
    assert vfs.tryunlink(b"e/g/h") is True
    assert vfs.tryunlink(b"e/g/h") is False
    with pytest.raises(FileNotFoundError):
        vfs.unlink(b"e/g/h")


def test_rename_replaces_existing_target(vfs):
    vfs.write(b"src", b"new")
    vfs.write(b"dst", b"old")
    vfs.rename(b"src", b"dst")
    assert vfs.read(b"dst") == b"new" and not vfs.exists(b"src")


def test_join_gives_host_path(vfs):
    assert vfs.join(b"x/y") == os.path.join(vfs.base, "x/y")
    assert vfs.join() == vfs.base
    assert vfs.join("ünï") == os.path.join(vfs.base, "ünï")


def test_bytes_names_round_trip(vfs):
    name = b"caf\xe9-\xff.bin"  # not valid UTF-8
    vfs.write(name, b"z")
    assert name in vfs.listdir()
    assert vfs.read(name) == b"z"


def test_truncate(vfs):
    vfs.write(b"t", b"0123456789")
    vfs.truncate(b"t", 4)
    assert vfs.read(b"t") == b"0123"


def test_atomictemp_invisible_until_close(vfs):
    vfs.write(b"f", b"old")
    fp = vfs(b"f", "wb", atomictemp=True)
    fp.write(b"new content")
    assert vfs.read(b"f") == b"old"
    fp.close()
    assert vfs.read(b"f") == b"new content"
    assert vfs.listdir() == [b"f"]


def test_atomictemp_discarded_on_exception(vfs):
    vfs.write(b"f", b"old")
    with pytest.raises(RuntimeError):
        with vfs(b"f", "wb", atomictemp=True) as fp:
            fp.write(b"half")
            raise RuntimeError("boom")
    assert vfs.read(b"f") == b"old"
    assert vfs.listdir() == [b"f"]


def test_atomictemp_new_file_in_new_directory(vfs):
    vfs.write(b"deep/dir/f", b"content", atomictemp=True)
    assert vfs.read(b"deep/dir/f") == b"content"
    assert vfs.listdir(b"deep/dir") == [b"f"]


def test_atomictemp_keeps_permissions(vfs):
    vfs.write(b"f", b"old")
    os.chmod(vfs.join(b"f"), 0o640)
    vfs.write(b"f", b"new", atomictemp=True)
    assert stat.S_IMODE(vfs.stat(b"f").st_mode) == 0o640


def test_atomictemp_new_file_respects_umask(vfs):
    old = os.umask(0o022)
    os.umask(old)
    vfs.write(b"f", b"new", atomictemp=True)
    assert stat.S_IMODE(vfs.stat(b"f").st_mode) == 0o666 & ~old


def test_checkambig_changes_mtime_of_same_size_rewrite(vfs):
    vfs.write(b"f", b"aaaa")
    before = vfs.stat(b"f")
    vfs.write(b"f", b"bbbb", atomictemp=True, checkambig=True)
    after = vfs.stat(b"f")
    assert vfs.read(b"f") == b"bbbb"
    assert int(after.st_mtime) != int(before.st_mtime)


@pytest.mark.parametrize("bad", [b"/etc/passwd", b"../x", b"a/../../x", b"a/..",
                                 "../str", b"a\0b"])
def test_escaping_paths_are_refused(vfs, bad, tmp_path):
    for action in (lambda: vfs.write(bad, b"x"), lambda: vfs.read(bad),
                   lambda: vfs.exists(bad), lambda: vfs.join(bad)):
        with pytest.raises(SecurityError):
            action()
    assert not (tmp_path / "x").exists()
    assert not os.path.exists(vfs.base)


def test_unusual_but_relative_names_are_allowed(vfs):
    for name in (b"a:b", b"x..y", b"..hidden", b"dir/.../f"):
        vfs.write(name, b"ok")
        assert vfs.read(name) == b"ok"
