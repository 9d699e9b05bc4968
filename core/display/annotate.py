"""Line-by-line origin of a file: which file revision introduced each line.

The file's ancestry (following copies and renames through filelog
metadata) is walked once, parents before children; each revision's lines
inherit the origin of the lines matched in its parents and keep their own
origin for the rest.  Only one diff per parent edge is computed, so a file
with thousands of revisions costs thousands of small diffs, not a diff per
line or per revision pair.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.display.lines import matching_blocks, splitlines

if TYPE_CHECKING:
    from amalgam.context import FileContext

# (file context that introduced the line, its 1-based line number there)
Origin = tuple["FileContext", int]


Key = tuple[bytes, bytes]


def _order(start: FileContext) -> tuple[list[FileContext], dict[Key, list[FileContext]]]:
    """*start* and its file ancestors, every parent before its children, and their parents."""
    key = (start.path, start.filenode)
    parents: dict[Key, list[FileContext]] = {}
    nodes: dict[Key, FileContext] = {key: start}
    order: list[FileContext] = []
    stack: list[tuple[FileContext, bool]] = [(start, False)]
    done: set[Key] = set()
    while stack:
        fctx, expanded = stack.pop()
        k = (fctx.path, fctx.filenode)
        if expanded:
            if k not in done:
                done.add(k)
                order.append(fctx)
            continue
        if k in done:
            continue
        stack.append((fctx, True))
        plist = parents.get(k)
        if plist is None:
            plist = []
            for parent in fctx.parents():
                pk = (parent.path, parent.filenode)
                plist.append(nodes.setdefault(pk, parent))
            parents[k] = plist
        for parent in plist:
            if (parent.path, parent.filenode) not in done:
                stack.append((parent, False))
    return order, parents


def annotate(start: FileContext) -> list[tuple[Origin, bytes]]:
    """``[((fctx, line number), line)]`` for every line of *start*."""
    results: dict[Key, tuple[list[bytes], list[Origin]]] = {}
    pending: dict[Key, int] = {}
    order, parents = _order(start)
    for plist in parents.values():
        for parent in plist:
            pk = (parent.path, parent.filenode)
            pending[pk] = pending.get(pk, 0) + 1
    for fctx in order:
        key = (fctx.path, fctx.filenode)
        lines = splitlines(fctx.data())
        plist = parents[key]
        if len(plist) == 1:
            # The usual case, written to copy whole runs of origins at once.
            pk = (plist[0].path, plist[0].filenode)
            plines, porigins = results[pk]
            origins: list[Origin] = []
            done = 0
            for i, j, size in matching_blocks(plines, lines):
                if j > done:
                    origins.extend([(fctx, n + 1) for n in range(done, j)])
                origins.extend(porigins[i:i + size])
                done = j + size
            _release(results, pending, pk, key)
        else:
            origins = [(fctx, n + 1) for n in range(len(lines))]
            # The first parent is applied last, so its origins win on a merge.
            for parent in reversed(plist):
                pk = (parent.path, parent.filenode)
                plines, porigins = results[pk]
                for i, j, size in matching_blocks(plines, lines):
                    origins[j:j + size] = porigins[i:i + size]
                _release(results, pending, pk, key)
        results[key] = (lines, origins)
    lines, origins = results[(start.path, start.filenode)]
    return list(zip(origins, lines))


def _release(results: dict[Key, tuple[list[bytes], list[Origin]]], pending: dict[Key, int],
             pk: Key, key: Key) -> None:
    """Drop a parent's lines once no other child needs them: memory stays flat."""
    pending[pk] -= 1
    if not pending[pk] and pk != key:
        del results[pk]
