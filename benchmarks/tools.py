"""Finding the programs under test: amg, Mercurial 7.2.4, git and Python.

By default each side runs from its own virtualenv under the cache directory
(``benchmarks.venvs``): hg from ``mercurial==7.2.4``, amg from a regular
install of the working tree, both made by the same base interpreter without
system site-packages, so neither pays for this machine's ``.pth`` hooks.
With ``installed`` (``--installed``), or when a venv cannot be built, the
tools on PATH are measured instead: hg must then be exactly 7.2.4 (else the
private venv is used), and version managers' shims (pyenv) are resolved to
the real script so their own start-up cost is not charged to either side.
The private hg must have its C extensions (a pure-Python build is not what
users run); the PATH hg's flag is recorded in the report.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import venvs

HG_VERSION = "7.2.4"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tools:
    """Command prefixes and interpreters for each side."""

    amg: list[str]
    hg: list[str]
    hg_python: str
    python: str
    git: str | None
    hg_cext: bool
    hg_source: str
    amg_source: str
    #: "venv" (private virtualenvs) or "installed" (the tools on PATH)
    mode: str


def bench_env(home: Path) -> dict[str, str]:
    """An environment free of user configuration for every timed child."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AMG_", "HG", "XDG_", "GIT_", "PYTHON"))}
    for sub in (".config", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "AMG_SYSTEM_CONFIG": str(home / "no-system-config.toml"),
        "HGRCPATH": "",
        "HGPLAIN": "1",
        "HGUSER": "Bench <bench@example.org>",
        "HGENCODING": "utf-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    })
    return env


def _real_script(name: str) -> str | None:
    """The script behind *name* on PATH, seeing through pyenv shims."""
    path = shutil.which(name)
    if path is None:
        return None
    if "/shims/" in path and shutil.which("pyenv"):
        proc = subprocess.run(["pyenv", "which", name], capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip()
    return path


def _shebang_python(script: str) -> str | None:
    try:
        with open(script, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!") and "python" in first:
        return first[2:].split()[0]
    return None


def _hg_info(hg: str, python: str, env: dict[str, str]) -> tuple[str, bool] | None:
    """(version, has C extensions) of this hg, or None if it does not run."""
    code = ("from mercurial import util, policy; import sys; "
            "sys.stdout.write(util.version().decode() + ' ' + policy.policy.decode())")
    try:
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True,
                              env=env, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0 or not os.access(hg, os.X_OK):
        return None
    version, _, policy = proc.stdout.partition(" ")
    return version, policy.strip() in ("c", "allow", "rust+c", "rust+c-allow")


def _hg_venv(cache: Path, env: dict[str, str]) -> tuple[str, str]:
    """(hg, python) of the private venv holding mercurial==HG_VERSION."""
    requirement = f"mercurial=={HG_VERSION}"
    python = venvs.ensure(
        cache / f"hg-{HG_VERSION}-venv", requirement,
        lambda py: venvs.pip_install(py, [requirement], env, f"installing {requirement}"),
        env)
    return str(python.parent / "hg"), str(python)


def _checked_hg(hg: str, python: str, env: dict[str, str]) -> bool:
    """This hg's C extensions flag; VenvError unless it is HG_VERSION and runs."""
    info = _hg_info(hg, python, env)
    if info is None or info[0] != HG_VERSION:
        raise venvs.VenvError(f"{hg} is not a working Mercurial {HG_VERSION}")
    return info[1]


def _venv_tools(cache: Path, env: dict[str, str]) -> Tools:
    hg, hg_python = _hg_venv(cache, env)
    if not _checked_hg(hg, hg_python, env):
        # pip fell back to pure Python (no compiler): not the hg users run.
        raise venvs.VenvError(f"{hg} was built without its C extensions")
    python, digest = venvs.amg_venv(ROOT, cache / "amg-venv", env)
    amg = python.parent / "amg"
    if not amg.exists():
        raise venvs.VenvError(f"installing amg created no {amg} script")
    return Tools(amg=[str(amg)], hg=[hg], hg_python=hg_python, python=str(python),
                 git=shutil.which("git"), hg_cext=True,
                 hg_source=f"{hg} (private venv)",
                 amg_source=f"{amg} (private venv, working tree sha256 {digest[:12]})",
                 mode="venv")


def _installed_tools(cache: Path, env: dict[str, str]) -> Tools:
    hg = _real_script("hg")
    python = _shebang_python(hg) if hg else None
    info = _hg_info(hg, python, env) if hg and python else None
    source = f"{hg} (on PATH)"
    if info is None or info[0] != HG_VERSION:
        try:
            hg, python = _hg_venv(cache, env)
            cext = _checked_hg(hg, python, env)
        except venvs.VenvError as exc:
            raise SystemExit(f"abort: no Mercurial {HG_VERSION}: {exc}") from None
        info = (HG_VERSION, cext)
        source = f"{hg} (private venv)"
    amg = _real_script("amg")
    amg_cmd = [amg] if amg and Path(amg).parent == Path(sys.executable).parent \
        else [sys.executable, "-m", "amalgam"]
    return Tools(amg=amg_cmd, hg=[hg], hg_python=python or sys.executable,
                 python=sys.executable, git=shutil.which("git"), hg_cext=info[1],
                 hg_source=source, amg_source=f"{shlex.join(amg_cmd)} (installed)",
                 mode="installed")


def find_tools(cache: Path, env: dict[str, str], installed: bool = False) -> Tools:
    """Locate or build every program (see the module docstring)."""
    if not installed:
        try:
            return _venv_tools(cache, env)
        except venvs.VenvError as exc:
            print(f"benchmarks: {exc}; measuring the installed tools instead",
                  file=sys.stderr, flush=True)
    return _installed_tools(cache, env)


def amg_missing(command: str) -> str | None:
    """Why ``amg COMMAND`` cannot run yet, or None when it is implemented.

    Reads the static command table (``amalgam.commands.TABLE``) and checks
    that the command's module exists, so a scenario lights up as soon as
    its command lands.
    """
    if importlib.util.find_spec("amalgam.cli") is None:
        return "n/a (amalgam.cli not implemented)"
    try:
        from amalgam.commands import TABLE
    except ImportError:
        return "n/a (amalgam.commands.TABLE not implemented)"
    entry = TABLE.get(command)
    if entry is None:
        return "n/a (command not implemented)"
    try:
        found = importlib.util.find_spec(entry[0]) is not None
    except ImportError:
        found = False
    return None if found else "n/a (command not implemented)"


def amg_api_missing() -> str | None:
    """Why the storage/commit API cannot be driven yet, or None."""
    for module, names in (("amalgam.repo", ("Repository", "FileChange")),
                          ("amalgam.storage.revlog", ("Revlog",))):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            return f"n/a ({module} not implemented)"
        for name in names:
            if not hasattr(mod, name):
                return f"n/a ({module}.{name} not implemented)"
    return None
