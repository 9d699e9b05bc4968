"""Plugins add revset functions, template keywords and filters through hooks."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.repo import FileChange, Repository

PLUGIN = '''
"""Test plugin: a revset function, a template keyword and a filter."""
from amalgam.plugin import hookimpl


def _even(repo, rev, args):
    """Changesets with an even number (test)."""
    return rev % 2 == 0


@hookimpl
def revset_predicates(repo):
    return {"even": _even, "touches": lambda repo, rev, args: args[0].encode() in
            repo.changelog.read(repo.changelog.revlog.node(rev)).files}


@hookimpl
def template_keywords(repo):
    return {"double": lambda repo, ctx: ctx.rev * 2, "names": lambda repo, ctx: ["x", "y"]}


@hookimpl
def template_filters(repo):
    return {"shout": lambda value: str(value).upper() + "!"}
'''

MANIFEST = '''name = "amgtest_langext"
summary = "test plugin extending revsets and templates"
version = "1.0"
hook-api = 1
hooks = ["revset_predicates", "template_keywords", "template_filters"]
'''


@pytest.fixture
def setup(tmp_path: Path):
    plugins = tmp_path / "plugins" / "amgtest_langext"
    plugins.mkdir(parents=True)
    (plugins / "__init__.py").write_text(PLUGIN)
    (plugins / "plugin.toml").write_text(MANIFEST)
    repo = Repository.create(str(tmp_path / "repo"))
    for n in range(5):
        repo.commit_files({b"f%d" % (n % 2): FileChange(b"%d\n" % n)}, user="u",
                          date=(1_700_000_000, 0), message=f"c{n}")
    return repo.root, str(tmp_path / "plugins")


def run(amg, setup, *args: str, enabled: bool = True):
    root, path = setup
    extra = ("--config", "plugins.amgtest_langext=true") if enabled else ()
    return amg(*extra, *args, cwd=root, env={"AMG_PLUGIN_PATH": path})


def test_plugin_revset_function(amg, setup) -> None:
    result = run(amg, setup, "debugrevspec", "even() and touches(f1) or 1")
    assert (result.rc, result.stdout, result.stderr) == (0, "1\n", "")
    assert run(amg, setup, "debugrevspec", "even()").stdout == "0\n2\n4\n"


def test_plugin_keywords_and_filters(amg, setup) -> None:
    result = run(amg, setup, "debugtemplate", "-r", "1:2", "{double}{names % '<{names}>'}"
                 "{desc|shout}\\n")
    assert (result.rc, result.stdout) == (0, "2<x><y>C1!\n4<x><y>C2!\n")


def test_disabled_plugin_adds_nothing(amg, setup) -> None:
    result = run(amg, setup, "debugrevspec", "even()", enabled=False)
    assert result.rc == 255
    assert result.stderr.startswith("amg: parse error: unknown identifier: even")
    assert run(amg, setup, "debugtemplate", "-r", "0", "{double}|", enabled=False).stdout == "|"
