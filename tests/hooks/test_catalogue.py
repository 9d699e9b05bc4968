"""The static catalogue and the pluggy specifications must agree exactly."""
from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pluggy
import pytest

from amalgam.commands import TABLE
from amalgam.hooks.catalogue import HOOKS, LAYERS, command_hook_name

MARKER = "amalgam_spec"


def _specs() -> dict[str, tuple[str, object]]:
    """hook name -> (layer, spec function) from every layer module."""
    specs = {}
    for layer, modname in LAYERS.items():
        module = importlib.import_module(modname)
        for attr in dir(module):
            func = getattr(module, attr)
            if getattr(func, MARKER, None) is not None:
                assert attr not in specs, f"{attr} specified twice"
                specs[attr] = (layer, func)
    return specs


def test_catalogue_and_specs_have_the_same_hooks() -> None:
    assert set(_specs()) == set(HOOKS)


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_catalogue_entry_matches_spec(name: str) -> None:
    layer, func = _specs()[name]
    info = HOOKS[name]
    assert info.name == name
    assert info.layer == layer
    assert info.args == tuple(inspect.signature(func).parameters)
    assert info.firstresult == bool(getattr(func, MARKER).get("firstresult"))
    doc = inspect.getdoc(func) or ""
    if info.wrapper_of_command is None:
        # The shared command spec's first line is generic; layer hooks each
        # have their own, and the catalogue repeats it.
        assert doc.splitlines()[0] == info.summary
    for arg in info.args:
        assert f":param {arg}:" in doc, f"{name}: argument {arg} undocumented"
    assert ":return:" in doc
    assert ("Stops at first non-None result." in doc) == info.firstresult


def test_every_command_has_a_wrapper_hook() -> None:
    wrapped = {h.wrapper_of_command for h in HOOKS.values() if h.wrapper_of_command}
    assert wrapped == set(TABLE)
    for command in TABLE:
        info = HOOKS[command_hook_name(command)]
        assert info.layer == "commands" and info.args == ("invocation",)
        assert info.firstresult


def test_command_hook_name_replaces_dashes() -> None:
    assert command_hook_name("debug-thing") == "cmd_debug_thing"


def test_pluggy_accepts_every_spec() -> None:
    pm = pluggy.PluginManager("amalgam")
    for modname in LAYERS.values():
        pm.add_hookspecs(importlib.import_module(modname))
    assert {name for name in HOOKS if getattr(pm.hook, name, None) is not None} == set(HOOKS)


def test_catalogue_does_not_import_pluggy() -> None:
    code = ("import sys, amalgam.hooks, amalgam.hooks.catalogue; "
            "print('pluggy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"
