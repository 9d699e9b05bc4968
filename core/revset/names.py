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

#: Changeset entries are read this many at a time: one file read and no
#: per-revision revlog overhead when a predicate scans the history, while
#: ``first(user(x))`` still stops after a block.
_BLOCK = 1024


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
        self._blocks: set[int] = set()
        self._texts: dict[int, bytes] = {}
        self._byrev: dict[str, dict[int, list[str]]] = {}

    def __len__(self) -> int:
        return len(self.cl)

    def entry(self, rev: int) -> ChangesetEntry:
        found = self._entries.get(rev)
        if found is None:
            from amalgam.storage.changelog import parse_entry

            found = self._entries[rev] = parse_entry(self.text(rev))
        return found

    def text(self, rev: int) -> bytes:
        """The changelog text of *rev* (read a block at a time, see :meth:`_prefetch`)."""
        found = self._texts.get(rev)
        if found is None:
            self._prefetch(rev // _BLOCK)
            found = self._texts.get(rev)
            if found is None:
                found = self._texts[rev] = self.cl.revision(rev)
        return found

    # Single fields straight from the text: scanning predicates need one, not a full parse.

    def user(self, rev: int) -> str:
        text = self.text(rev)
        first = text.find(b"\n")
        return text[first + 1:text.find(b"\n", first + 1)].decode("utf-8", "surrogateescape")

    def when(self, rev: int) -> float:
        """The commit time in seconds since the epoch (no zone)."""
        if rev in self._entries:
            return self._entries[rev].date[0]
        text = self.text(rev)
        second = text.find(b"\n", text.find(b"\n") + 1)
        try:
            return float(text[second + 1:text.find(b" ", second + 1)])
        except ValueError:
            return self.entry(rev).date[0]  # reports the malformed entry

    def files(self, rev: int) -> list[bytes]:
        """The paths *rev* touched, cut straight from the text (no full parse)."""
        if rev in self._entries:
            return list(self._entries[rev].files)
        text = self.text(rev)
        third = text.find(b"\n", text.find(b"\n", text.find(b"\n") + 1) + 1)
        end = text.find(b"\n\n", third)
        if third < 0 or end < 0:
            return list(self.entry(rev).files)  # reports the malformed entry
        return text[third + 1:end].split(b"\n") if end > third else []

    def _prefetch(self, block: int) -> None:
        """Read the block's changesets stored as whole texts in one go.

        Each text is still checked against its node, as a plain read does;
        revisions stored as deltas (or with flags) are left to the revlog.
        """
        if block in self._blocks:
            return
        self._blocks.add(block)
        from hashlib import sha1

        from amalgam.storage.revlog_io import decompress_chunk

        cl = self.cl
        revs, entries = [], []
        for rev in range(block * _BLOCK, min(len(cl), (block + 1) * _BLOCK)):
            entry = cl.index_entry(rev)
            # base == rev: stored as a whole text, not as a delta
            if entry.base == rev and not entry.flags and rev not in self._texts:
                revs.append(rev)
                entries.append(entry)
        node = cl.node
        for entry, rev, chunk in zip(entries, revs, cl.storedchunks(revs)):
            text = decompress_chunk(entry.rawsize, chunk, -1)
            a, b = node(entry.p1), node(entry.p2)
            if sha1(a + b + text if a < b else b + a + text).digest() == entry.node:
                self._texts[rev] = text
            # else: left out, so the revlog's own read reports the damage

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

    def names(self, kind: str, rev: int) -> list[str]:
        """The ``"tags"`` or ``"bookmarks"`` on *rev*, sorted by name (as contexts give them)."""
        table = self._byrev.get(kind)
        if table is None:
            table = {}
            source = self.tags() if kind == "tags" else self.bookmarks()
            for name, target in sorted(source.items()):
                table.setdefault(target, []).append(name)
            self._byrev[kind] = table
        return list(table.get(rev, ()))

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
