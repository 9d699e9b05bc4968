"""Write or delete many working-copy files, shared between forked workers.

An update of a whole tree spends its time reading file revisions and
writing files (or deleting them, towards ``null``): per file a few system
calls and some Python, no shared state.  Above :data:`PARALLEL_MIN` files
the sorted list is cut into one contiguous run per worker
(:mod:`amalgam.worker`), so workers rarely meet in a directory.  Each worker
opens its own revlogs (nothing is read before the fork, so no file position
is shared) and sends back only what the dirstate needs; the caller, in this
process, records it and writes the dirstate once.  Progress is drawn by
this process alone, from its own share of the work.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from amalgam.wc import files as wfiles

if TYPE_CHECKING:
    from amalgam.merge.progress import Progress
    from amalgam.repo import Repository

#: below this many files one process does it all (a fork costs milliseconds)
PARALLEL_MIN = 1000


class Written(NamedTuple):
    """What the dirstate keeps of a written file (the names of ``os.stat_result``)."""

    st_mode: int
    st_size: int
    st_mtime: int


def get(repo: Repository, m2: Mapping[bytes, tuple[bytes, str]], paths: list[bytes],
        progress: Progress, done: int) -> list[Written]:
    """Write *paths* as manifest *m2* has them; their stats, in order.

    *progress* has already counted *done* items.  A failure in any worker
    (a directory in the way, a full disk) is raised here once every worker
    has stopped; files already written stay, and the caller's
    ``updatestate`` marks the update as interrupted.
    """
    return _share(repo, paths, progress, done,
                  lambda part, report: _write(repo, m2, part, report))


def remove(repo: Repository, paths: list[bytes], progress: Progress, done: int) -> None:
    """Delete *paths* and the directories they leave empty (see :func:`get`)."""
    _share(repo, paths, progress, done, lambda part, report: _remove(repo, part, report))


def _share(repo: Repository, paths: list[bytes], progress: Progress, done: int,
           work: Callable[[list[bytes], Callable[[int], None] | None], list]) -> list:
    """``work(paths, report)``, in workers when there are enough paths; results joined."""
    from amalgam import worker

    count = worker.count(repo.ui) if len(paths) >= PARALLEL_MIN else 1
    if count <= 1:
        return work(paths, lambda n: progress.update(done + n))
    size = -(-len(paths) // count)
    parts = [paths[i:i + size] for i in range(0, len(paths), size)]
    parent = os.getpid()
    # This process does the first part; its share of the work stands for
    # everybody's, as the workers run at the same pace.
    scale = len(paths) / len(parts[0])

    def run(part: list[bytes]) -> list:
        if os.getpid() == parent:
            return work(part, lambda n: progress.update(done + int(n * scale)))
        return work(part, None)

    results = worker.fork_map(run, parts)
    progress.update(done + len(paths))
    return [item for result in results for item in result]


def _write(repo: Repository, m2: Mapping[bytes, tuple[bytes, str]], paths: list[bytes],
           report) -> list[Written]:
    out = []
    read_revision, write = wfiles.read_revision, wfiles.write
    for n, path in enumerate(paths, 1):
        node, flags = m2[path]
        st = write(repo, path, read_revision(repo, path, node), flags)
        out.append(Written(st.st_mode, st.st_size, int(st.st_mtime)))
        if report is not None:
            report(n)
    return out


def _remove(repo: Repository, paths: list[bytes], report) -> list:
    remove = wfiles.remove
    for n, path in enumerate(paths, 1):
        remove(repo, path)
        if report is not None:
            report(n)
    return []
