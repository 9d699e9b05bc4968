"""Commands from plugins: enabled ones run, disabled ones say how to enable them."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"
GREET = ("--config", "plugins.amgtest_greet=true")

@pytest.fixture(autouse=True)
def _forget_test_plugins():
    """Unload the fixture plugins a test imported, so later tests start clean."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("amgtest_"):
            del sys.modules[name]



@pytest.fixture
def run(amg):
    def run(*args: str):
        return amg(*args, env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    return run


def test_enabled_plugin_command_runs_with_its_options(run) -> None:
    r = run(*GREET, "greet", "-g", "hi", "ann", "bob")
    assert (r.rc, r.stdout, r.stderr) == (0, "hi, ann!\nhi, bob!\n", "")
    # Its config item is declared, so its default applies.
    assert run(*GREET, "greet").stdout == "hello, world!\n"


def test_plugin_command_by_prefix(run) -> None:
    # "gre" alone is ambiguous with the built-in grep.
    assert run(*GREET, "gree", "--greeting=yo").stdout == "yo, world!\n"


def test_plugin_command_bad_option_names_the_command(run) -> None:
    r = run(*GREET, "greet", "--shout")
    assert (r.rc, r.stderr) == (255, "amg greet: option --shout not recognized\n")
    assert r.stdout.startswith("amg greet [NAME]...\n")


def test_disabled_plugin_command_says_how_to_enable(run) -> None:
    r = run("greet")
    assert (r.rc, r.out) == (255, b"")
    assert r.stderr == (
        "abort: 'greet' is provided by the disabled plugin 'amgtest_greet'\n"
        "(enable it with 'amgtest_greet = true' under [plugins] in your config)\n"
        "(or for one command: --config plugins.amgtest_greet=true)\n")
    assert run("--config", "ui.detailed-exit-code=yes", "greet").rc == 30


def test_a_prefix_does_not_reach_a_disabled_plugin(run) -> None:
    r = run("gree")
    assert r.rc == 255
    assert r.stderr.startswith("amg: unknown command 'gree'\n")


def test_command_wrapper_hook_runs_around_the_command(run) -> None:
    r = run("--config", "plugins.amgtest_versionwrap=true", "version", "-q")
    assert r.stdout == ("Amalgam version control (version 0.1.0)\n"
                        "versionwrap was here\n")


def test_plugins_not_touching_a_command_are_not_imported(run, monkeypatch) -> None:
    names = [f"amgtest_quiet{i}" for i in range(10)]
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    config = [arg for name in names for arg in ("--config", f"plugins.{name}=true")]
    r = run(*config, "version", "-v")
    assert r.rc == 0, r.stderr
    assert [n for n in names if n in sys.modules] == []
    for name in names:
        assert f"  {name}  1.0  (path {FIXTURES})\n" in r.stdout
