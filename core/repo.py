"""``Repository``: open or create a repository and commit to it.

A repository is a working-copy root with a ``.hg`` directory in hg's
layout.  This module ties the storage pieces together: requirements, the
encoded store, locks, transactions, the changelog/manifest/filelogs, and
the commit API the working-copy code and the benchmarks drive.  Commits
follow hg's rules exactly (file parents, copy metadata, which files are
listed, when the manifest is reused), so the same input gives the same
nodes as ``hg commit``.
"""
from __future__ import annotations

import os

from amalgam import error
from amalgam.node import Node, bin, hex, nullid
from amalgam.storage import requirements as reqmod
from amalgam.storage.store import Store
from amalgam.vfs import VFS

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
# Changelog, manifest and filelog code load on first use: a clean ``status``
# answers from the dirstate alone and should not pay for them.
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from amalgam.storage.changelog import ChangesetEntry, Changelog
    from amalgam.storage.filelog import Filelog
    from amalgam.storage.lock import Lock
    from amalgam.storage.manifest import Manifest, ManifestLog
    from amalgam.storage.revlog import Revlog
    from amalgam.storage.transaction import Transaction
    from amalgam.ui import UI

MANIFEST_CACHE_BYTES = 64 << 20
#: filelogs kept open per repository (most recently used)
FILELOG_CACHE = 256

# What ``hg init`` leaves in .hg/00changelog.i so pre-store clients refuse the repo.
DECOY_CHANGELOG = b"\0\0\xff\xff dummy changelog to prevent using the old repo layout"


class FileChange:
    """New content of one file in a commit (immutable).

    A plain class rather than a dataclass: generating a dataclass's methods
    costs milliseconds at import, on every command's start-up path.
    """

    __slots__ = ("data", "flags", "copy_source", "from_other", "merged")

    data: bytes
    flags: str                 # "", "x" (executable) or "l" (symlink)
    copy_source: bytes | None  # path in p1 this file was copied/renamed from
    # Hints from an unfinished merge's state (hg keeps them per file):
    from_other: bool  # the merge took p2's version as is: reuse p2's file node
    merged: bool      # False: not really merged, so no second file parent

    def __init__(self, data: bytes, flags: str = "", copy_source: bytes | None = None,
                 from_other: bool = False, merged: bool = True) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "data", data)
        setattr_(self, "flags", flags)
        setattr_(self, "copy_source", copy_source)
        setattr_(self, "from_other", from_other)
        setattr_(self, "merged", merged)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"FileChange is immutable (cannot set {name!r})")

    def _key(self) -> tuple[bytes, str, bytes | None, bool, bool]:
        return self.data, self.flags, self.copy_source, self.from_other, self.merged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileChange) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return ("FileChange(data=%r, flags=%r, copy_source=%r, from_other=%r, merged=%r)"
                % self._key())


def _default_ui() -> UI:
    from amalgam.ui import UI

    return UI()


def _now() -> tuple[float, int]:
    """Current time and local offset in seconds west of UTC, as hg records it.

    The offset comes from ``tm_gmtoff`` (as ``dates.local_offset``): the
    ``calendar`` module would cost every commit an import of ``datetime``
    and ``locale``.
    """
    import time

    when = time.time()
    return when, -time.localtime(when).tm_gmtoff


class _TransactionScope:
    """``with repo.transaction(name) as tr``: the lock and the transaction.

    Joins the transaction already running, else takes the store lock, opens
    one, closes it when the block ends and aborts it on any exception.  A
    class rather than ``contextlib.contextmanager``: that import (with its
    functools, types and collections) would be paid on every command's start-up.
    """

    __slots__ = ("_repo", "_name", "_lock", "_tr")

    def __init__(self, repo: Repository, name: str) -> None:
        self._repo = repo
        self._name = name
        self._lock: Lock | None = None
        self._tr: Transaction | None = None

    def __enter__(self) -> Transaction:
        repo = self._repo
        if repo._tr is not None:
            return repo._tr  # joined: its owner closes it
        lock = repo.lock()
        try:
            # Another process may have written since we read: start from disk.
            if repo._seen != repo._changelog_signature():
                repo.invalidate()
            self._tr = repo._tr = repo.store.transaction(self._name, ui=repo.ui)
        except BaseException:
            lock.release()
            raise
        self._lock = lock
        return self._tr

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: Any) -> None:
        tr, lock = self._tr, self._lock
        if tr is None or lock is None:
            return
        repo = self._repo
        try:
            if kind is None:
                try:
                    tr.close()
                except BaseException:
                    tr.abort()
                    repo.invalidate()
                    raise
            else:
                tr.abort()
                repo.invalidate()
        finally:
            repo._tr = None
            repo._seen = repo._changelog_signature()
            lock.release()


class Repository:
    """A local repository: ``.hg`` metadata plus its store."""

    def __init__(self, root: str, ui: UI, requirements: frozenset[str]) -> None:
        self.root = root
        self.ui = ui
        self.path = os.path.join(root, ".hg")
        self.requirements = requirements
        self.vfs = VFS(self.path)
        self.store = Store(os.path.join(self.path, "store"), requirements)
        self.svfs = self.store.vfs
        self._tr: Transaction | None = None
        self._changelog: Changelog | None = None
        self._manifestlog: ManifestLog | None = None
        # Oldest use first (a dict keeps insertion order): collections'
        # OrderedDict would be an import on every command's start-up.
        self._filelogs: dict[bytes, Filelog] = {}
        self._seen = self._changelog_signature()

    # -- opening and creating ---------------------------------------------

    @classmethod
    def create(cls, path: str, ui: UI | None = None, config: Any = None) -> Repository:
        """Initialise a new repository at *path* with hg 7.2.4's default requirements."""
        ui = ui or _default_ui()
        root = os.path.abspath(path)
        hgdir = os.path.join(root, ".hg")
        if os.path.lexists(hgdir):
            raise error.RepoError(f"repository {path} already exists")
        # Decided before anything is written, so a bad format option leaves no litter.
        reqs = frozenset(reqmod.new_repo_requirements(config))
        try:
            os.makedirs(os.path.join(hgdir, "store"))
        except OSError as exc:
            raise error.RepoError(f"cannot create repository {path}: {exc.strerror}") from exc
        vfs = VFS(hgdir)
        reqmod.write(vfs, reqs)
        vfs.write("00changelog.i", DECOY_CHANGELOG)
        return cls(root, ui, reqs)

    @classmethod
    def open(cls, path: str, ui: UI | None = None) -> Repository:
        """Open the repository whose root is *path*."""
        ui = ui or _default_ui()
        root = os.path.abspath(path)
        if not os.path.isdir(os.path.join(root, ".hg")):
            raise error.RepoError(f"repository {path} not found")
        reqs = frozenset(reqmod.read(VFS(os.path.join(root, ".hg"))))
        registry = getattr(ui, "registry", None)
        # Plugins' claims matter only for a requirement the kernel does not
        # know; reading them loads the plugin index.
        claims = {}
        if registry is not None and not reqs <= reqmod.KERNEL_REQUIREMENTS:
            claims = registry.requirement_claims()
        reqmod.check_requirements(reqs, claims)
        return cls(root, ui, reqs)

    @classmethod
    def find(cls, ui: UI, path: str | None, cwd: str) -> Repository:
        """The repository at *path* (``-R``), else the one enclosing *cwd*."""
        if path is not None:
            full = os.path.join(cwd, path)
            if not os.path.isdir(os.path.join(full, ".hg")):
                raise error.RepoError(f"repository {path} not found")
            return cls.open(full, ui)
        current = os.path.abspath(cwd)
        while True:
            if os.path.isdir(os.path.join(current, ".hg")):
                return cls.open(current, ui)
            parent = os.path.dirname(current)
            if parent == current:
                raise error.RepoError(f"no repository found in '{cwd}' (.hg not found)")
            current = parent

    # -- storage objects ----------------------------------------------------

    def _revlog(self, radix: bytes, *, changelog: bool = False, **extra: Any) -> Revlog:
        """A revlog of this store, configured from the requirements.

        hg keeps the changelog split from the start and stores every
        changeset as a full text (it never uses deltas there).
        """
        from amalgam.storage.revlog import Revlog

        reqs = self.requirements
        options: dict[str, Any] = {
            "compression": "zstd" if reqmod.ZSTD in reqs
            else "none" if "exp-compression-none" in reqs else "zlib",
            "generaldelta": reqmod.GENERALDELTA in reqs and not changelog,
            "sparse": reqmod.SPARSEREVLOG in reqs,
        }
        if changelog:
            options.update(new_inline=False, max_chain_len=0)
        options.update(extra)
        return Revlog(self.svfs, radix, options=options)

    @property
    def changelog(self) -> Changelog:
        if self._changelog is None:
            from amalgam.storage.changelog import Changelog

            self._changelog = Changelog(self._revlog(b"00changelog", changelog=True))
        return self._changelog

    @property
    def manifestlog(self) -> ManifestLog:
        if self._manifestlog is None:
            from amalgam.storage.manifest import ManifestLog

            # A commit reads p1's manifest, then checks its delta against it:
            # keep manifests of big repositories (~7 MB per 100,000 files)
            # cached too.  ManifestLog holds the same bytes objects anyway.
            self._manifestlog = ManifestLog(
                self._revlog(b"00manifest", cache_bytes=MANIFEST_CACHE_BYTES))
        return self._manifestlog

    def file(self, path: bytes) -> Filelog:
        """The filelog of the tracked file *path*."""
        flog = self._filelogs.pop(path, None)
        if flog is not None:
            self._filelogs[path] = flog  # now the most recently used
        else:
            from amalgam.storage.filelog import Filelog

            flog = Filelog(self._revlog(b"data/" + path), path)
            self._filelogs[path] = flog
            # Bounded: a commit of 100,000 new files must not keep 100,000
            # revlogs (and the text each one caches) alive.  Revlogs write
            # through to disk, so a dropped one is simply reopened.
            if len(self._filelogs) > FILELOG_CACHE:
                del self._filelogs[next(iter(self._filelogs))]
        return flog

    def invalidate(self) -> None:
        """Forget cached storage objects (after a rollback or another writer)."""
        self._changelog = None
        self._manifestlog = None
        self._filelogs.clear()
        from amalgam import phases

        phases.invalidate(self)
        if self.store.fncache is not None:
            self.store.fncache.invalidate()

    def drop_caches(self) -> None:
        """Let go of cached texts and file lists (the manifest, filelogs, the fncache).

        After a commit of 100,000 files they are tens of MB that the
        dirstate write that follows would otherwise be allocated on top of.
        Everything is re-read on demand.  Inside a transaction nothing is
        dropped: the fncache still has entries to write.
        """
        if self._tr is not None:
            return
        self._manifestlog = None
        self._filelogs.clear()
        if self.store.fncache is not None:
            self.store.fncache.invalidate()

    def __len__(self) -> int:
        return len(self.changelog)

    # -- locks and transactions ---------------------------------------------

    def lock(self) -> Lock:
        """Take the store lock (re-entrant within this process); release it when done."""
        from amalgam.storage import lock as lockmod

        return lockmod.lock(self.store.rawvfs, "lock", ui=self.ui,
                            desc=f"repository {self.root}")

    def wlock(self) -> Lock:
        """Take the working-copy lock; take it before :meth:`lock`."""
        from amalgam.storage import lock as lockmod

        return lockmod.lock(self.vfs, "wlock", ui=self.ui,
                            desc=f"working directory of {self.root}")

    def current_transaction(self) -> Transaction | None:
        return self._tr

    def transaction(self, name: str) -> _TransactionScope:
        """Open a transaction, or join the one already running (``with`` it)."""
        return _TransactionScope(self, name)

    def _changelog_signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.store.rawvfs.stat("00changelog.i")
        except FileNotFoundError:
            return None
        return st.st_size, st.st_mtime_ns, st.st_ino

    # -- reading -------------------------------------------------------------

    def lookup(self, symbol: str) -> Node:
        """Resolve a revision number, hex prefix, ``tip``, ``null`` or ``.``."""
        cl = self.changelog.revlog
        if symbol == "null":
            return nullid
        if symbol == "tip":
            return self.changelog.tip()
        if symbol == ".":
            return self.dirstate_parents()[0]
        if symbol.lstrip("-").isdigit() and str(int(symbol)) == symbol:
            rev = int(symbol)
            if rev < 0:
                rev += len(cl)
            if 0 <= rev < len(cl):
                return cl.node(rev)
        if len(symbol) == 40:
            try:
                node = bin(symbol)
            except ValueError:
                node = None
            if node is not None and cl.hasnode(node):
                return node
        elif 0 < len(symbol) < 40 and all(c in "0123456789abcdef" for c in symbol):
            try:
                node = cl.lookup_prefix(symbol)
            except error.StorageError:
                raise error.InputError(f"ambiguous identifier '{symbol}'",
                                       hint="give more digits of the node id") from None
            if node is not None:
                return node
        raise error.InputError(f"unknown revision '{symbol}'")

    def dirstate_parents(self) -> tuple[Node, Node]:
        """The working copy's parents from ``.hg/dirstate`` (null when absent)."""
        data = self.vfs.tryread("dirstate")
        if "dirstate-v2" in self.requirements:
            data = data[12:] if data.startswith(b"dirstate-v2\n") else b""
            p1, p2 = data[:20], data[32:52]
        else:
            p1, p2 = data[:20], data[20:40]
        if len(p1) != 20 or len(p2) != 20:
            return nullid, nullid
        return Node(p1), Node(p2)

    def read_changeset(self, node: bytes) -> ChangesetEntry:
        return self.changelog.read(node)

    def _manifest_node(self, node: bytes) -> Node:
        return nullid if node == nullid else self.changelog.read(node).manifest

    def manifest_of(self, node: bytes, *, keep: bool = False) -> Manifest:
        """The manifest of changeset *node* (empty for nullid).

        With *keep* (the working copy's parent), a big manifest is also
        kept in full in ``.hg/cache`` for the next process that needs it.
        """
        mnode = self._manifest_node(node)
        if not keep or mnode == nullid:
            return self.manifestlog.read(mnode)
        return self._kept_manifest(mnode)

    def _kept_manifest(self, mnode: Node) -> Manifest:
        """Manifest *mnode*, read with the help of the full text in ``.hg/cache``.

        The cached text is used as is when it is *mnode*'s, as the start
        of *mnode*'s delta chain when it is an older manifest along it (hg
        or amg committed since), and replaced when that chain grew long.
        """
        ml = self.manifestlog
        manifest = ml.cached(mnode)
        if manifest is not None:
            return manifest
        from amalgam.storage import manifestcache

        found = manifestcache.load(self.vfs, mnode)
        if found is not None:
            cnode, ctext = found
            del found
            if cnode == mnode:
                return ml.adopt(mnode, ctext)
            manifest = ml.read_from(mnode, Node(cnode), ctext)
            del ctext
            if manifest is not None:
                revlog = ml.revlog
                if manifestcache.worth_refreshing(revlog, revlog.rev(mnode), revlog.rev(cnode)):
                    manifestcache.store(self.vfs, mnode, manifest.text())
                return manifest
        manifest = ml.read(mnode)
        if len(manifest.text()) >= manifestcache.MIN_SIZE:
            manifestcache.store(self.vfs, mnode, manifest.text())
        return manifest

    def read_file(self, node: bytes, path: bytes) -> bytes:
        """Content of *path* in changeset *node*."""
        entry = self.manifest_of(node).get(path)
        if entry is None:
            raise error.InputError(f"{path.decode('utf-8', 'replace')}: no such file in "
                                   f"revision {hex(node)[:12]}")
        return self.file(path).read(entry[0])

    # -- committing ------------------------------------------------------------

    def commit_files(self, files: Mapping[bytes, FileChange | None], *,
                     p1: Node | None = None, p2: Node = nullid, user: str,
                     date: tuple[float, int] | None = None, message: str,
                     branch: str = "default",
                     extra: Mapping[str, str] | None = None) -> Node:
        """Record *files* (None removes) on top of *p1* (default: tip) as a new changeset.

        Files not mentioned are inherited from p1.  Joins a running
        transaction, so thousands of commits can share one.
        """
        when = _now() if date is None else date
        # Names only: *files* may read contents lazily, once each, as they are stored.
        for path in files:
            _check_path(path)
        with self.transaction("commit") as tr:
            cl = self.changelog
            if p1 is None:
                p1 = cl.tip()
            for parent in (p1, p2):
                if parent != nullid and not cl.revlog.hasnode(parent):
                    raise error.InputError(f"unknown parent {hex(parent)}")
            linkrev = len(cl)
            m1node, m2node = self._manifest_node(p1), self._manifest_node(p2)
            # p1 is normally the working copy's parent, whose text status
            # already read or left in .hg/cache.
            m1 = self.manifestlog.read(m1node) if m1node == nullid \
                else self._kept_manifest(m1node)
            m2 = self.manifestlog.read(m2node)
            from amalgam.storage.manifest import ManifestBuilder

            # Each entry goes into the new manifest as its file is stored:
            # nothing per file outlives the loop but the touched list.
            builder = ManifestBuilder(m1)
            touched: list[bytes] = []
            ancestors: list[Manifest] | None = None
            for path in sorted(files):
                change = files[path]
                if change is None:
                    if path not in m1 and path not in m2:
                        continue
                    if path in m1:
                        builder.set(path, None)
                    if p2 != nullid:
                        if ancestors is None:
                            ancestors = self._merge_base_manifests(p1, p2)
                        if _removed_by_a_parent(path, m1, m2, ancestors):
                            continue
                    touched.append(path)
                    continue
                if change.flags not in ("", "x", "l"):
                    raise error.InputError(f"invalid flags {change.flags!r} for {path!r}",
                                           hint="use '', 'x' (executable) or 'l' (symlink)")
                fnode, created = self._commit_file(path, change, m1, m2, linkrev, tr)
                if created or (path in m1 and m1.flags(path) != change.flags):
                    touched.append(path)
                builder.set(path, (fnode, change.flags))
                del change  # its content is stored: let it go before the next read
            manifest, delta = builder.finish()
            if p2 == nullid and manifest is m1:
                mnode = m1node
            else:
                mnode = self.manifestlog.add(manifest, tr, linkrev, m1node, m2node, delta)
            node = cl.add(mnode, touched, message, tr, p1, p2, user, when, extra, branch)
            # New changesets are draft, as hg's default phases.new-commit says.
            from amalgam import phases

            phases.register_new(self, tr, phases.DRAFT, [linkrev])
            return node

    def _commit_file(self, path: bytes, change: FileChange, m1: Manifest, m2: Manifest,
                     linkrev: int, tr: Transaction) -> tuple[Node, bool]:
        """Store one file as hg would: ``(file node, whether a revision was added)``."""
        flog = self.file(path)
        fp1, fp2 = m1.node(path), m2.node(path)
        meta = None
        source = change.copy_source
        if source is not None and source != path:
            cnode, other = m1.node(source), fp2
            if len(m2) and (fp2 == nullid or cnode == nullid) and source in m2:
                cnode, other = m2.node(source), fp1  # copied on the other side of the merge
            if cnode != nullid:
                from amalgam.storage.filelog import copy_meta

                meta = copy_meta(source, cnode)
                fp1, fp2 = nullid, other
            else:
                self.ui.warn(f"warning: copy source of '{path.decode('utf-8', 'replace')}' "
                             "not in parents, forgetting copy\n")
        if meta is None:
            if fp1 == nullid:
                fp1, fp2 = fp2, nullid
            elif fp2 != nullid:
                if change.from_other:
                    fp1, fp2 = fp2, nullid
                elif not change.merged:
                    fp2 = nullid
                elif fp1 == fp2 or _is_ancestor(flog, fp1, fp2):
                    fp1, fp2 = fp2, nullid
                elif _is_ancestor(flog, fp2, fp1):
                    fp2 = nullid
        if meta or fp2 != nullid or fp1 == nullid or flog.cmp(fp1, change.data):
            return flog.add(change.data, meta, tr, linkrev, fp1, fp2), True
        return fp1, False

    def _merge_base_manifests(self, p1: Node, p2: Node) -> list[Manifest]:
        """Manifests of the heads of the common ancestors of *p1* and *p2*."""
        from amalgam import dag

        cl = self.changelog.revlog
        common = dag.ancestors(self, [cl.rev(p1)]) & dag.ancestors(self, [cl.rev(p2)])
        inner = {p for rev in common for p in cl.parentrevs(rev) if p in common}
        heads = sorted(common - inner)
        return [self.manifest_of(cl.node(rev)) for rev in heads] or [self.manifest_of(nullid)]


def _check_path(path: bytes) -> None:
    """Refuse names hg could not track: they would escape the store or corrupt texts."""
    parts = path.split(b"/")
    if (not path or any(c in path for c in b"\0\n\r") or path.startswith(b"/")
            or any(p in (b"", b".", b"..") for p in parts) or parts[0].lower() == b".hg"):
        raise error.InputError(f"invalid file name {path!r}",
                               hint="use a relative path without '.', '..' or '.hg' "
                                    "components, NUL or newlines")


def _removed_by_a_parent(path: bytes, m1: Manifest, m2: Manifest,
                         ancestors: list[Manifest]) -> bool:
    """Whether a merge only inherits the removal of *path* from one parent.

    That is the case when the other parent still has the file exactly as
    every merge base had it; hg then leaves it out of the changed files.
    """
    kept = m1 if path in m1 else m2
    if path in m1 and path in m2:
        return False
    entry = kept.get(path)
    return all(base.get(path) == entry for base in ancestors)


def _is_ancestor(flog: Filelog, ancestor: Node, node: Node) -> bool:
    """Whether *ancestor* is *node* or one of its ancestors in *flog*."""
    revlog = flog.revlog
    target, start = revlog.rev(ancestor), revlog.rev(node)
    stack, seen = [start], {start}
    while stack:
        rev = stack.pop()
        if rev == target:
            return True
        for parent in revlog.parentrevs(rev):
            if parent >= target and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return False
