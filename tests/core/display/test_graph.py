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


def draw_styled(entries: list[tuple[int, list[tuple[object, str]]]]) -> str:
    """Like ``draw`` with edge kinds, outside plain mode."""
    grapher = Grapher(styled=True)
    out: list[str] = []
    for rev, parents in entries:
        out.extend(grapher.entry(rev, "o", [p for p, _ in parents], [str(rev)],
                                 [k for _, k in parents]))
    return "\n".join(out) + "\n"


def test_plain_mode_follows_hgplain_and_hgplainexcept() -> None:
    from types import SimpleNamespace

    from amalgam.display.graph import plain

    def ui(**env: str) -> SimpleNamespace:
        return SimpleNamespace(environ=env)

    assert not plain(ui())
    assert plain(ui(HGPLAIN="1"))
    assert plain(ui(HGPLAIN=""))
    assert plain(ui(HGPLAINEXCEPT="i18n"))
    assert not plain(ui(HGPLAIN="1", HGPLAINEXCEPT="i18n,graph"))


def test_missing_parents_end_with_tilde() -> None:
    # hg log -G -q -l 2 on ... <- 6, 5 <- 7(merge) <- 8: both of 7's parents hidden
    assert draw_styled([(8, [(7, "P")]), (7, [(("m", 6), "M"), (("m", 5), "M")])]) == (
        "o  8\n|\no    7\n|\\\n~ ~\n")


def test_hidden_ancestor_edges_are_dotted_and_ended_columns_close_up() -> None:
    # hg log -G -q -r 7+6+2 where 7 = merge(6, 5), 5 descends from 2, 6's parent hidden
    assert draw_styled([(7, [(6, "P"), (2, "G")]), (6, [(("m", 3), "M")]),
                        (2, [(("m", 1), "M")])]) == (
        "o    7\n|\\\no :  6\n| :\n~ :\n /\no  2\n|\n~\n")


def test_plain_keeps_missing_columns_and_straight_lines() -> None:
    grapher = Grapher()
    lines = grapher.entry(7, "o", [6, 2], ["7"], ["P", "G"])
    lines += grapher.entry(6, "o", [("m", 3)], ["6"], ["M"])
    assert "\n".join(lines) == "o    7\n|\\\no |  6\n| |"


def test_far_parent_is_joined_by_a_horizontal_line() -> None:
    # Columns [3, 0, 7]; 7's parents sit in columns 0 and 1.
    grapher = Grapher()
    grapher.columns, grapher.styles = [3, 0], ["|", "|"]
    assert grapher.entry(7, "o", [3, 0], ["7"]) == ["+---o  7", "| |/"]


def test_more_than_two_new_parents_split_below_the_entry() -> None:
    grapher = Grapher()
    assert grapher.entry(9, "o", [1, 2, 3], ["9", "x"]) == ["o    9", "|\\   x", "| \\", "| |\\"]
    assert grapher.columns == [1, 2, 3]
