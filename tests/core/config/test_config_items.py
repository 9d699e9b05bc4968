"""Declared items: declaring, duplicates, warnings, help text."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.config import ConfigItem, help_text, load
from amalgam.config.items import KERNEL_ITEMS, TYPES
from amalgam.error import ConfigError, PluginError


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "AMG_SYSTEM_CONFIG": str(tmp_path / "system.toml")}


REQUIRED = [
    "ui.username", "ui.verbose", "ui.quiet", "ui.debug", "ui.traceback",
    "ui.color", "ui.detailed-exit-code", "ui.editor", "ui.merge",
    "ui.interactive", "ui.timeout", "ui.trace-plugins", "paths.*",
    "plugins.*", "alias.*", "format.revlog-compression",
    "format.sparse-revlog", "format.generaldelta", "format.dotencode",
    "format.use-share-safe", "format.usefncache",
    "storage.revlog.max-chain-len", "storage.revlog.zstd.level",
    "storage.revlog.zlib.level",
]


def test_kernel_declares_the_required_items_once():
    keys = [i.key for i in KERNEL_ITEMS]
    assert sorted(set(keys)) == sorted(keys)
    assert set(REQUIRED) <= set(keys)
    for item in KERNEL_ITEMS:
        assert item.type in TYPES and item.help and item.owner == "kernel"


def test_plugin_items_are_typed_and_listed(env):
    cfg = load(environ=env, overrides=["big.minsize=5"])
    item = ConfigItem("big", "minsize", "int", 10, "Smallest big file.", owner="big")
    assert cfg.get("big", "minsize") == "5"  # undeclared: the text as given
    cfg.declare([item])
    assert cfg.get("big", "minsize") == 5
    assert item in cfg.declared()
    assert cfg.item("big", "minsize") is item


def test_redeclaring_the_same_item_is_harmless(env):
    cfg = load(environ=env)
    item = ConfigItem("big", "minsize", "int", 10, "h", owner="big")
    cfg.declare([item])
    cfg.declare([ConfigItem("big", "minsize", "int", 10, "h", owner="big")])
    assert [i.key for i in cfg.declared()].count("big.minsize") == 1


def test_declaring_a_taken_key_is_a_plugin_error(env):
    cfg = load(environ=env)
    with pytest.raises(PluginError) as exc:
        cfg.declare([ConfigItem("ui", "timeout", "int", 1, "h", owner="mine")])
    assert "mine" in exc.value.message and "kernel" in exc.value.message


@pytest.mark.parametrize("args, match", [
    (("p", "x", "integer", 1, "h"), "unknown type"),
    (("p", "x", "int", "ten", "h"), "bad default"),
    (("p.q", "x", "int", 1, "h"), "invalid config key"),
    (("p", "", "int", 1, "h"), "invalid config key"),
])
def test_bad_declarations_name_the_plugin(args, match):
    with pytest.raises(PluginError, match=match) as exc:
        ConfigItem(*args, owner="broken")
    assert "broken" in exc.value.message


def test_kernel_bad_declaration_is_a_config_error():
    with pytest.raises(ConfigError) as exc:
        ConfigItem("p", "x", "nope", None, "h")
    assert not isinstance(exc.value, PluginError)


def test_warnings_for_unknown_keys_in_known_sections(env):
    path = Path(env["AMG_SYSTEM_CONFIG"])
    path.write_text("[ui]\nverbose = true\ncolr = 'never'\n"
                    "[paths]\nanything = 'x'\n[elsewhere]\nfree = 1\n"
                    "[big]\nminsiz = 3\n")
    cfg = load(environ=env, overrides=["ui.nosuchthing=1"])
    assert cfg.warnings() == [
        "unknown config key 'ui.colr' in %s:3 (did you mean 'ui.color'?)" % path,
        "unknown config key 'ui.nosuchthing' in --config",
    ]
    # A plugin declaring its section makes that section known.
    cfg.declare([ConfigItem("big", "minsize", "int", 10, "h", owner="big")])
    assert cfg.warnings()[0] == (
        f"unknown config key 'big.minsiz' in {path}:9 (did you mean 'big.minsize'?)")


def test_help_text_lists_every_declared_item(env):
    cfg = load(environ=env)
    cfg.declare([ConfigItem("big", "minsize", "int", 10,
                            "Smallest file kept as a big file.", owner="big")])
    text = help_text(cfg)
    for item in cfg.declared():
        shown = f"{item.section}.<any name>" if item.name == "*" else item.key
        line = next(ln for ln in text.splitlines() if ln.startswith(f"  {shown} ("))
        assert item.type in line or "|" in line
    assert "  big.minsize (int, default 10, from plugin big)" in text
    assert "Smallest file kept as a big file." in text
    assert "  ui.color (auto|always|never, default 'auto')" in text
    assert "  ui.timeout (int, default 600)" in text
