"""Manifest validation: every bad plugin.toml is a PluginError naming the file."""
from __future__ import annotations

import marshal

import pytest

from amalgam.error import PluginError
from amalgam.hooks.catalogue import HOOK_API_VERSION
from amalgam.registry.manifest import PluginManifest

GOOD = """\
name = "demo"
summary = "a demo"
version = "1.2"
hook-api = 1
hooks = ["cmd_version", "wc_walk"]
requires = ["demo-req"]

[commands.demo]
summary = "do the demo"
synopsis = "[FILE]..."
function = "commands:demo"
aliases = ["dm"]
options = [
  { short = "n", long = "dry-run", default = false, help = "do nothing" },
]

[command-options.init]
options = [{ long = "demo", default = "", help = "demo flavour" }]

[config.demo.level]
type = "int"
default = 3
help = "how much demo"
"""


def read(tmp_path, text: str, name: str = "demo") -> PluginManifest:
    path = tmp_path / "plugin.toml"
    path.write_text(text)
    return PluginManifest.read(str(path), expected_name=name, origin="path",
                               module=name, sys_path=str(tmp_path))


def test_good_manifest(tmp_path) -> None:
    m = read(tmp_path, GOOD)
    assert (m.name, m.summary, m.version, m.hook_api) == ("demo", "a demo", "1.2", 1)
    assert m.hooks == ("cmd_version", "wc_walk")
    assert m.requires == ("demo-req",)
    cmd = m.commands["demo"]
    assert (cmd.summary, cmd.synopsis, cmd.function, cmd.aliases) == (
        "do the demo", "[FILE]...", "commands:demo", ["dm"])
    assert cmd.options == [("n", "dry-run", False, "do nothing")]
    assert m.command_options == {"init": [("", "demo", "", "demo flavour")]}
    assert m.config == [("demo", "level", "int", 3, "how much demo")]


def test_cache_round_trip(tmp_path) -> None:
    m = read(tmp_path, GOOD)
    again = PluginManifest.from_cache(marshal.loads(marshal.dumps(m.to_cache())))
    assert (again.name, again.hooks, again.path, again.module, again.sys_path) == (
        m.name, m.hooks, m.path, m.module, m.sys_path)
    assert again.commands["demo"].options == m.commands["demo"].options


@pytest.mark.parametrize("change, message", [
    (("hook-api = 1\n", ""), "missing required field 'hook-api'"),
    (('summary = "a demo"\n', ""), "missing required field 'summary'"),
    (('version = "1.2"\n', "version = 1.2\n"), "'version' must be str"),
    (('hook-api = 1\n', "hook-api = true\n"), "'hook-api' must be int"),
    (('hooks = ["cmd_version", "wc_walk"]\n', 'hooks = "wc_walk"\n'), "'hooks' must be list"),
    (('requires = ["demo-req"]\n', 'requires = [1]\n'), "'requires' must be an array of strings"),
    (('name = "demo"\n', 'name = "demo"\nnmae = "x"\n'), "unknown key(s) nmae"),
    (('function = "commands:demo"\n', 'function = "commands.demo"\n'), "module:attribute"),
    (('function = "commands:demo"\n', ""), "missing required field 'commands.demo.function'"),
    (('type = "int"\n', 'type = "integer"\n'), "config.demo.level.type must be one of"),
    (('default = false, ', ''), "lacks 'default'"),
    (('short = "n"', 'short = "nn"'), "must be one character"),
])
def test_invalid_fields(tmp_path, change, message) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(PluginError) as info:
        read(tmp_path, GOOD.replace(old, new, 1))
    assert str(tmp_path / "plugin.toml") in info.value.message
    assert message in info.value.message
    assert info.value.hints


def test_invalid_toml_names_file_and_line(tmp_path) -> None:
    with pytest.raises(PluginError) as info:
        read(tmp_path, GOOD.replace('summary = "a demo"', 'summary = "a demo'))
    msg = info.value.message
    assert msg.startswith(f"invalid plugin manifest {tmp_path / 'plugin.toml'}")
    assert "line 2" in msg
    assert info.value.hints == ["fix the TOML syntax of the file"]


def test_not_utf8(tmp_path) -> None:
    (tmp_path / "plugin.toml").write_bytes(b'name = "\xff"\n')
    with pytest.raises(PluginError, match="invalid plugin manifest"):
        PluginManifest.read(str(tmp_path / "plugin.toml"), expected_name="demo",
                            origin="path", module="demo")


def test_unknown_hook(tmp_path) -> None:
    with pytest.raises(PluginError) as info:
        read(tmp_path, GOOD.replace('"wc_walk"', '"wc_wlak"'))
    assert "declares unknown hook(s): wc_wlak" in info.value.message
    assert "amg help hooks" in info.value.hints[0]


def test_newer_hook_api(tmp_path) -> None:
    newer = HOOK_API_VERSION + 1
    # A newer API may change other fields too: the version is checked first.
    text = GOOD.replace("hook-api = 1", f"hook-api = {newer}").replace(
        'hooks = ["cmd_version", "wc_walk"]', 'hooks = {all = true}')
    with pytest.raises(PluginError) as info:
        read(tmp_path, text)
    assert f"needs hook API {newer}" in info.value.message
    assert "upgrade amalgam" in info.value.hints[0]


def test_name_must_match_package(tmp_path) -> None:
    with pytest.raises(PluginError, match="does not match"):
        read(tmp_path, GOOD, name="other")


def test_unreadable(tmp_path) -> None:
    with pytest.raises(PluginError, match="cannot read plugin manifest"):
        PluginManifest.read(str(tmp_path / "missing.toml"), expected_name="demo",
                            origin="path", module="demo")
