"""Clone a local repository by copying its store instead of pulling.

hg clones a repository on the same machine by copying its store files
under the source's store lock: hard links on the same file system, plain
copies otherwise.  Nothing is decompressed, re-deltified or re-hashed, so
it is many times faster than a changegroup pull.  What is copied, as hg
7.2.4 does it: the revlogs (the data files the fncache lists, the
manifest and the changelog), ``obsstore``, ``phaseroots`` only from a
non-publishing source (a publishing source's clone is all public),
``.hg/bookmarks`` (never ``bookmarks.current``) and hg's history caches
(each is checked against the tip by its reader, so a stale one costs a
recomputation, never a wrong answer).  Not copied: the dirstate, hgrc,
journal and undo files, locks, the working-copy caches.

The copy is refused (the caller pulls instead) when the source's store
lock is held by somebody else (a transaction is running: hg pulls then
too), when it has secret changesets (they must not leave it; hg pulls
too), and when it holds an abandoned transaction's journal (its revlogs
may end with half-written revisions a pull would not carry; hg copies
them, we do not).

Hard links are used only when ``VFS`` gives a hard-linked file its own
copy before writing it in place (``VFS.breaks_hardlinks``): otherwise an
append in the clone would also change the source.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from amalgam.error import LockHeld
from amalgam.vfs import audit_path

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

#: Cache files of ``.hg/cache`` a local clone takes along, as hg does: the
#: branch-head and tag caches of the filters hg copies, the rev-branch
#: cache and the .hgtags file-node cache.
CACHE_FILES = frozenset(
    [f"{kind}{suffix}" for kind in ("branch2", "branch3", "tags2")
     for suffix in ("", "-base", "-immutable", "-served", "-visible")]
    + ["rbc-names-v2", "rbc-revs-v2", "hgtagsfnodes1"])

_PIECE = 1 << 20

#: Phases at and above secret are never exchanged (secret, archived, internal).
_SECRET = 2


class _Copier:
    """Link files while the file system allows it, then copy them.

    Paths are bytes; plain ``os`` calls, since a store has thousands of
    small files and buffered file objects cost more than the copying.
    """

    def __init__(self, link: bool) -> None:
        self.link = link
        self.count = 0
        self._dirs: set[bytes] = set()

    def __call__(self, src: bytes, dst: bytes) -> None:
        parent = os.path.dirname(dst)
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        if self.link:
            try:
                os.link(src, dst)
                self.count += 1
                return
            except FileNotFoundError:
                raise
            except OSError:
                # Another file system, a file system without links, too many
                # links: every later file would fail the same way.
                self.link = False
        _copyfile(src, dst)
        self.count += 1


def _copyfile(src: bytes, dst: bytes) -> None:
    """Copy *src*'s bytes and permission bits to the new file *dst*."""
    fin = os.open(src, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fin).st_mode & 0o7777
        fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                       mode)
        try:
            os.chmod(dst, mode)  # exactly the source's bits, whatever the umask
            while True:
                piece = os.read(fin, _PIECE)
                if not piece:
                    break
                view = memoryview(piece)
                while view:
                    view = view[os.write(fout, view):]
        finally:
            os.close(fout)
    finally:
        os.close(fin)


def hardlinks_safe() -> bool:
    """Whether in-place writes through a ``VFS`` leave other links of a file alone."""
    from amalgam.vfs import VFS

    return bool(getattr(VFS, "breaks_hardlinks", False))


def _has_secret(src: Repository) -> bool:
    """Whether a secret (or more hidden) root is a changeset of *src*."""
    from amalgam import phases

    hidden = [node for phase, nodes in phases.read_roots(src).items() if phase >= _SECRET
              for node in nodes]
    return bool(hidden) and any(map(src.changelog.revlog.hasnode, hidden))


def _requirements(ui: UI, src: Repository) -> frozenset[str]:
    """The source's store format with this configuration's working-copy choices."""
    from amalgam.storage import requirements as reqmod

    working = reqmod.WORKING_COPY_REQUIREMENTS
    local = reqmod.new_repo_requirements(getattr(ui, "config", None)) & working
    return frozenset((src.requirements - working) | local)


def _create(ui: UI, dest: str, reqs: frozenset[str]) -> Repository:
    from amalgam.repo import DECOY_CHANGELOG, Repository
    from amalgam.storage import requirements as reqmod
    from amalgam.vfs import VFS

    hgdir = os.path.join(dest, ".hg")
    os.makedirs(os.path.join(hgdir, "store"))
    vfs = VFS(hgdir)
    reqmod.write(vfs, reqs)
    vfs.write("00changelog.i", DECOY_CHANGELOG)
    return Repository(dest, ui, reqs)


def _store_names(src: Repository, publishing: bool) -> tuple[list[bytes], list[bytes]]:
    """(on-disk store names to copy, logical data paths for the new fncache)."""
    store = src.store
    if store.fncache is not None:
        logical = sorted(store.fncache)
        names = [store.encode(path) for path in logical]
    else:
        names = store.encoded_datafiles()
        logical = []
    for name in names:
        audit_path(name)  # a corrupt or hostile fncache: refuse, do not guess
    for radix in (b"00manifest", b"00changelog"):
        names.extend(radix + suffix for suffix in (b".i", b".d"))
    names.extend([b"obsstore"] if publishing else [b"obsstore", b"phaseroots"])
    return names, logical


def copy(ui: UI, src: Repository, dest: str) -> Repository | None:
    """Create the repository *dest* as a copy of *src*'s store and bookmarks.

    None, with nothing created, when *src* cannot be copied now (see the
    module docstring); the caller then pulls.  The caller removes *dest*
    if this raises.
    """
    from amalgam.merge.progress import Progress
    from amalgam.storage import lock as lockmod

    try:
        held = lockmod.lock(src.store.rawvfs, "lock", ui=ui, timeout=0,
                            desc=f"repository {src.root}")
    except LockHeld:
        ui.debug("source repository is locked: pulling instead of copying\n")
        return None
    with held:
        if src.store.rawvfs.exists("journal"):
            ui.debug("source repository has an abandoned transaction: pulling instead\n")
            return None
        if _has_secret(src):
            ui.debug("source repository has secret changesets: pulling instead\n")
            return None
        from amalgam.exchange.peer import publishes

        publishing = publishes(ui, src.root)
        repo = _create(ui, dest, _requirements(ui, src))
        names, logical = _store_names(src, publishing)
        copier = _Copier(hardlinks_safe())
        here, there = (os.fsencode(path) + b"/" for path in (src.store.path, repo.store.path))
        missing = set()
        with Progress(ui, "linking" if copier.link else "copying", len(names),
                      "files") as progress:
            for done, name in enumerate(names):
                progress.update(done)
                try:
                    copier(here + name, there + name)
                except FileNotFoundError:
                    missing.add(name)  # listed in the fncache, or optional, and absent
        present = [path for path, name in zip(logical, names) if name not in missing]
        if present:
            # Written, not linked: it is appended to in place.
            repo.store.rawvfs.write(b"fncache", b"".join(p + b"\n" for p in present))
        _copy_metadata(src, repo, copier)
    ui.debug(f"{'linked' if copier.link else 'copied'} {copier.count} files\n")
    return repo


def _copy_metadata(src: Repository, repo: Repository, copier: _Copier) -> None:
    """Bookmarks (their own copy, as hg makes) and the history caches."""
    if src.vfs.exists("bookmarks"):
        _copyfile(*(os.fsencode(r.vfs.join("bookmarks")) for r in (src, repo)))
    cache = os.fsencode(src.vfs.join("cache"))
    try:
        names = sorted(os.listdir(cache))
    except OSError:
        return
    target = os.fsencode(repo.vfs.join("cache"))
    for name in names:
        path = os.path.join(cache, name)
        if (os.fsdecode(name) in CACHE_FILES and os.path.isfile(path)
                and not os.path.islink(path)):
            copier(path, os.path.join(target, name))
