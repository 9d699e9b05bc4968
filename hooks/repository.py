"""Repository hooks: creating and opening repositories, their file set.

Requirements a plugin understands are *claimed* statically in its manifest
(``requires = [...]``), so refusing an unknown requirement never imports a
plugin; the hooks here run only once a repository is actually created or
opened.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookspecMarker

if TYPE_CHECKING:
    from amalgam.ui import UI

hookspec = HookspecMarker("amalgam")

# =============================================================================
# Creation and opening
# =============================================================================


@hookspec
def repo_init(ui: UI, path: str, requirements: set[str],
              opts: dict[str, Any]) -> None:
    """A new repository is about to be created: add requirements.

    Called by ``init`` and ``clone`` before anything is written, so the
    requirement files are written once with the final set.

    :param ui: the command's UI.
    :param path: the root directory of the new repository.
    :param requirements: the requirements the kernel will write; add to (or
        remove from) this set in place.  A plugin may only add requirements
        its manifest claims.
    :param opts: the creating command's options (e.g. a narrow clone's
        include patterns).
    :return: None; results are ignored.
    """


@hookspec
def repo_open(ui: UI, repo: Any) -> None:
    """A repository was opened and its requirements accepted.

    Called once per opened repository, before the command uses it.  Use it
    to attach per-repository state to ``repo.stash`` (never by subclassing
    or replacing the repository class).

    :param ui: the command's UI.
    :param repo: the opened ``amalgam.repo.Repository``.
    :return: None; results are ignored.
    """


@hookspec
def repo_narrowmatch(repo: Any) -> Any:
    """Restrict the file paths this repository holds.

    Called once per repository the first time the kernel needs the set of
    paths it may hold (walks, status, commit, changegroup application).  The
    kernel intersects every returned matcher with the ones it uses.

    :param repo: the repository.
    :return: a matcher (callable ``path: bytes -> bool``) naming the paths
        the repository holds, or None for no restriction.
    """


# =============================================================================
# Transactions
# =============================================================================


@hookspec
def repo_txn_close(repo: Any, txnname: str, changes: dict[str, Any]) -> None:
    """A transaction was committed: react to what it added.

    Called after a transaction's changes are durable and the store lock is
    still held, once per transaction (commit, pull, push received, ...).
    Raising here cannot undo the transaction; report problems as warnings.

    :param repo: the repository.
    :param txnname: what opened the transaction (``commit``, ``pull``,
        ``unbundle``, ...).
    :param changes: what it changed: ``revs`` (the new revision numbers)
        and ``bookmarks`` / ``phases`` when those moved.
    :return: None; results are ignored.
    """
