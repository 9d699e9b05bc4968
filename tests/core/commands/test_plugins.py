"""``amg plugins`` and plugin errors, as command-line transcripts."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"


@pytest.fixture(autouse=True)
def _forget_test_plugins(monkeypatch: pytest.MonkeyPatch):
    """Each test starts with no test plugin imported and leaves none behind."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield
    for mod in [m for m in sys.modules if m.startswith(("amgtest_", "amgbad_", "amgtwin_"))]:
        del sys.modules[mod]


@pytest.fixture
def run(amg, isolated_env):
    def run(*args: str, env: dict[str, str] | None = None):
        return amg(*args, env={"AMG_PLUGIN_PATH": str(FIXTURES), **(env or {})})
    return run


def test_lists_every_plugin_enabled_or_not(run) -> None:
    res = run("--config", "plugins.amgtest_greet=true", "plugins")
    assert res.rc == 0
    out = res.stdout
    import amalgam.plugins

    builtin = Path(amalgam.plugins.__path__[0])
    available = sum(1 for base in (FIXTURES, builtin) for d in base.iterdir()
                    if (d / "plugin.toml").is_file())
    assert out.count(" (disabled)\n") == available - 1
    assert "fsmonitor " in out  # built-in plugins are listed like the others
    block = out.split("amgtest_greet 0.3 (enabled)\n", 1)[1].split("\namgtest_", 1)[0]
    assert block == (
        "  test plugin adding the greet command\n"
        f"  origin:       path {FIXTURES}\n"
        "  hooks:        -\n"
        "  commands:     greet\n"
        "  requirements: -\n"
        "  imported:     no")
    assert ("amgtest_versionwrap 2.0 (disabled)\n"
            "  test plugin wrapping the version command\n") in out
    assert "  hooks:        cmd_version\n" in out


def test_enabled_only_and_imported_state(run) -> None:
    # The in-process runner shares sys.modules across runs: running the
    # plugin's command imports it, and the next listing reports that.
    assert run("--config", "plugins.amgtest_greet=true", "greet", "x").stdout == "hello, x!\n"
    res = run("--config", "plugins.amgtest_greet=true", "plugins", "-e")
    assert res.stdout.splitlines()[0] == "amgtest_greet 0.3 (enabled)"
    assert "  imported:     yes\n" in res.stdout
    assert "(disabled)" not in res.stdout


def test_verbose_shows_manifest_and_config(run) -> None:
    res = run("--config", "plugins.amgtest_greet=true", "plugins", "-e", "-v")
    assert f"  manifest:     {FIXTURES / 'amgtest_greet' / 'plugin.toml'}\n" in res.stdout
    assert "  config:       greet.greeting (str, default 'hello')\n" in res.stdout


def test_broken_plugin_is_listed_with_its_reason(run, tmp_path) -> None:
    bad = tmp_path / "bad" / "amgtest_bad"
    bad.mkdir(parents=True)
    (bad / "__init__.py").write_text("")
    (bad / "plugin.toml").write_text('name = "amgtest_bad"\n')
    import os
    path = os.pathsep.join([str(FIXTURES), str(tmp_path / "bad")])
    res = run("plugins", env={"AMG_PLUGIN_PATH": path})
    assert res.rc == 0
    assert res.stdout.endswith(
        "amgtest_bad (broken)\n  invalid plugin manifest "
        f"{bad / 'plugin.toml'}: missing required field 'hook-api'\n")
    # Enabling it is an error that names the file.
    res = run("--config", "plugins.amgtest_bad=true", "version",
              env={"AMG_PLUGIN_PATH": path})
    assert res.rc != 0 and res.out == b""
    assert res.stderr.startswith(f"abort: invalid plugin manifest {bad / 'plugin.toml'}")


def test_unknown_plugin_aborts_with_hint(run) -> None:
    res = run("--config", "plugins.amgtest_gret=true", "version")
    assert res.rc != 0 and res.out == b""
    assert res.stderr.splitlines()[:2] == [
        "abort: unknown plugin 'amgtest_gret' in [plugins]",
        "(did you mean 'amgtest_greet'?)"]


def test_plugin_command_and_option(run) -> None:
    res = run("--config", "plugins.amgtest_greet=true", "greet", "-g", "hi", "a", "b")
    assert (res.rc, res.stdout) == (0, "hi, a!\nhi, b!\n")
    res = run("--config", "plugins.amgtest_greet=true", "--config", "greet.greeting=yo",
              "greet")
    assert res.stdout == "yo, world!\n"


def test_command_of_disabled_plugin_names_it(run) -> None:
    res = run("greet")
    assert res.rc != 0
    assert "disabled plugin 'amgtest_greet'" in res.stderr


def test_wrapper_changes_builtin_output(run) -> None:
    plain = run("version", "-q").stdout
    res = run("--config", "plugins.amgtest_versionwrap=true", "version", "-q")
    assert res.stdout == plain + "versionwrap was here\n"


def test_trace_shows_import_and_hook_call(run) -> None:
    res = run("--config", "plugins.amgtest_versionwrap=true", "version", "-q",
              env={"AMG_TRACE_PLUGINS": "1"})
    assert "hook: cmd_version -> amgtest_versionwrap\n" in res.stderr


def _plugin(root: Path, name: str, manifest: str, code: str = "") -> None:
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from amalgam.plugin import hookimpl\n" + code)
    (pkg / "plugin.toml").write_text(manifest)


def _manifest(name: str, hooks: str = '["cmd_version"]', api: int = 1, extra: str = "") -> str:
    return (f'name = "{name}"\nsummary = "s"\nversion = "1"\nhook-api = {api}\n'
            f"hooks = {hooks}\n{extra}")


WRAP = "@hookimpl(wrapper=True)\ndef cmd_version(invocation):\n    return (yield)\n"
CMD = '[commands.twin]\nsummary = "t"\nfunction = "m:f"\n'

BAD = {
    "raises_on_import": (_manifest("amgbad_raises"), "raise KeyError('nope')\n",
                         "abort: plugin 'amgbad_raises' failed to load: KeyError: 'nope'"),
    "mismatch": (_manifest("amgbad_mismatch"),
                 WRAP + "@hookimpl\ndef wc_walk(repo, match):\n    pass\n",
                 "abort: plugin 'amgbad_mismatch' disagrees with its manifest: "
                 "implements undeclared hook(s) wc_walk"),
    "invalid_toml": ('name = "amgbad_invalid_toml"\nhooks = [\n', "",
                     "abort: invalid plugin manifest {file}: "),
    "missing_field": ('name = "amgbad_missing"\n', "",
                      "abort: invalid plugin manifest {file}: missing required field"),
    "unknown_hook": (_manifest("amgbad_unknown", hooks='["cmd_versoin"]'), "",
                     "abort: plugin manifest {file} declares unknown hook(s): cmd_versoin"),
    "newer_api": (_manifest("amgbad_newer", api=99), "",
                  "abort: plugin manifest {file} needs hook API 99"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_plugin_is_a_one_line_abort(amg, tmp_path, case) -> None:
    manifest, code, expected = BAD[case]
    name = f"amgbad_{case}"
    _plugin(tmp_path / "pp", name, manifest, code)
    # Plugins on AMG_PLUGIN_PATH are named by their manifest.
    res = amg("--config", f"plugins.{manifest.split(chr(34))[1]}=true", "version",
              env={"AMG_PLUGIN_PATH": str(tmp_path / "pp")})
    lines = res.stderr.splitlines()
    assert res.rc != 0 and res.out == b""
    assert lines[0].startswith(expected.format(file=tmp_path / "pp" / name / "plugin.toml"))
    assert len(lines) >= 2 and all(ln.startswith("(") for ln in lines[1:])
    assert "Traceback" not in res.stderr


def test_two_plugins_adding_one_command_abort(amg, tmp_path) -> None:
    for name in ("amgtwin_a", "amgtwin_b"):
        _plugin(tmp_path / "pp", name, _manifest(name, hooks="[]", extra=CMD))
    res = amg("--config", "plugins.amgtwin_a=true", "--config", "plugins.amgtwin_b=true",
              "version", env={"AMG_PLUGIN_PATH": str(tmp_path / "pp")})
    assert res.rc != 0 and res.out == b""
    assert res.stderr.splitlines() == [
        "abort: plugins 'amgtwin_a' and 'amgtwin_b' both add the command 'twin'",
        "(disable one of them in [plugins])"]


def test_traceback_shows_the_plugins_own_error(amg, tmp_path) -> None:
    _plugin(tmp_path / "pp", "amgbad_tb", _manifest("amgbad_tb"), "raise KeyError('tb')\n")
    res = amg("--traceback", "--config", "plugins.amgbad_tb=true", "version",
              env={"AMG_PLUGIN_PATH": str(tmp_path / "pp")})
    assert res.rc != 0
    assert "KeyError: 'tb'" in res.stderr and "Traceback" in res.stderr
