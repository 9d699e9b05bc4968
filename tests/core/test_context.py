"""amalgam.context on a repository built in-process (no hg needed)."""
from __future__ import annotations

import os

import pytest

from amalgam import error
from amalgam.context import changectx, workingctx
from amalgam.node import nullid
from amalgam.repo import FileChange, Repository


def _commit(repo, files, message, when, **kw):
    return repo.commit_files(files, user="u", date=(when, 0), message=message, **kw)


@pytest.fixture
def repo(tmp_path):
    repo = Repository.create(str(tmp_path / "r"))
    n0 = _commit(repo, {b"a": FileChange(b"one\n")}, "first", 0)
    n1 = _commit(repo, {b"b": FileChange(b"#!x\n", "x"),
                        b"c": FileChange(b"one\n", copy_source=b"a")}, "second\nbody", 1, p1=n0)
    _commit(repo, {b"a": FileChange(b"two\n")}, "on br", 2, p1=n0, branch="br",
            extra={"close": "1"})
    repo.vfs.write("dirstate", n1 + nullid)
    return repo


def test_changeset_fields(repo):
    ctx = changectx(repo, 1)
    assert (ctx.rev, ctx.user(), ctx.date(), ctx.description()) == (1, "u", (1.0, 0),
                                                                     "second\nbody")
    assert ctx.files() == [b"b", b"c"]
    assert ctx.branch() == "default" and not ctx.closesbranch()
    assert ctx.hex().startswith(ctx.short()) and len(ctx.short()) == 12
    assert [p.rev for p in ctx.parents()] == [0] and ctx.p2().rev == -1
    assert sorted(ctx) == [b"a", b"b", b"c"] and b"b" in ctx and b"zz" not in ctx
    assert list(ctx.walk(lambda p: p != b"a")) == [b"b", b"c"]
    assert ctx.phasestr() == "draft"
    assert changectx(repo, ctx.node) == ctx and changectx(repo, "1") == ctx


def test_branch_and_close(repo):
    ctx = changectx(repo, 2)
    assert ctx.branch() == "br" and ctx.closesbranch()
    assert ctx.extra() == {"branch": "br", "close": "1"}
    assert ctx.tags() == ["tip"]
    assert [c.rev for c in changectx(repo, 0).children()] == [1, 2]


def test_null_revision(repo):
    null = changectx(repo, -1)
    assert not null and null.node == nullid and null.files() == []
    assert null.branch() == "default" and len(null.manifest()) == 0
    assert changectx(repo, nullid) == null


def test_unknown_revisions_are_input_errors(repo):
    with pytest.raises(error.InputError):
        changectx(repo, 7)
    with pytest.raises(error.InputError):
        changectx(repo, b"\1" * 20)
    with pytest.raises(error.InputError, match="no such file"):
        changectx(repo, 0).filectx(b"b")


def test_file_context(repo):
    ctx = changectx(repo, 1)
    fb = ctx.filectx(b"b")
    assert fb.data() == b"#!x\n" and fb.flags() == "x" and fb.size() == 4
    fc = ctx.filectx(b"c")
    assert fc.renamed() is not None and fc.renamed()[0] == b"a"
    assert [(p.path, p.data()) for p in fc.parents()] == [(b"a", b"one\n")]
    assert fc.linkrev() == 1 and fc.introrev() == 1 and fc.changectx() == ctx
    fa2 = changectx(repo, 2).filectx(b"a")
    assert [p.data() for p in fa2.parents()] == [b"one\n"]


def test_introrev_follows_the_changeset_it_was_reached_from(tmp_path):
    """The same file node committed on two branches: introrev picks our ancestor."""
    repo = Repository.create(str(tmp_path / "r"))
    n0 = _commit(repo, {b"a": FileChange(b"base\n")}, "0", 0)
    _commit(repo, {b"a": FileChange(b"same\n")}, "1", 1, p1=n0)
    n2 = _commit(repo, {b"x": FileChange(b"x\n")}, "2", 2, p1=n0)
    n3 = _commit(repo, {b"a": FileChange(b"same\n")}, "3", 3, p1=n2)
    fctx = changectx(repo, n3).filectx(b"a")
    assert fctx.linkrev() == 1
    assert fctx.introrev() == 3


def test_working_context(repo):
    wctx = workingctx(repo)
    root = repo.root
    with open(os.path.join(root, "a"), "wb") as fh:
        fh.write(b"disk\n")
    os.symlink("a", os.path.join(root, "link"))
    assert wctx.p1().rev == 1 and wctx.p2().rev == -1 and len(wctx.parents()) == 1
    assert wctx.branch() == "default"
    repo.vfs.write("branch", b"next\n")
    assert wctx.branch() == "next"
    assert wctx.data(b"a") == b"disk\n" and wctx.flags(b"a") == ""
    assert wctx.data(b"link") == b"a" and wctx.flags(b"link") == "l"
    assert wctx.flags(b"missing") == ""


def test_is_ancestor_follows_parent_links_only():
    from amalgam.context import _is_ancestor

    class Index:
        #  0 - 1 - 2 - 4      (4 merges 2 and 3)
        #   \- 3 ---/   5 (root)
        parents = {0: (-1, -1), 1: (0, -1), 2: (1, -1), 3: (0, -1), 4: (2, 3), 5: (-1, -1)}

        def parentrevs(self, rev):
            return self.parents[rev]

    cl = Index()
    assert _is_ancestor(cl, 3, 4) and _is_ancestor(cl, 0, 4) and _is_ancestor(cl, 4, 4)
    assert not _is_ancestor(cl, 3, 2) and not _is_ancestor(cl, 1, 3)
    assert not _is_ancestor(cl, 5, 4) and not _is_ancestor(cl, 4, 2) and not _is_ancestor(cl, -1, 4)
