"""Layering, sources and typing of ``amalgam.config.load``."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.config import ConfigItem, load, parse_override
from amalgam.error import ConfigError, InputError, PluginError


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "AMG_SYSTEM_CONFIG": str(tmp_path / "etc" / "config.toml")}


def write(path: str | Path, text: str) -> str:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def user_file(env: dict[str, str]) -> str:
    return str(Path(env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".hg").mkdir(parents=True)
    return root


def test_defaults_come_from_declarations(env):
    cfg = load(environ=env)
    assert cfg.get("ui", "timeout") == 600
    assert cfg.source("ui", "timeout") == "default"
    assert cfg.get("format", "revlog-compression") == "zstd"
    assert cfg.get("storage", "revlog.max-chain-len") == 1000
    assert cfg.get("ui", "timeout", 5) == 5
    assert cfg.get("nosuch", "key") is None
    assert cfg.source("nosuch", "key") == ""
    assert cfg.sections() == []


def test_each_layer_beats_the_one_below(env, repo):
    write(env["AMG_SYSTEM_CONFIG"], "[ui]\ntimeout = 2\nmerge = 'sys'\n")
    write(user_file(env), "[ui]\ntimeout = 3\neditor = 'user'\n")
    write(repo / ".hg" / "hgrc", "[ui]\nusername = hgrc\n")
    write(repo / ".hg" / "amalgam.toml", "\n[ui]\n\ntimeout = 5\n")
    cfg = load(environ=env, repo_root=str(repo),
               distro_defaults={"ui": {"timeout": 1, "quiet": True}},
               overrides=["ui.merge=cli"])
    assert cfg.get("ui", "quiet") is True
    assert cfg.source("ui", "quiet") == "distribution"
    assert cfg.get("ui", "editor") == "user"
    assert cfg.source("ui", "editor") == user_file(env) + ":3"
    assert cfg.get("ui", "username") == "hgrc"
    assert cfg.source("ui", "username") == str(repo / ".hg" / "hgrc") + ":2"
    assert cfg.get("ui", "timeout") == 5
    assert cfg.source("ui", "timeout") == str(repo / ".hg" / "amalgam.toml") + ":4"
    assert cfg.get("ui", "merge") == "cli"
    assert cfg.source("ui", "merge") == "--config"


def test_repo_toml_beats_hgrc(env, repo):
    write(repo / ".hg" / "hgrc", "[paths]\ndefault = /from/hgrc\n")
    write(repo / ".hg" / "amalgam.toml", "[paths]\ndefault = '/from/toml'\n")
    assert load(environ=env, repo_root=str(repo)).get("paths", "default") == "/from/toml"


def test_load_repo_later_stays_below_overrides(env, repo):
    write(repo / ".hg" / "amalgam.toml", "[ui]\ntimeout = 7\nmerge = 'repo'\n")
    cfg = load(environ=env, overrides=["ui.timeout=9"])
    assert cfg.get("ui", "merge") is None
    cfg.load_repo(str(repo))
    assert cfg.get("ui", "merge") == "repo"
    assert cfg.get("ui", "timeout") == 9


def test_load_repo_replaces_previous_repo(env, repo, tmp_path):
    other = tmp_path / "other"
    write(repo / ".hg" / "amalgam.toml", "[ui]\nmerge = 'one'\n")
    write(other / ".hg" / "hgrc", "[paths]\nx = y\n")
    cfg = load(environ=env, repo_root=str(repo))
    cfg.load_repo(str(other))
    assert cfg.get("ui", "merge") is None
    assert cfg.get("paths", "x") == "y"


def test_xdg_unset_uses_home_config(env):
    del env["XDG_CONFIG_HOME"]
    path = write(Path(env["HOME"]) / ".config" / "amalgam" / "config.toml",
                 "[ui]\nmerge = 'home'\n")
    cfg = load(environ=env)
    assert cfg.get("ui", "merge") == "home"
    assert cfg.source("ui", "merge") == path + ":2"


def test_relative_locations_follow_cwd(env, tmp_path):
    write(tmp_path / "etc" / "config.toml", "[ui]\nmerge = 'rel'\n")
    env["AMG_SYSTEM_CONFIG"] = "etc/config.toml"
    assert load(environ=env, cwd=str(tmp_path)).get("ui", "merge") == "rel"


def test_email_is_a_fallback_and_hguser_beats_files(env):
    write(user_file(env), "[ui]\nusername = 'file'\n")
    assert load(environ={**env, "EMAIL": "e@x"}).get("ui", "username") == "file"
    cfg = load(environ={**env, "EMAIL": "e@x", "HGUSER": "h"})
    assert (cfg.get("ui", "username"), cfg.source("ui", "username")) == ("h", "$HGUSER")
    cfg = load(environ={**env, "HGUSER": "h"}, overrides=["ui.username=cli"])
    assert cfg.get("ui", "username") == "cli"
    Path(user_file(env)).unlink()
    cfg = load(environ={**env, "EMAIL": "e@x"})
    assert (cfg.get("ui", "username"), cfg.source("ui", "username")) == ("e@x", "$EMAIL")


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("true", True), ("1", True), ("on", True), ("ON", True),
    ("no", False), ("false", False), ("0", False), ("off", False),
])
def test_bool_overrides(env, text, expected):
    assert load(environ=env, overrides=[f"ui.verbose={text}"]).get("ui", "verbose") is expected


def test_typed_overrides(env):
    cfg = load(environ=env, overrides=[
        "ui.timeout= 42", "storage.revlog.zstd.level=9", "ui.editor=~/bin/ed",
    ])
    assert cfg.get("ui", "timeout") == 42
    assert cfg.get("storage", "revlog.zstd.level") == 9
    assert cfg.get("ui", "editor") == "~/bin/ed"  # str, not path: no expansion


def test_list_and_path_types(env):
    cfg = load(environ=env, overrides=[
        "p.spaces=a b,c", 'p.toml=["x y", "z"]', "p.bad=[oops", "p.home=~/f",
        "p.float=2.5",
    ])
    cfg.declare([ConfigItem("p", "spaces", "list", [], "h", owner="p"),
                 ConfigItem("p", "toml", "list", [], "h", owner="p"),
                 ConfigItem("p", "bad", "list", [], "h", owner="p"),
                 ConfigItem("p", "home", "path", None, "h", owner="p"),
                 ConfigItem("p", "float", "float", 1.0, "h", owner="p")])
    assert cfg.get("p", "spaces") == ["a", "b", "c"]
    assert cfg.get("p", "toml") == ["x y", "z"]
    assert cfg.get("p", "bad") == ["[oops"]
    assert cfg.get("p", "home") == env["HOME"] + "/f"
    assert cfg.get("p", "float") == 2.5


def test_list_default_is_a_fresh_list(env):
    cfg = load(environ=env)
    cfg.declare([ConfigItem("p", "l", "list", ["a"], "h", owner="p")])
    cfg.get("p", "l").append("b")
    assert cfg.get("p", "l") == ["a"]


def test_bad_override_value_names_the_option(env):
    cfg = load(environ=env, overrides=["ui.timeout=soon"])
    with pytest.raises(ConfigError) as exc:
        cfg.get("ui", "timeout")
    assert "ui.timeout" in exc.value.message
    assert "--config" in exc.value.message
    assert "integer" in exc.value.message


def test_choices_are_checked(env):
    cfg = load(environ=env, overrides=["ui.color=sometimes"])
    with pytest.raises(ConfigError, match="auto, always, never"):
        cfg.get("ui", "color")


@pytest.mark.parametrize("text", ["ui.verbose", "verbose=1", ".x=1", "ui.=1", "=1"])
def test_parse_override_rejects_malformed(text):
    with pytest.raises(InputError) as exc:
        parse_override(text)
    assert exc.value.hints


def test_parse_override_splits_on_first_dot_and_equals():
    assert parse_override(" ui . verbose =1") == ("ui", "verbose", "1")
    assert parse_override("storage.revlog.zstd.level=a=b") == (
        "storage", "revlog.zstd.level", "a=b")


def test_malformed_override_aborts_load(env):
    with pytest.raises(InputError, match="malformed --config"):
        load(environ=env, overrides=["nodot=1"])


def test_already_split_overrides_are_accepted(env):
    cfg = load(environ=env, overrides=[("ui", "timeout", "8")])
    assert cfg.get("ui", "timeout") == 8


def test_set_types_strings_and_checks_values(env):
    cfg = load(environ=env)
    cfg.set("ui", "quiet", "yes", source="--quiet")
    assert cfg.get("ui", "quiet") is True
    assert cfg.source("ui", "quiet") == "--quiet"
    cfg.set("ui", "timeout", True)
    with pytest.raises(ConfigError, match="integer"):
        cfg.get("ui", "timeout")


def test_wrong_type_in_file_names_file_line_and_type(env):
    path = write(user_file(env), "[ui]\n# c\nverbose = 'yes'\n")
    cfg = load(environ=env)
    with pytest.raises(ConfigError) as exc:
        cfg.get("ui", "verbose")
    assert f"{path}:3" in exc.value.message
    assert "boolean" in exc.value.message


def test_int_is_accepted_for_float_but_bool_is_not_int(env):
    write(user_file(env), "[p]\nf = 3\n[ui]\ntimeout = true\n")
    cfg = load(environ=env)
    cfg.declare([ConfigItem("p", "f", "float", 1.0, "h", owner="p")])
    assert cfg.get("p", "f") == 3.0
    with pytest.raises(ConfigError, match="integer"):
        cfg.get("ui", "timeout")


def test_nested_tables_map_to_section_and_dotted_name(env):
    path = write(user_file(env), (
        "[storage.revlog]\n"
        "max-chain-len = 50\n"
        "zstd.level = 7\n"
        "[storage.revlog.zlib]\n"
        "level = 2\n"
        "[ui]\n"
        "x = { y = 1 }\n"
    ))
    cfg = load(environ=env)
    assert cfg.get("storage", "revlog.max-chain-len") == 50
    assert cfg.source("storage", "revlog.max-chain-len") == path + ":2"
    assert cfg.get("storage", "revlog.zstd.level") == 7
    assert cfg.source("storage", "revlog.zstd.level") == path + ":3"
    assert cfg.source("storage", "revlog.zlib.level") == path + ":5"
    # Inside an inline table: the line of the enclosing key.
    assert cfg.source("ui", "x.y") == path + ":7"
    assert cfg.items("storage") == [("revlog.max-chain-len", 50),
                                    ("revlog.zlib.level", 2),
                                    ("revlog.zstd.level", 7)]


def test_quoted_keys_and_multiline_strings_keep_lines_right(env):
    path = write(user_file(env), (
        '[alias]\n'
        'long = """\n'
        'fake = not a key\n'
        '"""\n'
        '"with.dot" = "log -l1"\n'
        "[paths]\n"
        "'default:pushurl' = 'ssh://h/r'\n"
    ))
    cfg = load(environ=env)
    assert cfg.get("alias", "with.dot") == "log -l1"
    assert cfg.source("alias", "with.dot") == path + ":5"
    assert cfg.source("paths", "default:pushurl") == path + ":7"
    assert cfg.raw("alias", "fake") is None


def test_free_form_sections_take_their_type(env):
    write(user_file(env), "[plugins]\nlargefiles = true\nnarrow = 'yes'\n")
    cfg = load(environ=env, overrides=["plugins.share=on"])
    assert cfg.get("plugins", "largefiles") is True
    assert cfg.get("plugins", "share") is True
    with pytest.raises(ConfigError, match="boolean"):
        cfg.get("plugins", "narrow")
    assert cfg.get("plugins", "absent") is None


def test_undeclared_keys_are_plain_values(env):
    write(user_file(env), "[mine]\nn = 3\nl = [1, 'a']\n")
    cfg = load(environ=env, overrides=["mine.t=4"])
    assert cfg.get("mine", "n") == 3
    assert cfg.get("mine", "l") == [1, "a"]
    assert cfg.get("mine", "t") == "4"
    assert cfg.sections() == ["mine"]


def test_key_outside_a_table_is_an_error(env):
    path = write(user_file(env), "\nverbose = true\n")
    with pytest.raises(ConfigError) as exc:
        load(environ=env)
    assert f"{path}:2" in exc.value.message
    assert exc.value.hints


def test_distro_defaults_must_be_sectioned(env):
    with pytest.raises(ConfigError, match="distribution"):
        load(environ=env, distro_defaults={"verbose": True})


def test_empty_system_variable_disables_system_file(env, tmp_path):
    env["AMG_SYSTEM_CONFIG"] = ""
    assert load(environ=env).sections() == []


def test_path_defaults_expand_home_too(env):
    cfg = load(environ=env)
    cfg.declare([ConfigItem("p", "cache", "path", "~/.cache/p", "h", owner="p")])
    assert cfg.get("p", "cache") == env["HOME"] + "/.cache/p"
