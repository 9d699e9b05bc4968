"""amalgam.revspec against real hg: the same spec names the same revisions."""
from __future__ import annotations

import pytest

from amalgam import error, revspec
from amalgam.repo import Repository


@pytest.fixture
def no_engine():
    """Test our own resolver even when a revset engine was installed."""
    previous = revspec.set_engine(None)
    yield
    revspec.set_engine(previous)


ENV = {"HGPLAIN": "1", "HGRCPATH": "", "HGUSER": "test", "TZ": "UTC", "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, hg_exe):
    """20 commits, a named branch off rev 5, a bookmark, a tag and a local tag.

    Built once per module (hg is slow to start); tests that change it copy it.
    """
    import os
    import subprocess

    root = tmp_path_factory.mktemp("revspec") / "r"
    env = {**os.environ, **ENV}

    def run(*args):
        subprocess.run([hg_exe, *args], cwd=root if root.exists() else None, env=env,
                       check=True, capture_output=True)

    run("init", str(root))
    for i in range(20):
        (root / "f").write_text(f"{i}\n")
        run("commit", "-Aqm", f"c{i}", "-d", f"{i} 0")
    run("update", "-q", "5")
    run("branch", "-q", "stable")
    (root / "g").write_text("g\n")
    run("commit", "-Aqm", "on stable", "-d", "30 0")
    run("bookmark", "-r", "3", "mark-3")
    run("tag", "-r", "2", "-d", "31 0", "v2", "-f")
    run("tag", "-l", "-r", "4", "loc4")
    run("update", "-q", "10")
    return root


@pytest.fixture
def history(built, tmp_path):
    """A private copy of the built repository."""
    import shutil

    shutil.copytree(built, tmp_path / "r", symlinks=True)
    return tmp_path / "r"


@pytest.fixture
def shared(built):
    """The built repository itself, for tests that only read it."""
    return built


def _hg_revs(hg, root, spec):
    result = hg("log", "-r", spec, "-T", "{rev}\n", cwd=root, check=False)
    if result.rc:
        return result.stderr.strip()
    return [int(line) for line in result.stdout.split()]


SPECS = ["0", "5", "-1", "-2", "-22", "tip", ".", "null", "mark-3", "v2", "loc4", "stable",
         "default", "5:2", "17:", ":2", "::2", "18::", "5::2", "2::5", "3:3", "stable:",
         "mark-3::", "v2:mark-3", "::.", ".::", "00", "0000"]


@pytest.mark.parametrize("spec", SPECS)
def test_same_revisions_as_hg(shared, hg, no_engine, spec):
    repo = Repository.open(str(shared))
    assert revspec.revrange(repo, [spec]) == _hg_revs(hg, shared, spec)


def test_node_prefixes_match_hg(shared, hg, no_engine):
    repo = Repository.open(str(shared))
    nodes = hg("log", "-T", "{rev} {node}\n", cwd=shared).stdout.split("\n")
    for line in filter(None, nodes):
        rev, node = line.split()
        for size in (6, 12, 40):
            assert revspec.revrange(repo, [node[:size]]) == [int(rev)]
        assert revspec.revsingle(repo, node[:12].upper()) == int(rev)


def test_ambiguous_prefix_is_an_error(shared, hg, no_engine):
    repo = Repository.open(str(shared))
    nodes = [n for n in hg("log", "-T", "{node}\n", cwd=shared).stdout.split()]
    # Find a one-digit prefix shared by two changesets that is not also a revision number.
    first = {}
    for node in nodes:
        first.setdefault(node[0], []).append(node)
    digit = next(d for d, group in first.items() if len(group) > 1 and not d.isdigit())
    with pytest.raises(revspec.AmbiguousPrefix) as info:
        revspec.revrange(repo, [digit])
    assert info.value.message == f"ambiguous revision identifier: {digit}"
    assert f"abort: ambiguous revision identifier: {digit}" in _hg_revs(hg, shared, digit)


@pytest.mark.parametrize("spec", ["nope", "30", "-30", "foo:3", "3:foo", "3::foo", "01"])
def test_unknown_revision_message_matches_hg(shared, hg, no_engine, spec):
    repo = Repository.open(str(shared))
    with pytest.raises(error.InputError) as info:
        revspec.revrange(repo, [spec])
    assert info.value.format()[0] == _hg_revs(hg, shared, spec)


def test_empty_spec_is_a_parse_error(shared, no_engine):
    repo = Repository.open(str(shared))
    with pytest.raises(error.ParseError):
        revspec.revrange(repo, [""])


def test_revrange_keeps_order_and_drops_duplicates(shared, no_engine):
    repo = Repository.open(str(shared))
    assert revspec.revrange(repo, ["3", "1", "3", "0:2"]) == [3, 1, 0, 2]
    assert revspec.revrange(repo, [7]) == [7]


def test_revsingle_defaults_and_last_of_range(shared, no_engine):
    repo = Repository.open(str(shared))
    assert revspec.revsingle(repo, None) == 10
    assert revspec.revsingle(repo, "") == 10
    assert revspec.revsingle(repo, None, default="tip") == 21
    assert revspec.revsingle(repo, "2:5") == 5
    with pytest.raises(error.InputError, match="empty revision set"):
        revspec.revsingle(repo, "5::2")


def test_revpair(shared, no_engine):
    repo = Repository.open(str(shared))
    assert revspec.revpair(repo, []) == (10, None)
    assert revspec.revpair(repo, ["3"]) == (3, None)
    assert revspec.revpair(repo, ["3", "5"]) == (3, 5)
    assert revspec.revpair(repo, ["3:5"]) == (3, 5)


def test_names_in_hg_precedence(history, hg, no_engine):
    """A bookmark beats a tag of the same name, which beats a branch name."""
    hg("bookmark", "-f", "-r", "7", "stable", cwd=history)
    hg("tag", "-l", "-r", "8", "stable", cwd=history)
    repo = Repository.open(str(history))
    assert revspec.revsingle(repo, "stable") == 7 == _hg_revs(hg, history, "stable")[0]
    hg("bookmark", "-d", "stable", cwd=history)
    repo = Repository.open(str(history))
    assert revspec.revsingle(repo, "stable") == 8 == _hg_revs(hg, history, "stable")[0]


def test_empty_repository(tmp_path, hg, no_engine):
    hg("init", str(tmp_path / "e"))
    repo = Repository.open(str(tmp_path / "e"))
    assert revspec.revrange(repo, ["tip", ".", "null", "0"]) == [-1]
    with pytest.raises(error.InputError, match="unknown revision '-1'"):
        revspec.revsingle(repo, "-1")


def test_engine_seam_takes_over(shared):
    repo = Repository.open(str(shared))
    calls = []

    def engine(repo_, specs):
        calls.append(list(specs))
        return [1, 2]

    previous = revspec.set_engine(engine)
    try:
        assert revspec.revrange(repo, ["anything(at all)"]) == [1, 2]
        assert revspec.revsingle(repo, "x") == 2
    finally:
        revspec.set_engine(previous)
    assert calls == [["anything(at all)"], ["x"]]
