"""Config files: malformed TOML, unreadable files, hgrc, lazy tomllib."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from amalgam.config import load
from amalgam.config.files import read_hgrc
from amalgam.error import ConfigError


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "AMG_SYSTEM_CONFIG": str(tmp_path / "system.toml")}


def system(env: dict[str, str], data: str | bytes) -> str:
    path = Path(env["AMG_SYSTEM_CONFIG"])
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


@pytest.mark.parametrize("text, line", [
    ("[ui]\nverbose = true\nquiet = = 1\n", 3),
    ("[ui]\nverbose = [1,\n", 2),             # tomllib: "at end of document"
    ("[ui]\nverbose = true\nverbose = false\n", 3),
    ("[ui\n", 1),
])
def test_malformed_toml_names_file_and_line(env, text, line):
    path = system(env, text)
    with pytest.raises(ConfigError) as exc:
        load(environ=env)
    message = exc.value.message
    assert message.startswith(f"malformed configuration file {path}: ")
    assert message.endswith(f" at line {line}")
    assert "\n" not in message and "column" not in message
    assert exc.value.hints


def test_invalid_utf8_is_malformed_with_line(env):
    path = system(env, b"[ui]\nusername = '\xff'\n")
    with pytest.raises(ConfigError) as exc:
        load(environ=env)
    assert exc.value.message == (
        f"malformed configuration file {path}: not valid UTF-8 at line 2")


def test_unreadable_file_is_a_clean_error(env):
    Path(env["AMG_SYSTEM_CONFIG"]).mkdir()
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load(environ=env)


def test_missing_files_are_fine(env):
    env["XDG_CONFIG_HOME"] = str(Path(env["HOME"]) / "not-a-dir-file")
    Path(env["XDG_CONFIG_HOME"]).write_text("x")  # a file where a dir should be
    assert load(environ=env).keys() == []


def test_hgrc_reads_only_paths_and_username(tmp_path):
    hgrc = tmp_path / "hgrc"
    hgrc.write_text(
        "# comment\n"
        "[ui]\n"
        "verbose = true\n"
        "username = Jane\n"
        "  Doe\n"
        "%include other.rc\n"
        "[paths]\n"
        "default = https://example.com/r\n"
        "; other comment\n"
        "default:pushurl=ssh://h//r\n"
        "[hooks]\n"
        "default = echo\n"
        "  username = not a key\n")
    assert read_hgrc(str(hgrc)) == [
        ("ui", "username", "Jane\nDoe", f"{hgrc}:4"),
        ("paths", "default", "https://example.com/r", f"{hgrc}:8"),
        ("paths", "default:pushurl", "ssh://h//r", f"{hgrc}:10"),
    ]
    assert read_hgrc(str(tmp_path / "absent")) is None


def test_hgrc_values_are_text_typed(env, tmp_path):
    (tmp_path / ".hg").mkdir()
    (tmp_path / ".hg" / "hgrc").write_text("[paths]\nd = ~/x\n")
    cfg = load(environ=env, repo_root=str(tmp_path))
    assert cfg.get("paths", "d") == "~/x"
    assert cfg.source("paths", "d") == f"{tmp_path}/.hg/hgrc:2"



@pytest.mark.parametrize(("text", "expected"), [("False", False), ("yes", True)])
def test_hgrc_phases_publish_is_read_and_typed(env, tmp_path, text, expected):
    # A server's .hg/hgrc decides whether what it receives becomes public.
    (tmp_path / ".hg").mkdir()
    (tmp_path / ".hg" / "hgrc").write_text(f"[phases]\npublish = {text}\n[phases2]\nx = 1\n")
    cfg = load(environ=env, repo_root=str(tmp_path))
    assert cfg.get("phases", "publish") is expected
    assert cfg.source("phases", "publish") == f"{tmp_path}/.hg/hgrc:2"
    assert cfg.raw("phases2", "x") is None


def test_phases_publish_defaults_to_true(env):
    assert load(environ=env).get("phases", "publish") is True


HGRC = (
    "\ufeff[ui]\n"
    "username = Someone\n"
    "# a comment inside the continued value\n"
    "  <s@example.com>\n"
    "\n"
    "[paths]\n"
    "default =   https://example.com/one   \n"
    "other=https://example.com/two\n"
    "[hooks]\n"
    "other = not a path\n"
)


def test_hgrc_agrees_with_hg(hg, tmp_path, isolated_env):
    hg("init", "r", cwd=tmp_path)
    repo = tmp_path / "r"
    (repo / ".hg" / "hgrc").write_text(HGRC, encoding="utf-8")
    cfg = load(environ=isolated_env, repo_root=str(repo))
    shown = hg("config", "paths", cwd=repo).stdout.splitlines()
    assert [f"paths.{n}={v}" for n, v in cfg.items("paths")] == shown
    assert cfg.get("ui", "username") == "test <test@example.com>"  # $HGUSER wins
    env = {k: v for k, v in isolated_env.items() if k != "HGUSER"}
    username = load(environ=env, repo_root=str(repo)).get("ui", "username")
    assert username == "Someone\n<s@example.com>"
    # hg prints a newline inside a value as backslash-n.
    assert username.replace("\n", "\\n") == \
        hg("config", "ui.username", cwd=repo).stdout.rstrip("\n")


_PROBE = """
import sys
from amalgam.config import load
cfg = load(environ={{"AMG_SYSTEM_CONFIG": {path!r}, "HOME": {home!r}}},
           overrides=["ui.timeout=3"])
assert cfg.get("ui", "timeout") == 3
print("tomllib" in sys.modules or "tomli" in sys.modules)
"""


@pytest.mark.parametrize("exists", [False, True])
def test_toml_parser_imported_only_when_a_file_exists(tmp_path, exists):
    path = tmp_path / "system.toml"
    if exists:
        path.write_text("[ui]\nverbose = true\n")
    code = _PROBE.format(path=str(path), home=str(tmp_path / "nohome"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert out.strip() == str(exists)


def test_deep_nesting_is_a_clean_error(env):
    path = system(env, "[x]\nv = " + "[" * 5000 + "\n")
    with pytest.raises(ConfigError, match=f"malformed configuration file {path}: "):
        load(environ=env)


def test_dotted_keys_up_to_the_limit_are_fine(env):
    system(env, "[x]\n" + "a." * 62 + "b = 1\n")
    assert load(environ=env).get("x", "a." * 62 + "b") == 1


@pytest.mark.parametrize("text, line", [
    ("[x]\n" + "a." * 50000 + "b = 1\n", 2),
    ("[x]\ns = '''\n" + "a." * 100 + "'''\nv = {" + " 'q' ." * 70 + "= 1}\n", 4),
    ("[" + "a." * 70 + "b]\n", 1),
])
def test_overlong_dotted_keys_are_refused_before_parsing(env, text, line):
    path = system(env, text)
    with pytest.raises(ConfigError) as exc:
        load(environ=env)
    assert exc.value.message == (
        f"malformed configuration file {path}: key with more than 64 dotted "
        f"parts at line {line}")


def test_dots_in_strings_and_comments_do_not_count(env):
    system(env, "[x]\n# " + "a." * 100 + "\nv = \"" + "a." * 100 + "\"\n")
    assert load(environ=env).get("x", "v") == "a." * 100


def test_deep_override_literal_falls_back_to_text(env):
    cfg = load(environ=env, overrides=["x.y=" + "[" * 5000])
    from amalgam.config import ConfigItem
    cfg.declare([ConfigItem("x", "y", "list", [], "h", owner="x")])
    assert cfg.get("x", "y") == ["[" * 5000]


def test_same_item_spelled_twice_is_an_error(env):
    path = system(env, '[a]\n"b.c" = 1\n[a.b]\nc = 2\n')
    with pytest.raises(ConfigError) as exc:
        load(environ=env)
    assert exc.value.message == f"a.b.c is set twice, in {path}:2 and {path}:4"


def test_empty_tables_set_nothing(env, tmp_path):
    # A header with nothing under it yet is valid TOML and common while editing.
    user = tmp_path / "xdg" / "amalgam" / "config.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("[plugins]\n# none yet\n[storage.revlog]\n[ui]\nverbose = true\n")
    cfg = load(environ={**env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert cfg.items("plugins") == []
    assert cfg.get("ui", "verbose") is True


def test_hgrc_web_access_keys_use_our_names_and_types(env, tmp_path):
    # A repository served by hg before keeps its access rules under amg serve.
    (tmp_path / ".hg").mkdir()
    (tmp_path / ".hg" / "hgrc").write_text(
        "[web]\nallow_push = alice, bob\npush_ssl = false\nallowpull = no\n"
        "style = gitweb\n")
    cfg = load(environ=env, repo_root=str(tmp_path))
    assert cfg.get("web", "allow-push") == ["alice", "bob"]
    assert cfg.get("web", "push-ssl") is False
    assert cfg.get("web", "allow-pull") is False
    assert cfg.source("web", "push-ssl") == f"{tmp_path}/.hg/hgrc:3"
