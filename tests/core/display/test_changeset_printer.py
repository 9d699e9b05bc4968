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
    ui = _ui(quiet=True)
    printer = changeset.Printer(ui, repo)
    printer.show(changectx(repo, 1), patch=lambda ctx: b"P%d\n" % ctx.rev)
    assert ui.fout.getvalue() == b"1:%s\nP1\n" % hex(repo.changelog.revlog.node(1))[:12].encode()
