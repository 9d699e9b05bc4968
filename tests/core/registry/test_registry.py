"""Enabling plugins, lazy import, and holding plugins to their manifests."""
from __future__ import annotations

import sys

import pytest

from amalgam.error import PluginError

WALK = """
@hookimpl
def wc_walk(repo, match, unknown, ignored):
    return [b"from-plugin"]
"""


def test_nothing_enabled_looks_at_nothing(make_registry, plugin_dir) -> None:
    plugin_dir.add(hooks=("wc_walk",), code=WALK)
    registry = make_registry()
    assert registry.implementers("wc_walk") == []
    assert registry.plugin_commands() == {}
    assert registry.command_options("init") == []
    assert registry._discovered is None  # no discovery, no cache read


def test_enabled_plugin_is_imported_only_when_its_hook_is_called(
        make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code=WALK)
    registry = make_registry([name])
    assert registry.implementers("wc_walk") == [name]
    assert registry.implementers("wc_status") == []
    assert name not in sys.modules and not registry.imported(name)
    assert registry.hooks.wc_status(repo=None, match=None, status=None) == []
    assert name not in sys.modules
    assert registry.hooks.wc_walk(repo=None, match=None, unknown=False,
                                  ignored=False) == [b"from-plugin"]
    assert registry.imported(name) and registry.loaded_plugins() == [name]


def test_disabled_plugin_is_not_called(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code=WALK)
    registry = make_registry(overrides=[f"plugins.{name}=false"])
    assert registry.enabled() == []
    assert registry.hooks.wc_walk(repo=None, match=None, unknown=True, ignored=True) is None
    assert name not in sys.modules


def test_unknown_plugin_suggests_a_close_name(make_registry, plugin_dir) -> None:
    name = plugin_dir.add("largefiles")
    with pytest.raises(PluginError) as info:
        make_registry([name[:-1]])
    assert info.value.message == f"unknown plugin '{name[:-1]}' in [plugins]"
    assert info.value.hints[0] == f"did you mean '{name}'?"
    assert name in info.value.hints[1]


def test_undeclared_hook_implementation(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code=WALK + """
@hookimpl
def wc_status(repo, match, status):
    pass
""")
    registry = make_registry([name])
    with pytest.raises(PluginError) as info:
        registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)
    assert info.value.message == (f"plugin '{name}' disagrees with its manifest: "
                                  "implements undeclared hook(s) wc_status")
    assert "plugin.toml" in info.value.hints[0]


def test_declared_but_missing_hook(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk", "repo_open"), code=WALK)
    registry = make_registry([name])
    with pytest.raises(PluginError, match="declares unimplemented hook.s. repo_open"):
        registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)


def test_bad_hook_arguments(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code="""
@hookimpl
def wc_walk(repo, matcher):
    return None
""")
    registry = make_registry([name])
    with pytest.raises(PluginError, match=f"plugin '{name}' has an invalid hook"):
        registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)


def test_import_failure(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code="raise RuntimeError('boom')\n")
    registry = make_registry([name])
    with pytest.raises(PluginError) as info:
        registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)
    assert info.value.message == f"plugin '{name}' failed to load: RuntimeError: boom"
    assert info.value.hints == ["run with --traceback to see where"]
    assert isinstance(info.value.__cause__, RuntimeError)


def test_two_plugins_adding_one_command(make_registry, plugin_dir) -> None:
    extra = """
[commands.same]
summary = "s"
function = "commands:same"
"""
    a = plugin_dir.add("a", extra=extra)
    b = plugin_dir.add("b", extra=extra)
    with pytest.raises(PluginError) as info:
        make_registry([a, b])
    assert info.value.message == (f"plugins '{a}' and '{b}' both add the command 'same'")
    make_registry([a])  # one alone is fine


def test_broken_manifest_only_matters_when_enabled(make_registry, plugin_dir) -> None:
    broken = plugin_dir.add(manifest='name = "NAME"\nsummary = "x\n')
    good = plugin_dir.add()
    registry = make_registry([good])
    assert broken in registry.broken()
    names = [m.name for m in registry.manifests()]
    assert good in names and broken not in names  # built-in plugins are listed too
    with pytest.raises(PluginError, match=f"invalid plugin manifest .*{broken}"):
        make_registry([broken])


def test_plugin_commands_and_functions(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(extra="""
[commands.shout]
summary = "shout"
aliases = ["yell"]
function = "cmds:shout"
options = [{ short = "l", long = "loud", default = false, help = "louder" }]

[command-options.init]
options = [{ long = "shout", default = false, help = "shout while creating" }]
""", files={"cmds.py": "def shout(ui, repo, *args, **opts):\n    return 7\n"})
    registry = make_registry([name])
    assert registry.plugin_commands()["shout"] == (name, ("yell",), "shout")
    assert registry.command_options("init") == [("", "shout", False, "shout while creating")]
    assert name not in sys.modules
    assert registry.command_function("shout")(None, None) == 7
    assert registry.imported(name)


def test_command_function_missing_attribute(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(extra='[commands.x]\nsummary = "x"\nfunction = "cmds:nope"\n',
                          files={"cmds.py": ""})
    registry = make_registry([name])
    with pytest.raises(PluginError, match="failed to load command 'x'"):
        registry.command_function("x")


def test_disabled_plugin_for_command(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(extra='[commands.lfput]\nsummary = "x"\n'
                                'aliases = ["lfp"]\nfunction = "c:f"\n')
    registry = make_registry()
    assert registry.disabled_plugin_for_command("lfp") == name
    assert registry.disabled_plugin_for_command("other") is None
    assert make_registry([name]).disabled_plugin_for_command("lfput") is None


def test_requirement_claims(make_registry, plugin_dir) -> None:
    a = plugin_dir.add("a", extra='requires = ["largefiles"]\n')
    b = plugin_dir.add("b", extra='requires = ["narrowhg-experimental"]\n')
    claims = make_registry([b]).requirement_claims()
    assert claims["largefiles"] == (a, False)
    assert claims["narrowhg-experimental"] == (b, True)


def test_config_items_are_declared(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(extra="""
[config.shouting.level]
type = "int"
default = 11
help = "how loud"
""")
    registry = make_registry([name], overrides=[])
    assert registry.config.get("shouting", "level") == 11
    owners = {(i.section, i.name): i.owner for i in registry.config.declared()}
    assert owners[("shouting", "level")] == name


def test_plugin_help_is_the_package_docstring(make_registry, plugin_dir) -> None:
    name = plugin_dir.add()
    registry = make_registry()
    assert registry.plugin_help(name) == f"Plugin {name}: help text."
    assert registry.plugin_help("nope") is None


def test_trace(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code=WALK)
    registry = make_registry([name], env={"AMG_TRACE_PLUGINS": "1"})
    registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)
    registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)
    assert registry.ui.ferr.getvalue().decode() == (
        f"plugin: import {name}\nhook: wc_walk -> {name}\nhook: wc_walk -> {name}\n")


def test_trace_by_config(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), code=WALK)
    registry = make_registry([name], overrides=["ui.trace-plugins=true"])
    registry.hooks.wc_walk(repo=None, match=None, unknown=False, ignored=False)
    assert b"hook: wc_walk" in registry.ui.ferr.getvalue()


def test_plugin_cannot_add_a_kernel_command(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(extra='[commands.ver]\nsummary = "v"\naliases = ["version"]\n'
                                'function = "c:f"\n')
    with pytest.raises(PluginError) as info:
        make_registry([name])
    assert info.value.message == (f"plugin '{name}' adds the command 'version', "
                                  "which amalgam already has")
    assert "wrapper hook" in info.value.hints[0]
