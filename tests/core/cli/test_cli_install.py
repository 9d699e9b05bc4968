"""``python -m amalgam`` as a real process, and the installed package layout."""
from __future__ import annotations

import subprocess
import sys

import pytest


def test_python_m_amalgam_runs_version(amg_proc, tmp_path) -> None:
    r = amg_proc("version", "-q", cwd=tmp_path)
    assert (r.rc, r.stdout, r.stderr) == (
        0, "Amalgam version control (version 0.1.0)\n", "")


def test_exit_code_of_a_real_process(amg_proc, tmp_path) -> None:
    r = amg_proc("nosuchcommand", cwd=tmp_path)
    assert r.rc == 255
    assert r.stderr.startswith("amg: unknown command 'nosuchcommand'\n")


@pytest.mark.parametrize("name", ["core", "hooks", "plugins"])
def test_source_directories_are_not_top_level_modules(name: str, tmp_path,
                                                      isolated_env) -> None:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({name!r}) is not None)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=isolated_env,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, f"a top-level module {name!r} is importable"


def test_broken_pipe_exits_quietly(tmp_path, isolated_env) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "amalgam", "help", "-v"], cwd=tmp_path,
                            env=isolated_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 255
    assert err == b""


def test_version_imports_little(tmp_path, isolated_env) -> None:
    """The start-up path stays off heavy modules (speed itself is a benchmark)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "amalgam", "version"],
                          cwd=tmp_path, env=isolated_env, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in
                proc.stderr.decode().splitlines() if line.startswith("import time:")}
    heavy = {"pluggy", "tomllib", "argparse", "json", "dataclasses", "inspect",
             "subprocess", "difflib", "amalgam.repo", "amalgam.commands.help",
             "amalgam.plugin", "amalgam.distro"}
    assert imported & heavy == set()
    assert "amalgam.cli" in imported
