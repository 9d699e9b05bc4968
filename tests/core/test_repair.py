"""amalgam.repair.strip: backup first, truncate, re-apply later branches, fix metadata."""
from __future__ import annotations

import hashlib
import os

import pytest

from amalgam import bookmarks, phases, repair
from amalgam.node import hex, nullid, short
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


def _commit(repo, files, p1, message, when):
    changes = {name.encode(): (None if data is None else FileChange(data.encode()))
               for name, data in files.items()}
    return repo.commit_files(changes, user="u", date=(when, 0), message=message,
                             **({"p1": p1} if p1 is not None else {}))


@pytest.fixture
def repo(tmp_path):
    """0 -> 1 (adds only1) -> 2, and 0 -> 3 (a later branch, adds side) -> 4 (secret)."""
    ui = UI()
    ui.pushbuffer()
    repo = Repository.create(str(tmp_path / "r"), ui)
    n0 = _commit(repo, {"f": "0\n"}, None, "root", 0)
    n1 = _commit(repo, {"f": "1\n", "only1": "x\n"}, n0, "one", 1)
    _commit(repo, {"f": "2\n"}, n1, "two", 2)
    n3 = _commit(repo, {"side": "s\n", "f": "3\n"}, n0, "three", 3)
    _commit(repo, {"side": "t\n"}, n3, "four", 4)
    with repo.lock(), repo.transaction("phase") as tr:
        phases.retract_boundary(repo, tr, phases.SECRET, [4])
    return repo


def _nodes(repo):
    cl = repo.changelog.revlog
    return [cl.node(r) for r in range(len(cl))]


def _strip(repo, revs, **kw):
    with repo.wlock():
        return repair.strip(repo, repo.ui, revs, **kw)


def test_strip_head_writes_hg_named_backup(repo, amg):
    before = _nodes(repo)
    path = _strip(repo, [4])
    digest = hashlib.sha1(hex(before[4]).encode()).hexdigest()[:8]
    assert os.path.basename(path) == f"{short(before[4])}-{digest}-backup.hg"
    assert _nodes(repo) == before[:4]
    with open(path, "rb") as fp:
        assert fp.read(4) == b"HG20"
    assert amg("verify", "-q", cwd=repo.root).rc == 0
    # The backup restores exactly what was stripped.
    assert amg("unbundle", path, cwd=repo.root).rc == 0
    assert _nodes(Repository.open(repo.root)) == before


def test_unbundled_backup_restores_secret_phase(repo, amg):
    path = _strip(repo, [4])
    assert amg("unbundle", path, cwd=repo.root).rc == 0
    assert phases.phase(Repository.open(repo.root), 4) == phases.SECRET


def test_strip_middle_reapplies_later_branch(repo, amg):
    before = _nodes(repo)
    with repo.wlock():
        bookmarks.write(repo, {"onone": before[1], "ontwo": before[2], "side": before[4]})
    path = _strip(repo, [1])
    digest = hashlib.sha1("".join(sorted(hex(n) for n in before[1:3])).encode())
    assert os.path.basename(path) == f"{short(before[1])}-{digest.hexdigest()[:8]}-backup.hg"
    assert _nodes(repo) == [before[0], before[3], before[4]]
    # Phases of the re-applied changesets survive; their linkrevs are renumbered.
    assert phases.phases(repo) == [phases.DRAFT, phases.DRAFT, phases.SECRET]
    side = repo.file(b"side").revlog
    assert [side.linkrev(r) for r in range(len(side))] == [1, 2]
    # Bookmarks on stripped changesets move to the highest kept parent.
    assert bookmarks.read(repo) == {"onone": before[0], "ontwo": before[0],
                                    "side": before[4]}
    # A file that only stripped changesets had leaves the store and the fncache.
    assert b"data/only1.i" not in repo.store.fncache_entries()
    assert not os.path.exists(os.path.join(repo.root, ".hg/store/data/only1.i"))
    assert b"data/side.i" in repo.store.fncache_entries()
    assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith("-temp.hg")]
    assert amg("verify", "-q", cwd=repo.root).rc == 0


def test_strip_root_empties_repository(repo, amg):
    with repo.wlock():
        bookmarks.write(repo, {"b": _nodes(repo)[2]})
    _strip(repo, [0], backup=False)
    assert len(repo.changelog.revlog) == 0
    # As hg: the bookmark stays, on the null revision.
    assert repo.vfs.read("bookmarks") == b"0" * 40 + b" b\n"
    assert not os.path.exists(os.path.join(repo.path, "strip-backup"))
    assert amg("verify", "-q", cwd=repo.root).rc == 0


def test_strip_nothing_is_a_no_op(repo):
    before = _nodes(repo)
    assert _strip(repo, []) is None
    assert _nodes(repo) == before


def test_strip_drops_history_caches(repo):
    cache = os.path.join(repo.path, "cache")
    os.makedirs(cache)
    for name in ("branch2-served", "rbc-revs-v2", "tags2-visible", "keepme"):
        with open(os.path.join(cache, name), "w") as fp:
            fp.write("stale\n")
    _strip(repo, [4])
    assert os.listdir(cache) == ["keepme"]


def test_killed_while_reapplying_leaves_bundles_and_recovers(repo, amg):
    """A kill between truncating and re-adding: recover, then unbundle the temp bundle."""
    before = _nodes(repo)
    pid = os.fork()
    if pid == 0:  # the child dies in the middle of the strip transaction
        try:
            from amalgam.exchange import cgapply

            def die(*args, **kwargs):
                os._exit(9)

            cgapply.apply = die
            _strip(repo, [1])
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9
    backups = sorted(os.listdir(os.path.join(repo.path, "strip-backup")),
                     key=lambda name: name.endswith("-temp.hg"))
    assert len(backups) == 2 and backups[0].endswith("-backup.hg"), backups
    assert backups[1].endswith("-temp.hg"), backups
    assert b"abandoned transaction found - run 'amg recover'" in amg("verify", cwd=repo.root).err
    assert amg("recover", cwd=repo.root).rc == 0
    assert amg("verify", "-q", cwd=repo.root).rc == 0
    assert _nodes(Repository.open(repo.root)) == [before[0]]
    temp = os.path.join(repo.path, "strip-backup", backups[1])
    assert amg("unbundle", temp, cwd=repo.root).rc == 0
    assert _nodes(Repository.open(repo.root)) == [before[0], before[3], before[4]]
    full = os.path.join(repo.path, "strip-backup", backups[0])
    assert amg("unbundle", full, cwd=repo.root).rc == 0
    assert sorted(_nodes(Repository.open(repo.root))) == sorted(before)


def test_null_bookmark_target_when_root_stripped(repo):
    assert repair._bookmark_target(repo, {0, 1, 2, 3, 4}) == nullid


def test_killed_while_cutting_recover_finishes_the_cut(repo, amg, hg):
    """A kill after the first file was cut: recover cuts the rest, hg verify is clean.

    The fncache may still list the filelogs the cut emptied (it is written
    when the transaction closes); hg's verify accepts that, as hg's own
    strip has the same window.
    """
    before = _nodes(repo)
    pid = os.fork()
    if pid == 0:
        try:
            from amalgam.vfs import VFS

            real = VFS.truncate

            def truncate_then_die(self, path, size):
                real(self, path, size)
                os._exit(9)

            VFS.truncate = truncate_then_die
            _strip(repo, [1])
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9
    assert b"rolling back interrupted transaction" in amg("recover", cwd=repo.root).out
    assert _nodes(Repository.open(repo.root)) == [before[0]]
    hg("verify", "-q", cwd=repo.root)
    backups = os.listdir(os.path.join(repo.path, "strip-backup"))
    assert sorted(name.rsplit("-", 1)[1] for name in backups) == ["backup.hg", "temp.hg"]


def test_verify_accepts_stale_fncache_entry(repo, amg):
    # A strip can leave the fncache naming a revlog it removed: hg warns.
    with open(os.path.join(repo.path, "store", "fncache"), "ab") as fp:
        fp.write(b"data/ghost.i\n")
    result = amg("verify", "-q", cwd=repo.root)
    assert result.rc == 0
    assert "warning: orphan data file 'data/ghost.i'" in result.stderr
