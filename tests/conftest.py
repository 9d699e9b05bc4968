"""Shared fixtures: an isolated environment, the in-process ``amg`` runner,
and real ``hg`` as a test oracle.

Every test gets its own HOME and XDG directories so no user or system
configuration leaks in.  With ``CI=true`` a missing oracle is a failure,
not a skip.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HG_VERSION = "7.2.4"


def require(condition: bool, reason: str) -> None:
    """Skip when *condition* is false, except in CI where it fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@dataclass
class Result:
    rc: int
    out: bytes
    err: bytes

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8", "surrogateescape")

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8", "surrogateescape")


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with private HOME/XDG dirs and no inherited amg/hg config."""
    home = tmp_path / "_home"
    (home / ".config").mkdir(parents=True)
    (home / ".cache").mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AMG_", "HG", "XDG_"))}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "AMG_SYSTEM_CONFIG": str(tmp_path / "_etc_amalgam_config.toml"),
        "HGRCPATH": "",
        "HGPLAIN": "1",
        "HGUSER": "test <test@example.com>",
        "HGENCODING": "utf-8",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    })
    for key in list(os.environ):
        if key.startswith(("AMG_", "HG", "XDG_")):
            monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def amg(isolated_env: dict[str, str]):
    """Run ``amg`` in-process: ``amg("status", cwd=repo) -> Result``."""
    from amalgam.cli import main

    def run(*args: str, cwd: str | os.PathLike[str] | None = None,
            stdin: bytes = b"", env: dict[str, str] | None = None) -> Result:
        fout, ferr = io.BytesIO(), io.BytesIO()
        environ = dict(isolated_env)
        if env:
            environ.update(env)
        argv = list(args)
        if cwd is not None:
            argv = ["--cwd", os.fspath(cwd), *argv]
        old = os.getcwd()
        try:
            rc = main(argv, fin=io.BytesIO(stdin), fout=fout, ferr=ferr,
                      environ=environ)
        finally:
            os.chdir(old)
        return Result(rc, fout.getvalue(), ferr.getvalue())

    return run


@pytest.fixture
def amg_proc(isolated_env: dict[str, str]):
    """Run ``python -m amalgam`` in a subprocess (for import-level checks)."""
    import sys

    def run(*args: str, cwd: str | os.PathLike[str] | None = None,
            env: dict[str, str] | None = None, stdin: bytes = b"") -> Result:
        environ = dict(isolated_env)
        if env:
            environ.update(env)
        proc = subprocess.run([sys.executable, "-m", "amalgam", *args],
                              cwd=cwd, env=environ, input=stdin,
                              capture_output=True, timeout=120)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def _hg_executable() -> str | None:
    path = shutil.which("hg")
    if path is None:
        return None
    try:
        out = subprocess.run([path, "version", "-q"], capture_output=True,
                             timeout=60, env={**os.environ, "HGPLAIN": "1",
                                              "HGRCPATH": ""}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if HG_VERSION.encode() in out else None


@pytest.fixture(scope="session")
def hg_exe() -> str:
    path = _hg_executable()
    require(path is not None, f"mercurial=={HG_VERSION} (hg) is not installed")
    assert path is not None
    return path


@pytest.fixture
def hg(hg_exe: str, isolated_env: dict[str, str]):
    """Run real ``hg`` (the oracle): ``hg("verify", cwd=repo) -> Result``."""

    def run(*args: str, cwd: str | os.PathLike[str] | None = None,
            check: bool = True, stdin: bytes = b"") -> Result:
        proc = subprocess.run([hg_exe, *args], cwd=cwd, env=isolated_env,
                              input=stdin, capture_output=True, timeout=300)
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"hg {' '.join(args)} exited {proc.returncode}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    return run
