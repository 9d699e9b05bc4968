"""faster status on big working copies, using Watchman

Instead of walking the whole working copy, ``status`` (and every command
that computes one: ``commit``, ``diff``, ``add``, ``addremove``...) asks
Watchman which files changed since the previous status, and examines only
those, the files the previous status reported, and the dirstate entries
other commands changed meanwhile.  The output is exactly that of a full
walk.

Setup:

1. install Watchman (``apt install watchman``, ``brew install watchman``)
   and its Python client (``pip install pywatchman``);
2. enable the plugin, e.g. in ``~/.config/amalgam/config.toml``::

       [plugins]
       fsmonitor = true

The first status in a repository walks the tree and starts Watchman on
it; the following ones are fast.  A full walk is made instead (shown with
``--debug`` and counted; ``amg debugfsmonitor`` shows the counts, the
saved clock and the last reason) when there is no usable saved state
(missing, corrupt, written on another host or by another version of the
plugin), when the ignore rules changed, when Watchman is unavailable,
hangs past the timeout, was restarted (a fresh instance), when ignored
files are asked for (``status -i``), or when more paths changed than the
threshold.  If Watchman cannot be reached, a one-line warning says so and
the status is still correct.

Configuration (``[fsmonitor]``):

``mode``
    ``on`` (default), ``off`` (never ask Watchman) or ``paranoid`` (also
    walk the tree after each fast status and compare: a difference is
    corrected, warned about and counted; for diagnosing, it is slow).
``timeout``
    seconds to wait for Watchman before walking instead (default 2).
``walk-on-invalidate``
    when the saved state is unusable, walk the tree (default true); false
    asks Watchman for its list of all files instead, which is cheaper
    where directory listings are slow (still subject to ``threshold``).
``sockpath``
    Watchman's socket; default: ``$WATCHMAN_SOCK``, else what
    ``watchman get-sockname`` says (remembered in
    ``~/.cache/amalgam/watchman-sockname`` until it stops answering).
``threshold``
    when more candidate paths than this (default 10000) changed, a
    normal walk is cheaper and is done instead.

State lives in ``.hg/fsmonitor.amg-state`` (clock, host, ignore-rule
digest, notable files) next to a hard link to the dirstate it describes
(``.hg/fsmonitor.dirstate``) and ``.hg/fsmonitor.amg-stats`` (fallback
counts).  Only ``wc_walk`` and ``wc_status`` are hooked, so commands that
never look at the working copy (``log``, ``diff -r A -r B``...) do not
load this plugin or Watchman's client.

With other working-copy plugins: ``wc_walk`` is first-result, so if
another plugin answers the walk first, fsmonitor leaves that status alone
(it neither uses nor saves its state) and stays enabled.  Its ``wc_status``
runs first (``tryfirst``), so it records the kernel's own status before a
plugin such as largefiles rewrites it; files such a plugin keeps outside
the dirstate are found through their stand-ins, which are ordinary
tracked files Watchman reports like any other.
"""
from __future__ import annotations

from typing import Any

from amalgam.plugin import hookimpl


@hookimpl
def wc_walk(repo: Any, match: Any, unknown: bool, ignored: bool,
            dirstate: Any) -> list[bytes] | None:
    """Name the paths Watchman saw change, or None for a full walk."""
    from amalgam.plugins.fsmonitor import walk

    return walk.candidates(repo, match, unknown, ignored, dirstate)


@hookimpl(tryfirst=True)
def wc_status(repo: Any, match: Any, status: Any) -> None:
    """Save the clock and the notable files of a complete status."""
    from amalgam.plugins.fsmonitor import walk

    walk.after(repo, match, status)
