"""Working-copy hooks: walking, status, add, commit and update.

These are the interception points file-system watchers and large-file
support need; each runs only when an enabled plugin declares it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookspecMarker

if TYPE_CHECKING:
    from collections.abc import Iterable

hookspec = HookspecMarker("amalgam")

# =============================================================================
# Walk and status
# =============================================================================


@hookspec(firstresult=True)
def wc_walk(repo: Any, match: Any, unknown: bool, ignored: bool,
            dirstate: Any) -> Iterable[bytes] | None:
    """Name the working-copy files that may have changed, instead of a full walk.

    Called at the start of every status computation (``status``, ``commit``,
    ``diff``, ``add``...).  The kernel then stats only the returned paths plus
    the dirstate entries it cannot prove clean, and classifies them as usual.

    :param repo: the repository.
    :param match: the matcher limiting the walk (callable ``path -> bool``).
    :param unknown: whether unknown files are wanted.
    :param ignored: whether ignored files are wanted.
    :param dirstate: the :class:`amalgam.wc.dirstate.DirState` the status
        compares with; ``dirstate.key()`` names it and
        ``dirstate.changed_since(key)`` tells which entries changed since an
        earlier one, when that is known cheaply.
    :return: repository-relative paths that may differ from the dirstate,
        or None to let the kernel walk the whole tree.  A plain list may
        leave out the files under a directory that was removed or replaced
        by a symlink, so the kernel then checks every tracked directory (one
        ``lstat`` each); an :class:`amalgam.wc.hinted.NamesDirectories`
        promises that each such directory is named (itself, or any file
        that was in it), and only the named paths' directories are checked.

    Stops at first non-None result.
    """


@hookspec
def wc_status(repo: Any, match: Any, status: Any) -> None:
    """A working-copy status was computed: inspect or rewrite it.

    Called after every status computation, before the command uses it.

    :param repo: the repository.
    :param match: the matcher the status was limited to.
    :param status: the status object (lists ``modified``, ``added``,
        ``removed``, ``deleted``, ``unknown``, ``ignored``, ``clean``); the
        lists may be changed in place.
    :return: None; results are ignored.
    """


# =============================================================================
# Add and commit
# =============================================================================


@hookspec
def wc_add(repo: Any, paths: list[bytes], opts: dict[str, Any]) -> Iterable[bytes] | None:
    """Files are being added: take over some of them.

    Called by ``add`` (and ``addremove``) with the paths it is about to add,
    before the dirstate changes.

    :param repo: the repository.
    :param paths: the repository-relative paths about to be added.
    :param opts: the command's options (including options the plugin added
        to the command in its manifest).
    :return: the paths this plugin has handled itself (the kernel does not
        add them), or None.
    """


@hookspec
def wc_commit(repo: Any, files: list[bytes], match: Any,
              opts: dict[str, Any]) -> None:
    """A commit is collecting its files: refresh or substitute them.

    Called after the kernel decided which files the commit includes and
    before their contents are read, inside the working-copy lock.

    :param repo: the repository.
    :param files: the paths the commit will include; change it in place
        (e.g. replace a large file by its stand-in).
    :param match: the matcher from the command line.
    :param opts: the committing command's options.
    :return: None; results are ignored.
    """


# =============================================================================
# Update
# =============================================================================


@hookspec
def wc_update_begin(repo: Any, node: bytes, distance: int, partial: bool) -> None:
    """The working copy is about to be updated to another revision.

    Called once per update, merge or revert, before any file is written.

    :param repo: the repository.
    :param node: the target revision's node.
    :param distance: number of changesets between the parent and the target.
    :param partial: whether only some files are updated.
    :return: None; results are ignored.
    """


@hookspec
def wc_update_end(repo: Any, node: bytes, files: list[bytes],
                  error: BaseException | None) -> None:
    """A working-copy update finished (or failed).

    Called once per update that called ``wc_update_begin``, after the files
    and the dirstate were written, or after it failed.

    :param repo: the repository.
    :param node: the target revision's node.
    :param files: the paths written or removed.
    :param error: the exception that stopped the update, or None.
    :return: None; results are ignored.
    """
