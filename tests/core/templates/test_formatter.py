"""The item formatter behind -T on tags, status, annotate and the other listing commands."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.context import changectx
from amalgam.repo import FileChange, Repository
from amalgam.templates.formatter import formatter
from amalgam.templates.values import Date


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    repo = Repository.create(str(tmp_path / "repo"))
    repo.commit_files({b"a.txt": FileChange(b"a\n")}, user="Ann <ann@example.com>",
                      date=(1_700_000_000, -3600), message="first")
    return repo


def run(repo: Repository, spec: str, items: list[tuple[dict, bool, dict | None]]) -> str:
    ui = repo.ui
    ui.pushbuffer()
    fm = formatter(ui, repo, spec)
    for fields, with_ctx, extra in items:
        fm.item(fields, changectx(repo, 0) if with_ctx else None, extra)
    fm.end()
    return ui.popbuffer().decode()


def test_json_layout_is_hgs(repo: Repository) -> None:
    text = run(repo, "json", [
        ({"path": "a", "lines": [{"line": "x\n", "rev": 0, "ctx": None,
                                  "date": Date(1.0, -3600)}],
          "flag": True, "tags": ["t\u00e9"]}, False, {"hidden": 1}),
        ({"path": "b", "lines": [], "flag": False, "tags": []}, False, None),
    ])
    assert text == (
        '[\n {\n  "flag": true,\n'
        '  "lines": [{"date": [1.0, -3600], "line": "x\\n", "rev": 0}],\n'
        '  "path": "a",\n  "tags": ["t\\u00e9"]\n },\n'
        ' {\n  "flag": false,\n  "lines": [],\n  "path": "b",\n  "tags": []\n }\n]\n')


def test_no_items_is_an_empty_json_list(repo: Repository) -> None:
    assert run(repo, "json", []) == "[\n]\n"


def test_template_sees_fields_extra_lists_and_changeset_keywords(repo: Repository) -> None:
    text = run(repo, "{path}|{size}|{tags % '<{tag}>'}|{author|person}|{rev}\n", [
        ({"path": "a", "tags": ["x", "y"]}, True, {"size": 3}),
        ({"path": "b", "tags": []}, False, None),
    ])
    assert text == "a|3|<x><y>|Ann|0\nb||||\n"


def test_wants_names_only_what_the_template_uses(repo: Repository) -> None:
    fm = formatter(repo.ui, repo, "{path} {if(size, size)}")
    assert fm.wants("size") and fm.wants("path") and not fm.wants("flags")
    assert not formatter(repo.ui, repo, "json").wants("size")
