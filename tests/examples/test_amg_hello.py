"""examples/amg-hello, built and installed into a fresh virtualenv, works
end to end: found through its entry point, its command runs, its wrapper
changes 'amg version'."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "amg-hello"


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _can_build_wheels() -> bool:
    """Whether setuptools can build a wheel without fetching anything."""
    import importlib.util

    import setuptools

    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.slow
def test_install_enable_and_run(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    require(_can_build_wheels(), "building offline needs setuptools>=70.1 or wheel")
    # Build from a copy: in-tree builds would leave build/ and egg-info behind.
    source = tmp_path / "amg-hello"
    shutil.copytree(EXAMPLE, source)
    venv = tmp_path / "venv"
    # Without its own pip (and bundled setuptools) the venv uses the test
    # environment's, so nothing is downloaded.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                    "--without-pip", str(venv)], check=True, timeout=300)
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    env = {**isolated_env, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
    pip = _run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                str(source)], env)
    assert pip.returncode == 0, pip.stdout + pip.stderr

    amg = [python, "-m", "amalgam"]
    # Installed but not enabled: listed, and its command points at it.
    listing = _run([*amg, "plugins"], env)
    assert "hello 0.1.0 (disabled)\n" in listing.stdout
    assert "  origin:       amg-hello 0.1.0\n" in listing.stdout
    disabled = _run([*amg, "hello"], env)
    assert disabled.returncode != 0
    assert "disabled plugin 'hello'" in disabled.stderr

    config = Path(env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[plugins]\nhello = true\n\n[hello]\ngreeting = \"ahoy\"\n")

    hello = _run([*amg, "hello", "Ada", "Grace"], env)
    assert (hello.returncode, hello.stdout, hello.stderr) == (
        0, "ahoy, Ada!\nahoy, Grace!\n", "")
    assert _run([*amg, "hello", "-g", "hi"], env).stdout == "hi, world!\n"

    plain = _run([*amg, "--config", "plugins.hello=false", "version", "-q"], env)
    wrapped = _run([*amg, "version", "-q"], env)
    assert wrapped.returncode == 0
    assert wrapped.stdout == plain.stdout + "hello plugin 0.1.0 says hello\n"
