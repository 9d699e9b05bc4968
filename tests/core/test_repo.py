"""Repository: create/open/find, requirements, lookup, transactions, commit API."""
from __future__ import annotations

import os

import pytest

from amalgam import error
from amalgam.node import nullid
from amalgam.repo import DECOY_CHANGELOG, FileChange, Repository

USER = "Test <t@example.com>"
WHEN = (1_700_000_000, 0)


@pytest.fixture
def repo(tmp_path):
    return Repository.create(str(tmp_path / "r"))


def _commit(repo, files, **kw):
    kw.setdefault("user", USER)
    kw.setdefault("date", WHEN)
    kw.setdefault("message", "m")
    return repo.commit_files(files, **kw)


def test_create_writes_hg_defaults_byte_for_byte(hg, tmp_path):
    Repository.create(str(tmp_path / "ours"))
    hg("init", str(tmp_path / "theirs"))
    for name in ("requires", "store/requires", "00changelog.i"):
        assert (tmp_path / "ours/.hg" / name).read_bytes() == \
            (tmp_path / "theirs/.hg" / name).read_bytes(), name
    assert (tmp_path / "ours/.hg/00changelog.i").read_bytes() == DECOY_CHANGELOG
    assert sorted(os.listdir(tmp_path / "ours/.hg/store")) == ["requires"]


def test_create_refuses_existing(repo):
    with pytest.raises(error.RepoError, match="already exists"):
        Repository.create(repo.root)


def test_open_and_find(repo, tmp_path):
    sub = tmp_path / "r" / "a" / "b"
    sub.mkdir(parents=True)
    assert Repository.find(repo.ui, None, str(sub)).root == repo.root
    assert Repository.find(repo.ui, "r", str(tmp_path)).root == repo.root
    with pytest.raises(error.RepoError, match=r"no repository found in '.*' \(.hg not found\)"):
        Repository.find(repo.ui, None, str(tmp_path))
    with pytest.raises(error.RepoError, match="repository r/a not found"):
        Repository.find(repo.ui, "r/a", str(tmp_path))


def test_unknown_requirement_is_refused_with_plugin_hint(repo):
    with open(os.path.join(repo.path, "store", "requires"), "a") as fp:
        fp.write("largefiles\n")
    with pytest.raises(error.RequirementError, match="largefiles"):
        Repository.open(repo.root)

    class Registry:
        def requirement_claims(self):
            return {"largefiles": ("largefiles", False)}

    ui = repo.ui
    ui.registry = Registry()
    with pytest.raises(error.RequirementError) as info:
        Repository.open(repo.root, ui)
    assert any("largefiles" in hint for hint in info.value.hints)
    ui.registry.requirement_claims = lambda: {"largefiles": ("largefiles", True)}
    assert Repository.open(repo.root, ui).requirements >= {"largefiles"}


def test_commit_and_read_back(repo):
    n1 = _commit(repo, {b"a": FileChange(b"one\n"), b"x": FileChange(b"#!", "x")})
    n2 = _commit(repo, {b"a": FileChange(b"two\n"), b"b": FileChange(b"two\n", copy_source=b"a"),
                        b"x": None}, message="second", branch="dev", extra={"k": "v"})
    assert len(repo) == 2
    entry = repo.read_changeset(n2)
    assert entry.files == (b"a", b"b", b"x") and entry.branch == "dev"
    assert entry.extra == {"branch": "dev", "k": "v"}
    assert repo.read_file(n2, b"b") == b"two\n"
    assert repo.file(b"b").renamed(repo.manifest_of(n2)[b"b"]) == (b"a", repo.manifest_of(n1)[b"a"])
    assert repo.manifest_of(n1).flags(b"x") == "x" and b"x" not in repo.manifest_of(n2)
    with pytest.raises(error.InputError):
        repo.read_file(n2, b"x")
    # A reopened repository sees the same history.
    again = Repository.open(repo.root)
    assert again.lookup("tip") == n2 and again.read_file(n1, b"a") == b"one\n"


def test_unchanged_commit_reuses_manifest_and_file_nodes(repo):
    n1 = _commit(repo, {b"a": FileChange(b"same\n")})
    n2 = _commit(repo, {b"a": FileChange(b"same\n")})
    assert repo.read_changeset(n2).manifest == repo.read_changeset(n1).manifest
    assert repo.read_changeset(n2).files == ()
    assert len(repo.file(b"a")) == 1


def test_commit_rejects_bad_input(repo):
    with pytest.raises(error.InputError):
        _commit(repo, {b"a": FileChange(b"x")}, p1=b"\1" * 20)
    with pytest.raises(error.InputError):
        _commit(repo, {b"a": FileChange(b"x", "q")})
    with pytest.raises(error.InputError):
        _commit(repo, {b"a": FileChange(b"x")}, user=" ")
    assert len(repo) == 0
    assert not os.path.exists(os.path.join(repo.path, "store", "journal"))


@pytest.mark.parametrize("path", [b"", b"/abs", b"a/../b", b"../up", b".hg/x", b".HG/x",
                                  b"a//b", b"./a", b"nul\0byte", b"new\nline", b"dir/"])
def test_bad_file_names_write_nothing(repo, path):
    with pytest.raises(error.InputError, match="invalid file name"):
        _commit(repo, {path: FileChange(b"x")})
    assert sorted(os.listdir(os.path.join(repo.path, "store"))) == ["requires"]


def test_failed_commit_rolls_back(repo):
    n1 = _commit(repo, {b"a": FileChange(b"1")})
    before = {p: open(os.path.join(repo.path, "store", p), "rb").read()
              for p in ("00changelog.i", "00manifest.i")}
    # The user is checked when the changelog entry is built: after the
    # filelogs and the manifest were appended, which must be undone.
    with pytest.raises(error.InputError):
        _commit(repo, {b"a": FileChange(b"2"), b"b": FileChange(b"new")}, user="a\nb")
    for path, data in before.items():
        assert open(os.path.join(repo.path, "store", path), "rb").read() == data
    repo.invalidate()
    assert len(repo) == 1 and repo.lookup("tip") == n1 and len(repo.file(b"a")) == 1
    assert not os.path.exists(os.path.join(repo.path, "store", "data", "b.i"))
    assert b"data/b.i" not in open(os.path.join(repo.path, "store", "fncache"), "rb").read()


def test_bulk_transaction_is_shared(repo):
    with repo.transaction("bulk") as tr:
        nodes = [_commit(repo, {b"f": FileChange(b"%d\n" % i)}) for i in range(50)]
        assert repo.current_transaction() is tr
    assert repo.current_transaction() is None
    assert [repo.lookup(str(i)) for i in range(50)] == nodes
    assert not os.path.exists(os.path.join(repo.path, "store", "journal"))


def test_lookup(repo):
    assert repo.lookup("null") == nullid and repo.lookup("tip") == nullid
    nodes = [_commit(repo, {b"f": FileChange(b"%d" % i)}) for i in range(20)]
    assert repo.lookup("0") == nodes[0] and repo.lookup("-1") == nodes[-1]
    assert repo.lookup(nodes[3].hex()) == nodes[3]
    assert repo.lookup(nodes[3].hex()[:12]) == nodes[3]
    assert repo.lookup(".") == nullid
    for bad in ("20", "zz", "x" * 40, "-30"):
        with pytest.raises(error.InputError, match="unknown revision"):
            repo.lookup(bad)
    prefixes: dict[str, int] = {}
    for node in nodes:
        prefixes[node.hex()[0]] = prefixes.get(node.hex()[0], 0) + 1
    shared = next((k for k, n in prefixes.items() if n > 1 and k in "abcdef"), None)
    assert shared is not None  # the history is fixed, so this holds
    with pytest.raises(error.InputError, match="ambiguous identifier"):
        repo.lookup(shared)
    # A number beyond the changelog is tried as a node prefix.
    digits = next(n.hex()[:4] for n in nodes if n.hex()[:4].isdigit()
                  and sum(m.hex().startswith(n.hex()[:4]) for m in nodes) == 1)
    assert int(digits) >= len(nodes)
    assert repo.lookup(digits).hex().startswith(digits)
    with open(os.path.join(repo.path, "dirstate"), "wb") as fp:
        fp.write(nodes[5] + nullid)
    assert repo.lookup(".") == nodes[5]


def test_new_commits_are_draft(repo, hg):
    n1 = _commit(repo, {b"a": FileChange(b"1")})
    _commit(repo, {b"a": FileChange(b"2")})
    assert (open(os.path.join(repo.path, "store", "phaseroots"), "rb").read()
            == b"1 " + n1.hex().encode() + b"\n")
    assert hg("log", "-T", "{phase} ", cwd=repo.root).out == b"draft draft "


def test_lock_is_reentrant_and_released(repo):
    with repo.lock():
        with repo.lock():
            assert os.path.lexists(os.path.join(repo.path, "store", "lock"))
    assert not os.path.lexists(os.path.join(repo.path, "store", "lock"))


def test_commit_sees_another_writer(repo, hg):
    n1 = _commit(repo, {b"a": FileChange(b"1\n")})
    assert len(repo) == 1  # changelog loaded and cached
    hg("update", "-q", "-r", "0", cwd=repo.root)
    with open(os.path.join(repo.root, "b"), "w") as fp:
        fp.write("from hg\n")
    hg("commit", "-qA", "-m", "hg", "-u", "u", "-d", "0 0", cwd=repo.root)
    n3 = _commit(repo, {b"c": FileChange(b"mine\n")})
    assert len(repo) == 3 and repo.read_changeset(n3).files == (b"c",)
    assert set(repo.manifest_of(n3)) == {b"a", b"b", b"c"}
    assert repo.changelog.revlog.parents(n3)[0] != n1
    hg("verify", cwd=repo.root)


def test_lazy_file_mapping_is_read_once_per_file(repo):
    from collections.abc import Mapping

    class Lazy(Mapping):
        def __init__(self):
            self.reads: list[bytes] = []

        def __iter__(self):
            return iter([b"a", b"b"])

        def __len__(self):
            return 2

        def __getitem__(self, path):
            self.reads.append(path)
            return FileChange(path * 3)

    files = Lazy()
    node = _commit(repo, files)
    assert sorted(files.reads) == [b"a", b"b"]
    assert repo.read_file(node, b"b") == b"bbb"


def test_open_filelogs_are_bounded_and_reopened_transparently(repo, hg, monkeypatch):
    """A commit of many new files keeps only a few filelogs open; a dropped
    one is reopened from disk, even inside the same transaction."""
    import amalgam.repo as repomod

    monkeypatch.setattr(repomod, "FILELOG_CACHE", 4)
    names = [b"f%02d" % i for i in range(20)]
    with repo.transaction("bulk"):
        first = repo.commit_files({n: FileChange(b"one %s\n" % n) for n in names},
                                  user="u", message="one", date=(0, 0))
        assert len(repo._filelogs) <= 4
        second = repo.commit_files({n: FileChange(b"two %s\n" % n) for n in names},
                                   user="u", message="two", date=(1, 0))
    assert len(repo._filelogs) <= 4
    for name in names:
        assert repo.read_file(first, name) == b"one %s\n" % name
        assert repo.read_file(second, name) == b"two %s\n" % name
        assert len(repo.file(name)) == 2
    hg("verify", cwd=repo.root)


def test_known_requirements_do_not_read_plugin_claims(repo):
    # Claims come from the plugin index: not worth reading when the kernel
    # knows every requirement (the usual repository).
    class Registry:
        def requirement_claims(self):
            raise AssertionError("plugin claims read for known requirements")

    ui = repo.ui
    ui.registry = Registry()
    assert Repository.open(repo.root, ui).requirements == repo.requirements


def test_filelog_cache_drops_the_least_recently_used(repo, monkeypatch):
    import amalgam.repo as repomod

    monkeypatch.setattr(repomod, "FILELOG_CACHE", 2)
    a = repo.file(b"a")
    repo.file(b"b")
    assert repo.file(b"a") is a  # a use makes it the most recent
    repo.file(b"c")
    assert list(repo._filelogs) == [b"a", b"c"]
    assert repo.file(b"b") is not None and list(repo._filelogs) == [b"c", b"b"]


def test_an_error_in_a_transaction_block_aborts_it_and_releases_the_lock(repo):
    with pytest.raises(KeyError):
        with repo.transaction("t") as tr:
            _commit(repo, {b"a": FileChange(b"1")})
            assert repo.current_transaction() is tr
            raise KeyError("stop")
    assert repo.current_transaction() is None
    assert len(repo) == 0
    assert not os.path.exists(os.path.join(repo.path, "store", "journal"))
    assert not os.path.lexists(os.path.join(repo.path, "store", "lock"))
    # Usable again: the next transaction takes the lock and commits.
    node = _commit(repo, {b"a": FileChange(b"2")})
    assert repo.lookup("tip") == node


def test_a_joined_transaction_is_closed_by_its_owner_only(repo):
    with repo.transaction("outer") as outer:
        with repo.transaction("inner") as inner:
            assert inner is outer
        assert repo.current_transaction() is outer
        _commit(repo, {b"a": FileChange(b"1")})
    assert repo.current_transaction() is None and len(repo) == 1
