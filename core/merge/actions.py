"""Manifest merge: decide, per file, what an update or merge does.

Three manifests meet: the working copy's (p1 plus uncommitted changes),
the target's and their common ancestor's.  A file changed on one side only
takes that side; changed on both it is merged; removed on one side and
unchanged on the other it goes; removed on one side and changed on the
other it is a change/delete conflict.  Actions are plain tuples so an
update of 100,000 files allocates little.
"""
from __future__ import annotations

from collections.abc import Mapping

# Action codes.
GET = "g"          # write the target's version
REMOVE = "r"       # delete from the working copy
MERGE = "m"        # three-way merge: args (ancestor path, ancestor node or None)
FLAGS = "e"        # only the exec/symlink flag changes: args (flags,)
FORGET = "f"       # stop tracking, leave the file (added files under update -C)
CHANGED_DELETED = "cd"   # changed locally, deleted in the target
DELETED_CHANGED = "dc"   # deleted locally, changed in the target

#: node used in the working manifest for a file whose content differs from p1
MODIFIED = b"\0" * 19 + b"\1"
#: node for a file added in the working copy
ADDED = b"\0" * 19 + b"\2"

Entry = tuple  # (node, flags)


def working_manifest(p1: Mapping[bytes, Entry], modified: list[bytes], added: list[bytes],
                     gone: list[bytes], flags_of) -> dict[bytes, Entry]:
    """p1's manifest with the working copy's changes (gone = removed + deleted)."""
    wm = dict(p1)
    for path in modified:
        wm[path] = (MODIFIED, flags_of(path))
    for path in added:
        wm[path] = (ADDED, flags_of(path))
    for path in gone:
        wm.pop(path, None)
    return wm


def calculate(wm: Mapping[bytes, Entry], m2: Mapping[bytes, Entry],
              ma: Mapping[bytes, Entry]) -> dict[bytes, tuple]:
    """Actions turning the working copy *wm* into the merge of it and *m2* over *ma*."""
    actions: dict[bytes, tuple] = {}
    for path, (n1, fl1) in wm.items():
        e2 = m2.get(path)
        ea = ma.get(path)
        if e2 is None:
            if ea is None:
                continue  # added on our side only
            if ea[0] == n1 and ea[1] == fl1:
                actions[path] = (REMOVE,)
            else:
                actions[path] = (CHANGED_DELETED,)
            continue
        n2, fl2 = e2
        if n1 == n2 and fl1 == fl2:
            continue
        na, fla = ea if ea is not None else (None, None)
        if n1 == n2:
            # Same content, the flag differs: the side that changed it wins.
            if fl1 == fla:
                actions[path] = (FLAGS, fl2)
            continue
        if n2 == na and fl2 == fla:
            continue  # only we changed it
        if n1 == na and (fl1 == fla or fl1 == fl2):
            actions[path] = (GET,)
        else:
            actions[path] = (MERGE, path if ea is not None else None, na)
    for path, e2 in m2.items():
        if path in wm:
            continue
        ea = ma.get(path)
        if ea is None:
            actions[path] = (GET,)
        elif ea != tuple(e2):
            actions[path] = (DELETED_CHANGED,)
    return actions


def overwrite(wm: Mapping[bytes, Entry], m2: Mapping[bytes, Entry],
              tracked: Mapping[bytes, str], dirty: set[bytes]) -> dict[bytes, tuple]:
    """Actions of ``update --clean``: the target exactly, local changes dropped.

    *tracked* maps every dirstate path to its state; *dirty* holds paths
    whose working file differs from p1 (modified, deleted, removed, added).
    """
    actions: dict[bytes, tuple] = {}
    for path, e2 in m2.items():
        e1 = wm.get(path)
        if e1 is None or path in dirty or e1[0] != e2[0] or e1[1] != e2[1]:
            actions[path] = (GET,)
    for path, state in tracked.items():
        if path in m2:
            continue
        actions[path] = (FORGET,) if state == "a" else (REMOVE,)
    return actions
