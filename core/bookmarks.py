"""Bookmarks: movable names stored in ``.hg/bookmarks``, the active one in
``.hg/bookmarks.current``.

``.hg/bookmarks`` holds ``HEXNODE NAME`` lines sorted by name (hg's format);
the active bookmark moves with the working copy when it is committed on or
updated forward (:func:`advance_active`, called by commit and update).
Writers hold ``repo.wlock()``; every write is an atomic replace.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import Node, bin, hex, nullid

if TYPE_CHECKING:
    from amalgam.repo import Repository


def read(repo: Repository) -> dict[str, Node]:
    """All bookmarks, by name; lines that do not parse or name unknown nodes are skipped."""
    marks: dict[str, Node] = {}
    data = repo.vfs.tryread("bookmarks")
    if not data:
        return marks
    cl = repo.changelog.revlog
    for line in data.splitlines():
        hexnode, sep, name = line.strip().partition(b" ")
        if not sep or not name:
            _malformed(repo, line)
            continue
        try:
            node = bin(hexnode)
        except ValueError:
            _malformed(repo, line)
            continue
        if cl.hasnode(node):
            marks[name.decode("utf-8", "surrogateescape")] = node
    return marks


def _malformed(repo: Repository, line: bytes) -> None:
    # hg quotes the line like a Python bytes literal without the b prefix.
    repo.ui.warn(f"malformed line in .hg/bookmarks: {repr(line)[1:]}\n")


def write(repo: Repository, marks: dict[str, Node]) -> None:
    """Replace ``.hg/bookmarks`` with *marks* (caller holds the wlock)."""
    data = b"".join(b"%s %s\n" % (hex(node).encode("ascii"),
                                  name.encode("utf-8", "surrogateescape"))
                    for name, node in sorted(marks.items()))
    repo.vfs.write("bookmarks", data, atomictemp=True)


def active(repo: Repository) -> str | None:
    """The active bookmark, or None (also when the file names a missing bookmark)."""
    name = repo.vfs.tryread("bookmarks.current").split(b"\n", 1)[0]
    if not name:
        return None
    text = name.decode("utf-8", "surrogateescape")
    return text if text in read(repo) else None


def activate(repo: Repository, name: str | None) -> None:
    """Make *name* the active bookmark; None deactivates (caller holds the wlock)."""
    if name is None:
        if repo.vfs.exists("bookmarks.current"):
            repo.vfs.unlink("bookmarks.current")
        return
    repo.vfs.write("bookmarks.current", name.encode("utf-8", "surrogateescape"),
                   atomictemp=True)


def is_descendant(repo: Repository, old: Node, new: Node) -> bool:
    """Whether *new* descends from *old* (strictly; the null node precedes everything)."""
    if old == new:
        return False
    if old == nullid:
        return True
    cl = repo.changelog.revlog
    start, target = cl.rev(old), cl.rev(new)
    if target < start:
        return False
    stack, seen = [target], {target}
    while stack:
        rev = stack.pop()
        if rev == start:
            return True
        for parent in cl.parentrevs(rev):
            if parent >= start and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return False


def advance_active(repo: Repository, old_node: Node, new_node: Node) -> bool:
    """Move the active bookmark from *old_node* to *new_node* when it moves forward.

    Commit and update call this after the working copy's parent changed from
    *old_node* to *new_node* (caller holds the wlock).  Like hg, the bookmark
    moves only if it pointed at *old_node* and *new_node* descends from it.
    Returns whether it moved.
    """
    name = active(repo)
    if name is None:
        return False
    marks = read(repo)
    if marks.get(name) != old_node or not is_descendant(repo, old_node, new_node):
        return False
    marks[name] = new_node
    write(repo, marks)
    return True


def check_name(repo: Repository, name: str) -> str:
    """The bookmark name *name* stripped of surrounding space, or InputError like hg."""
    mark = name.strip()
    if not mark:
        raise error.InputError("bookmark names cannot consist entirely of whitespace")
    check_label(mark)
    return mark


def check_label(name: str) -> None:
    """Refuse names hg refuses for any label (bookmark, tag, branch)."""
    if name in ("tip", ".", "null"):
        raise error.InputError(f"the name '{name}' is reserved")
    for char in (":", "\0", "\n", "\r"):
        if char in name:
            raise error.InputError(f"{char!r} cannot be used in a name")
    try:
        int(name)
    except ValueError:
        return
    raise error.InputError("cannot use an integer as a name")
