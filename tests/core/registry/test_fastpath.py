"""The fast path, proven from a subprocess's own module list.

Ten enabled plugins that do not influence ``amg version`` must leave pluggy
and every one of them unimported; one plugin that declares ``cmd_version``
is imported, with pluggy, and changes the output.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"
QUIET = [f"amgtest_quiet{i}" for i in range(10)]

# Runs the real entry point, then reports what the process imported.
PROBE = """\
import sys
from amalgam.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("MODULES " + " ".join(sorted(sys.modules)) + "\\n")
sys.exit(rc)
"""


def _run(env: dict[str, str], enabled: list[str], *args: str) -> tuple[str, set[str]]:
    config = Path(env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[plugins]\n" + "".join(f"{n} = true\n" for n in enabled))
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=120,
                          env={**env, "AMG_PLUGIN_PATH": str(FIXTURES)})
    assert proc.returncode == 0, proc.stderr
    modules = set(proc.stderr.rsplit("MODULES ", 1)[1].split())
    return proc.stdout, modules


def test_ten_uninvolved_plugins_are_never_imported(isolated_env) -> None:
    # Twice: once filling the discovery cache, once reading it.
    for attempt in range(2):
        out, modules = _run(isolated_env, QUIET, "version", "-v")
        # A cache hit does not scan entry points.
        assert ("importlib.metadata" in modules) == (attempt == 0)
        for name in QUIET:
            assert name in out  # really enabled: version -v lists it
            assert name not in modules
        assert "pluggy" not in modules
        assert "amalgam.plugin" not in modules
        assert not any(m.startswith("amalgam.hooks.") and m != "amalgam.hooks.catalogue"
                       for m in modules)


def test_a_plugin_declaring_the_command_hook_is_imported(isolated_env) -> None:
    out, modules = _run(isolated_env, [*QUIET, "amgtest_versionwrap"], "version")
    assert out.endswith("versionwrap was here\n")
    assert "amgtest_versionwrap" in modules and "pluggy" in modules
    assert not modules & set(QUIET)


def test_ten_uninvolved_plugins_import_nothing_more_than_none(isolated_env) -> None:
    # With the discovery cache warm, enabling them costs no module but the
    # index reader (which checks the [plugins] names; without any setting
    # ``version`` never reads it): no manifest parsing, no TOML or JSON, no
    # discovery code.
    _run(isolated_env, QUIET, "version")
    out_ten, with_ten = _run(isolated_env, QUIET, "version")
    out_none, with_none = _run(isolated_env, [], "version")
    assert out_ten == out_none
    assert with_ten - with_none == {"amalgam.registry.index"}, sorted(with_ten ^ with_none)
    assert with_none <= with_ten
    assert "amalgam.registry.manifest" not in with_ten
