"""Status between revisions, and between a revision and the working copy (``--rev``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.wc.status import Status, status

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher


def between(repo: Repository, node1: Node, node2: Node, m: Matcher, clean: bool = False
            ) -> Status:
    """Differences from changeset *node1* to changeset *node2* under *m*."""
    m1, m2 = repo.manifest_of(node1), repo.manifest_of(node2)
    result = Status()
    for path, (old, new) in m1.diff(m2).items():
        if not m(path):
            continue
        if old is None:
            result.added.append(path)
        elif new is None:
            result.removed.append(path)
        else:
            result.modified.append(path)
    if clean:
        changed = set(result.modified) | set(result.added)
        result.clean = [p for p in m2 if p in m1 and p not in changed and m(p)]
    result.sort()
    return result


def against(repo: Repository, ds: DirState, node: Node, m: Matcher, *, ignored: bool,
            clean: bool, unknown: bool) -> Status:
    """Differences from changeset *node* to the working copy under *m*."""
    from amalgam.wc import files as wfiles

    work = status(repo, ds, m, ignored=ignored, clean=True, unknown=unknown)
    if node == ds.p1():
        if not clean:
            work.clean = []
        return work
    base = repo.manifest_of(node)
    result = Status(unknown=work.unknown, ignored=work.ignored, deleted=work.deleted)
    present = work.modified + work.added + work.clean
    for path in present:
        entry = base.get(path)
        if entry is None:
            result.added.append(path)
        elif (wfiles.flags(repo, path) != entry[1]
              or repo.file(path).cmp(entry[0], wfiles.read(repo, path))):
            result.modified.append(path)
        elif clean:
            result.clean.append(path)
    tracked = set(present) | set(work.deleted)
    result.removed = [p for p in base if m(p) and p not in tracked]
    result.sort()
    return result


def pathcopies(repo: Repository, node1: Node, node2: Node, added: list[bytes],
               removed: list[bytes]) -> dict[bytes, bytes]:
    """``{dest: source}`` for the *added* files of *node1* -> *node2*, as hg traces them.

    Forward when *node1* is an ancestor of *node2*; backward (renames undone)
    when it is a descendant; otherwise back to their common ancestor, then
    forward from it, chained.  *removed* is accepted for symmetry with the
    status lists; the walk itself finds what it needs.
    """
    from amalgam.merge import ancestor

    if node1 == node2:
        return {}
    base = ancestor(repo, node1, node2)
    m1, m2 = repo.manifest_of(node1), repo.manifest_of(node2)
    if base == node1:
        copies = _forward(repo, m1, m2)
    elif base == node2:
        copies = _backward(repo, m1, m2)
    else:
        mbase = repo.manifest_of(base)
        prefix = _backward(repo, m1, mbase)
        copies = dict(prefix)
        for dest, source in _forward(repo, mbase, m2).items():
            copies[dest] = prefix.get(source, source)
    wanted = set(added)
    return {dest: source for dest, source in copies.items()
            if dest != source and dest in wanted and source in m1 and dest in m2}


def _forward(repo: Repository, ma: Any, mb: Any) -> dict[bytes, bytes]:
    missing = sorted(p for p, (old, _new) in ma.diff(mb).items() if old is None)
    return trace_copies(repo, ma, mb, missing)


def _backward(repo: Repository, mlater: Any, mearlier: Any) -> dict[bytes, bytes]:
    """Renames from *mearlier* to *mlater*, reversed (copies that kept their source drop)."""
    result: dict[bytes, bytes] = {}
    for dest, source in sorted(_forward(repo, mearlier, mlater).items()):
        if source not in mlater:
            result[source] = dest
    return result


def trace_copies(repo: Repository, m1: Any, m2: Any, added: list[bytes]) -> dict[bytes, bytes]:
    """``{dest: source}`` for files of *added* (in manifest *m2*) copied from *m1*'s.

    As hg decides it: each file's ancestry (both parents, a copy record
    standing in for the first parent) is walked newest first, and the file
    counts as a copy only when some ancestor revision is exactly the one
    *m1* has at that path.  A source edited after *m1* before being copied
    is not *m1*'s file, so that copy shows as a new file.
    """
    import heapq

    result: dict[bytes, bytes] = {}
    for path in added:
        entry = m2.get(path)
        if entry is None:
            continue
        start = (path, entry[0])
        heap = [(-_linkrev(repo, start), start)]
        seen = {start}
        for _step in range(1_000_000):  # bounded: corrupt metadata could loop
            if not heap:
                break
            _neg, (fpath, fnode) = heapq.heappop(heap)
            have = m1.get(fpath) if fpath != path else None
            if have is not None and have[0] == fnode:
                result[path] = fpath
                break
            for parent in _file_parents(repo, fpath, fnode):
                if parent not in seen:
                    seen.add(parent)
                    heapq.heappush(heap, (-_linkrev(repo, parent), parent))
    return result


def _linkrev(repo: Repository, fileid: tuple[bytes, bytes]) -> int:
    flog = repo.file(fileid[0])
    return flog.linkrev(flog.rev(fileid[1]))


def _file_parents(repo: Repository, path: bytes, node: bytes) -> list[tuple[bytes, bytes]]:
    """A file revision's parents, its copy source standing in for the first."""
    from amalgam.node import nullid

    flog = repo.file(path)
    p1, p2 = flog.parents(node)
    renamed = flog.renamed(node)
    first = [renamed] if renamed is not None else ([(path, p1)] if p1 != nullid else [])
    return first + ([(path, p2)] if p2 != nullid else [])
