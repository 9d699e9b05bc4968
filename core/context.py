"""Revision contexts: one object per changeset, file revision or working copy.

Commands read history through these instead of poking at revlogs: a
:class:`ChangeContext` answers "what is in this changeset" (parents,
manifest, metadata, phase, tags, bookmarks) and hands out
:class:`FileContext` objects for its files.  :func:`workingctx` describes
the working copy's parents and files on disk.  Everything is read lazily
and cached on the object, so a context is cheap to make.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.node import Node, hex, nullid, nullrev, short
from amalgam.storage.changelog import DEFAULT_BRANCH, ChangesetEntry

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.storage.filelog import Filelog
    from amalgam.storage.manifest import Manifest

_NULL_ENTRY = ChangesetEntry(manifest=nullid, user="", date=(0.0, 0), files=(),
                             description="")


class ChangeContext:
    """One changeset (or the null revision, rev -1)."""

    def __init__(self, repo: Repository, rev: int, node: Node) -> None:
        self.repo = repo
        self.rev = rev
        self.node = node
        self._entry: ChangesetEntry | None = None
        self._manifest: Manifest | None = None

    # -- identity -------------------------------------------------------------

    def hex(self) -> str:
        return hex(self.node)

    def short(self) -> str:
        return short(self.node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChangeContext) and other.node == self.node

    def __hash__(self) -> int:
        return hash(self.node)

    def __repr__(self) -> str:
        return f"<changectx {self.rev}:{self.short()}>"

    def __bool__(self) -> bool:
        return self.rev != nullrev

    # -- changeset fields -----------------------------------------------------

    @property
    def entry(self) -> ChangesetEntry:
        """The parsed changelog entry (an empty one for the null revision)."""
        if self._entry is None:
            self._entry = _NULL_ENTRY if self.rev == nullrev else \
                self.repo.changelog.read(self.rev)
        return self._entry

    def user(self) -> str:
        return self.entry.user

    def date(self) -> tuple[float, int]:
        return self.entry.date

    def description(self) -> str:
        return self.entry.description

    def files(self) -> list[bytes]:
        """Files this changeset touched, as recorded in the changelog."""
        return list(self.entry.files)

    def extra(self) -> dict[str, str]:
        extra = dict(self.entry.extra)
        extra.setdefault("branch", DEFAULT_BRANCH)
        return extra

    def branch(self) -> str:
        return self.entry.branch

    def closesbranch(self) -> bool:
        return "close" in self.entry.extra

    def manifestnode(self) -> Node:
        return self.entry.manifest

    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = self.repo.manifest_of(self.node)
        return self._manifest

    # -- graph ------------------------------------------------------------------

    def _parentrevs(self) -> tuple[int, int]:
        if self.rev == nullrev:
            return nullrev, nullrev
        return self.repo.changelog.revlog.parentrevs(self.rev)

    def p1(self) -> ChangeContext:
        return changectx(self.repo, self._parentrevs()[0])

    def p2(self) -> ChangeContext:
        return changectx(self.repo, self._parentrevs()[1])

    def parents(self) -> list[ChangeContext]:
        """The parents, without a null second parent (the null revision has [null])."""
        p1, p2 = self._parentrevs()
        out = [changectx(self.repo, p1)]
        if p2 != nullrev:
            out.append(changectx(self.repo, p2))
        return out

    def children(self) -> list[ChangeContext]:
        cl = self.repo.changelog.revlog
        return [changectx(self.repo, rev) for rev in range(self.rev + 1, len(cl))
                if self.rev in cl.parentrevs(rev)]

    # -- names and phase ---------------------------------------------------------

    def phase(self) -> int:
        from amalgam import phases

        return phases.phase(self.repo, self.rev)

    def phasestr(self) -> str:
        from amalgam import phases

        return phases.PHASE_NAMES[self.phase()]

    def tags(self) -> list[str]:
        """Tags on this changeset, ``tip`` included, sorted as hg shows them."""
        from amalgam import tags

        return tags.nodetags(self.repo, self.node)

    def bookmarks(self) -> list[str]:
        from amalgam import bookmarks

        return sorted(name for name, node in bookmarks.read(self.repo).items()
                      if node == self.node)

    # -- files --------------------------------------------------------------------

    def __contains__(self, path: object) -> bool:
        return path in self.manifest()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.manifest())

    def filenode(self, path: bytes) -> Node:
        entry = self.manifest().get(path)
        if entry is None:
            raise error.InputError(f"{os.fsdecode(path)}: no such file in revision "
                                   f"{self.short()}")
        return entry[0]

    def flags(self, path: bytes) -> str:
        return self.manifest().flags(path) if path in self.manifest() else ""

    def filectx(self, path: bytes, filenode: Node | None = None) -> FileContext:
        """The file *path* as of this changeset (InputError when it is not there)."""
        if filenode is None:
            filenode = self.filenode(path)
        return FileContext(self.repo, path, filenode, changectx=self)

    def walk(self, match: Callable[[bytes], bool]) -> Iterator[bytes]:
        """Files of the manifest that *match* accepts, in sorted order."""
        for path in self.manifest():
            if match(path):
                yield path


class FileContext:
    """One revision of one file, optionally seen from a given changeset."""

    def __init__(self, repo: Repository, path: bytes, filenode: Node, *,
                 changectx: ChangeContext | None = None) -> None:
        self.repo = repo
        self.path = path
        self.filenode = filenode
        self._changectx = changectx

    def __repr__(self) -> str:
        return f"<filectx {os.fsdecode(self.path)}@{short(self.filenode)}>"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FileContext) and other.path == self.path
                and other.filenode == self.filenode)

    def __hash__(self) -> int:
        return hash((self.path, self.filenode))

    @property
    def filelog(self) -> Filelog:
        return self.repo.file(self.path)

    def filerev(self) -> int:
        return self.filelog.rev(self.filenode)

    def data(self) -> bytes:
        return self.filelog.read(self.filenode)

    def size(self) -> int:
        return self.filelog.size(self.filerev())

    def flags(self) -> str:
        """``""``, ``"x"`` or ``"l"`` as the changeset's manifest records it."""
        return self.changectx().flags(self.path)

    def isbinary(self) -> bool:
        return b"\0" in self.data()

    def cmp(self, data: bytes) -> bool:
        """True when *data* differs from this revision's content."""
        return self.filelog.cmp(self.filenode, data)

    def renamed(self) -> tuple[bytes, Node] | None:
        """``(source path, source file node)`` when this revision was copied."""
        return self.filelog.renamed(self.filenode)

    def linkrev(self) -> int:
        return self.filelog.linkrev(self.filerev())

    def introrev(self) -> int:
        """The changeset that introduced this file revision, seen from our changeset.

        The linkrev names the first changeset that stored the file node; when
        the same node was committed again on another branch, the linkrev may
        not be an ancestor of the changeset we came from, so search its
        ancestors for the one that really brought the node in.
        """
        linkrev = self.linkrev()
        if self._changectx is None or self._changectx.rev == linkrev:
            return linkrev
        return _adjust_linkrev(self.repo, self.path, self.filenode, linkrev,
                               self._changectx.rev)

    def changectx(self) -> ChangeContext:
        if self._changectx is None:
            self._changectx = changectx(self.repo, self.linkrev())
        return self._changectx

    def rev(self) -> int:
        return self.changectx().rev

    def parents(self) -> list[FileContext]:
        """File-level parents; a copy's first parent is its source file."""
        flog = self.filelog
        fp1, fp2 = flog.parents(self.filenode)
        pairs: list[tuple[bytes, Node]] = [(self.path, fp1), (self.path, fp2)]
        copied = self.renamed()
        if copied is not None:
            pairs[0] = copied
        return [FileContext(self.repo, path, node) for path, node in pairs if node != nullid]


def _adjust_linkrev(repo: Repository, path: bytes, filenode: Node, linkrev: int,
                    startrev: int) -> int:
    """The ancestor of *startrev* (itself included) that introduced *filenode*."""
    cl = repo.changelog.revlog
    if _is_ancestor(cl, linkrev, startrev):
        return linkrev  # the usual case, decided from parent links alone
    stack, seen = [startrev], {startrev}
    candidates: list[int] = []
    while stack:
        rev = stack.pop()
        if rev == linkrev:
            return linkrev
        entry = repo.changelog.read(rev)
        if path in entry.files and repo.manifest_of(cl.node(rev)).node(path) == filenode:
            candidates.append(rev)
        for parent in cl.parentrevs(rev):
            if parent >= 0 and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return min(candidates, default=linkrev)


def _is_ancestor(cl: Any, anc: int, rev: int) -> bool:
    """Whether *anc* is *rev* or one of its ancestors, from the index's parents only.

    Walks down from *rev* in decreasing revision order and stops below *anc*.
    """
    if anc > rev or anc < 0:
        return False
    import heapq

    heap, seen = [-rev], {rev}
    while heap:
        current = -heapq.heappop(heap)
        if current == anc:
            return True
        for parent in cl.parentrevs(current):
            if parent >= anc and parent not in seen:
                seen.add(parent)
                heapq.heappush(heap, -parent)
    return False


def changectx(repo: Repository, rev_or_node: int | bytes | str) -> ChangeContext:
    """The context of a revision number, a binary node, or a revision spec string."""
    cl = repo.changelog.revlog
    if isinstance(rev_or_node, str):
        from amalgam.revspec import revsingle

        rev_or_node = revsingle(repo, rev_or_node)
    if isinstance(rev_or_node, int):
        rev = rev_or_node
        if rev == nullrev:
            return ChangeContext(repo, nullrev, nullid)
        if not 0 <= rev < len(cl):
            raise error.InputError(f"unknown revision '{rev}'")
        return ChangeContext(repo, rev, cl.node(rev))
    node = Node(bytes(rev_or_node))
    if node == nullid:
        return ChangeContext(repo, nullrev, nullid)
    if not cl.hasnode(node):
        raise error.InputError(f"unknown revision '{hex(node)}'")
    return ChangeContext(repo, cl.rev(node), node)


class WorkingContext:
    """The working copy: its parents, branch and the files on disk."""

    def __init__(self, repo: Repository, dirstate: Any = None) -> None:
        self.repo = repo
        self._dirstate = dirstate
        self.rev = None
        self.node = None

    def __repr__(self) -> str:
        return f"<workingctx {self.p1().short()}+>"

    def parentnodes(self) -> tuple[Node, Node]:
        if self._dirstate is not None:
            p1, p2 = self._dirstate.parents()
            return Node(p1), Node(p2)
        return self.repo.dirstate_parents()

    def p1(self) -> ChangeContext:
        return changectx(self.repo, self.parentnodes()[0])

    def p2(self) -> ChangeContext:
        return changectx(self.repo, self.parentnodes()[1])

    def parents(self) -> list[ChangeContext]:
        p1, p2 = self.parentnodes()
        out = [changectx(self.repo, p1)]
        if p2 != nullid:
            out.append(changectx(self.repo, p2))
        return out

    def branch(self) -> str:
        """The branch the next commit goes to (``.hg/branch``, default ``default``)."""
        if self._dirstate is not None:
            return str(self._dirstate.branch())
        return read_branch(self.repo)

    def dirstate(self) -> Any:
        """The DirState this context reads (opened on first use)."""
        if self._dirstate is None:
            from amalgam.wc.dirstate import DirState

            self._dirstate = DirState.open(self.repo)
        return self._dirstate

    def status(self, *, unknown: bool = False) -> Any:
        """``amalgam.wc.status.Status`` of the whole working copy against its parent."""
        from amalgam.wc.match import always
        from amalgam.wc.status import status

        return status(self.repo, self.dirstate(), always(self.repo.root, self.repo.root),
                      unknown=unknown)

    def dirty(self, *, missing: bool = True, merge: bool = True, branch: bool = True) -> bool:
        """Whether committing now would record something (hg's ``+`` in ``identify``).

        A merge in progress, a changed branch name, and modified, added or
        removed files make it dirty; each flag turns its check off (hg's
        ``identify`` ignores the merge and the branch).  Unknown files never do.
        """
        if merge and self.parentnodes()[1] != nullid:
            return True
        if branch and self.branch() != self.p1().branch():
            return True
        st = self.status()
        return bool(st.modified or st.added or st.removed or (missing and st.deleted))

    def _ospath(self, path: bytes) -> bytes:
        return os.path.join(os.fsencode(self.repo.root), path)

    def data(self, path: bytes) -> bytes:
        """Content on disk; a symlink's content is its target, as hg stores it."""
        full = self._ospath(path)
        if os.path.islink(full):
            return os.readlink(full)
        with open(full, "rb") as fh:
            return fh.read()

    def flags(self, path: bytes) -> str:
        """``"l"`` for a symlink, ``"x"`` for an executable file, else ``""``."""
        import stat

        try:
            mode = os.lstat(self._ospath(path)).st_mode
        except FileNotFoundError:
            return ""
        if stat.S_ISLNK(mode):
            return "l"
        return "x" if mode & 0o100 else ""


def read_branch(repo: Repository) -> str:
    """The working copy's branch from ``.hg/branch`` (hg strips surrounding space)."""
    name = repo.vfs.tryread("branch").strip().decode("utf-8", "surrogateescape")
    return name or DEFAULT_BRANCH


def workingctx(repo: Repository, dirstate: Any = None) -> WorkingContext:
    """The working copy; pass the caller's DirState to see its unsaved changes."""
    return WorkingContext(repo, dirstate)
