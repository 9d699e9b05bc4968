"""DISTRO.toml parsing and validation, and the process-wide active distribution."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import amalgam.plugins
from amalgam import distro
from amalgam.distro import Distribution, names
from amalgam.distro.spec import MAX_SPEC_BYTES, line_of
from amalgam.error import ConfigError

EXAMPLE = Path(__file__).parents[3] / "examples" / "distro" / "DISTRO.toml"

MINIMAL = 'name = "Acme VCS"\ncommand = "acme"\nversion = "1.2.0"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "DISTRO.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fake_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A built-in plugin 'watchman' visible to the spec reader (manifest only)."""
    root = tmp_path / "_builtin"
    (root / "watchman").mkdir(parents=True)
    (root / "watchman" / "plugin.toml").write_text('name = "watchman"\n')
    (root / "watchman" / "__init__.py").write_text("")
    (root / "nomanifest").mkdir()
    (root / "nomanifest" / "__init__.py").write_text("")
    (root / "nopackage").mkdir()
    (root / "nopackage" / "plugin.toml").write_text('name = "nopackage"\n')
    monkeypatch.setattr(amalgam.plugins, "__path__", [str(root)])
    return "watchman"


def test_example_spec_loads() -> None:
    d = distro.load_spec(EXAMPLE)
    assert (d.name, d.command, d.version, d.package) == (
        "Acme VCS", "acme", "1.2.0", "acme_vcs")
    assert d.plugins == ("hello",)
    assert d.builtin == ()
    assert d.requirements == ("amg-hello>=0.1",)
    assert d.defaults["ui"] == {"editor": "nano"}
    assert d.defaults["plugins"] == {"hello": True}


def test_minimal_spec_derives_package_and_has_no_plugins(tmp_path: Path) -> None:
    d = distro.load_spec(write(tmp_path, MINIMAL.replace('"acme"', '"acme-vcs"')))
    assert d.package == "acme_vcs"
    assert d.plugins == d.requirements == ()
    assert d.defaults == {}


def test_builtin_and_thirdparty_plugins_are_enabled_in_defaults(
        tmp_path: Path, fake_builtin: str) -> None:
    text = MINIMAL + f"""
[plugins]
builtin = ["{fake_builtin}"]
enable = ["hello"]
requirements = ["amg-hello>=0.1"]

[defaults]
ui.username = "Acme <dev@acme.example>"
plugins.other = false
storage.revlog.max-chain-len = 500
"""
    d = distro.load_spec(write(tmp_path, text))
    assert d.plugins == (fake_builtin, "hello")
    assert d.builtin == (fake_builtin,)
    assert d.defaults == {
        "ui": {"username": "Acme <dev@acme.example>"},
        "plugins": {"other": False, fake_builtin: True, "hello": True},
        "storage": {"revlog": {"max-chain-len": 500}},
    }


def test_unknown_builtin_plugin_lists_available(tmp_path: Path, fake_builtin: str) -> None:
    path = write(tmp_path, MINIMAL + '[plugins]\nbuiltin = ["watchmen"]\n')
    with pytest.raises(ConfigError) as exc:
        distro.load_spec(path)
    assert exc.value.message == f"{path}:5: unknown built-in plugin 'watchmen'"
    assert exc.value.hints == ["built-in plugins: watchman"]


@pytest.mark.parametrize("raw, normal", [
    ("1.0", "1.0"), ("v1.0", "1.0"), ("1.0.0-alpha1", "1.0.0a1"), ("1.0a", "1.0a0"),
    ("1.0-rc.2", "1.0rc2"), ("1.0c1", "1.0rc1"), ("1.0-1", "1.0.post1"),
    ("1.0.post", "1.0.post0"), ("1.0_r3", "1.0.post3"), ("1.0-dev", "1.0.dev0"),
    ("0!1.0", "1.0"), ("2!01.002", "2!1.2"), ("1.0+Ubuntu-01", "1.0+ubuntu.1"),
    ("1.0a1.post2.dev3", "1.0a1.post2.dev3"), ("1.0.PREVIEW4", "1.0rc4"),
])
def test_version_normalisation_matches_packaging(raw: str, normal: str) -> None:
    from packaging.version import Version

    assert names.normalize_version(raw) == normal == str(Version(raw))


@pytest.mark.parametrize("raw", ["", "1.0.", "one", "1.0-beta-gamma", "1.0\n2"])
def test_non_versions_are_rejected(raw: str) -> None:
    from packaging.version import InvalidVersion, Version

    assert names.normalize_version(raw) is None
    with pytest.raises(InvalidVersion):
        Version(raw)


def test_absurdly_long_versions_are_rejected() -> None:
    # Bounded before int() conversion, which refuses huge digit strings.
    assert names.normalize_version("1." * 40 + "0") is None
    assert names.normalize_version("9" * 5000) is None


@pytest.mark.parametrize("text, message, line", [
    ('name = "x"\ncommand = \n', "invalid TOML: Invalid value", 2),
    ('name = "x"\ncommand = "acme"\n', "missing required key 'version'", None),
    (MINIMAL + 'colour = "red"\n', "unknown key 'colour'", 4),
    (MINIMAL.replace('"Acme VCS"', '""'), "name must not be empty", 1),
    (MINIMAL.replace('"Acme VCS"', '"a\\nb"'), "name must be one printable line", 1),
    (MINIMAL.replace('"Acme VCS"', "42"), "'name' must be a string", 1),
    (MINIMAL.replace('"acme"', '"amg"'), "command name 'amg' is Amalgam's own", 2),
    (MINIMAL.replace('"acme"', '"Acme"'), "invalid command name 'Acme'", 2),
    (MINIMAL.replace('"acme"', '"ac me"'), "invalid command name 'ac me'", 2),
    (MINIMAL.replace('"acme"', '"json"'), "would shadow Python's 'json' module", 2),
    (MINIMAL + 'package = "class"\n', "invalid package name 'class'", 4),
    (MINIMAL + 'package = "amalgam"\n', "package name 'amalgam' is Amalgam's own", 4),
    (MINIMAL + 'package = "acme.vcs"\n', "invalid package name 'acme.vcs'", 4),
    (MINIMAL.replace('"1.2.0"', '"latest"'), "invalid version 'latest'", 3),
    (MINIMAL + 'plugins = ["hello"]\n', "'plugins' must be a table", 4),
    (MINIMAL + '[plugins]\nenable = "hello"\n', "'plugins.enable' must be a list", 5),
    (MINIMAL + '[plugins]\nenable = ["a b"]\n', "invalid plugin name 'a b'", 5),
    (MINIMAL + '[plugins]\nenable = ["x", "x"]\n', "'x' is listed twice", 5),
    (MINIMAL + '[plugins]\nextra = []\n', "unknown key 'plugins.extra'", 5),
    (MINIMAL + '[plugins]\nrequirements = ["amg-hello\\nEvil: 1"]\n',
     "invalid requirement", 5),
    (MINIMAL + '[plugins]\nrequirements = ["-e ."]\n', "invalid requirement", 5),
    (MINIMAL + '[plugins]\nbuiltin = ["nosuchplugin"]\n',
     "unknown built-in plugin 'nosuchplugin'", 5),
    (MINIMAL + '[defaults]\nui = "x"\n', "'defaults.ui' must be a table", 5),
    (MINIMAL + 'defaults = 3\n', "'defaults' must be a table", 4),
    (MINIMAL + '[defaults.ui]\nwhen = 1979-05-27\n', "dates and times are not", 5),
    (MINIMAL + '[defaults.ui]\nx = [[1, 1979-05-27]]\n', "dates and times are not", 5),
    (MINIMAL + '[defaults.ui]\nx = inf\n', "'defaults.ui.x' must be a finite number", 5),
    (MINIMAL + '[defaults.ui]\neditor = 3\n',
     "invalid value for ui.editor: expected a string, got integer 3", 5),
    (MINIMAL + '[defaults]\nui.color = "purple"\n', "invalid value for ui.color", 5),
    (MINIMAL + '[defaults.storage.revlog]\nmax-chain-len = "x"\n',
     "invalid value for storage.revlog.max-chain-len", 5),
    (MINIMAL + '[defaults.ui]\n' + 'x = ' + '[' * 40 + ']' * 40 + '\n',
     "'defaults.ui.x' is nested more than 32 levels deep", 5),
    (MINIMAL + 'x = ' + '[' * 2000 + ']' * 2000 + '\n', "line longer than 1000", 4),
    (MINIMAL + 'x = ' + '[\n' * 5000 + ']\n' * 5000, "nested too deeply", None),
    (MINIMAL + '[defaults.plugins]\nhello = "yes"\n',
     "'defaults.plugins.hello' must be true or false", 5),
    (MINIMAL + '[plugins]\nenable = ["hello"]\n[defaults.plugins]\nhello = false\n',
     "plugin 'hello' is listed in [plugins] but disabled", 7),
])
def test_invalid_spec_is_one_line_config_error(tmp_path: Path, text: str, message: str,
                                               line: int | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        distro.load_spec(path)
    where = f"{path}:{line}: " if line else f"{path}: "
    assert exc.value.message.startswith(where)
    assert message in exc.value.message
    assert "\n" not in exc.value.message
    assert exc.value.hints


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read distribution file .*missing"):
        distro.load_spec(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is not a regular file"):
        distro.load_spec(tmp_path)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is not a regular file"):
        distro.load_spec(fifo)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(MINIMAL.replace("Acme", "Acm\xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 11\)"):
        distro.load_spec(bad)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(MINIMAL.encode() + b"#" * MAX_SPEC_BYTES)
    with pytest.raises(ConfigError, match="larger than"):
        distro.load_spec(huge)


def test_line_of_finds_each_spelling() -> None:
    text = ('a = 1\n[plugins]\nbuiltin = []\n"enable" = []\n'
            '[defaults]\nui.username = "x"\n[ defaults . paths ]  # c\nfoo = "y"\n')
    assert line_of(text, "a") == 1
    assert line_of(text, "plugins") == 2
    assert line_of(text, "plugins", "builtin") == 3
    assert line_of(text, "plugins", "enable") == 4
    assert line_of(text, "defaults", "ui", "username") == 6
    assert line_of(text, "defaults", "paths", "foo") == 8
    assert line_of(text, "defaults", "nothing") is None


def test_activate_and_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distro, "_ACTIVE", None)
    assert distro.active() is None
    d = distro.load_spec(EXAMPLE)
    distro.activate(d)
    assert distro.active() is d
    distro.activate(None)
    assert distro.active() is None


def test_dict_round_trip_and_version_lines(tmp_path: Path, fake_builtin: str) -> None:
    text = MINIMAL + f'[plugins]\nbuiltin = ["{fake_builtin}"]\nenable = ["hello"]\n'
    d = distro.load_spec(write(tmp_path, text))
    again = Distribution.from_dict(d.to_dict())
    assert again == d and again is not d
    assert again != Distribution.from_dict({**d.to_dict(), "version": "1.2.1"})
    # A wheel built by a later Amalgam may carry keys this one does not know.
    assert Distribution.from_dict({**d.to_dict(), "format": 2, "future": 1}) == d
    assert d.version_lines("0.1.0") == [
        "Acme VCS version 1.2.0 (acme)",
        "based on Amalgam version 0.1.0",
        f"plugins: {fake_builtin} (built-in), hello",
    ]


def test_importing_distro_stays_cheap() -> None:
    # A branded command imports amalgam.distro on every start-up.
    code = ("import sys; before = set(sys.modules); import amalgam.distro; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    loaded = set(eval(out.stdout))
    assert "amalgam.distro" in loaded
    assert not loaded & {"tomllib", "dataclasses", "inspect", "zipfile", "pathlib",
                         "json", "re", "amalgam.distro.spec", "amalgam.distro.wheel"}
