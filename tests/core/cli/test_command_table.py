"""The static command table agrees with what the command modules declare."""
from __future__ import annotations

import importlib
import importlib.util

import pytest

from amalgam import registrar
from amalgam.commands import TABLE


def _module_present(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("name", sorted(TABLE))
def test_table_entry_matches_its_module(name: str) -> None:
    module_name, aliases = TABLE[name]
    if not _module_present(module_name):
        pytest.skip(f"{module_name} is not written yet (its helper is working on it)")
    declared = registrar.declared(vars(importlib.import_module(module_name)))
    assert name in declared, f"{module_name} does not declare @command({name!r})"
    info = declared[name]
    assert info.aliases == aliases
    assert info.summary, f"command {name!r} has no docstring summary"


def test_names_and_aliases_are_unique() -> None:
    seen: list[str] = []
    for name, (_, aliases) in TABLE.items():
        seen += [name, *aliases]
    assert len(seen) == len(set(seen))


def test_registrar_rejects_malformed_declarations() -> None:
    with pytest.raises(ValueError):
        registrar.command("x", [("ab", "long", False, "two-letter short")])
    with pytest.raises(ValueError):
        registrar.command("x", [("a", "long", False)])
    with pytest.raises(ValueError):
        registrar.command("x", category="no-such-category")
    with pytest.raises(ValueError):
        registrar.command("x||y")


def test_registrar_records_metadata_on_the_function() -> None:
    @registrar.command("status|st", [("A", "all", False, "everything")],
                       "[FILE]...", optionalrepo=True, category="wdir", helpbasic=True)
    def status(ui, repo, *pats, **opts):
        """show changed files

        More text.
        """

    info = status.command_info
    assert (info.name, info.aliases, info.synopsis) == ("status", ("st",), "[FILE]...")
    assert (info.norepo, info.optionalrepo, info.category, info.helpbasic) == (
        False, True, "wdir", True)
    assert info.summary == "show changed files"
    assert info.doc == "show changed files\n\nMore text."
    assert registrar.declared({"status": status, "other": 3}) == {"status": info}
