"""``fsmonitor.mode = paranoid``: check every fast status against a full walk.

Meant for diagnosing a suspected fsmonitor bug: the status built from
Watchman's answer is compared with one built by walking the tree; on a
difference the full walk's lists replace the fast ones (so the command
still sees the truth), a one-line warning names the difference, and it is
counted as ``paranoid-mismatch``.  It costs a full walk, so it is never
the default.
"""
from __future__ import annotations

import os
import weakref
from typing import Any

from amalgam.plugins.fsmonitor import state as statemod

#: repositories whose checking walk is running: fsmonitor stays out of it
CHECKING: weakref.WeakSet[Any] = weakref.WeakSet()


def check(repo: Any, match: Any, status: Any, unknown: bool, ignored: bool) -> None:
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.status import FIELDS
    from amalgam.wc.status import status as full_status

    CHECKING.add(repo)
    try:
        full = full_status(repo, DirState.open(repo), match, ignored=ignored,
                           clean=bool(status.clean), unknown=unknown, fixup=False)
    finally:
        CHECKING.discard(repo)
    differences = []
    for name in FIELDS:
        ours, truth = getattr(status, name), getattr(full, name)
        if (name == "clean" and not ours) or ours == truth:
            continue
        extra = sorted(set(ours) - set(truth))
        missing = sorted(set(truth) - set(ours))
        differences.append(f"{name}: " + " ".join(
            [f"+{os.fsdecode(p)}" for p in missing[:3]] +
            [f"-{os.fsdecode(p)}" for p in extra[:3]]))
        ours[:] = truth
    if differences:
        message = "status differed from a full walk (" + "; ".join(differences) + ")"
        repo.ui.warn(f"warning: fsmonitor: {message}; corrected, please report it\n")
        statemod.record_fallback(repo, "paranoid-mismatch", message)
