"""Path auditing: which repository paths amalgam may read or write.

A path is refused when it names the metadata directory (``.hg`` in any
case, or disguised with code points file systems ignore, such as U+200C),
lies inside a nested repository, or goes through a symbolic link: each of
those would let a crafted tree make us write outside the working copy.
"""
from __future__ import annotations

import os
import stat as statmod

from amalgam import error

# UTF-8 encodings of code points HFS+ and friends ignore in names.
_IGNORABLE = tuple(chr(c).encode("utf-8") for c in (
    0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF))


def lowerclean(part: bytes) -> bytes:
    """*part* lowered, with ignorable code points removed."""
    if b"\xe2" in part or b"\xef" in part:
        for ch in _IGNORABLE:
            part = part.replace(ch, b"")
    return part.lower()


def show(path: bytes) -> str:
    """A repository path as text for messages (undecodable bytes survive)."""
    return os.fsdecode(path)


class PathAuditor:
    """``PathAuditor(root)(path)`` raises InputError when *path* is unsafe.

    Directories already proven safe are remembered, so auditing many paths
    under one directory costs one ``lstat`` per directory.
    """

    def __init__(self, root: str | bytes, *, check_fs: bool = True) -> None:
        self.root = os.fsencode(root)
        self.check_fs = check_fs
        self._safe: set[bytes] = set()

    def __call__(self, path: bytes) -> None:
        if path in self._safe:
            return
        if path.endswith(b"/") or not path:
            raise error.InputError(f"path ends in directory separator: {show(path)}")
        parts = path.split(b"/")
        first = lowerclean(parts[0])
        if first in (b".hg", b".hg.", b"") or b".." in parts or b"." in parts or b"" in parts:
            raise error.InputError(f"path contains illegal component: {show(path)}")
        if b".hg" in lowerclean(path):
            lparts = [lowerclean(p) for p in parts]
            for name in (b".hg", b".hg."):
                if name in lparts[1:]:
                    base = b"/".join(parts[:lparts.index(name, 1)])
                    raise error.InputError(
                        f"path '{show(path)}' is inside nested repo '{show(base)}'")
        if self.check_fs:
            self._check_prefixes(path, parts)
        self._safe.add(path)

    def _check_prefixes(self, path: bytes, parts: list[bytes]) -> None:
        """No directory leading to *path* may be a symlink or a nested repository."""
        for i in range(1, len(parts)):
            prefix = b"/".join(parts[:i])
            if prefix in self._safe:
                continue
            full = os.path.join(self.root, prefix)
            try:
                st = os.lstat(full)
            except OSError:
                break  # nothing more exists below: nothing to traverse
            if statmod.S_ISLNK(st.st_mode):
                raise error.InputError(
                    f"path '{show(path)}' traverses symbolic link '{show(prefix)}'")
            if statmod.S_ISDIR(st.st_mode) and os.path.isdir(os.path.join(full, b".hg")):
                raise error.InputError(
                    f"path '{show(path)}' is inside nested repository '{show(prefix)}'")
            self._safe.add(prefix)


def canonpath(root: str, cwd: str, name: str | bytes) -> bytes:
    """The repository-relative path (``/``-separated bytes) the user meant by *name*.

    *name* is relative to *cwd* or absolute.  The root itself is ``b''``.
    """
    broot = os.fsencode(os.path.realpath(root))
    bname = os.fsencode(name)
    full = os.path.normpath(os.path.join(os.fsencode(cwd), bname))
    for base in (os.fsencode(root), broot):
        rel = _relative_to(full, base)
        if rel is not None:
            return rel
    # The user may have come in through a symlinked directory.
    real = os.path.realpath(os.path.dirname(full))
    rel = _relative_to(os.path.join(real, os.path.basename(full)), broot)
    if rel is not None:
        return rel
    raise error.InputError(f"{os.fsdecode(bname)} not under root '{root}'")


def _relative_to(full: bytes, base: bytes) -> bytes | None:
    base = base.rstrip(b"/")
    if full == base:
        return b""
    if full.startswith(base + b"/"):
        return full[len(base) + 1:].rstrip(b"/")
    return None
