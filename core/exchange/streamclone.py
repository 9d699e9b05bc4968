"""Stream bundles (``stream2`` part): the store's revlog files copied as they are.

Records are ``s`` (store) or ``c`` (cache), the name length and data length
as unsigned LEB128 varints, the logical (unencoded) store path, and the
file's bytes (hg-formats.md §7.7).  Writing reads files under the store
lock; applying needs an empty repository, accepts only revlog and
phaseroots names with safe paths, streams each file to disk in bounded
pieces inside a transaction, and adopts the sender's revlog format.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from amalgam.error import Abort, SecurityError
from amalgam.exchange.cgapply import check_path
from amalgam.exchange.streams import Reader, readexactly
from amalgam.storage import requirements as reqmod

if TYPE_CHECKING:
    from amalgam.exchange.bundle2 import Part, Writer
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction

#: Requirements describing revlog files; a stream carries them to the receiver.
STREAM_REQUIREMENTS = frozenset({reqmod.GENERALDELTA, reqmod.SPARSEREVLOG, reqmod.REVLOGV1,
                                 reqmod.ZSTD})
_PIECE = 1 << 20


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _readvarint(stream: Reader) -> int:
    value = shift = 0
    while True:
        byte = readexactly(stream, 1, "stream record")[0]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value
        shift += 7
        if shift > 63:
            raise Abort("invalid stream bundle: oversized length", hint="the bundle is corrupt")


def _entries(repo: Repository) -> list[tuple[bytes, int]]:
    """Store files in hg's order: filelogs, then the manifest, then the changelog."""
    files = list(repo.store.datafiles())
    for radix in (b"00manifest", b"00changelog"):
        for suffix in (b".i", b".d"):
            name = radix + suffix
            if repo.svfs.exists(name):
                files.append((name, repo.svfs.stat(name).st_size))
    return files


def add_part(repo: Repository, writer: Writer) -> None:
    """Add a ``stream2`` part with a snapshot of *repo*'s store (call under its lock).

    A non-publishing repository sends its phase roots too: without them
    every streamed changeset would arrive public.  A publishing one's
    clones are all public, so its roots stay home (as hg does).
    """
    from amalgam.exchange.peer import is_publishing

    entries = _entries(repo)
    if not is_publishing(repo) and repo.svfs.exists("phaseroots"):
        entries.append((b"phaseroots", repo.svfs.stat("phaseroots").st_size))
    caches = _caches(repo)
    reqs = sorted(repo.requirements & STREAM_REQUIREMENTS)
    size = sum(s for _n, s in entries) + sum(len(data) for _n, data in caches)
    writer.newpart("stream2", data=_records(repo, entries, caches),
                   mandatory_params=[("bytecount", str(size)),
                                     ("filecount", str(len(entries) + len(caches))),
                                     ("requirements", quote(",".join(reqs), safe=""))])


#: History caches hg keeps in .hg/cache that a clone can reuse (its branch,
#: rev-branch and tags caches): sending them spares the client recomputing
#: them over the whole history.  Each is validated by its reader against
#: the tip, so a stale one only costs a recomputation.
_CACHE_PREFIXES = (b"branch2", b"branch3", b"rbc-names-v", b"rbc-revs-v", b"tags2",
                   b"hgtagsfnodes1")


def _caches(repo: Repository) -> list[tuple[bytes, bytes]]:
    """(name, content) of the cache files to send, read now (under the lock)."""
    try:
        names = sorted(os.listdir(os.fsencode(repo.vfs.join(b"cache"))))
    except OSError:
        return []
    found = []
    for name in names:
        if not name.startswith(_CACHE_PREFIXES):
            continue
        try:
            data = repo.vfs.read(b"cache/" + name)
        except (OSError, IsADirectoryError):
            continue
        found.append((name, data))
    return found


def _records(repo: Repository, entries: list[tuple[bytes, int]],
             caches: list[tuple[bytes, bytes]] | None = None) -> Iterator[bytes]:
    for name, size in entries:
        yield b"s" + _varint(len(name)) + _varint(size) + name
        with repo.svfs(name) as fp:
            left = size
            while left:
                piece = fp.read(min(_PIECE, left))
                if not piece:
                    raise Abort(f"{name.decode('utf-8', 'replace')} shrank while streaming")
                left -= len(piece)
                yield piece
    for name, data in caches or ():  # after the store, as hg sends them
        yield b"c" + _varint(len(name)) + _varint(len(data)) + name
        yield data


def _check_name(name: bytes) -> None:
    if name in (b"00manifest.i", b"00manifest.d", b"00changelog.i", b"00changelog.d",
                b"phaseroots"):
        return
    if name.startswith(b"data/") and name.endswith((b".i", b".d")):
        check_path(name[5:-2])
        return
    raise SecurityError(f"refusing stream file '{name.decode('utf-8', 'replace')}'",
                        hint="stream bundles may only carry revlogs and phase roots")


def apply(repo: Repository, tr: Transaction, part: Part) -> int:
    """Write the files of a ``stream2`` part into the empty *repo*; the file count."""
    if len(repo.changelog) or repo.store.datafiles():
        raise Abort("cannot apply a stream bundle to a repository that is not empty",
                    hint="stream bundles only go into new repositories")
    try:
        filecount = int(part.params["filecount"])
        bytecount = int(part.params["bytecount"])
    except (KeyError, ValueError):
        raise Abort("invalid stream bundle: bad file or byte count") from None
    wanted = {r for r in unquote(part.params.get("requirements", "")).split(",") if r}
    unknown = wanted - reqmod.KERNEL_REQUIREMENTS
    if unknown:
        raise Abort(f"stream bundle needs unsupported requirements: {', '.join(sorted(unknown))}")
    written = total = 0
    while True:
        kind = part.read(1)
        if not kind:
            break
        namelen, size = _readvarint(part), _readvarint(part)
        if namelen > 4096:
            raise Abort("invalid stream bundle: file name too long")
        name = readexactly(part, namelen, "stream file name")
        total += size
        if kind == b"c":
            _skip(part, size)
            continue
        if kind != b"s":
            raise Abort(f"invalid stream bundle: unknown record type {kind!r}")
        _check_name(name)
        if repo.svfs.exists(name):
            raise Abort(f"stream bundle lists '{name.decode('utf-8', 'replace')}' twice")
        tr.add(name, 0)
        with repo.svfs(name, "wb") as fp:
            left = size
            while left:
                piece = readexactly(part, min(_PIECE, left), "stream file data")
                fp.write(piece)
                left -= len(piece)
        written += 1
    if written > filecount or total != bytecount:
        raise Abort(f"invalid stream bundle: got {written} files / {total} bytes, "
                    f"announced {filecount} / {bytecount}", hint="the bundle is corrupt")
    newreqs = (set(repo.requirements) - STREAM_REQUIREMENTS) | wanted
    if newreqs != set(repo.requirements):
        # Written when the transaction commits, so a rollback keeps the old format.
        tr.addfinalize(b"stream-requirements", lambda _tr: reqmod.write(repo.vfs, newreqs))
        repo.requirements = frozenset(newreqs)
        tr.addabort(b"stream-requirements", lambda _tr: _restore(repo))
    repo.store.write(tr)  # the fncache now lists the new filelogs; invalidate re-reads it
    repo.invalidate()
    return written


def _restore(repo: Repository) -> None:
    repo.requirements = frozenset(reqmod.read(repo.vfs))


def _skip(part: Part, size: int) -> None:
    left = size
    while left:
        left -= len(readexactly(part, min(_PIECE, left), "stream cache data"))
