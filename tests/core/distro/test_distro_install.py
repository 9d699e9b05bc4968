"""End to end: build a distribution with ``amg distro build``, pip-install the
wheel into a fresh virtualenv and run the branded command it provides.

The virtualenv sees the editable Amalgam through --system-site-packages, so
pip resolves the wheel's ``amalgam-vcs`` requirement offline.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Result, require

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "distro" / "DISTRO.toml"
HELLO = ROOT / "examples" / "amg-hello"
FIXTURE_PLUGINS = ROOT / "tests" / "fixtures" / "plugins"

# A distribution whose third-party plugin comes from AMG_PLUGIN_PATH (the
# test plugins), so this test needs no plugin distribution to be built.
SPEC = """\
name = "Test Corp VCS"
command = "tcvs"
version = "3.1-rc.1"
package = "testcorp_vcs"

[plugins]
enable = ["amgtest_greet"]

[defaults.greet]
greeting = "howdy"

[defaults.paths]
central = "https://hg.testcorp.example/main"
"""


def run(args: list[str | os.PathLike[str]], env: dict[str, str]) -> Result:
    proc = subprocess.run([os.fspath(a) for a in args], env=env, capture_output=True,
                          timeout=600)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def checked(args: list[str | os.PathLike[str]], env: dict[str, str]) -> Result:
    result = run(args, env)
    assert result.rc == 0, f"{args} exited {result.rc}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A private HOME/XDG/system config, like ``isolated_env``, for the module."""
    base = tmp_path_factory.mktemp("distro-home")
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("AMG_", "HG", "XDG_", "PIP_", "VIRTUAL_ENV"))}
    environ.update(HOME=str(base), XDG_CONFIG_HOME=str(base / "config"),
                   XDG_CACHE_HOME=str(base / "cache"),
                   AMG_SYSTEM_CONFIG=str(base / "etc-amalgam.toml"),
                   PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return environ


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    path = tmp_path_factory.mktemp("distro-venv") / "venv"
    # Without a pip of its own the venv uses the test interpreter's pip and
    # build tools (the ones CI installs) to install into itself.
    checked([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
             path], env)
    return path


def build_and_install(spec: Path, venv: Path, env: dict[str, str]) -> Path:
    """``amg distro build`` the spec, then one offline ``pip install`` of the wheel."""
    built = checked([sys.executable, "-m", "amalgam", "distro", "build", spec,
                     "-o", spec.parent / "dist"], env)
    wheel = Path(built.stdout.strip())
    assert wheel.parent == spec.parent / "dist" and wheel.is_file()
    checked([venv / "bin" / "python", "-m", "pip", "install", "--no-index", wheel], env)
    return wheel


@pytest.fixture(scope="module")
def tcvs(tmp_path_factory: pytest.TempPathFactory, venv: Path,
         env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    spec = tmp_path_factory.mktemp("tcvs") / "DISTRO.toml"
    spec.write_text(SPEC)
    wheel = build_and_install(spec, venv, env)
    assert wheel.name == "testcorp_vcs-3.1rc1-py3-none-any.whl"
    return venv / "bin" / "tcvs", {**env, "AMG_PLUGIN_PATH": str(FIXTURE_PLUGINS)}


def test_version_names_the_distribution_and_its_plugins(
        tcvs: tuple[Path, dict[str, str]]) -> None:
    command, env = tcvs
    r = checked([command, "version"], env)
    lines = r.stdout.splitlines()
    assert lines[0] == "Test Corp VCS version 3.1rc1 (tcvs)"
    assert "plugins: amgtest_greet" in lines
    assert r.stderr == ""


def test_the_distribution_enables_its_plugin(tcvs: tuple[Path, dict[str, str]]) -> None:
    command, env = tcvs
    assert checked([command, "greet", "ada"], env).stdout == "howdy, ada!\n"
    r = checked([command, "config", "plugins.amgtest_greet"], env)
    assert r.stdout.strip().lower() == "true"


def test_defaults_apply_and_the_users_config_overrides_them(
        tcvs: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    command, env = tcvs
    assert checked([command, "config", "paths.central"], env).stdout == (
        "https://hg.testcorp.example/main\n")

    (tmp_path / "amalgam").mkdir()
    (tmp_path / "amalgam" / "config.toml").write_text(
        '[greet]\ngreeting = "hi"\n[paths]\ncentral = "https://mirror.example/"\n')
    mine = {**env, "XDG_CONFIG_HOME": str(tmp_path)}
    assert checked([command, "greet"], mine).stdout == "hi, world!\n"
    assert checked([command, "config", "paths.central"], mine).stdout == (
        "https://mirror.example/\n")
    r = checked([command, "--config", "greet.greeting=yo", "greet"], mine)
    assert r.stdout == "yo, world!\n"


def test_messages_use_the_distribution_command(tcvs: tuple[Path, dict[str, str]]) -> None:
    command, env = tcvs
    r = run([command, "nosuchcommand"], env)
    assert r.rc == 255
    assert r.stderr.startswith("tcvs: unknown command 'nosuchcommand'")


def test_plain_amg_beside_it_stays_unbranded(
        tcvs: tuple[Path, dict[str, str]], venv: Path) -> None:
    _, env = tcvs
    python = venv / "bin" / "python"
    r = run([python, "-m", "amalgam", "config", "paths.central"], env)
    assert (r.rc, r.stdout) == (1, "")
    assert "Test Corp" not in checked([python, "-m", "amalgam", "version"], env).stdout
    r = run([python, "-m", "amalgam", "greet"], env)
    assert r.rc != 0 and "amgtest_greet" in r.stderr


def test_example_distribution_installs_with_its_plugin_distribution(
        tmp_path: Path, venv: Path, env: dict[str, str]) -> None:
    require(HELLO.is_dir(), "examples/amg-hello, the plugin the example distribution"
            " requires, is not in this checkout")
    # The plugin distribution first (as its own tests install it), so the
    # distribution's Requires-Dist on it resolves without an index.
    checked([venv / "bin" / "python", "-m", "pip", "install", "--no-deps",
             "--no-build-isolation", "--no-index", HELLO], env)
    spec = tmp_path / "DISTRO.toml"
    spec.write_text(EXAMPLE.read_text())
    build_and_install(spec, venv, env)
    shown = checked([venv / "bin" / "python", "-m", "pip", "show", "acme_vcs"], env)
    assert "Requires: amalgam-vcs, amg-hello" in shown.stdout
    acme = venv / "bin" / "acme"
    r = checked([acme, "version"], env)
    assert r.stdout.splitlines()[0] == "Acme VCS version 1.2.0 (acme)"
    assert "plugins: hello" in r.stdout.splitlines()
    assert checked([acme, "config", "paths.acme"], env).stdout == (
        "https://hg.acme.example/main\n")
    assert checked([acme, "hello"], env).rc == 0
