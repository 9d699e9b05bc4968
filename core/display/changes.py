"""Which files differ between two revisions (or a revision and the working copy).

Produces the :class:`~amalgam.display.diff.FilePair` list ``diff`` and
``log -p`` render.  Contents are read lazily, so ``--stat`` of a huge
change and a diff limited by patterns read only what they show.  Copies and
renames are found from filelog copy metadata between revisions and from the
dirstate's copy records for the working copy (git diffs only, like hg).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.display.dates import Date, local_offset
from amalgam.display.diff import FilePair
from amalgam.node import nullid

if TYPE_CHECKING:
    from amalgam.context import ChangeContext
    from amalgam.repo import Repository

Match = Callable[[bytes], bool]


def _reader(ctx: ChangeContext, path: bytes, node: bytes) -> Callable[[], bytes]:
    return lambda: ctx.repo.file(path).read(node)


def between(ctx1: ChangeContext, ctx2: ChangeContext, match: Match, *,
            git: bool) -> list[FilePair]:
    """File pairs from changeset *ctx1* to changeset *ctx2*."""
    m1, m2 = ctx1.manifest(), ctx2.manifest()
    changed = {p: v for p, v in m1.diff(m2).items() if match(p)}
    added = sorted(p for p, (e1, _e2) in changed.items() if e1 is None)
    copies: dict[bytes, bytes] = {}
    if git:
        from amalgam.wc.compare import pathcopies

        removed = sorted(p for p, (_e1, e2) in changed.items() if e2 is None)
        copies = pathcopies(ctx1.repo, ctx1.node, ctx2.node, added, removed)
    return _pairs(changed, copies, ctx1.date(), ctx2.date(),
                  lambda path, node: _reader(ctx1, path, node),
                  lambda path, node: _reader(ctx2, path, node),
                  source_data=lambda path: _reader(ctx1, path, m1.node(path)),
                  source_flags=m1.flags, still_there=lambda p: p in m2)


def _pairs(changed: dict[bytes, tuple[Any, Any]], copies: dict[bytes, bytes],
           date1: Date, date2: Date, read1: Callable[[bytes, Any], Callable[[], bytes]],
           read2: Callable[[bytes, Any], Callable[[], bytes]], *,
           source_data: Callable[[bytes], Callable[[], bytes]],
           source_flags: Callable[[bytes], str],
           still_there: Callable[[bytes], bool]) -> list[FilePair]:
    # Shown as a rename only when its removal is among the changes shown (hg).
    renamed = {src for src in copies.values() if not still_there(src) and src in changed}
    pairs: list[FilePair] = []
    done_renames: set[bytes] = set()
    for path in sorted(changed):
        e1, e2 = changed[path]
        if e2 is None and path in renamed:
            continue  # shown as the rename of its destination
        if e1 is None and path in copies:
            source = copies[path]
            kind = "copy"
            if source in renamed and source not in done_renames:
                kind = "rename"
                done_renames.add(source)
            pairs.append(FilePair(source, path, source_data(source), read2(path, e2[0]),
                                  source_flags(source), e2[1], date1, date2, kind))
            continue
        pairs.append(FilePair(
            path if e1 is not None else None, path if e2 is not None else None,
            read1(path, e1[0]) if e1 is not None else bytes,
            read2(path, e2[0]) if e2 is not None else bytes,
            e1[1] if e1 is not None else "", e2[1] if e2 is not None else "",
            date1, date2 if e2 is not None else date1))
    return pairs


def with_workdir(repo: Repository, ctx1: ChangeContext, match: Any, *,
                 git: bool) -> list[FilePair]:
    """File pairs from changeset *ctx1* to the files on disk."""
    from amalgam.context import workingctx
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.status import status

    ds = DirState.open(repo)
    wctx = workingctx(repo, ds)
    p1 = wctx.p1()
    st = status(repo, ds, match, unknown=False)
    # hg leaves files that are missing from disk (deleted, not removed) out.
    gone = set(st.removed)
    candidates = set(st.modified) | set(st.added) | gone
    m1 = ctx1.manifest()
    mp = p1.manifest()
    if ctx1.node != p1.node:
        candidates.update(p for p in m1.diff(mp) if match(p) and p not in st.deleted)
    changed: dict[bytes, tuple[Any, Any]] = {}
    for path in sorted(candidates):
        e1 = m1.get(path)
        present = path in ds and path not in gone
        e2 = (path, wctx.flags(path)) if present else None
        if e1 is None and e2 is None:
            continue
        if e1 is not None and e2 is not None and path not in st.modified \
                and path not in st.added and mp.get(path) == e1:
            continue
        changed[path] = (e1, e2)
    copies: dict[bytes, bytes] = {}
    if git:
        added = [p for p, (e1, _e2) in changed.items() if e1 is None]
        from amalgam.wc.compare import trace_copies

        committed = {}
        if ctx1.node != p1.node:
            committed = trace_copies(ctx1.repo, m1, mp, [p for p in added if p in mp])
        dscopies = ds.copies()
        for path in added:
            source = dscopies.get(path) or committed.get(path)
            if source is not None and source not in m1 and source in mp:
                source = trace_copies(ctx1.repo, m1, mp, [source]).get(source)
            if source is not None and source in m1:
                copies[path] = source
    # hg dates the working-copy side of every file with the current time.
    when = time.time()
    now: Date = (float(int(when)), local_offset(when))

    def read_disk(path: bytes, _key: Any) -> Callable[[], bytes]:
        return lambda: wctx.data(path)

    pairs = _pairs(changed, copies, ctx1.date(), now,
                   lambda path, node: _reader(ctx1, path, node), read_disk,
                   source_data=lambda path: _reader(ctx1, path, m1.node(path)),
                   source_flags=m1.flags, still_there=lambda p: p in ds and p not in gone)
    # An unchanged file that only reached the list through a parent difference.
    return [p for p in pairs if not _identical(p)]


def _identical(pair: FilePair) -> bool:
    if pair.path1 is None or pair.path2 is None or pair.copy:
        return False
    return pair.flags1 == pair.flags2 and pair.data1() == pair.data2()
