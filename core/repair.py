"""Strip: remove changesets (and their descendants) from a repository, as hg does.

Revlogs are append-only, so stripping revision *s* of the changelog cuts
every revlog back to its first revision linked to a changeset >= *s*, and
then re-adds the changesets after *s* that are kept (later branches) from a
temporary bundle.  Before anything is cut, the stripped changesets are
written to a backup bundle in hg's place and format
(``.hg/strip-backup/<short node>-<hash>-<topic>.hg``, HG20 bzip2,
changegroup 03 with phases) and synced to disk, so whatever happens next
they can be restored with ``unbundle``.

Crash safety: the cut is one transaction that journals every file before
touching any, so ``recover`` after a kill finishes it; re-adding is a
second transaction, whose rollback leaves the repository stripped of every
changeset >= *s* with the kept ones in the temporary bundle
(``<node>-<hash>-temp.hg``, named in the warning) for ``unbundle``.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import Node, hex, nullid, nullrev, short

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.revlog import Revlog
    from amalgam.storage.transaction import Transaction
    from amalgam.ui import UI

BACKUP_DIR = "strip-backup"
#: hg's caches under .hg/cache that describe the whole history; hg rebuilds them.
_HISTORY_CACHES = ("branch2-", "tags2", "rbc-", "hgtagsfnodes1")


def descendants(repo: Repository, revs: Iterable[int]) -> set[int]:
    """*revs* and every revision descending from them."""
    cl = repo.changelog.revlog
    found = {r for r in revs if r != nullrev}
    for rev in range(min(found, default=len(cl)), len(cl)):
        if rev not in found and any(p in found for p in cl.parentrevs(rev)):
            found.add(rev)
    return found


def backup_path(repo: Repository, revs: Iterable[int], topic: str) -> str:
    """Where hg names the backup of *revs*: first node, a hash of all nodes, topic."""
    cl = repo.changelog.revlog
    ordered = sorted(revs)
    digest = hashlib.sha1("".join(sorted(hex(cl.node(r)) for r in ordered)).encode("ascii"))
    name = f"{short(cl.node(ordered[0]))}-{digest.hexdigest()[:8]}-{topic}.hg"
    return os.path.join(repo.path, BACKUP_DIR, name)


def _write_synced(path: str, chunks: Iterable[bytes]) -> None:
    """Write a bundle under a temporary name, fsync it, then rename it into place."""
    from amalgam.vfs import AtomicTempFile

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with AtomicTempFile(path) as fp:
        for chunk in chunks:
            fp.write(chunk)
        fp.flush()
        os.fsync(fp.fileno())
    try:
        fd = os.open(os.path.dirname(path), os.O_RDONLY)
    except OSError:
        return  # a directory we cannot open cannot be synced; the file is
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories
    finally:
        os.close(fd)


def _bundle(repo: Repository, revs: list[int], path: str, compression: str) -> None:
    """Write *revs* (for a receiver holding their outside parents) to *path*."""
    from amalgam.exchange.bundle import bundle_chunks
    from amalgam.exchange.bundlespec import BundleSpec

    cl = repo.changelog.revlog
    inside = set(revs)
    common = sorted({p for r in revs for p in cl.parentrevs(r)
                     if p != nullrev and p not in inside})
    spec = BundleSpec(compression, "v2", "03", phases=True)
    _write_synced(path, bundle_chunks(repo, spec, revs, common))


def _cut_point(revlog: Revlog, striprev: int) -> int | None:
    """First revision of *revlog* linked to a changeset >= *striprev*; None if none."""
    for rev in range(len(revlog)):
        if revlog.linkrev(rev) >= striprev:
            for later in range(rev, len(revlog)):
                if revlog.linkrev(later) < striprev:
                    raise error.Abort(
                        f"cannot strip: {revlog.radix.decode('utf-8', 'replace')} links "
                        "revisions out of order",
                        hint="run 'amg verify'; a clone of the repository can be stripped")
            return rev
    return None


def _sizes(revlog: Revlog, rev: int) -> list[tuple[bytes, int]]:
    """The files of *revlog* and their sizes once cut back to revisions before *rev*."""
    from amalgam.storage.revlog_index import ENTRY_SIZE

    data_end = revlog.end(rev - 1) if rev else 0
    if revlog.is_inline():
        return [(revlog.indexfile, ENTRY_SIZE * rev + data_end)]
    return [(revlog.datafile, data_end), (revlog.indexfile, ENTRY_SIZE * rev)]


def _truncate(repo: Repository, cuts: list[tuple[Revlog, int]], tr: Transaction) -> None:
    """Cut every revlog back, each file journaled before the first one is touched.

    A kill in the middle then leaves a journal whose playback finishes the
    cut: every revlog ends before the stripped changesets.
    """
    plan = [(path, size) for revlog, rev in cuts for path, size in _sizes(revlog, rev)]
    for path, size in plan:
        tr.add(path, size)
    vfs = repo.svfs
    for path, size in plan:
        if size == 0:
            vfs.tryunlink(path)
        elif vfs.exists(path):
            vfs.truncate(path, size)
    fncache = repo.store.fncache
    repo.invalidate()
    if fncache is not None:
        for revlog, rev in cuts:
            if rev == 0 and revlog.radix.startswith(b"data/"):
                fncache.discard(revlog.indexfile)
                fncache.discard(revlog.datafile)


def _bookmark_target(repo: Repository, stripped: set[int]) -> Node:
    """Where hg moves bookmarks of stripped changesets: the highest kept parent."""
    cl = repo.changelog.revlog
    kept = {p for r in stripped for p in cl.parentrevs(r) if p != nullrev and p not in stripped}
    return cl.node(max(kept)) if kept else nullid


def strip(repo: Repository, ui: UI, revs: Iterable[int], *, topic: str = "backup",
          backup: bool = True) -> str | None:
    """Remove *revs* and their descendants; the backup bundle's path (None without).

    The caller holds ``repo.wlock()``; the working copy is not touched (a
    caller stripping its parent updates it first or after).  Bookmarks on
    stripped changesets move to their highest kept parent, like hg.
    """
    from amalgam import bookmarks
    from amalgam import phases as phasemod

    cl = repo.changelog.revlog
    stripped = descendants(repo, revs)
    if not stripped:
        return None
    with repo.lock():
        striprev = min(stripped)
        saved = [r for r in range(striprev, len(cl)) if r not in stripped]
        files = sorted({f for r in range(striprev, len(cl))
                        for f in repo.changelog.read(r).files})
        revlogs = [cl, repo.manifestlog.revlog] + [repo.file(f).revlog for f in files]
        cuts = [(rl, _cut_point(rl, striprev)) for rl in revlogs]
        table = list(phasemod.phases(repo))
        kept_phases = [table[r] for r in range(striprev)] + [table[r] for r in saved]
        marks = bookmarks.read(repo)
        target = _bookmark_target(repo, stripped)
        moved = {name: target for name, node in marks.items() if cl.rev(node) in stripped}
        path = backup_path(repo, stripped, topic)
        if backup:
            _bundle(repo, sorted(stripped), path, "BZ")
            ui.status(f"saved backup bundle to {path}\n")
        temp = None
        if saved:
            temp = backup_path(repo, saved, "temp")
            _bundle(repo, saved, temp, "UN")
        with repo.transaction("strip") as tr:
            _truncate(repo, [(rl, cut) for rl, cut in cuts if cut is not None], tr)
            if temp is None:
                phasemod.write_table(repo, tr, kept_phases)
        if temp is not None:
            # A second transaction: if it fails, the repository stays as
            # stripped above and the kept changesets wait in *temp*.
            try:
                with repo.transaction("strip") as tr:
                    _reapply(repo, ui, tr, temp)
                    phasemod.write_table(repo, tr, kept_phases)
            except BaseException:
                ui.warn(f"strip failed, unrecovered changes stored in '{temp}'\n")
                ui.warn(f"(fix the problem, then recover the changesets with "
                        f"\"amg unbundle '{temp}'\")\n")
                raise
            os.unlink(temp)
        if moved:
            marks.update(moved)
            bookmarks.write(repo, marks)
        _drop_history_caches(repo)
    return path if backup else None


def _reapply(repo: Repository, ui: UI, tr: Transaction, path: str) -> None:
    """Add the kept changesets back from the temporary bundle, quietly."""
    from amalgam.exchange import bundle2, cgapply
    from amalgam.exchange.changegroup import Unpacker

    with open(path, "rb") as fp:
        for part in bundle2.open_stream(fp).parts():
            if part.type == "changegroup":
                ui.pushbuffer()
                try:
                    cgapply.apply(repo, tr, Unpacker(part, part.params["version"]), ui)
                finally:
                    ui.popbuffer()


def _drop_history_caches(repo: Repository) -> None:
    """Remove hg's on-disk caches of the history: they described stripped revisions."""
    cache = os.path.join(repo.path, "cache")
    try:
        names = os.listdir(cache)
    except OSError:
        return
    for name in names:
        if name.startswith(_HISTORY_CACHES):
            try:
                os.unlink(os.path.join(cache, name))
            except OSError:
                pass  # a cache hg cannot trust is rebuilt; one left over is validated
