"""Private virtualenvs: each side measured as a user installs it.

The base interpreter's site-packages carry ``.pth`` hooks that belong to
this machine, not to either product (amalgam's own editable-install finder,
sandbox certificate hooks); every child started from it pays for them.  So
by default each side runs from its own virtualenv under the cache
directory, made by the same base interpreter without system site-packages:
hg from ``pip install mercurial==X``, amg from a regular (non-editable)
``pip install`` of the working tree after its runtime dependencies.

A venv carries a stamp of what was installed in it.  amg's stamp is a
digest of the source files, so an edited tree is reinstalled before it is
measured; a matching stamp skips pip altogether (hashing the tree costs
milliseconds, a reinstall seconds).  The tree is installed from a copy of
its source files: building in place would write ``build/`` into the shared
checkout, and setuptools' ``build/lib`` keeps modules deleted since.
amg's venv first upgrades its bundled pip (once, with its own stamp): a pip
before 25.0 writes an ``amg`` script that imports ``re``, a cost on every
run that users of a current pip do not pay.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: amalgam depends on tomli there
    import tomli as tomllib

#: what goes into amg's distribution (setup.py's layout, pyproject's readme)
SOURCE_PATHS = ("core", "hooks", "plugins", "pyproject.toml", "setup.py", "README.md")
#: extras installed beside amg's runtime dependencies (the fsmonitor rows)
AMG_EXTRAS = ("fsmonitor",)
STAMP = "bench-installed.txt"
#: what amg's venv upgrades its bundled pip to, and the stamp recording it
SCRIPT_PIP = "pip>=25.0"
PIP_STAMP = "bench-pip.txt"
#: pip gives up quickly without a network instead of retrying for minutes
PIP_OPTIONS = ("--disable-pip-version-check", "--retries", "2", "--timeout", "30")


class VenvError(Exception):
    """A virtualenv could not be built; the message is one line."""


def source_files(root: Path) -> list[str]:
    """The files of *root* that a distribution of amg is built from.

    Tracked files plus new ones git does not ignore (what the editable
    install sees), without files deleted from the working tree.
    """
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
             *SOURCE_PATHS], cwd=root, capture_output=True, check=True)
        names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    except (OSError, subprocess.CalledProcessError):
        names = [os.path.relpath(os.path.join(d, f), root)
                 for top in SOURCE_PATHS for d, dirs, files in os.walk(root / top)
                 for f in files if "__pycache__" not in d] + \
                [p for p in SOURCE_PATHS if (root / p).is_file()]
    return sorted({n for n in names if n and (root / n).is_file()})


def source_digest(root: Path, names: list[str]) -> str:
    """sha256 over the names and contents of *names* under *root*."""
    digest = hashlib.sha256()
    for name in names:
        data = (root / name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
    return digest.hexdigest()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _base_home() -> str:
    """The ``home`` a venv made by this interpreter records in pyvenv.cfg."""
    return os.path.dirname(os.path.abspath(getattr(sys, "_base_executable", sys.executable)))


def _home(venv: Path) -> str | None:
    try:
        lines = (venv / "pyvenv.cfg").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == "home":
            return value.strip()
    return None


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        raise VenvError(f"{what} failed: {exc}") from None
    if proc.returncode != 0:
        errors = [line.strip() for line in (proc.stderr or proc.stdout).splitlines()
                  if line.strip() and not line.startswith("WARNING")]
        raise VenvError(f"{what} failed: {errors[-1] if errors else f'exit {proc.returncode}'}")


def pip_install(python: Path, args: list[str], env: dict[str, str], what: str) -> None:
    _run([str(python), "-m", "pip", "install", "-q", *PIP_OPTIONS, *args], env, what)


def ensure(venv: Path, stamp: str, populate: Callable[[Path], str | None],
           env: dict[str, str]) -> Path:
    """The python of *venv*, (re)built unless it already holds *stamp*.

    A venv of another base interpreter is recreated.  *populate* installs
    into the venv and may return the stamp actually installed (it defaults
    to *stamp*).  The stamp is removed before installing, so an interrupted
    install is redone next time rather than measured.
    """
    python = venv_python(venv)
    marker = venv / STAMP
    fresh = python.exists() and _home(venv) == _base_home()
    if fresh and marker.is_file() and marker.read_text() == stamp:
        return python
    if not fresh:
        shutil.rmtree(venv, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(venv)], env, f"creating {venv.name}")
    marker.unlink(missing_ok=True)
    installed = populate(python)
    marker.write_text(stamp if installed is None else installed)
    return python


def requirements(root: Path) -> list[str]:
    """amg's runtime dependencies and the extras the benchmarks use, from pyproject."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise VenvError(f"cannot read amg's dependencies from pyproject.toml: {exc}") from None
    optional = project.get("optional-dependencies", {})
    return [*project.get("dependencies", []),
            *(req for extra in AMG_EXTRAS for req in optional.get(extra, []))]


def _pip_upgraded(venv: Path) -> bool:
    marker = venv / PIP_STAMP
    return marker.is_file() and marker.read_text() == SCRIPT_PIP


def modern_pip(venv: Path, python: Path, env: dict[str, str]) -> None:
    """Upgrade *venv*'s pip to :data:`SCRIPT_PIP` unless its stamp says it was."""
    if _pip_upgraded(venv):
        return
    marker = venv / PIP_STAMP
    pip_install(python, ["--upgrade", SCRIPT_PIP], env, "upgrading the venv's pip")
    marker.write_text(SCRIPT_PIP)


def amg_venv(root: Path, venv: Path, env: dict[str, str]) -> tuple[Path, str]:
    """(python, source digest) of a venv holding the working tree's amg, installed."""
    names = source_files(root)
    if not names:
        raise VenvError(f"no amg source files found under {root}")
    stage = venv.with_name(venv.name + "-source")
    if not _pip_upgraded(venv):
        # amg's script was written by the old pip: install again after upgrading.
        (venv / STAMP).unlink(missing_ok=True)

    def populate(python: Path) -> str:
        modern_pip(venv, python, env)
        needed = requirements(root)
        if needed:
            pip_install(python, needed, env, "installing amg's dependencies")
        shutil.rmtree(stage, ignore_errors=True)
        copied = []
        for name in names:
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(root / name, stage / name)
            except FileNotFoundError:  # deleted since it was listed
                continue
            copied.append(name)
        # The digest of the copy is what gets installed, even if the tree
        # moved on while copying: the next run then sees the difference.
        staged = source_digest(stage, copied)
        try:
            pip_install(python, ["--no-deps", "--force-reinstall", str(stage)], env,
                        "installing amg from the working tree")
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return staged

    python = ensure(venv, source_digest(root, names), populate, env)
    return python, (venv / STAMP).read_text()

