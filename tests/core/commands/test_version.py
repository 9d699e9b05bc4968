"""``amg version``: layout like hg's, -q, -v with plugins, distributions."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from amalgam import __version__

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"
FIRST = f"Amalgam version control (version {__version__})\n"

@pytest.fixture(autouse=True)
def _forget_test_plugins():
    """Unload the fixture plugins a test imported, so later tests start clean."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("amgtest_"):
            del sys.modules[name]



def test_version_layout_mirrors_hg(amg, hg) -> None:
    ours = amg("version").stdout.splitlines()
    theirs = hg("version").stdout.splitlines()
    # Same shape: a name-and-version line, a pointer line, a blank, legal text.
    assert ours[0] + "\n" == FIRST
    assert ours[1].startswith("(") and ours[1].endswith(")")
    assert ours[2] == theirs[2] == ""
    assert "NO" in ours[-1] + ours[-2] and "NO" in theirs[-1] + theirs[-2]


def test_quiet_prints_only_the_version_line(amg) -> None:
    r = amg("version", "-q")
    assert (r.rc, r.stdout, r.stderr) == (0, FIRST, "")


def test_verbose_lists_enabled_plugins_without_importing_them(amg, monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, "amgtest_greet", raising=False)
    r = amg("-v", "version", "--config", "plugins.amgtest_greet=true",
            env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    assert r.stdout.endswith(
        f"\nEnabled plugins:\n\n  amgtest_greet  0.3  (path {FIXTURES})\n")
    assert "amgtest_greet" not in sys.modules


def test_verbose_without_plugins(amg) -> None:
    assert amg("version", "-v").stdout.endswith("\nEnabled plugins:\n\n  (none)\n")


@pytest.fixture
def distribution():
    import amalgam.distro as distro

    dist = distro.Distribution(name="Acme VCS", command="acme", version="2.1",
                               package="acme_vcs", plugins=("amgtest_greet",),
                               defaults={"plugins": {"amgtest_greet": True}})
    distro.activate(dist)
    yield dist
    distro.activate(None)


def test_version_names_the_active_distribution(amg, distribution) -> None:
    r = amg("version", env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    lines = r.stdout.splitlines()
    assert lines[:3] == ["Acme VCS version 2.1 (acme)",
                         f"based on Amalgam version {__version__}",
                         "plugins: amgtest_greet"]
    r = amg("version", "-q", env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    assert r.stdout == "Acme VCS version 2.1 (acme)\n"


def test_distribution_defaults_and_name_reach_the_command_line(amg, distribution) -> None:
    r = amg("greet", env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    assert r.stdout == "hello, world!\n"
    r = amg("nosuch", env={"AMG_PLUGIN_PATH": str(FIXTURES)})
    assert r.stderr == "acme: unknown command 'nosuch'\n(use 'acme help' for a list of commands)\n"
