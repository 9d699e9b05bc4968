"""Archive writers for ``amg archive``: a directory, tar (plain, gz, bz2, xz) or zip.

Every entry carries the changeset's date (zip cannot go before 1980), mode
0644/0755, owner 0 and no user names, so one revision always produces the
same bytes.  ``.hg_archival.txt`` records the repository, node, branch and
tag position as hg writes it.
"""
from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import hex

if TYPE_CHECKING:
    from amalgam.context import ChangeContext
    from amalgam.repo import Repository

Entry = tuple[bytes, str, Callable[[], bytes]]
_ZIP_EPOCH = 315532800  # 1980-01-01, the earliest date a zip entry can hold


def archival_text(repo: Repository, ctx: ChangeContext) -> bytes:
    """Content of ``.hg_archival.txt`` for *ctx*."""
    from amalgam import tags as tagsmod

    first = repo.changelog.revlog.node(0)
    lines = [f"repo: {hex(first)}", f"node: {ctx.hex()}", f"branch: {ctx.branch()}"]
    own = [t for t in ctx.tags() if tagsmod.tagtype(repo, t) == "global"]
    if own:
        lines.extend(f"tag: {t}" for t in own)
    else:
        names, distance, changes = _latest_tag(repo, ctx.rev)
        lines.append(f"latesttag: {names}")
        lines.append(f"latesttagdistance: {distance}")
        lines.append(f"changessincelatesttag: {changes}")
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


def _latest_tag(repo: Repository, rev: int) -> tuple[str, int, int]:
    """(tag names, longest path to them, changesets since them) for the nearest global tag."""
    from amalgam import tags as tagsmod

    cl = repo.changelog.revlog
    bynode: dict[int, list[str]] = {}
    for name, node in tagsmod.tags(repo).items():
        if tagsmod.tagtype(repo, name) == "global" and cl.hasnode(node):
            bynode.setdefault(cl.rev(node), []).append(name)
    ancestors = _ancestors(cl, rev)
    tagged = [r for r in ancestors if r in bynode]
    target = max(tagged) if tagged else -1
    # Longest path from rev down to target, over ancestors of rev.
    depth = {rev: 0}
    for r in sorted(ancestors, reverse=True):
        if r not in depth:
            continue
        for parent in cl.parentrevs(r):
            if parent in ancestors or parent == -1:
                depth[parent] = max(depth.get(parent, 0), depth[r] + 1)
    base = _ancestors(cl, target) if target >= 0 else set()
    names = ":".join(sorted(bynode[target])) if target >= 0 else "null"
    return names, depth.get(target, 0), len(ancestors - base)


def _ancestors(cl: object, rev: int) -> set[int]:
    seen = {rev}
    stack = [rev]
    while stack:
        for parent in cl.parentrevs(stack.pop()):  # type: ignore[attr-defined]
            if parent >= 0 and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def write(kind: str, dest: str, prefix: str, date: tuple[float, int], archival: bytes,
          files: list[Entry]) -> None:
    """Write *files* (path, flags, content reader) as an archive of *kind* at *dest*."""
    entries: list[Entry] = [(b".hg_archival.txt", "", lambda: archival), *files]
    mtime = int(date[0])
    if kind == "files":
        _write_files(dest, entries, mtime)
    elif kind in ("zip", "uzip"):
        _write_zip(dest, prefix, entries, mtime, compressed=kind == "zip")
    else:
        _write_tar(dest, prefix, entries, mtime, kind)


def _member(prefix: str, path: bytes) -> str:
    name = os.fsdecode(path)
    return f"{prefix.rstrip('/')}/{name}" if prefix else name


def _write_files(dest: str, entries: list[Entry], mtime: int) -> None:
    for path, flags, data in entries:
        target = os.path.join(dest, os.fsdecode(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)
        if flags == "l":
            os.symlink(data(), target)
            continue
        with open(target, "wb") as fh:
            fh.write(data())
        os.chmod(target, 0o755 if flags == "x" else 0o644)
        os.utime(target, (mtime, mtime))


def _write_tar(dest: str, prefix: str, entries: list[Entry], mtime: int, kind: str) -> None:
    import tarfile

    try:
        raw = open(dest, "wb")
    except OSError as exc:
        raise error.Abort(f"cannot create {dest}: {exc.strerror}") from None
    with raw:
        if kind == "tgz":
            import gzip

            fileobj = gzip.GzipFile(os.path.basename(dest), "wb", 9, raw, mtime)
        elif kind == "tbz2":
            import bz2

            fileobj = bz2.BZ2File(raw, "wb")
        elif kind == "txz":
            import lzma

            fileobj = lzma.LZMAFile(raw, "wb")
        else:
            fileobj = raw
        with tarfile.open(mode="w", fileobj=fileobj, format=tarfile.PAX_FORMAT) as tar:
            for path, flags, data in entries:
                info = tarfile.TarInfo(_member(prefix, path))
                info.mtime = float(mtime)
                info.uname = info.gname = ""
                content = data()
                if flags == "l":
                    info.type = tarfile.SYMTYPE
                    info.mode = 0o777
                    info.linkname = os.fsdecode(content)
                    tar.addfile(info)
                    continue
                info.mode = 0o755 if flags == "x" else 0o644
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        if fileobj is not raw:
            fileobj.close()


def _write_zip(dest: str, prefix: str, entries: list[Entry], mtime: int,
               compressed: bool) -> None:
    import struct
    import time
    import zipfile

    when = max(mtime, _ZIP_EPOCH)
    stamp = time.gmtime(when)[:6]
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    try:
        archive = zipfile.ZipFile(dest, "w", method)
    except OSError as exc:
        raise error.Abort(f"cannot create {dest}: {exc.strerror}") from None
    with archive:
        for path, flags, data in entries:
            try:
                path.decode("utf-8")
            except UnicodeDecodeError:
                archive.close()
                os.unlink(dest)
                raise error.InputError(
                    f"cannot store the non-UTF-8 file name {_member(prefix, path)!r} in a "
                    "zip archive", hint="use a tar archive (-t tar), which keeps names "
                    "byte for byte") from None
            info = zipfile.ZipInfo(_member(prefix, path), stamp)
            info.compress_type = method
            info.create_system = 3  # unix, so the mode below is honoured
            mode = 0o120777 if flags == "l" else 0o100755 if flags == "x" else 0o100644
            info.external_attr = mode << 16
            info.extra = struct.pack("<2sHBl", b"UT", 5, 1, when)
            archive.writestr(info, data())
