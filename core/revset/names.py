"""What revsets need to know about a repository: names, phases, symbols.

One :class:`RepoView` per evaluation caches changeset entries, parent
revisions, phases, bookmarks, tags and branch heads, so a predicate that
runs per revision does not re-read the same files.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import bin, hex, nullid, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.changelog import ChangesetEntry

PHASES = ("public", "draft", "secret")


class RepoView:
    """A read-only, cached view of one repository for one query."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.cl = repo.changelog.revlog
        self._entries: dict[int, ChangesetEntry] = {}
        self._phases: list[int] | None = None
        self._bookmarks: dict[str, int] | None = None
        self._tags: dict[str, int] | None = None
        self._children: dict[int, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.cl)

    def entry(self, rev: int) -> ChangesetEntry:
        found = self._entries.get(rev)
        if found is None:
            found = self._entries[rev] = self.repo.changelog.read(self.cl.node(rev))
        return found

    def parents(self, rev: int) -> tuple[int, int]:
        if rev == nullrev:
            return nullrev, nullrev
        return self.cl.parentrevs(rev)

    def children(self, rev: int) -> list[int]:
        if self._children is None:
            children: dict[int, list[int]] = {}
            for child in range(len(self.cl)):
                p1, p2 = self.cl.parentrevs(child)
                children.setdefault(p1, []).append(child)
                if p2 not in (nullrev, p1):
                    children.setdefault(p2, []).append(child)
            self._children = children
        return self._children.get(rev, [])

    # -- phases ---------------------------------------------------------------------

    def phase(self, rev: int) -> int:
        if self._phases is None:
            roots: dict[int, int] = {}
            for line in self.repo.svfs.tryread("phaseroots").splitlines():
                phase, _, hexnode = line.partition(b" ")
                try:
                    node = bin(hexnode.decode("ascii"))
                    value = int(phase)
                except ValueError:
                    continue
                if self.cl.hasnode(node) and value > 0:
                    rev_ = self.cl.rev(node)
                    roots[rev_] = max(roots.get(rev_, 0), min(value, 2))
            phases = [0] * len(self.cl)
            for r in range(min(roots, default=len(self.cl)), len(self.cl)):
                p1, p2 = self.cl.parentrevs(r)
                phases[r] = max(roots.get(r, 0), phases[p1] if p1 >= 0 else 0,
                                phases[p2] if p2 >= 0 else 0)
            self._phases = phases
        return self._phases[rev] if rev >= 0 else 0

    # -- names --------------------------------------------------------------------------

    def bookmarks(self) -> dict[str, int]:
        if self._bookmarks is None:
            marks = {}
            for line in self.repo.vfs.tryread("bookmarks").splitlines():
                hexnode, _, name = line.partition(b" ")
                try:
                    node = bin(hexnode.decode("ascii"))
                except ValueError:
                    continue
                if self.cl.hasnode(node):
                    marks[name.decode("utf-8", "replace")] = self.cl.rev(node)
            self._bookmarks = marks
        return self._bookmarks

    def tags(self) -> dict[str, int]:
        """Global tags from ``.hgtags`` on every head (later heads win), local tags, ``tip``."""
        if self._tags is None:
            found: dict[str, bytes] = {}
            texts = [self._hgtags(rev) for rev in sorted(self.cl.headrevs())]
            texts.append(self.repo.vfs.tryread("localtags"))
            for text in texts:
                for line in text.splitlines():
                    hexnode, _, name = line.strip().partition(b" ")
                    try:
                        found[name.strip().decode("utf-8")] = bin(hexnode.decode("ascii"))
                    except (ValueError, UnicodeDecodeError):
                        continue
            tags = {name: self.cl.rev(node) for name, node in found.items()
                    if node != nullid and self.cl.hasnode(node)}
            tags["tip"] = len(self.cl) - 1
            self._tags = tags
        return self._tags

    def _hgtags(self, rev: int) -> bytes:
        if rev < 0:
            return b""
        entry = self.repo.manifest_of(self.cl.node(rev)).get(b".hgtags")
        return self.repo.file(b".hgtags").read(entry[0]) if entry else b""

    def branchtip(self, name: str) -> int | None:
        """The newest open head of branch *name*, else its newest head."""
        revs = [rev for rev in range(len(self.cl)) if self.entry(rev).branch == name]
        if not revs:
            return None
        members = set(revs)
        heads = [rev for rev in revs
                 if not any(child in members for child in self.children(rev))]
        open_heads = [rev for rev in heads if "close" not in self.entry(rev).extra]
        return max(open_heads or heads)

    def lookup(self, symbol: str) -> int:
        """One revision for *symbol*, resolved in hg's order."""
        if symbol == "null":
            return nullrev
        if symbol == "tip":
            return len(self.cl) - 1
        if symbol == ".":
            node = self.repo.dirstate_parents()[0]
            return self.cl.rev(node) if node != nullid else nullrev
        digits = symbol[1:] if symbol.startswith("-") else symbol
        if digits.isdigit() and digits.isascii() and str(int(symbol)) == symbol:
            rev = int(symbol) + (len(self.cl) if symbol.startswith("-") else 0)
            if 0 <= rev < len(self.cl):
                return rev
        if len(symbol) == 40:
            try:
                node = bin(symbol)
            except ValueError:
                node = None
            if node is not None and self.cl.hasnode(node):
                return self.cl.rev(node)
        for table in (self.bookmarks(), self.tags()):
            if symbol in table:
                return table[symbol]
        rev = self.branchtip(symbol)
        if rev is not None:
            return rev
        rev = self._prefix(symbol)
        if rev is not None:
            return rev
        raise error.InputError(f"unknown revision '{symbol}'")

    def _prefix(self, symbol: str) -> int | None:
        if not symbol or len(symbol) > 40 or not all(c in "0123456789abcdef" for c in symbol):
            return None
        try:
            node = self.cl.lookup_prefix(symbol)
        except error.StorageError:
            raise error.InputError(f"ambiguous revision identifier: {symbol}") from None
        if node is not None and hex(nullid).startswith(symbol):
            raise error.InputError(f"ambiguous revision identifier: {symbol}")
        if node is not None:
            return self.cl.rev(node)
        return nullrev if hex(nullid).startswith(symbol) else None

    def known(self, symbol: str) -> bool:
        try:
            self.lookup(symbol)
        except error.InputError:
            return False
        return True
