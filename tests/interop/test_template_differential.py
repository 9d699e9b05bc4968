"""Templates and styles rendered by amg and by real hg on the same history.

Each case is ``amg debugtemplate -r REVS TEMPLATE`` against
``hg log -r REVS -T TEMPLATE`` (hg answers all cases in one process).
"""
from __future__ import annotations

import pytest

from tests.interop.test_revset_differential import build_history, oracle

REVS = "0:3 + 5 + 9 + 12:15 + 18 + 20:22 + 27"
STYLES = ("default", "compact", "phases", "changelog", "json")

TEMPLATES = [
    # keywords
    "{rev}\n", "{node}\n", "{author}\n", "{date}\n", "{desc}\n", "{files}\n",
    "{file_adds}\n", "{file_mods}\n", "{file_dels}\n", "{file_copies}\n", "{branch}\n",
    "{tags}\n", "{bookmarks}\n", "{parents}\n", "{p1node}\n", "{p2node}\n", "{p1rev} {p2rev}\n",
    "{phase}\n", "{diffstat}\n", "{extras}\n", "{nosuchkeyword}|\n",
    # filters
    "{node|short}\n", "{desc|firstline}\n", "{date|isodate}\n", "{date|isodatesec}\n",
    "{date|rfc822date}\n", "{date|age}\n", "{date|shortdate}\n", "{date|date}\n",
    "{author|person}\n", "{author|email}\n", "{author|user}\n", "{desc|json}\n",
    "{files|json}\n", "{file_copies|json}\n", "{date|json}\n", "{tags|json}\n",
    "{rev|json}\n", "{'  x  '|strip}\n",
    "{branch|upper}{author|lower}\n", "{files|count} {tags|count} {desc|count}\n",
    "{desc|firstline|upper|strip}\n", "{rev|short}\n", "{bookmarks|json}\n",
    # functions
    "{join(files, ', ')}\n", "{join(tags, '+')}\n", "{if(tags, 'tagged', 'plain')}\n",
    "{if(file_dels, 'dels: {file_dels}\n')}", "{ifeq(branch, 'default', 'D', 'other')}\n",
    "{ifcontains('src/main.py', files, 'main!', 'no')}\n",
    "{ifcontains(rev, revset('merge()'), 'M')}\n",
    "{label('log.changeset', rev)}\n", "{pad(rev, 5)}|\n", "{pad(rev, 5, '-', True)}|\n",
    "{pad(branch, 12, '.')}|\n", "{fill(desc, 10)}\n", "{indent(desc, '> ')}\n",
    "{indent(desc, '  ', '* ')}\n", "{revset('parents(%d)', rev)}\n",
    "{revset('children(%d)', rev) % '<{rev}>'}\n", "{separate(' ', rev, '', branch, tags)}\n",
    "{date(date, '%Y/%m/%d %H')}\n", "{date(date)}\n", "{get(extras, 'branch')}\n",
    # mapping, nesting, arithmetic, literals
    '{files % "{file}\n"}', '{parents % "{rev}:{node|short},"}\n', '{tags % "[{tag}]"}\n',
    '{file_copies % "{name}<-{source};"}\n', "{rev + 1} {rev - 1} {rev * 2} {rev / 2}\n",
    "{-rev}\n", '{"{rev}-{branch}"}\n', "{r'\\n'}\n", "a\\{b\\}{rev}\\\\\n", "{(rev)}\n",
    "literal only\n", "{rev}\\t{branch}\\n",
    # styles
    *STYLES,
    # errors
    "{rev", "{rev|}", "{rev|nosuchfilter}", "{if(rev)}", '{"abc}', "{rev)}",
    "{nosuchfunc(rev)}", "{1 +}", "{rev % }", "{pad()}", "{rev % '{x}' % }",
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, hg_exe: str):
    pytest.importorskip("mercurial")
    root = tmp_path_factory.mktemp("templates") / "repo"
    build_history(root)
    return root, oracle(root, [], [(REVS, t) for t in TEMPLATES])


def test_enough_templates() -> None:
    assert len(set(TEMPLATES)) == len(TEMPLATES) >= 60


@pytest.mark.parametrize("index", range(len(TEMPLATES)), ids=lambda i: TEMPLATES[i])
def test_template_matches_hg(history, amg, hg, index: int) -> None:
    root, answers = history
    expected = answers["templates"][index]
    if TEMPLATES[index] in STYLES:
        # hg's in-process log leaves bookmarks out of -T json; its command line does not.
        expected = {"out": hg("log", "-r", REVS, "-T", TEMPLATES[index], cwd=root).stdout}
    result = amg("debugtemplate", "-r", REVS, "--", TEMPLATES[index], cwd=root)
    if "out" in expected:
        assert result.rc == 0, result.stderr
        assert result.stdout == expected["out"]
        return
    assert result.rc != 0, result.stdout
    first = result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert "parse error" in first, (first, expected)
    if expected.get("column") is not None:
        assert f"parse error at {expected['column']}:" in first, (first, expected)
