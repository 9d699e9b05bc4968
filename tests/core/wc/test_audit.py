"""Path auditing: the same refusals as hg, for the same reasons."""
from __future__ import annotations

import os

import pytest

from amalgam import error
from amalgam.wc.audit import PathAuditor, canonpath


@pytest.mark.parametrize("path,message", [
    (b".hg/foo", "illegal component"),
    (b".HG/foo", "illegal component"),
    (".h\u200cg/x".encode(), "illegal component"),
    (b".hg.", "illegal component"),
    (b"a/../b", "illegal component"),
    (b"a//b", "illegal component"),
    (b"foo/.hg/bar", "inside nested repo 'foo'"),
    ("foo/.H\ufeffG/bar".encode(), "inside nested repo 'foo'"),
    (b"dir/", "ends in directory separator"),
])
def test_refused_names(tmp_path, path, message):
    with pytest.raises(error.InputError, match=message):
        PathAuditor(str(tmp_path))(path)


def test_symlink_traversal_and_nested_repo(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "link")
    (tmp_path / "sub" / "nested" / ".hg").mkdir(parents=True)
    audit = PathAuditor(str(tmp_path))
    with pytest.raises(error.InputError, match="traverses symbolic link 'link'"):
        audit(b"link/file")
    with pytest.raises(error.InputError, match="inside nested repository 'sub/nested'"):
        audit(b"sub/nested/f")
    audit(b"real/file")
    audit(b"link")  # the link itself is a fine thing to track
    audit(b"missing/dir/file")


def test_canonpath(tmp_path):
    root = str(tmp_path)
    sub = os.path.join(root, "d")
    os.mkdir(sub)
    assert canonpath(root, sub, "x") == b"d/x"
    assert canonpath(root, sub, "..") == b""
    assert canonpath(root, sub, os.path.join(root, "y")) == b"y"
    assert canonpath(root, root, b"caf\xe9") == b"caf\xe9"
    with pytest.raises(error.InputError, match="not under root"):
        canonpath(root, sub, "../..")
