"""amalgam.display.changeset: the Printer reads names once and prints hg's parent lines."""
from __future__ import annotations

import io

import pytest

from amalgam import bookmarks, tags
from amalgam.context import changectx
from amalgam.display import changeset
from amalgam.node import hex
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


def _ui(**flags: bool) -> UI:
    ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
    for name, value in flags.items():
        setattr(ui, name, value)
    return ui


@pytest.fixture
def repo(tmp_path):
    """0 - 1 - 2 and 0 - 3 (a second head), then 4 merging 2 and 3."""
    repo = Repository.create(str(tmp_path / "r"), _ui())
    n0 = repo.commit_files({b"f": FileChange(b"0\n")}, user="u", date=(0, 0), message="zero")
    n1 = repo.commit_files({b"f": FileChange(b"1\n")}, user="u", date=(1, 0), message="one",
                           p1=n0)
    n2 = repo.commit_files({b"f": FileChange(b"2\n")}, user="u", date=(2, 0), message="two",
                           p1=n1)
    n3 = repo.commit_files({b"g": FileChange(b"3\n")}, user="u", date=(3, 0), message="three",
                           p1=n0)
    repo.commit_files({b"f": FileChange(b"2\n"), b"g": FileChange(b"3\n")}, user="u",
                      date=(4, 0), message="merge", p1=n2, p2=n3)
    return repo


def _lines(text: str, field: str) -> list[str]:
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.startswith(field + ":")]


def test_names_are_read_once_for_many_changesets(repo, monkeypatch):
    cl = repo.changelog.revlog
    bookmarks.write(repo, {"b2": cl.node(2), "a2": cl.node(2), "m": cl.node(3)})
    reads = []
    real_bookmarks, real_tags = bookmarks.read, tags.bynode
    monkeypatch.setattr(bookmarks, "read", lambda r: reads.append("b") or real_bookmarks(r))
    monkeypatch.setattr(tags, "bynode", lambda r: reads.append("t") or real_tags(r))
    printer = changeset.Printer(_ui(), repo)
    texts = {rev: printer.text(changectx(repo, rev)) for rev in range(len(cl) - 1, -1, -1)}
    assert reads == ["b", "t"]
    assert _lines(texts[2], "bookmark") == ["a2", "b2"]
    assert _lines(texts[3], "bookmark") == ["m"]
    assert _lines(texts[4], "tag") == ["tip"]
    assert _lines(texts[0], "bookmark") == [] and _lines(texts[0], "tag") == []


def test_one_shot_functions_read_names_once_per_command(repo):
    # A damaged bookmarks file warns once for a command showing several
    # changesets; the next command (a new UI) reads the file again.
    repo.vfs.write("bookmarks", b"nonsense\n")
    ui = _ui()
    for rev in (2, 1):
        changeset.show(ui, changectx(repo, rev))
    assert repo.ui.ferr.getvalue().count(b"malformed line") == 1
    bookmarks.write(repo, {"late": repo.changelog.revlog.node(1)})
    assert _lines(changeset.changeset_text(_ui(), changectx(repo, 1)), "bookmark") == ["late"]


def test_parent_lines_follow_hg(repo):
    cl = repo.changelog.revlog
    printer = changeset.Printer(_ui(), repo)

    def parents(rev: int) -> list[str]:
        return _lines(printer.text(changectx(repo, rev)), "parent")

    def ident(rev: int) -> str:
        return f"{rev}:{hex(cl.node(rev))[:12]}"

    assert parents(0) == []             # p1 is null = rev - 1
    assert parents(2) == []             # linear: p1 is rev - 1
    assert parents(3) == [ident(0)]     # p1 is not the previous revision
    assert parents(4) == [ident(2), ident(3)]  # a merge shows both
    assert [c.rev for c in changeset.meaningful_parents(changectx(repo, 3), False)] == [0]
    debug = changeset.Printer(_ui(debugflag=True, verbose=True), repo)
    assert _lines(debug.text(changectx(repo, 2)), "parent") == [
        f"1:{hex(cl.node(1))}", "-1:" + "0" * 40]


def test_show_writes_one_block_per_changeset_with_its_patch(repo):
    # As hg: the patch follows the block's blank line and ends with one more;
    # quiet output (the bare "rev:node" line) has no patch at all.
    ident = b"1:%s\n" % hex(repo.changelog.revlog.node(1))[:12].encode()
    ui = _ui(quiet=True)
    changeset.Printer(ui, repo).show(changectx(repo, 1), patch=lambda ctx: b"P%d\n" % ctx.rev)
    assert ui.fout.getvalue() == ident
    ui = _ui()
    changeset.Printer(ui, repo).show(changectx(repo, 1), patch=lambda ctx: b"P%d\n" % ctx.rev)
    assert ui.fout.getvalue().startswith(b"changeset:   " + ident)
    assert ui.fout.getvalue().endswith(b"summary:     one\n\nP1\n\n")


def test_copies_line_only_when_asked_and_verbose(tmp_path):
    repo = Repository.create(str(tmp_path / "c"), _ui())
    n0 = repo.commit_files({b"a": FileChange(b"a\n"), b"b": FileChange(b"b\n")}, user="u",
                           date=(0, 0), message="zero")
    repo.commit_files({b"c": FileChange(b"a\n", copy_source=b"a"), b"d": FileChange(b"b\n")},
                      user="u", date=(1, 0), message="copy", p1=n0)
    ctx = changectx(repo, 1)
    assert _lines(changeset.Printer(_ui(verbose=True), repo, copies=True).text(ctx),
                  "copies") == ["c (a)"]
    assert _lines(changeset.Printer(_ui(verbose=True), repo).text(ctx), "copies") == []
    assert _lines(changeset.Printer(_ui(), repo, copies=True).text(ctx), "copies") == []
    assert _lines(changeset.Printer(_ui(verbose=True), repo, copies=True).text(
        changectx(repo, 0)), "copies") == []


def test_json_with_adds_fields_in_key_order():
    entry = ' {\n  "a": 1,\n  "desc": "x,",\n  "node": "n"\n }'
    assert changeset.json_with(entry, {"diff": '"d"', "diffstat": "[]", "z": "2"}) == (
        ' {\n  "a": 1,\n  "desc": "x,",\n  "diff": "d",\n  "diffstat": [],\n'
        '  "node": "n",\n  "z": 2\n }')
    assert changeset.json_with(entry, {}) == entry


def test_patches_joins_stat_and_diff_with_a_blank_line(repo):
    from amalgam.display.diff import FileDiff

    def render(ctx):
        fd = FileDiff(b"f")
        fd.header, fd.body, fd.added, fd.removed = [b"H\n"], [b"+x\n"], 1, 0
        return [fd]

    ctx = changectx(repo, 1)
    both = changeset.Patches(render, diff=True, stat=True)
    assert both.text(ctx) == (b" f |  1 +\n 1 files changed, 1 insertions(+), 0 deletions(-)\n"
                              b"\nH\n+x\n")
    assert changeset.Patches(render, diff=True, stat=False).text(ctx) == b"H\n+x\n"
    assert both.fields(ctx) == {
        "diff": '"H\\n+x\\n"',
        "diffstat": '[{"additions": 1, "binary": false, "name": "f", "removals": 0}]'}
