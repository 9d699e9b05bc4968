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
