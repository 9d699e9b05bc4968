"""Bookmarks as exchange moves them: ``.hg/bookmarks`` read and write.

Lines are ``<hex node> <name>``, sorted by name (hg-formats.md §6.2); lines
naming unknown changesets are ignored on reading, as hg does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam.node import Node, bin, hex

if TYPE_CHECKING:
    from amalgam.repo import Repository


def read(repo: Repository) -> dict[str, Node]:
    cl = repo.changelog.revlog
    marks: dict[str, Node] = {}
    for line in repo.vfs.tryread("bookmarks").splitlines():
        hexnode, sep, name = line.strip().partition(b" ")
        if not sep:
            continue
        try:
            node = bin(hexnode.decode("ascii"))
        except ValueError:
            continue
        if cl.hasnode(node):
            marks[name.decode("utf-8", "surrogateescape")] = node
    return marks


def write(repo: Repository, marks: dict[str, Node]) -> None:
    """Replace ``.hg/bookmarks`` atomically; the caller holds the wlock."""
    data = b"".join(b"%s %s\n" % (hex(marks[name]).encode(),
                                  name.encode("utf-8", "surrogateescape"))
                    for name in sorted(marks))
    repo.vfs.write("bookmarks", data, atomictemp=True)


def encode(marks: dict[str, Node]) -> bytes:
    """The pushkey (listkeys) encoding: ``name\\thexnode`` lines."""
    return b"\n".join(b"%s\t%s" % (name.encode("utf-8", "surrogateescape"),
                                   hex(node).encode()) for name, node in sorted(marks.items()))


def decode(data: bytes) -> dict[str, Node]:
    marks: dict[str, Node] = {}
    for line in data.splitlines():
        name, sep, hexnode = line.partition(b"\t")
        if not sep:
            continue
        try:
            marks[name.decode("utf-8", "surrogateescape")] = bin(hexnode.decode("ascii"))
        except ValueError:
            continue
    return marks


def validate_name(name: str) -> None:
    from amalgam.error import InputError

    if (not name or name.strip() != name or name in ("tip", ".", "null") or name.isdigit()
            or any(c in name for c in ":\0\n\r")):
        raise InputError(f"invalid bookmark name '{name}'",
                         hint="bookmark names cannot be tip, ., null, a number, or "
                              "contain ':', newlines or surrounding spaces")
