"""Templates and styles rendered by amg and by real hg on the same history.

Each case is ``amg debugtemplate -r REVS TEMPLATE`` against
``hg log -r REVS -T TEMPLATE`` (hg answers all cases in one process).
The commands that format other items (tags, status, annotate, …) are
compared command line against command line on a checkout with local
changes (COMMANDS).
"""
from __future__ import annotations

import os
import subprocess

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
    # escapes and the json filter's HTML-safe output
    "a\\x41\\101\n", '{"a\\x41\\101"}\n', "{'\\x27'}\n", "{author|json}\n",
    "{'&\\x3c>\\u00e9'|json}\n", "{'\\x7f\\x01'|json}\n",
    # more keywords, filters and functions
    "{user}|{negrev}|{activebookmark}|{children}\n", "{closesbranch}|{closesbranch|json}\n",
    '{if(closesbranch, "C", "o")}{children|json}{negrev|json}\n',
    '{files % "{file|basename}:{file|dirname}:{file|stripdir} "}\n',
    '{"a/"|basename}|{"/a"|dirname}|{"a"|stripdir}|{""|basename}\n',
    "{author|domain}|{author|emailuser}|{desc|nonempty}|{''|nonempty}\n",
    '{"<a&b>\\"q\'"|escape}|{"x <y@z.com>"|domain}|{"<y.z@q>"|emailuser}\n',
    '{"a b/c?d=\u00e9"|urlescape}|{desc|splitlines % "<{line}>"}|{desc|splitlines|count}\n',
    '{"a\\n\\nb"|tabindent}|{desc|addbreaks}\n',
    '{startswith("ma", branch)}|{sub("[aeiou]", "_", desc)}|{sub("(", "x", desc)}\n',
    '{word(1, desc)}|{word(-1, desc)}|{word(9, desc)}|{word(1, "a--b", "-")}\n',
    '{mod(rev, 3)}|{mod(-7, 3)}|{strip("xxaxx", "x")}|{strip("  a ")}\n',
    "{shortest(node)}|{shortest(node, 8)}|{shortest(node, 1)}\n",
    "{dict(rev, node=node|short)}|{dict(rev, node=node|short)|json}|{dict()}\n",
    "{files|reverse}|{files|reverse|json}|{max(files)}|{min(files)}\n",
    # styles
    *STYLES,
    # errors
    "{rev", "{rev|}", "{rev|nosuchfilter}", "{if(rev)}", '{"abc}', "{rev)}",
    "{nosuchfunc(rev)}", "{1 +}", "{rev % }", "{pad()}", "{rev % '{x}' % }",
    '{"a\\xZZ"}', "a\\xZ\n", "{rev}b\\x4\n", '{"abc"|reverse}', "{word(x, desc)}",
    "{dict(a=1, a=2)}", "{mod(1, 0)}",
]


#: (arguments, directory below the root) run by both tools; stdout and exit code compared.
COMMANDS = [
    (["heads", "-T", "{rev} {branch} {node|short}\n"], ""),
    (["heads", "-T", "json"], ""),
    (["heads", "stable", "-T", "compact"], ""),
    (["tags", "-T", "json"], ""),
    (["tags", "-T", "{tag} {rev}:{node|short} [{type}] {author|user}\n"], ""),
    (["tags", "-q", "-T", "{tag}|{tags}\n"], ""),
    (["tags", "-v", "-T", "{tag}:{type}\n"], ""),
    (["identify", "-r", "local-tag", "-T", "json"], ""),
    (["branches", "-r", "9", "-T", "json"], ""),
    (["branches", "-T", "json"], ""),
    (["branches", "-c", "-T", "json"], ""),
    (["branches", "-c", "-T", "{branch}|{active}|{closed}|{current}|{rev}|{desc|firstline}\n"],
     ""),
    (["bookmarks", "-T", "json"], ""),
    (["bookmarks", "-T", "{bookmark} {active} {rev}:{node|short} {date|isodate}\n"], ""),
    (["bookmarks", "-l", "feat", "-T", "json"], ""),
    (["files", "-T", "json"], ""),
    (["files", "-v", "-T", "json"], ""),
    (["files", "-r", "16", "-v", "-T", "json"], ""),
    (["files", "-r", "3", "-T", "{path}|{size}|{flags}|{rev}\n"], ""),
    (["files", "-T", "{path}|{size}|{flags}\n"], ""),
    (["files", "-T", "{path}\n", "."], "src"),
    (["files", "-T", "json", "nosuch"], ""),
    (["status", "-T", "json"], ""),
    (["status", "-C", "-T", "json"], ""),
    (["status", "-A", "-T", "json"], ""),
    (["status", "-C", "-T", "{status}|{path}|{source}\n"], ""),
    (["status", "--change", "13", "-T", "json"], ""),
    (["status", "--rev", "3", "--rev", "5", "-T", "{status}:{path}\n"], ""),
    (["status", "-T", "{path}\n", "."], "src"),
    (["annotate", "-r", "13", "-T", "json", "src/util.py", "README"], ""),
    (["annotate", "-r", "13", "-T", "json", "-udcnlf", "src/util.py"], ""),
    (["annotate", "-r", "13", "-T", "{path}\n{lines % '{rev} {node|short} {user} {line}'}",
      "src/util.py"], ""),
    (["annotate", "-r", "13", "-T",
      "{lines % '{rev}:{lineno} {date|isodate} {path}: {line}'}", "src/util.py",
      "src/main.py"], ""),
    (["annotate", "-r", "13", "-T", "{lines % '{author|person}|{desc|firstline}\n'}",
      "src/util.py"], ""),
    (["annotate", "-T", "json", "bin/tool", "README"], ""),
    (["annotate", "-r", "13", "-u", "-T", "{lines}|{lines|json}\n", "src/util.py"], ""),
    (["annotate", "-r", "13", "-dnl", "-T", "{join(lines, '+')}|{lines|json}\n",
      "src/util.py"], ""),
    (["identify", "-T", "json"], ""),
    (["identify", "-r", "12", "-T", "json"], ""),
    (["identify", "-r", "13", "-nibtB", "-T", "json"], ""),
    (["identify", "-r", "23", "-T",
      "{id}|{branch}|{tags}|{bookmarks}|{node}|{dirty}|{rev}|{parents}\n"], ""),
    (["identify", "-T", "{id}|{branch}|{tags}|{bookmarks}|{node}|{dirty}|{parents}\n"], ""),
    (["identify", "-T", "{rev}|{node|short}\n"], ""),
]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory, hg_exe: str):
    """The history with a working copy at 20 holding every kind of local change.

    A local tag on 3 shows the ``type`` field.
    """
    root = tmp_path_factory.mktemp("formatted") / "repo"
    build_history(root)
    oracle(root, [], [])  # sets the phases

    def run(*args: str) -> None:
        subprocess.run([hg_exe, *args], cwd=root, check=True, capture_output=True,
                       env=_hg_env())

    run("update", "-q", "20")
    run("tag", "-l", "-r", "3", "local-tag")
    with open(root / "README", "a") as fh:
        fh.write("local\n")
    (root / "new.txt").write_text("new\n")
    (root / "unknown.txt").write_text("?\n")
    run("add", "-q", "new.txt")
    run("remove", "-q", "docs/a.txt")
    run("copy", "-q", "src/util.py", "src/u2.py")
    return root


def _hg_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HG", "AMG_"))}
    env.update(HGRCPATH="", HGPLAIN="1", TZ="UTC", HGENCODING="utf-8", LANG="C.UTF-8",
               HGUSER="test")
    return env


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=lambda i: " ".join(COMMANDS[i][0]))
def test_command_template_matches_hg(checkout, amg, hg_exe: str, index: int) -> None:
    args, below = COMMANDS[index]
    cwd = checkout / below
    expected = subprocess.run([hg_exe, *args], cwd=cwd, capture_output=True, env=_hg_env())
    result = amg(*args, cwd=cwd)
    assert "Traceback" not in result.stderr
    assert (result.rc, result.stdout) == (expected.returncode,
                                          expected.stdout.decode("utf-8", "replace"))


def test_enough_command_templates() -> None:
    assert len({" ".join(args) for args, _ in COMMANDS}) == len(COMMANDS) >= 30
    assert {args[0] for args, _ in COMMANDS} >= {
        "heads", "tags", "branches", "bookmarks", "files", "status", "annotate", "identify"}


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
    if expected["error"] != "parse":
        assert first.startswith("abort: ") and "parse error" not in first, (first, expected)
        return
    assert "parse error" in first, (first, expected)
    if expected.get("column") is not None:
        assert f"parse error at {expected['column']}:" in first, (first, expected)
