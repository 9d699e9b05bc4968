"""The revset engine on a small linear history: aliases, errors, laziness, the revspec seam."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam import error, revset, revspec
from amalgam.repo import FileChange, Repository
from amalgam.revset import lang
from amalgam.revset.names import RepoView

USERS = ["alice <a@x>", "bob <b@x>"]


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    repo = Repository.create(str(tmp_path / "repo"))
    for n in range(40):
        repo.commit_files({b"f": FileChange(b"%d\n" % n)}, user=USERS[n % 2],
                          date=(1_700_000_000 + n * 86400, 0), message=f"commit {n}",
                          branch="stable" if n >= 30 else "default")
    return repo


def revs(repo: Repository, text: str, **aliases: str) -> list[int]:
    return revset.revs(repo, [text], aliases=aliases).tolist()


def test_basic_queries(repo: Repository) -> None:
    assert revs(repo, "3:1") == [3, 2, 1]
    assert revs(repo, "first(user(bob), 2)") == [1, 3]
    assert revs(repo, "branch(stable) and 35:") == list(range(35, 40))
    assert revs(repo, "limit(reverse(all()), 2, 1)") == [38, 37]
    assert revs(repo, "sort(0:3, -rev)") == [3, 2, 1, 0]
    assert revs(repo, "tip~2 + tip^") == [37, 38]


def test_several_specs_are_a_union(repo: Repository) -> None:
    assert revset.revs(repo, ["2", "0:3"], aliases={}).tolist() == [2, 0, 1, 3]


def test_aliases_with_arguments_and_recursion(repo: Repository) -> None:
    assert revs(repo, "mine", mine="user(alice) and 0:4") == [0, 2, 4]
    assert revs(repo, "between(1, 3)", **{"between(a, b)": "a::b"}) == [1, 2, 3]
    with pytest.raises(error.ParseError, match="infinite expansion of revset alias \"a\""):
        revs(repo, "a", a="b", b="a or 0")
    with pytest.raises(error.ParseError, match="invalid number of arguments"):
        revs(repo, "pair(1)", **{"pair(a, b)": "a + b"})
    with pytest.raises(error.ParseError, match="bad definition"):
        revs(repo, "broken", broken="0 +")


def test_unknown_function_suggests_a_name(repo: Repository) -> None:
    with pytest.raises(error.ParseError) as info:
        revs(repo, "ancestor(1) + brnch(1)")
    assert info.value.message == "parse error: unknown identifier: brnch"
    assert info.value.hints == ["did you mean branch?"]


@pytest.mark.parametrize(("text", "message"), [
    ("limit(all(), x)", "limit expects a number"),
    ("ancestors()", "ancestors takes at least 1 argument"),
    ("all(1)", "all takes no arguments"),
    ("sort(all(), color)", "unknown sort key 'color'"),
    ("0, 1", "can't use a list in this context"),
    ("tip^3", "^ expects a number 0, 1, or 2"),
])
def test_wrong_arguments_are_parse_errors(repo: Repository, text: str, message: str) -> None:
    with pytest.raises(error.ParseError, match=message.replace("^", r"\^")):
        revs(repo, text)


def test_unknown_revision_and_present(repo: Repository) -> None:
    with pytest.raises(error.InputError, match="unknown revision 'nope'"):
        revs(repo, "nope")
    assert revs(repo, "present(nope) + 1") == [1]


def test_dashed_names_stay_whole_only_when_known(repo: Repository) -> None:
    assert lang.parse("a-b")[0] == "minus"
    assert lang.parse("a-b", known=lambda s: s == "a-b") == ("symbol", "a-b")


def test_filters_read_only_the_changesets_they_need(repo: Repository,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    original = RepoView.text

    def counting(self: RepoView, rev: int):
        read.append(rev)
        return original(self, rev)

    # Every changeset field a predicate uses comes from RepoView.text.
    monkeypatch.setattr(RepoView, "text", counting)
    assert revs(repo, "first(user(bob))") == [1]
    assert sorted(set(read)) == [0, 1]
    read.clear()
    assert revs(repo, "limit(ancestors(tip), 3)") == [0, 1, 2]
    assert read == []


def test_engine_takes_over_revrange(repo: Repository) -> None:
    previous = revspec.set_engine(None)
    try:
        revset.install()
        assert revspec.revrange(repo, ["user(bob) and 0:5"]) == [1, 3, 5]
    finally:
        revspec.set_engine(previous)


def test_debugrevspec_prints_trees_like_hg(repo: Repository, amg) -> None:
    result = amg("debugrevspec", "-p", "parsed", "1:2 or not 0", cwd=repo.root)
    assert result.rc == 0, result.stderr
    assert result.stdout == (
        "* parsed:\n(or\n  (list\n    (range\n      (symbol '1')\n      (symbol '2'))\n"
        "    (not\n      (symbol '0'))))\n1\n2\n" + "".join(f"{r}\n" for r in range(3, 40)))


def test_debugrevspec_errors_are_one_clean_line(repo: Repository, amg) -> None:
    result = amg("debugrevspec", "(" * 3000, cwd=repo.root)
    assert result.rc == 255
    assert result.stderr == "amg: parse error at 200: expression nested too deeply\n"
    result = amg("debugrevspec", "1 +", cwd=repo.root)
    assert result.stderr == "amg: parse error at 3: not a prefix: end\n(1 +\n    ^ here)\n"


def test_revsetalias_from_config(repo: Repository, amg) -> None:
    Path(repo.root, ".hg", "amalgam.toml").write_text('[revsetalias]\n"odd" = "0:5 - even"\n'
                                                       '"even" = "0 + 2 + 4"\n')
    result = amg("debugrevspec", "odd", cwd=repo.root)
    assert (result.rc, result.stdout) == (0, "1\n3\n5\n")


def test_help_revsets_lists_every_function(amg) -> None:
    from amalgam.revset.evaluate import PREDICATES

    result = amg("help", "revsets")
    assert result.rc == 0
    for predicate in PREDICATES.values():
        assert f"\n  {predicate.decl}\n" in result.stdout


def test_texts_are_read_a_block_at_a_time_and_checked(repo: Repository,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    view = RepoView(repo)
    cl = repo.changelog.revlog
    expected = [repo.changelog.read(rev) for rev in range(len(cl))]
    calls: list[int] = []
    original = type(cl).revision

    def revision(self, rev):  # type: ignore[no-untyped-def]
        calls.append(rev)
        return original(self, rev)

    monkeypatch.setattr(type(cl), "revision", revision)
    assert [view.entry(rev) for rev in range(len(cl))] == expected
    assert [view.user(rev) for rev in range(len(cl))] == [e.user for e in expected]
    assert [view.when(rev) for rev in range(len(cl))] == [e.date[0] for e in expected]
    assert [view.files(rev) for rev in range(len(cl))] == [list(e.files) for e in expected]
    assert calls == []  # all came from one block read

