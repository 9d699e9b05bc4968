"""Working-copy status: compare the files on disk with the dirstate.

The walk uses ``os.scandir`` and ``lstat`` only for tracked files;
contents are read only when size, mode and mtime cannot decide ("lookup").
Files found clean by reading are written back to the dirstate ("fixups")
when the working-copy lock is free, as hg does, so the next status is
cheap -- unless they are a few small files in a big dirstate, which are
cheaper to read again than the dirstate is to rewrite.  A plugin may
answer the walk itself (``wc_walk``, e.g. a file system monitor; see
:mod:`amalgam.wc.hinted`) and may adjust the result (``wc_status``).
"""
from __future__ import annotations

import os
import stat as statmod

from amalgam import error

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState
    from amalgam.wc.match import Matcher

_MASK = 0x7FFFFFFF
FIELDS = ("modified", "added", "removed", "deleted", "unknown", "ignored", "clean")


class Status:
    """Sorted path lists, one per status letter."""

    __slots__ = FIELDS

    def __init__(self, modified: list[bytes] | None = None, added: list[bytes] | None = None,
                 removed: list[bytes] | None = None, deleted: list[bytes] | None = None,
                 unknown: list[bytes] | None = None, ignored: list[bytes] | None = None,
                 clean: list[bytes] | None = None) -> None:
        self.modified = modified or []
        self.added = added or []
        self.removed = removed or []
        self.deleted = deleted or []
        self.unknown = unknown or []
        self.ignored = ignored or []
        self.clean = clean or []

    def __iter__(self) -> Iterator[list[bytes]]:
        return (getattr(self, name) for name in FIELDS)

    def sort(self) -> None:
        for name in FIELDS:
            getattr(self, name).sort()

    def __repr__(self) -> str:
        return "<Status " + " ".join(f"{n}={getattr(self, n)!r}" for n in FIELDS) + ">"


class _Collector:
    """The lists a status fills, plus what the comparison needs."""

    __slots__ = ("result", "lookup", "copies", "clean", "seen", "seen_elsewhere")

    def __init__(self, result: Status, copies: dict[bytes, bytes], clean: bool) -> None:
        self.result = result
        self.lookup: list[tuple[bytes, os.stat_result]] = []
        self.copies = copies
        self.clean = clean
        self.seen: set[bytes] = set()
        #: tracked files met by worker processes (their names stay there)
        self.seen_elsewhere = 0

    def met_all(self, dmap: dict[bytes, tuple]) -> bool:
        """Whether the walk met every tracked file (nothing left for :func:`_unseen`)."""
        return len(self.seen) + self.seen_elsewhere == len(dmap)

    def export(self, seen: list[bytes], untracked: list[bytes]) -> tuple:
        """This worker's findings, compact for the pipe: name lists as NUL-joined bytes."""
        return (tuple(_pack(getattr(self.result, name)) for name in FIELDS),
                self.lookup, _pack(untracked), len(seen), _pack(seen))

    def absorb(self, found: tuple, untracked: list[bytes]) -> bytes:
        """Add a worker's :meth:`export` to ours; returns its packed seen names."""
        lists, lookup, more, count, seen = found
        for name, packed in zip(FIELDS, lists):
            getattr(self.result, name).extend(_unpack(packed))
        self.lookup.extend(lookup)
        untracked.extend(_unpack(more))
        self.seen_elsewhere += count
        return seen


    def classify(self, path: bytes, value: tuple, st: os.stat_result | None) -> None:
        """Sort one tracked file given its lstat (None: not a file on disk)."""
        state, mode, size, mtime = value
        result = self.result
        if state == "r":
            result.removed.append(path)
        elif st is None:
            result.deleted.append(path)
        elif state == "n":
            stsize = st.st_size
            if size >= 0 and ((size != stsize and size != stsize & _MASK)
                              or (mode ^ st.st_mode) & 0o100) \
                    or size == -2 or path in self.copies:
                if statmod.S_ISLNK(st.st_mode) and size != stsize:
                    self.lookup.append((path, st))
                else:
                    result.modified.append(path)
            elif mtime == -1 or mtime != int(st.st_mtime) & _MASK:
                self.lookup.append((path, st))
            elif self.clean:
                result.clean.append(path)
        elif state == "a":
            result.added.append(path)
        else:
            result.modified.append(path)


def _pack(names: list[bytes]) -> bytes:
    return b"\0".join(names)


def _unpack(packed: bytes) -> list[bytes]:
    return packed.split(b"\0") if packed else []


#: Tracked files below which one process walks faster than two start.
PARALLEL_MIN = 20000


def _walk(root: bytes, m: Matcher, dmap: dict[bytes, tuple], ignore: Callable[[bytes], bool],
          want_untracked: bool, want_ignored: bool, out: _Collector,
          workers: int = 1) -> list[bytes]:
    """Scan the tree, sorting tracked files on the way; returns untracked file names.

    With several *workers*, the first directories are scanned here until
    there are enough left to share, then each worker takes every n-th of
    them (subtrees are disjoint, so nothing is met twice).
    """
    untracked: list[bytes] = []
    pending: list[tuple[bytes, bytes]] = []
    for start in sorted(set(m.roots())):
        if start == b"":
            pending = [(root, b"")]
            break
        full = os.path.join(root, start)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if statmod.S_ISDIR(st.st_mode):
            pending.append((full, start + b"/"))
        elif start in dmap:
            if m(start):
                out.seen.add(start)
                out.classify(start, dmap[start], _filestat(st))
        elif statmod.S_ISREG(st.st_mode) or statmod.S_ISLNK(st.st_mode):
            untracked.append(start)
    args = (m, dmap, ignore, want_untracked, want_ignored)
    visited: set[bytes] = set()
    if workers > 1:
        _scan(pending, *args, out, untracked, visited, share=8 * workers)
    if workers > 1 and len(pending) >= workers:
        parts = [pending[i::workers] for i in range(workers)]
        here = os.getpid()

        def part(dirs: list[tuple[bytes, bytes]]) -> tuple | None:
            if os.getpid() == here:
                _scan(dirs, *args, out, untracked, visited)
                return None
            mine = _Collector(Status(), out.copies, out.clean)
            seen: list[bytes] = []
            found: list[bytes] = []
            _scan(dirs, *args, mine, found, set(), seenadd=seen.append)
            return mine.export(seen, found)

        from amalgam import worker

        packed = [out.absorb(found, untracked) for found in worker.fork_map(part, parts)[1:]]
        if not out.met_all(dmap):  # something was not met: _unseen needs every name
            for names in packed:
                out.seen.update(_unpack(names))
            out.seen_elsewhere = 0
    else:
        _scan(pending, *args, out, untracked, visited)
    return untracked


def _scan(pending: list[tuple[bytes, bytes]], m: Matcher, dmap: dict[bytes, tuple],
          ignore: Callable[[bytes], bool], want_untracked: bool, want_ignored: bool,
          out: _Collector, untracked: list[bytes], visited: set[bytes], share: int = 0,
          seenadd: Callable[[bytes], None] | None = None) -> None:
    """Scan the directories on *pending* (and theirs), until it holds *share* of them.

    The comparison of the common case (a clean tracked file) is written out
    here rather than calling :meth:`_Collector.classify`: this loop runs
    once per file of the working copy.
    """
    get = dmap.get
    scandir = os.scandir
    classify = out.classify
    if seenadd is None:
        seenadd = out.seen.add
    lookup = out.lookup
    copies = out.copies
    clean = out.result.clean if out.clean else None
    matchall = m.always()
    visitdir = None if matchall else m.visitdir
    while pending and not (share and len(pending) >= share):
        full, prefix = pending.pop()
        if prefix in visited:
            continue
        visited.add(prefix)
        try:
            entries = list(scandir(full))
        except OSError:
            continue  # vanished or unreadable: its tracked files show as deleted
        if prefix and any(e.name == b".hg" and e.is_dir(follow_symlinks=False)
                          for e in entries):
            continue  # a nested repository is not ours
        for e in entries:
            path = prefix + e.name
            value = get(path)
            if value is None:
                if e.is_dir(follow_symlinks=False):
                    if not prefix and path == b".hg":
                        continue
                    if visitdir is not None and not visitdir(path):
                        continue
                    if not want_ignored and ignore(path):
                        continue  # tracked files inside are stat'ed one by one later
                    pending.append((e.path, path + b"/"))
                elif want_untracked and (e.is_file(follow_symlinks=False) or e.is_symlink()):
                    untracked.append(path)
                continue
            if not matchall and not m(path):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue  # vanished: _unseen reports it
            state, mode, size, mtime = value
            # Clean: same size, same mtime (st[8] is the whole seconds), same
            # type and exec bit; an unknown size or mtime (-1, -2) never matches.
            if state == "n" and size == st.st_size and mtime == st[8] & _MASK \
                    and not (mode ^ st.st_mode) & 0o170100 and path not in copies:
                seenadd(path)
                if clean is not None:
                    clean.append(path)
                continue
            if statmod.S_ISDIR(st.st_mode):
                pending.append((e.path, path + b"/"))
                continue  # a tracked file became a directory: deleted, found later
            seenadd(path)
            if state != "n":
                classify(path, value, _filestat(st))
                continue
            stsize = st.st_size
            if (size >= 0 and ((size != stsize and size != stsize & _MASK)
                               or (mode ^ st.st_mode) & 0o100)) or size == -2 or path in copies:
                classify(path, value, _filestat(st))
            elif mtime == -1 or mtime != int(st.st_mtime) & _MASK:
                lookup.append((path, st))
            elif clean is not None:
                clean.append(path)


def _filestat(st: os.stat_result) -> os.stat_result | None:
    mode = st.st_mode
    return st if statmod.S_ISREG(mode) or statmod.S_ISLNK(mode) else None


def _lstat(root: bytes, path: bytes) -> os.stat_result | None:
    try:
        return _filestat(os.lstat(os.path.join(root, path)))
    except OSError:
        return None


def status(repo: Repository, ds: DirState, m: Matcher, ignored: bool = False,
           clean: bool = False, unknown: bool = True, *, fixup: bool = True) -> Status:
    """Compare the working copy under *m* with *ds*; see the module docstring."""
    hooks = getattr(repo.ui, "hooks", None)
    hinted: Iterable[bytes] | None = None
    if hooks is not None:
        hinted = hooks.wc_walk(repo=repo, match=m, unknown=unknown, ignored=ignored,
                               dirstate=ds)
    root = os.fsencode(repo.root)
    ignore = _nothing
    if (unknown or ignored) and hinted is None:
        from amalgam.wc.ignore import ignore_matcher

        ignore = ignore_matcher(repo)  # the walk prunes ignored directories
    result = Status()
    out = _Collector(result, ds.copies(), clean)
    untracked: list[bytes] = []
    if hinted is not None:
        from amalgam.wc.hinted import from_hint, trusted

        untracked, changed_dirs = from_hint(root, hinted, ds.rawget, m, out)
        if untracked and (unknown or ignored):
            from amalgam.wc.ignore import ignore_matcher

            ignore = ignore_matcher(repo)
        _unseen(root, trusted(root, ds, m, out, changed_dirs), m, out)
    else:
        workers = 1
        if len(ds) >= PARALLEL_MIN:
            from amalgam import worker

            workers = worker.count(repo.ui)
        if unknown or ignored:
            dmap = ds.raw()
            untracked = _walk(root, m, dmap, ignore, unknown or ignored, ignored, out, workers)
            if not out.met_all(dmap):
                _unseen_shared(root, ds, m, out, workers)
        else:  # only the tracked files: a cached dirstate need not be loaded whole
            _unseen_shared(root, ds, m, out, workers)
    matchall = m.always()
    if out.lookup:
        fixups = _check_lookups(repo, ds, out.lookup, result, clean)
        if fixup and fixups and _worth_writing(fixups, len(ds)):
            _write_fixups(repo, ds, fixups)
    for path in untracked:
        if not matchall and not m(path):
            continue
        if ignore(path):
            if ignored:
                result.ignored.append(path)
        elif unknown:
            result.unknown.append(path)
    result.sort()
    if hooks is not None:
        hooks.wc_status(repo=repo, match=m, status=result)
    return result


def _unseen_shared(root: bytes, ds: DirState, m: Matcher, out: _Collector,
                   workers: int) -> None:
    """:func:`_unseen` over the whole dirstate, a share of it in each of *workers*.

    Without a walk first (commit asks for no unknown files) this is one
    ``lstat`` per tracked file, which forked workers share as they share
    the walk; each worker reads only its share of a cached dirstate.
    """
    if workers < 2 or len(ds) - len(out.seen) < PARALLEL_MIN:
        _unseen(root, ds.shares(1)[0](), m, out)
        return
    from amalgam import worker

    here = os.getpid()
    shares = ds.shares(workers)

    def part(i: int) -> tuple | None:
        if os.getpid() == here:
            _unseen(root, shares[i](), m, out)
            return None
        mine = _Collector(Status(), out.copies, out.clean)
        mine.seen = out.seen
        _unseen(root, shares[i](), m, mine)
        return mine.export([], [])

    for found in worker.fork_map(part, range(workers))[1:]:
        out.absorb(found, [])


def _unseen(root: bytes, items: Iterable[tuple[bytes, tuple]], m: Matcher,
            out: _Collector) -> None:
    """Sort the tracked files the walk did not meet, one ``lstat`` each.

    Written out like the walk's inner loop: after a commit this runs for
    every file.
    """
    seen = out.seen
    matchall = m.always()
    lstat = os.lstat
    prefix = root + b"/"
    classify = out.classify
    lookup = out.lookup
    copies = out.copies
    clean = out.result.clean if out.clean else None
    realdir = _RealDirs(root)
    known = realdir.known
    for path, value in items:
        if path in seen or (not matchall and not m(path)):
            continue
        state, mode, size, mtime = value
        slash = path.rfind(b"/")
        if slash > 0 and state != "r":
            real = known.get(path[:slash])
            if real is None:
                real = realdir(path[:slash])
            if not real:
                classify(path, value, None)  # its directory is gone or is a symlink now
                continue
        if state != "n":
            classify(path, value, None if state == "r" else _lstat(root, path))
            continue
        try:
            st = lstat(prefix + path)
        except OSError:
            classify(path, value, None)
            continue
        stsize = st.st_size
        if not (st.st_mode & 0o170000) in (0o100000, 0o120000) \
                or (size >= 0 and ((size != stsize and size != stsize & _MASK)
                                   or (mode ^ st.st_mode) & 0o100)) \
                or size == -2 or path in copies:
            classify(path, value, _filestat(st))
        elif mtime == -1 or mtime != int(st.st_mtime) & _MASK:
            lookup.append((path, st))
        elif clean is not None:
            clean.append(path)


class DirMemo:
    """A per-directory property, computed once per directory (one system call each).

    A parent whose answer is ``decisive`` decides for everything under it;
    otherwise the directory is tested itself with ``test``.
    """

    decisive = False

    def __init__(self, root: bytes) -> None:
        self.root = root
        self.known: dict[bytes, bool] = {}

    def test(self, path: bytes) -> bool:
        raise NotImplementedError

    def __call__(self, path: bytes) -> bool:
        known = self.known.get(path)
        if known is not None:
            return known
        parent = path.rpartition(b"/")[0]
        result = self.decisive if parent and self(parent) == self.decisive \
            else self.test(path)
        self.known[path] = result
        return result


class _RealDirs(DirMemo):
    """``realdir(d)``: whether *d* and its parents are real directories, not symlinks.

    A tracked file is never read through a symlinked directory (that could
    leave the repository); each directory costs one ``lstat``.
    """

    decisive = False  # under a symlink or a missing directory, nothing is real

    def test(self, path: bytes) -> bool:
        try:
            return statmod.S_ISDIR(os.lstat(os.path.join(self.root, path)).st_mode)
        except OSError:
            return False


def _nothing(path: bytes) -> bool:
    return False


def _check_lookups(repo: Repository, ds: DirState, lookup: list[tuple[bytes, os.stat_result]],
                   result: Status, clean: bool) -> list[tuple[bytes, os.stat_result]]:
    """Decide the undecided files by content; returns the ones found clean."""
    from amalgam.wc.files import flags_of_mode

    manifest = repo.manifest_of(ds.p1(), keep=True)
    root = os.fsencode(repo.root)
    fixups: list[tuple[bytes, os.stat_result]] = []
    for path, st in lookup:
        entry = manifest.get(path)
        if entry is None:
            result.modified.append(path)
            continue
        full = os.path.join(root, path)
        try:
            if statmod.S_ISLNK(st.st_mode):
                data = os.readlink(full)
            else:
                with open(full, "rb") as fp:
                    data = fp.read()
        except OSError:
            # Gone or unreadable since the walk: hg reports such files as deleted.
            result.deleted.append(path)
            continue
        node, flags = entry
        if flags_of_mode(st.st_mode) != flags or repo.file(path).cmp(node, data):
            result.modified.append(path)
        else:
            if clean:
                result.clean.append(path)
            fixups.append((path, st))
    return fixups


def _worth_writing(fixups: list[tuple[bytes, os.stat_result]], entries: int) -> bool:
    """Whether recording *fixups* saves more than rewriting the dirstate costs.

    Unrecorded, they are read again by the next status; that is cheaper
    than packing and writing a dirstate of 100,000 entries when they are a
    few small files (an editor touched them).  Counted in bytes: about 60
    per dirstate entry against each file's size plus a block to open it.
    """
    reread = sum(st.st_size + 4096 for _, st in fixups)
    return reread * 4 >= entries * 60


def _write_fixups(repo: Repository, ds: DirState, fixups: list[tuple[bytes, os.stat_result]]
                  ) -> None:
    """Record files proven clean, if nobody holds the working-copy lock."""
    from amalgam.storage import lock as lockmod

    try:
        wlock = lockmod.lock(repo.vfs, "wlock", ui=repo.ui, timeout=0,
                             desc=f"working directory of {repo.root}")
    except error.LockError:
        return
    except OSError:
        return  # a read-only checkout: status still works
    try:
        if ds.changed_on_disk():
            return
        for path, st in fixups:
            if ds.get(path) is not None and ds.get(path).state == "n":
                ds.set_clean(path, st)
        ds.write()
    except OSError:
        return
    finally:
        wlock.release()
