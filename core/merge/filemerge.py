"""Merge one file with an internal tool (``:merge``, ``:local``, ``:other``...).

The caller has recorded the file in the merge state; this module decides
the new working-copy content and whether the file is resolved.  Tools are
hg's internal ones; their names and messages follow hg.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam import error
from amalgam.merge import simplemerge
from amalgam.wc import files as wfiles
from amalgam.wc.audit import show

if TYPE_CHECKING:
    from amalgam.merge.state import MergeState
    from amalgam.repo import Repository

#: tool name -> rendering mode of :func:`simplemerge.merge_lines` (None: no line merge)
TOOLS: dict[str, str | None] = {
    ":merge": "merge",
    ":merge3": "merge3",
    ":union": "union",
    ":merge-local": "local",
    ":merge-other": "other",
    ":local": None,
    ":other": None,
    ":fail": None,
}
DEFAULT_TOOL = ":merge"


def check_tool(tool: str | None) -> str:
    """The tool to use; unknown names are an input error before anything is touched."""
    if tool is None:
        return DEFAULT_TOOL
    name = tool if tool.startswith(":") else ":" + tool if tool in {t[1:] for t in TOOLS} else tool
    if name not in TOOLS:
        raise error.InputError(f"unknown merge tool: {tool}",
                               hint="internal tools are " + ", ".join(sorted(TOOLS)))
    return name


def filemerge(repo: Repository, ms: MergeState, path: bytes, tool: str, *,
              backup_on_conflict: bool = True) -> bool:
    """Merge *path* as recorded in *ms* into the working copy; True when resolved.

    The local side is the backup kept in the merge state, so rerunning
    (``resolve``) starts again from the same three texts.  A conflict
    saves the local version as ``FILE.orig`` when *backup_on_conflict*
    (``resolve`` saves the user's file itself before merging again).
    """
    ui = repo.ui
    rec = ms.files[path]
    local = ms.backup(path)
    local_flags = rec[7].decode("ascii")
    apath, anode, opath, onode = rec[3], _bin(rec[4]), rec[5], _bin(rec[6])
    other, other_flags = _file(repo, opath, onode, ms.other)
    base = _file(repo, apath, anode, None)[0] if anode is not None else b""
    if tool == ":local":
        result, flags = local, local_flags
    elif tool == ":other":
        result, flags = other, other_flags
    elif tool == ":fail":
        _write(repo, path, local, local_flags)
        return False
    else:
        labels = ms.labels or list(simplemerge.DEFAULT_LABELS)
        if "l" in local_flags + other_flags or any(map(simplemerge.is_binary,
                                                       (local, other, base))):
            # No internal tool merges these: hg then asks, and a
            # non-interactive run leaves the file unresolved.
            ui.warn(f"no tool found to merge {show(path)}\n")
            ui.status(f"file '{show(path)}' needs to be resolved.\n"
                      f"You can keep (l)ocal [{labels[0]}], take (o)ther [{labels[1]}], "
                      "or leave (u)nresolved.\nWhat do you want to do? u\n")
            _write(repo, path, local, local_flags)
            return False
        ui.status(f"merging {show(path)}\n")
        result, conflicts = simplemerge.merge_lines(base, local, other, labels,
                                                    mode=TOOLS[tool] or "merge")
        flags = _merge_flags(local_flags, other_flags, rec, repo, ms)
        if conflicts:
            if backup_on_conflict:
                _write(repo, path + b".orig", local, "")
            _write(repo, path, result, flags)
            ui.warn(f"warning: conflicts while merging {show(path)}! "
                    "(edit, then use 'amg resolve --mark')\n")
            return False
    _write(repo, path, result, flags)
    return True


def _merge_flags(local: str, other: str, rec: list[bytes], repo: Repository,
                 ms: MergeState) -> str:
    """Exec bit after a content merge: the side that changed it wins."""
    if local == other:
        return local
    anode = _bin(rec[4])
    base = _file(repo, rec[3], anode, None)[1] if anode is not None else ""
    return other if local == base else local


def _bin(text: bytes) -> bytes | None:
    from amalgam.node import bin, nullid

    node = bin(text.decode("ascii"))
    return None if node == nullid else node


def _file(repo: Repository, path: bytes, filenode: bytes | None,
          changeset: bytes | None) -> tuple[bytes, str]:
    """Content and flags of a file revision (flags from *changeset*'s manifest)."""
    if filenode is None:
        return b"", ""
    data = repo.file(path).read(filenode)
    entry = repo.manifest_of(changeset).get(path) if changeset is not None else None
    return data, entry[1] if entry is not None else ""


def _write(repo: Repository, path: bytes, data: bytes, flags: str) -> None:
    wfiles.write(repo, path, data, flags)
