"""Finding the programs under test: amg, Mercurial 7.2.4, git and Python.

hg must be exactly 7.2.4 with its C extensions.  If the ``hg`` on PATH is
another version, a private virtualenv with ``mercurial==7.2.4`` is created
under the cache directory.  Version managers' shims (pyenv) are resolved to
the real script so their own start-up cost is not charged to hg.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
    venv = cache / f"hg-{HG_VERSION}-venv"
    python, hg = venv / "bin" / "python", venv / "bin" / "hg"
    if not hg.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q",
                        f"mercurial=={HG_VERSION}"], check=True, env=env)
    return str(hg), str(python)


def find_tools(cache: Path, env: dict[str, str]) -> Tools:
    """Locate every program; install the pinned Mercurial if needed."""
    hg = _real_script("hg")
    python = _shebang_python(hg) if hg else None
    info = _hg_info(hg, python, env) if hg and python else None
    source = f"{hg} (on PATH)"
    if info is None or info[0] != HG_VERSION:
        hg, python = _hg_venv(cache, env)
        info = _hg_info(hg, python, env)
        source = f"{hg} (private venv)"
        if info is None or info[0] != HG_VERSION:
            raise SystemExit(f"abort: could not install mercurial=={HG_VERSION}")
    amg = _real_script("amg")
    amg_cmd = [amg] if amg and Path(amg).parent == Path(sys.executable).parent \
        else [sys.executable, "-m", "amalgam"]
    return Tools(amg=amg_cmd, hg=[hg], hg_python=python or sys.executable,
                 python=sys.executable, git=shutil.which("git"), hg_cext=info[1],
                 hg_source=source)


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
