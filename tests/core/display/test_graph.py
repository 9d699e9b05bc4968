"""The ASCII graph renderer on small DAGs, pinned to hg's pictures."""
from __future__ import annotations

from amalgam.display.graph import Grapher


def draw(entries: list[tuple[int, list[int]]]) -> str:
    """The picture for one-line entries; like hg -q it ends with an empty line."""
    grapher = Grapher()
    out: list[str] = []
    for rev, parents in entries:
        out.extend(grapher.entry(rev, "o", parents, [str(rev)]))
    return "\n".join(out) + "\n"


def test_linear_history() -> None:
    assert draw([(2, [1]), (1, [0]), (0, [])]) == "o  2\n|\no  1\n|\no  0\n\n"


def test_two_heads_joining() -> None:
    # hg log -G -q on: 0 <- 1 <- 2, 0 <- 3
    assert draw([(3, [0]), (2, [1]), (1, [0]), (0, [])]) == (
        "o  3\n|\n| o  2\n| |\n| o  1\n|/\no  0\n\n")


def test_merge_fans_out_and_joins() -> None:
    # 0 <- 1 <- 3(merge of 1 and 2), 0 <- 2
    assert draw([(3, [1, 2]), (2, [0]), (1, [0]), (0, [])]) == (
        "o    3\n|\\\n| o  2\n| |\no |  1\n|/\no  0\n\n")


def test_show_log_marks_the_working_copy_parent(tmp_path, amg) -> None:
    import io

    from amalgam.display.graph import show_log
    from amalgam.repo import Repository
    from amalgam.ui import UI

    root = tmp_path / "r"
    assert amg("init", str(root)).rc == 0
    (root / "f").write_bytes(b"0\n")
    assert amg("commit", "-A", "-m", "zero", "-u", "u", "-d", "0 0", cwd=root).rc == 0
    (root / "f").write_bytes(b"1\n")
    assert amg("commit", "-m", "one", "-u", "u", "-d", "1 0", cwd=root).rc == 0
    assert amg("update", "0", cwd=root).rc == 0
    ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
    ui.quiet = True
    repo = Repository.open(str(root))
    show_log(ui, repo, [1, 0])
    lines = ui.fout.getvalue().decode().splitlines()
    assert [line[:1] for line in lines if ":" in line] == ["o", "@"]
