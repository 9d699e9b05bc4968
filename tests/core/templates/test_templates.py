"""The template engine: parsing, rendering, [templates] entries and clean errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam import error
from amalgam.repo import FileChange, Repository
from amalgam.templates import ChangesetPrinter, lang


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    repo = Repository.create(str(tmp_path / "repo"))
    repo.commit_files({b"a.txt": FileChange(b"a\n")}, user="Ann Lee <ann@example.com>",
                      date=(1_700_000_000, -3600), message="first line\n\nmore text")
    repo.commit_files({b"a.txt": FileChange(b"a\nb\n"), b"b.txt": FileChange(b"x\n")},
                      user="bob", date=(1_700_086_400, 0), message="second")
    return repo


def render(repo: Repository, template: str, rev: int = 1, **named: str) -> str:
    return ChangesetPrinter(repo, template, named).render(rev)


def test_parse_shapes() -> None:
    assert lang.parse("a{rev}b") == ("template", [("string", "a"), ("symbol", "rev"),
                                                  ("string", "b")])
    assert lang.parse("{x|f}")[1][0] == ("|", ("symbol", "x"), ("symbol", "f"))
    assert lang.parse("{f(1, 'a')}")[1][0] == ("func", ("symbol", "f"), (
        "list", ("integer", 1), ("template", [("string", "a")])))
    assert lang.parse(r"\{x\}{r'\n'}") == ("template", [("string", "{x\\}"), ("string", "\\n")])


def test_keywords_filters_functions(repo: Repository) -> None:
    assert render(repo, "{rev}:{node|short} {author|user} {files}") == \
        f"1:{repo.changelog.revlog.node(1).hex()[:12]} bob a.txt b.txt"
    assert render(repo, "{desc|firstline}|{date|isodate}", rev=0) == \
        "first line|2023-11-14 23:13 +0100"
    assert render(repo, "{file_adds}/{file_mods}/{diffstat}") == "b.txt/a.txt/2: +2/-0"
    assert render(repo, "{join(files % '<{file}>', '+')}") == "<a.txt>+<b.txt>"
    assert render(repo, "{if(file_dels, 'x', 'none')} {ifeq(rev, 1, 'one')}") == "none one"
    assert render(repo, "{pad(rev, 3, '0', True)}{rev * 7 - 2}") == "0015"
    assert render(repo, "{unknownkeyword}") == ""


def test_templates_entries_and_recursion(repo: Repository) -> None:
    assert render(repo, "mine", mine="[{rev}]") == "[1]"
    assert render(repo, "{short}!", short="{node|short}") == \
        repo.changelog.revlog.node(1).hex()[:12] + "!"
    with pytest.raises(error.Abort, match="recursive reference 'me' in template"):
        render(repo, "{me}", me="x{me}y")
    with pytest.raises(error.Abort, match="recursive reference 'a' in template"):
        render(repo, "{a}", a="{b}", b="<{a}>")
    assert render(repo, "{b}", a="{rev}", b="<{a}{a}>") == "<11>"


@pytest.mark.parametrize(("template", "message"), [
    ("{rev", "parse error at 1: unterminated template expansion"),
    ("{rev|}", "parse error at 5: not a prefix: end"),
    ("{rev|nosuch}", "parse error: unknown function 'nosuch'"),
    ("{if(rev)}", "parse error: if expects two or three arguments"),
    ("{rev / 0}", "parse error: division by zero is not defined"),
    ("{desc + 1}", "parse error: arithmetic only defined on integers"),
    ("{" + "(" * 3000 + "rev" + ")" * 3000 + "}", "parse error at 201: expression nested"),
    ('{"' * 3000, "parse error at 80: template nested too deeply"),
])
def test_errors(repo: Repository, template: str, message: str) -> None:
    with pytest.raises(error.ParseError) as info:
        render(repo, template)
    assert info.value.message.startswith(message)


def test_json_style_layout(repo: Repository) -> None:
    printer = ChangesetPrinter(repo, "json", {})
    text = printer.render(1) + printer.render(0) + printer.closing()
    assert text.startswith('[\n {\n  "bookmarks": [],\n  "branch": "default",\n'
                           '  "date": [1700086400, 0],\n  "desc": "second",\n')
    assert '\n },\n {\n' in text and text.endswith('  "user": "Ann Lee <ann@example.com>"\n }\n]\n')
    empty = ChangesetPrinter(repo, "json", {})
    assert empty.closing() == "[\n]\n"


def test_debugtemplate_command(repo: Repository, amg) -> None:
    result = amg("debugtemplate", "-r", "0:1", "{rev}{if(tags, ' [{tags}]')}\\n", cwd=repo.root)
    assert (result.rc, result.stdout) == (0, "0\n1 [tip]\n")
    result = amg("debugtemplate", "-D", "who=me", "hello {who}\\n", cwd=repo.root)
    assert (result.rc, result.stdout) == (0, "hello me\n")
    Path(repo.root, ".hg", "amalgam.toml").write_text('[templates]\nbrief = "{rev}|"\n')
    result = amg("debugtemplate", "-r", "all()", "brief", cwd=repo.root)
    assert (result.rc, result.stdout) == (0, "0|1|")
    result = amg("debugtemplate", "-r", "0", "{rev|bogus}", cwd=repo.root)
    assert (result.rc, result.stderr) == (255, "amg: parse error: unknown function 'bogus'\n")


def test_help_templates_lists_every_keyword_filter_and_function(amg) -> None:
    from amalgam.templates.engine import FILTERS, FUNCTIONS, KEYWORDS

    result = amg("help", "templates")
    assert result.rc == 0
    for name in [*KEYWORDS, *FILTERS] + [decl for _, decl, _ in FUNCTIONS.values()]:
        assert f"\n  {name}\n" in result.stdout
