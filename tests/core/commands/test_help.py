"""``amg help``: overview, command pages, plugins, topics, errors."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from amalgam.hooks.catalogue import HOOKS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"


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


def _names(rows: list[str]) -> list[str]:
    """The names in listing rows (continuation lines are indented further)."""
    return [row.split()[0] for row in rows if not row.startswith("  ")]


def _section(text: str, title: str) -> list[str]:
    """The indented rows under a ``title:`` line, up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(title) + 2
    end = lines.index("", start)
    return lines[start:end]


def test_overview_groups_commands_by_category(run) -> None:
    r = run("help")
    assert r.rc == 0
    assert r.stdout.startswith("Amalgam: Mercurial-compatible version control\n\n"
                               "list of commands:\n\n")
    help_rows = _section(r.stdout, "Help:")
    assert _names(help_rows) == ["help", "version"]
    assert help_rows[1].split(None, 1)[1] == (
        "show the version of Amalgam and of its enabled plugins")
    assert " debugindex " not in r.stdout  # debug commands only with -v
    assert r.stdout.endswith("(use 'amg help -v' to show aliases and global options)\n")


def test_overview_lists_plugins_enabled_and_disabled(run) -> None:
    r = run("--config", "plugins.amgtest_greet=true", "help")
    assert any(row.split()[0] == "greet" and row.endswith("(plugin amgtest_greet)")
               for row in _section(r.stdout, "Miscellaneous commands:"))
    assert _names(_section(r.stdout, "enabled plugins:")) == ["amgtest_greet"]
    disabled = _names(_section(r.stdout, "disabled plugins:"))
    assert "amgtest_versionwrap" in disabled and "amgtest_greet" not in disabled
    assert "\n greet " not in run("help").stdout


def test_verbose_overview_shows_aliases_and_global_options(run) -> None:
    r = run("help", "-v")
    assert "global options ([+] can be repeated):" in r.stdout
    assert " -R --repository REPO " in r.stdout
    assert "    --config CONFIG [+] " in r.stdout
    assert "\n config, showconfig, debugconfig\n               show " in r.stdout
    assert "\n debugindex " in r.stdout


def test_command_page(run) -> None:
    r = run("help", "version")
    assert r.rc == 0
    lines = r.stdout.splitlines()
    assert lines[:3] == ["amg version", "",
                         "show the version of Amalgam and of its enabled plugins"]
    assert lines[-1] == "(use 'amg help -v version' to show global options)"
    assert "global options (" not in r.stdout


def test_command_page_by_prefix_and_with_options(run) -> None:
    r = run("help", "hel")
    assert r.stdout.startswith("amg help [-c] [TOPIC]\n")
    assert "\noptions:\n\n -c --command show only help for commands\n" in r.stdout


def test_verbose_command_page_has_global_options(run) -> None:
    r = run("help", "-v", "root")
    assert "global options ([+] can be repeated):" in r.stdout
    assert "    --traceback " in r.stdout


def test_dash_h_is_help_for_the_command(run) -> None:
    assert run("root", "-h").stdout == run("help", "root").stdout


def test_aliases_are_shown(run) -> None:
    r = run("help", "showconfig")
    assert "aliases: showconfig, debugconfig\n" in r.stdout


def test_plugin_command_page(run) -> None:
    r = run("--config", "plugins.amgtest_greet=true", "help", "greet")
    assert r.stdout.startswith("amg greet [NAME]...\n\n(added by the plugin 'amgtest_greet')\n")
    assert " -g --greeting VALUE the greeting to use\n" in r.stdout


def test_plugin_page_is_its_docstring(run) -> None:
    r = run("help", "amgtest_greet")
    assert r.rc == 0
    assert r.stdout.startswith("amgtest_greet plugin (disabled)\n\n"
                               "Test plugin adding the `greet` command.\n")
    assert r.stdout.endswith("(enable it with 'amgtest_greet = true' under [plugins] "
                             "in your config)\n")
    r = run("--config", "plugins.amgtest_greet=true", "help", "amgtest_greet")
    assert r.stdout.startswith("amgtest_greet plugin (enabled)\n")


def test_hooks_topic_names_every_hook(run) -> None:
    r = run("help", "hooks")
    assert r.rc == 0
    words = r.stdout.replace(",", " ").replace(".", " ").split()
    assert set(HOOKS) <= set(words)


def test_config_topic_is_the_config_reference(run) -> None:
    from amalgam.config import help_text, load

    r = run("help", "config")
    assert r.rc == 0
    assert r.stdout == help_text(load(environ={})).rstrip("\n") + "\n"
    assert "ui.detailed-exit-code" in r.stdout


def test_unknown_topic(run) -> None:
    r = run("help", "nosuchthing")
    assert (r.rc, r.out) == (255, b"")
    assert r.stderr == ("abort: no such help topic: nosuchthing\n"
                        "(use 'amg help' for the list of commands and topics)\n")
    assert run("--config", "ui.detailed-exit-code=1", "help", "nosuchthing").rc == 10


def test_command_flag_skips_topics_and_plugins(run) -> None:
    assert run("help", "-c", "amgtest_greet").rc == 255
    r = run("help", "-c", "hooks")
    assert r.rc == 255


def test_overview_lists_user_aliases(run) -> None:
    r = run("--config", "alias.last=log -l 1", "help")
    assert _section(r.stdout, "user aliases:") == [" last          alias for: log -l 1"]
    assert "user aliases:" not in run("help").stdout


def test_ambiguous_prefix_lists_the_candidates(run) -> None:
    r = run("help", "ver")
    assert (r.rc, r.stderr) == (255, "amg: command 'ver' is ambiguous:\n    verify version\n")
