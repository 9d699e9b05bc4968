"""Revsets evaluated by amg and by real hg on the same generated history.

The history (built with our commit API; tags through a committed .hgtags,
bookmarks through .hg/bookmarks, phases set by hg) has named branches,
merges, a closed branch, copies, removals, several authors and dates.  hg
is asked once, in one process, for every expression; each expression is
then a test comparing ``amg debugrevspec`` with hg's revisions, or the
parse error column with hg's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amalgam.node import hex
from amalgam.repo import FileChange, Repository

USERS = ["Alice Liddell <alice@example.com>", "Bob <bob@example.org>",
         "carol", "Dave Smith <dave@example.net>"]
BASE = 1_672_531_200  # 2023-01-01 00:00:00 UTC
DAY = 86_400

#: Runs inside a separate Python with Mercurial: set phases, then answer queries.
ORACLE = r'''
import json, sys
from mercurial import commands, error, extensions, hg, scmutil, ui as uimod
# Importing these registers hg's revset functions and template keywords.
from mercurial import revset_predicates, templatefilters, templatefuncs, templatekw
req = json.load(sys.stdin)
u = uimod.ui.load()
extensions.loadall(u)
u.setconfig(b"ui", b"interactive", b"no")
for section, key, value in req["config"]:
    u.setconfig(section.encode(), key.encode(), value.encode(), b"test")
repo = hg.repository(u, req["root"].encode())
for phase, revs in req.get("phases", []):
    flags = {"public": False, "draft": False, "secret": False, "rev": []}
    flags[phase] = True
    commands.phase(u, repo, revs.encode(), force=True, **flags)
    repo = hg.repository(u, req["root"].encode())
out = {"revsets": [], "templates": []}
def fail(exc):
    if isinstance(exc, error.ParseError):
        loc = exc.location if isinstance(exc.location, int) else None
        return {"error": "parse", "column": loc, "message": exc.message.decode()}
    message = getattr(exc, "message", None) or exc.args[0]
    return {"error": "abort", "message": bytes(message).decode()}
for expr in req["revsets"]:
    try:
        out["revsets"].append({"revs": list(scmutil.revrange(repo, [expr.encode()]))})
    except (error.ParseError, error.Abort, error.RepoError) as exc:
        out["revsets"].append(fail(exc))
for revs, template in req["templates"]:
    u.pushbuffer()
    try:
        commands.log(u, repo, rev=[revs.encode()], template=template.encode())
        out["templates"].append({"out": u.popbuffer().decode("utf-8", "replace")})
    except (error.ParseError, error.Abort, error.RepoError) as exc:
        u.popbuffer()
        out["templates"].append(fail(exc))
json.dump(out, sys.stdout)
'''

ALIASES = {
    "mine": "user(alice)",
    "bw(a, b)": "a::b",
    "loop1": "loop2",
    "loop2": "loop1 or 0",
    "twice(x)": "x or x^",
}

PHASES = [("public", "0:12"), ("secret", "desc('secret work')")]

BOOKMARKS = {"book-main": 20, "feat": 9, "@": 27}


def _commit(repo: Repository, number: int, files: dict[bytes, FileChange | None], *,
            p1: int | None = None, p2: int | None = None, branch: str = "default",
            message: str | None = None, close: bool = False) -> int:
    cl = repo.changelog.revlog
    parent = cl.node(len(cl) - 1 if p1 is None else p1) if len(cl) else None
    kwargs = {}
    if p2 is not None:
        kwargs["p2"] = cl.node(p2)
    extra = {"close": "1"} if close else {}
    if parent is not None:
        kwargs["p1"] = parent
    repo.commit_files(files, user=USERS[number % len(USERS)],
                      date=(BASE + number * DAY + (number % 5) * 3600,
                            [0, -3600, 7200][number % 3]),
                      message=message or f"change {number}\n\nbody of change {number}",
                      branch=branch, extra=extra, **kwargs)
    return len(cl) - 1


def _text(*lines: str) -> FileChange:
    return FileChange(("\n".join(lines) + "\n").encode())


def build_history(root: Path) -> Repository:
    """30-odd changesets: default, stable and feature-x branches, merges, tags."""
    repo = Repository.create(str(root))
    n = 0

    def c(files, **kw):
        nonlocal n
        rev = _commit(repo, n, files, **kw)
        n += 1
        return rev

    c({b"README": _text("hello"), b"src/main.py": _text("main"), b"docs/a.txt": _text("a")},
      message="initial import")
    c({b"src/main.py": _text("main", "two")})
    c({b"src/util.py": _text("util")}, message="add util")
    fork = c({b"docs/b.txt": _text("b")})
    c({b"src/main.py": _text("main", "three")}, branch="stable", message="start stable")
    c({b"src/util.py": _text("util", "stable fix")}, branch="stable", message="fix a bug")
    c({b"docs/a.txt": _text("a", "more")}, p1=fork, message="docs on default")
    c({b"src/new.py": _text("new")}, message="Add NEW module")
    feat = c({b"feature.txt": _text("f1")}, branch="feature-x", message="feature start")
    c({b"feature.txt": _text("f1", "f2")}, branch="feature-x")
    c({b"src/main.py": _text("main", "three", "stable")}, p1=5, branch="stable")
    c({b"docs/b.txt": None}, p1=7, message="remove b")
    tagged = c({b"src/util.py": _text("util", "default")})
    c({b"src/main.py": _text("main", "three", "stable", "merged"),
       b"src/util.py": _text("util", "default", "stable fix")},
      p1=12, p2=10, message="merge stable into default")
    c({b"feature.txt": _text("f1", "f2", "f3")}, p1=feat + 1, branch="feature-x",
      message="feature done", close=True)
    c({b"src/copy.py": FileChange(b"util\n", copy_source=b"src/util.py")},
      p1=13, message="copy util")
    c({b"bin/tool": FileChange(b"#!/bin/sh\n", flags="x")}, message="add a tool")
    c({b"src/main.py": _text("main", "stable", "after merge")}, p1=10, branch="stable",
      message="stable again")
    c({b".hgtags": FileChange(f"{hex(repo.changelog.revlog.node(tagged))} v1.0\n".encode())},
      p1=16, message="Added tag v1.0")
    c({b"README": _text("hello", "world")}, message="readme tweak")
    c({b"docs/c.txt": _text("c")}, message="secret work one")
    c({b"docs/c.txt": _text("c", "d")}, p1=19, message="other head")
    c({b"README": _text("hello", "world", "x"), b"src/main.py": _text("main", "stable",
                                                                      "after merge"),
       b"bin/tool": FileChange(b"#!/bin/sh\n", flags="x"),
       b"src/copy.py": FileChange(b"util\n"), b"src/new.py": _text("new"),
       b"docs/a.txt": _text("a", "more"), b"docs/c.txt": _text("c", "d"),
       b"src/util.py": _text("util", "default", "stable fix"),
       b".hgtags": FileChange(f"{hex(repo.changelog.revlog.node(tagged))} v1.0\n".encode())},
      p1=21, p2=17, message="merge stable again")
    c({b"src/util.py": _text("util", "final")}, message="Release prep")
    c({b".hgtags": FileChange(
        f"{hex(repo.changelog.revlog.node(tagged))} v1.0\n"
        f"{hex(repo.changelog.revlog.node(23))} v2.0\n".encode())}, message="Added tag v2.0")
    c({b"docs/d.txt": _text("d")}, message="secret work two")
    c({b"docs/d.txt": _text("d", "e")}, message="secret work three")
    c({b"README": _text("bye")}, p1=24, message="last public-ish")
    repo.vfs.write("bookmarks", "".join(
        f"{hex(repo.changelog.revlog.node(rev))} {name}\n"
        for name, rev in sorted(BOOKMARKS.items())).encode())
    return repo


REVSETS = [
    # symbols and numbers
    "0", "1", "tip", "null", "-1", "-2", "v1.0", "v2.0", "stable", "default", "feature-x",
    "book-main", "feat", "@", "30", "'0'", '"tip"', "book-main^",
    # ranges
    "0:5", "5:0", ":3", "25:", ":", "3:3", "stable:default", "tip:0", "0:tip",
    "0::5", "::3", "20::", "::", "2::13", "5::13", "13::5", "0..3", "..3", "4..",
    "feature-x::", "::stable", "null:3", "3:null",
    # boolean
    "0:5 and 3:8", "0:5 & 3:8", "0:5 or 8", "0:5 | 8", "0:5 + 8", "8 + 0:5", "2 + 0 + 1",
    "0:10 - 3:5", "not 0:20", "!merge()", "0:5 and not 2", "all() - ancestors(tip)",
    "(0 or 1) and (1 or 2)", "5:0 and all()", "all() and 5:0", "0:10 and reverse(3:5)",
    "1:0 or 3:2", "tip or 0", "merge() or closed()",
    # parents and ancestry
    "tip^", "tip^1", "tip^2", "tip^0", "13^2", "13^^", "tip~1", "tip~3", "tip~0", "13~2",
    "parents(13)", "parents(tip)", "p1(13)", "p2(13)", "p2(12)", "p1(0)", "p1(merge())",
    "p2(merge())", "children(3)", "children(0:3)", "children(tip)", "ancestors(13)",
    "ancestors(13, 1)", "ancestors(13, depth=2)", "ancestors(13, startdepth=2)",
    "ancestors(tip, 2, 1)", "ancestors(0:2)", "descendants(10)", "descendants(3, 1)",
    "descendants(3, depth=0)", "descendants(3, startdepth=2, depth=3)",
    "ancestor(9, 11)", "ancestor(15, 17)", "ancestor(10, 5, 3)", "ancestor(tip)",
    "ancestor(21, 20)", "only(13)", "only(tip, 10)", "only(feature-x, default)", "13 % 10",
    "tip % stable", "heads(all())", "heads(0:10)", "heads(stable)", "roots(all())",
    "roots(10:20)", "roots(branch(stable))", "head()", "merge()", "branchpoint()",
    "closed()",
    # picking and ordering
    "first(all())", "first(all(), 3)", "last(all())", "last(all(), 3)", "limit(all(), 2)",
    "limit(all(), 2, 5)", "limit(reverse(all()), 3)", "limit(ancestors(tip), 10)",
    "limit(all(), n=2, offset=1)", "max(all())", "min(all())", "max(branch(stable))",
    "min(descendants(5))", "reverse(0:5)", "reverse(ancestors(13))",
    "sort(all(), -rev)", "sort(0:10, user)", "sort(0:10, -user)", "sort(all(), date)",
    "sort(all(), -date)", "sort(all(), branch)", "sort(all(), 'branch -rev')",
    "sort(all(), desc)", "sort(all(), author)", "sort(5:0)", "sort(all(), -branch)",
    "rev(3)", "rev(0)", "id(tip)", "present(nosuchthing)", "present(3)",
    "present(nosuch) or 2",
    # people, text, names, dates
    "user(alice)", "user(ALICE)", "user(bob)", "user('re:^[cd]')", "author(carol)",
    "user('literal:carol')", "desc(merge)", "desc(MERGE)", "desc('re:^fix')",
    "keyword(util)", "keyword(stable)", "grep('tag v[0-9]')", "grep(feature)",
    "branch(stable)", "branch(default)", "branch(feature-x)", "branch('re:^(st|fe)')",
    "branch(5)", "branch(tip)", "branch('literal:stable')", "bookmark()",
    "bookmark(feat)", "bookmark('re:^b')", "tag()", "tag(v1.0)", "tag('re:^v')", "tag(tip)",
    "date('2023-01-05')", "date('>2023-01-20')", "date('<2023-01-03')",
    "date('2023-01-02 to 2023-01-06')", "date('2023-02')", "date('2023')",
    "date('>2023-01-20') and user(bob)",
    # phases
    "public()", "draft()", "secret()", "draft() and merge()", "not public()",
    # files
    "file('src/*')", "file('glob:src/**')", "file(README)", "file('re:.*\\.txt$')",
    "file('path:docs')", "modifies('src/main.py')", "modifies('glob:src/*')",
    "adds('src/*')", "adds('glob:**.txt')", "removes('docs/b.txt')", "removes('glob:**')",
    "contains(README)", "contains('docs/b.txt')", "contains('glob:bin/*')",
    # aliases
    "mine", "bw(3, 13)", "twice(13)", "mine and bw(0, tip)",
    # quoting and concatenation
    "'sta'##'ble'", "v##'1.0'", "r'stable'",
    # relations and subscripts
    "tip#generations[-1]", "13#g[-1:2]", "13#g[0]", "13#g[:]", "13#g[2:]", "13#g[:-2]",
    "13#g[3:1]", "all()#g[1]", "(1 or 13)#g[-1]", "13#g[1]#g[1]", "13 # g[1]",
    "none()#g[1]", "tip#generations", "13#g[-5]", "3#g[5]", "13#g[-2:-1]",
    "5:0 and 13#g[-3:0]", "null#g[1]", "null#g[-1:1]",
    # depths reached along every path, null as a start
    "ancestors(13, depth=5, startdepth=5)", "descendants(0:3, startdepth=1, depth=1)",
    "descendants(3, startdepth=5, depth=5)", "descendants(null, depth=1)",
    "descendants(null)", "ancestors(null)", "ancestors(tip, startdepth=7)",
    "descendants(0, startdepth=3)",
    # topological sort and more keys
    "sort(all(), topo)", "sort(all(), -topo)", "sort(all(), topo, topo.firstbranch=14)",
    "sort(all(), topo, topo.firstbranch=book-main)", "sort(0:12, topo)",
    "sort(branch(stable) + branch(feature-x), topo)", "sort(1+5+9+14+20, topo)",
    "sort(0:10, topo, topo.firstbranch=5)", "sort(::17, topo, topo.firstbranch=8)",
    "sort(3::, topo)", "sort(all(), node)", "sort(all(), -node)", "sort(all(), 'branch node')",
    "none()", "none() or 3", "reverse(sort(all(), topo))",
    # extra fields and common ancestors
    "extra(close)", "extra(branch, stable)", "extra(branch, 're:^f')", "extra(branch)",
    "extra(close, 2)", "extra(label=close)", "extra('literal:close')",
    "commonancestors(13 + 17)", "commonancestors(tip)", "commonancestors(none())",
    "heads(commonancestors(13 + 17))",
    # errors (compared by kind and column)
    "13#g[x]", "13#g[1:x]", "13#g[1, 2]", "13#g[-1][0]", "13#ancestors[1]", "13#g[]",
    "sort(all(), 'topo rev')", "sort(all(), rev, topo.firstbranch=1)", "none(1)",
    "user('\\x41lice')", "user('\\xZZ')", "user('\\x4')",
    "outgoing(a, b)", "extra()", "extra(1, 2, 3)", "commonancestors(9, 11)",
    "commonancestors()",
    "::1 and (", "(1", "all(1", "1)", "1 ]", "", " ", "1 +", "1 and", "not", "1 or or 2",
    "\"abc", "r'abc", "1 $ 2", "all(,)", "all(1,)", "1 and (2 or", "1~",
    "nosuchfunc()", "alll()", "all(1)", "ancestors()", "limit(all(), x)", "0,1", "a=b",
    "loop1", "user()", "first(all(), -1)", "1[2]", "tip^3", "rev(x)",
    "sort(all(), foo)", "nosuchthing", "bookmark(nosuch)", "tag(nosuch)",
]


def oracle(root: Path, revsets: list[str], templates: list[tuple[str, str]]
           ) -> dict[str, list[dict[str, object]]]:
    """Set the phases with hg, then ask hg for every revset and template, in one process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HG", "AMG_"))}
    env.update(HGRCPATH="", HGPLAIN="1", TZ="UTC", HGENCODING="utf-8", LANG="C.UTF-8")
    request = {"root": str(root), "phases": PHASES, "revsets": revsets,
               "templates": templates,
               "config": [("revsetalias", k, v) for k, v in ALIASES.items()]}
    proc = subprocess.run([sys.executable, "-c", ORACLE], input=json.dumps(request).encode(),
                          capture_output=True, env=env, timeout=600, cwd=root)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, hg_exe: str):
    """(repository root, hg's answers) for the generated history."""
    pytest.importorskip("mercurial")
    root = tmp_path_factory.mktemp("revsets") / "repo"
    build_history(root)
    return root, oracle(root, REVSETS, [])


def _config(root: Path) -> None:
    lines = ["[revsetalias]"] + [f'"{k}" = "{v}"' for k, v in ALIASES.items()]
    (root / ".hg" / "amalgam.toml").write_text("\n".join(lines) + "\n")


def test_enough_expressions() -> None:
    assert len(set(REVSETS)) == len(REVSETS) >= 150


@pytest.mark.parametrize("index", range(len(REVSETS)), ids=lambda i: REVSETS[i] or "<empty>")
def test_revset_matches_hg(history, amg, index: int) -> None:
    root, answers = history
    _config(root)
    expected = answers["revsets"][index]
    result = amg("debugrevspec", "--", REVSETS[index], cwd=root)
    if "revs" in expected:
        assert result.rc == 0, result.stderr
        assert [int(line) for line in result.stdout.split()] == expected["revs"]
        return
    assert result.rc != 0, result.stdout
    first = result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    if expected["error"] == "parse":
        assert "parse error" in first, (first, expected)
        if expected["column"] is not None:
            assert f"parse error at {expected['column']}:" in first, (first, expected)
    else:
        assert first.startswith("abort: ") and "parse error" not in first, (first, expected)


#: outgoing() against a clone holding revisions 0:12 (found as [paths] other).
OUTGOING = ["outgoing(other)", "outgoing('../partial')", "outgoing(other) and branch(stable)",
            "outgoing('../partial#default')", "reverse(outgoing(other))", "outgoing(nosuch)",
            "outgoing()", "outgoing(other#stable)", "outgoing(other, 2)",
            "outgoing(other) - outgoing('../partial#stable')"]


@pytest.fixture(scope="module")
def with_partial_clone(tmp_path_factory: pytest.TempPathFactory, hg_exe: str):
    """The history plus a clone of its first 13 revisions named ``other`` in .hg/hgrc."""
    pytest.importorskip("mercurial")
    base = tmp_path_factory.mktemp("outgoing")
    root = base / "repo"
    build_history(root)
    oracle(root, [], [])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HG", "AMG_"))}
    env.update(HGRCPATH="", HGPLAIN="1")
    subprocess.run([hg_exe, "clone", "-q", "-r", "12", str(root), str(base / "partial")],
                   check=True, env=env, capture_output=True)
    with open(root / ".hg" / "hgrc", "a") as fh:
        fh.write("[paths]\nother = ../partial\n")
    return root, env


@pytest.mark.parametrize("expr", OUTGOING)
def test_outgoing_matches_hg(with_partial_clone, amg, hg_exe: str, expr: str) -> None:
    root, env = with_partial_clone
    expected = subprocess.run([hg_exe, "log", "-r", expr, "-T", "{rev}\n"], cwd=root,
                              env=env, capture_output=True, text=True)
    result = amg("debugrevspec", "--", expr, cwd=root)
    assert "Traceback" not in result.stderr
    if expected.returncode == 0:
        assert (result.rc, result.stdout) == (0, expected.stdout)
    else:
        assert result.rc != 0
        parse = "parse error" in expected.stderr
        assert ("parse error" in result.stderr) == parse, (result.stderr, expected.stderr)
