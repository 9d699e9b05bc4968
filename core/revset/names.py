"""What revsets need to know about a repository: names, phases, symbols.

One :class:`RepoView` per evaluation caches changeset entries, parent
revisions, phases, bookmarks, tags and branch heads, so a predicate that
runs per revision does not re-read the same files.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from amalgam import error
from amalgam.node import nullid, nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.changelog import ChangesetEntry

_HEX = frozenset("0123456789abcdefABCDEF")


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

    # -- phases and names, from the kernel's modules --------------------------------

    def phase(self, rev: int) -> int:
        if self._phases is None:
            from amalgam import phases

            self._phases = phases.phases(self.repo)
        return self._phases[rev] if rev >= 0 else 0

    def _revs(self, table: dict[str, bytes]) -> dict[str, int]:
        return {name: self.cl.rev(node) if node != nullid else nullrev
                for name, node in table.items() if node == nullid or self.cl.hasnode(node)}

    def bookmarks(self) -> dict[str, int]:
        if self._bookmarks is None:
            from amalgam import bookmarks

            self._bookmarks = self._revs(bookmarks.read(self.repo))
        return self._bookmarks

    def tags(self) -> dict[str, int]:
        """Every tag (``tip`` included) -> revision."""
        if self._tags is None:
            from amalgam import tags

            self._tags = self._revs(tags.tags(self.repo))
        return self._tags

    def lookup(self, symbol: str) -> int:
        """One revision for *symbol*, resolved in hg's order (``amalgam.revspec``)."""
        from amalgam.revspec import lookup_symbol

        return lookup_symbol(self.repo, symbol)

    def prefix(self, symbol: str) -> int | None:
        """The revision whose node starts with hex *symbol*, if exactly one does."""
        from amalgam.storage.revlog import LookupFailed

        if not symbol or len(symbol) > 40 or not _HEX.issuperset(symbol):
            return None
        try:
            node = self.cl.lookup_prefix(symbol.lower())
        except LookupFailed:
            raise error.InputError(f"ambiguous revision identifier: {symbol}") from None
        return None if node is None else self.cl.rev(node)

    def known(self, symbol: str) -> bool:
        try:
            self.lookup(symbol)
        except error.InputError:
            return False
        return True
