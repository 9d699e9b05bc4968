"""Storage hooks: which backend stores a file's history, bulk fetches.

A backend is any object satisfying the kernel's file storage Protocol; the
kernel's own is the revlog filelog.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookspecMarker

if TYPE_CHECKING:
    from collections.abc import Sequence

hookspec = HookspecMarker("amalgam")

# =============================================================================
# File storage
# =============================================================================


@hookspec(firstresult=True)
def storage_file_storage(repo: Any, path: bytes) -> Any:
    """Choose the storage backend of one tracked file.

    Called the first time a repository needs the history of *path* (reads,
    commits, changegroup application).  The result is cached per path.

    :param repo: the repository.
    :param path: the tracked file's path (repository-relative bytes).
    :return: an object implementing the file storage Protocol, or None to
        keep the kernel's revlog filelog.

    Stops at first non-None result.
    """


@hookspec
def storage_prefetch(repo: Any, files: Sequence[tuple[bytes, bytes]]) -> None:
    """File revisions are about to be read in bulk: fetch them at once.

    Called by commands that will read many file revisions (update, diff,
    archive, bundle) before they start reading, so a backend that fetches
    file contents remotely can do it in one round trip.

    :param repo: the repository.
    :param files: ``(path, filenode)`` pairs that are about to be read.
    :return: None; results are ignored.
    """
