"""amalgam.phases: reading roots, computing phases, moving them and writing hg's file."""
from __future__ import annotations

import pytest

from amalgam import phases
from amalgam.node import hex
from amalgam.repo import FileChange, Repository


@pytest.fixture
def repo(tmp_path):
    """0-1-2 and 1-3: four drafts with a single root."""
    repo = Repository.create(str(tmp_path / "r"))
    nodes = []
    for i, parent in enumerate([None, 0, 1, 1]):
        p1 = nodes[parent] if parent is not None else None
        nodes.append(repo.commit_files({b"f": FileChange(b"%d\n" % i)}, user="u",
                                       date=(i, 0), message=str(i),
                                       **({"p1": p1} if p1 else {})))
    return repo


def _roots(repo):
    return repo.svfs.tryread("phaseroots")


def _move(repo, table):
    with repo.lock(), repo.transaction("phase") as tr:
        phases.write_table(repo, tr, table)


def test_new_commits_are_draft(repo):
    assert phases.phases(repo) == [1, 1, 1, 1]
    assert phases.phase(repo, -1) == phases.PUBLIC


def test_advance_makes_ancestors_public_and_rewrites_minimal_roots(repo):
    cl = repo.changelog.revlog
    _move(repo, phases.advance(repo, phases.PUBLIC, [1]))
    assert phases.phases(repo) == [0, 0, 1, 1]
    assert _roots(repo) == b"1 %s\n1 %s\n" % (hex(cl.node(2)).encode(), hex(cl.node(3)).encode())


def test_retract_moves_descendants(repo):
    cl = repo.changelog.revlog
    table = phases.retract(repo, phases.SECRET, [1])
    assert table == [1, 2, 2, 2]
    _move(repo, table)
    # A secret root is not listed again as a draft root (hg writes the same).
    assert _roots(repo) == b"1 %s\n2 %s\n" % (hex(cl.node(0)).encode(), hex(cl.node(1)).encode())
    assert phases.changed([1, 1, 1, 1], table) == 3


def test_unparsable_lines_and_unknown_nodes_are_ignored(repo):
    repo.svfs.write("phaseroots", b"garbage\n1 zz\n2 " + b"ab" * 20 + b"\n")
    assert phases.phases(repo) == [0, 0, 0, 0]
    assert phases.read_roots(repo) == {2: [bytes.fromhex("ab" * 20)]}


def _commit(repo, i, p1=None):
    kwargs = {"p1": p1} if p1 is not None else {}
    return repo.commit_files({b"f": FileChange(b"%d\n" % i)}, user="u", date=(i, 0),
                             message=str(i), **kwargs)


def test_many_commits_in_one_transaction_share_one_root(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    with repo.transaction("bulk"):
        nodes = [_commit(repo, i) for i in range(50)]
        assert phases.phases(repo) == [phases.DRAFT] * 50
    assert _roots(repo) == b"1 %s\n" % hex(nodes[0]).encode()
    assert phases.phases(repo) == [phases.DRAFT] * 50


def test_commit_on_public_parent_is_a_new_root_and_on_secret_stays_secret(repo):
    cl = repo.changelog.revlog
    with repo.transaction("phase") as tr:
        assert phases.advance_boundary(repo, tr, phases.PUBLIC, [3]) == 3
    assert phases.phases(repo) == [0, 0, 1, 0]
    new = _commit(repo, 10, p1=cl.node(3))
    assert phases.phases(repo) == [0, 0, 1, 0, 1]
    assert _roots(repo) == b"1 %s\n1 %s\n" % (hex(cl.node(2)).encode(), hex(new).encode())
    with repo.transaction("phase") as tr:
        assert phases.retract_boundary(repo, tr, phases.SECRET, [4]) == 1
        assert phases.retract_boundary(repo, tr, phases.SECRET, [4]) == 0
    before = _roots(repo)
    _commit(repo, 11, p1=new)
    assert phases.phases(repo) == [0, 0, 1, 0, 2, 2]
    assert _roots(repo) == before  # implied by its secret parent: no new root


def test_rolled_back_commits_do_not_leave_stale_phases(repo):
    cl = repo.changelog.revlog
    with repo.transaction("phase") as tr:
        phases.advance_boundary(repo, tr, phases.PUBLIC, [3])
    with pytest.raises(RuntimeError):
        with repo.transaction("doomed") as tr:
            _commit(repo, 20, p1=cl.node(3))
            assert phases.phase(repo, 4) == phases.DRAFT
            raise RuntimeError("abort the transaction")
    assert phases.phases(repo) == [0, 0, 1, 0]
    # Same length again, same phaseroots as the cached table: still not reused.
    with repo.transaction("again"):
        _commit(repo, 21, p1=repo.changelog.revlog.node(0))
        _commit(repo, 22, p1=repo.changelog.revlog.node(4))
    assert phases.phases(repo) == [0, 0, 1, 0, 1, 1]


def test_register_new_with_public_target_changes_nothing(repo):
    with repo.transaction("phase") as tr:
        phases.advance_boundary(repo, tr, phases.PUBLIC, [3])
    new = _commit(repo, 30, p1=repo.changelog.revlog.node(3))
    before = _roots(repo)
    with repo.transaction("again") as tr:
        phases.register_new(repo, tr, phases.PUBLIC, [repo.changelog.revlog.rev(new)])
    assert phases.phase(repo, 4) == phases.DRAFT  # never lowered by registering
    assert _roots(repo) == before
