"""The benchmarks' private virtualenvs: which source is installed, when it is
reinstalled (never measured stale), and the fallback without a network."""
from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness(*modules: str) -> list:
    """The real ``benchmarks`` modules, under another package name: this test
    directory is itself imported as ``benchmarks`` (rootdir-relative packages)."""
    name = "_benchmarks_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "benchmarks" / "__init__.py",
            submodule_search_locations=[str(ROOT / "benchmarks")])
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return [importlib.import_module(f"{name}.{module}") for module in modules]


tools, venvs = _harness("tools", "venvs")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A git checkout shaped like amalgam's (core/, plugins/, pyproject.toml)
    that installs a package ``benchprobe`` from core/."""
    root = tmp_path / "tree"
    _write(root / "pyproject.toml",
           '[build-system]\nrequires = ["setuptools"]\n'
           'build-backend = "setuptools.build_meta"\n\n'
           '[project]\nname = "benchprobe"\nversion = "0"\ndependencies = []\n\n'
           '[project.optional-dependencies]\nfsmonitor = []\n\n'
           '[project.scripts]\nbenchprobe = "benchprobe.cli:main"\n\n'
           '[tool.setuptools]\npackages = ["benchprobe"]\n'
           'package-dir = {"benchprobe" = "core"}\n')
    _write(root / "core" / "__init__.py", "VALUE = 1\n")
    _write(root / "core" / "gone.py", "")
    _write(root / "core" / "cli.py", "def main():\n    return 0\n")
    _write(root / "plugins" / "__init__.py", "")
    _write(root / "docs" / "notes.md", "not part of the distribution\n")
    _write(root / ".gitignore", "ignored.py\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "init")
    return root


def test_source_files_are_tracked_and_new_files_minus_ignored_and_deleted(tree: Path) -> None:
    _write(tree / "core" / "new.py", "")
    _write(tree / "core" / "ignored.py", "")
    (tree / "plugins" / "__init__.py").unlink()
    assert venvs.source_files(tree) == ["core/__init__.py", "core/cli.py", "core/gone.py",
                                        "core/new.py", "pyproject.toml"]


def test_source_files_without_git_walk_the_source_paths(tmp_path: Path) -> None:
    _write(tmp_path / "core" / "a.py", "")
    _write(tmp_path / "core" / "__pycache__" / "a.cpython-311.pyc", "")
    _write(tmp_path / "setup.py", "")
    _write(tmp_path / "docs" / "x.md", "")
    assert venvs.source_files(tmp_path) == ["core/a.py", "setup.py"]


def test_digest_follows_content_and_names(tree: Path) -> None:
    names = venvs.source_files(tree)
    first = venvs.source_digest(tree, names)
    assert venvs.source_digest(tree, names) == first
    (tree / "core" / "gone.py").write_text("x = 1\n")
    changed = venvs.source_digest(tree, names)
    assert changed != first
    (tree / "core" / "gone.py").rename(tree / "core" / "moved.py")
    assert venvs.source_digest(tree, venvs.source_files(tree)) not in (first, changed)


def test_requirements_are_runtime_deps_and_the_fsmonitor_extra(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml",
           '[project]\ndependencies = ["a>=1", "b; python_version < \'3\'"]\n'
           '[project.optional-dependencies]\nfsmonitor = ["c>=2"]\nserve = ["d"]\n')
    assert venvs.requirements(tmp_path) == ["a>=1", "b; python_version < '3'", "c>=2"]


def test_requirements_of_a_broken_pyproject_are_a_venv_error(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[project\n")
    with pytest.raises(venvs.VenvError, match="pyproject.toml"):
        venvs.requirements(tmp_path)
    with pytest.raises(venvs.VenvError):
        venvs.requirements(tmp_path / "missing")


def _fake_venv(venv: Path, home: str) -> None:
    """A directory that passes for a venv of *home* without building one."""
    _write(venv / "pyvenv.cfg", f"home = {home}\ninclude-system-site-packages = false\n")
    _write(venv / "bin" / "python", "")


def test_ensure_reinstalls_only_when_the_stamp_differs(tmp_path: Path) -> None:
    venv = tmp_path / "v"
    _fake_venv(venv, venvs._base_home())
    calls: list[str] = []

    def populate(python: Path) -> None:
        assert python == venvs.venv_python(venv)
        calls.append("install")
    assert venvs.ensure(venv, "one", populate, {}) == venv / "bin" / "python"
    assert venvs.ensure(venv, "one", populate, {}) == venv / "bin" / "python"
    assert calls == ["install"]
    venvs.ensure(venv, "two", populate, {})
    assert calls == ["install", "install"]
    assert (venv / venvs.STAMP).read_text() == "two"


def test_ensure_records_what_populate_installed(tmp_path: Path) -> None:
    venv = tmp_path / "v"
    _fake_venv(venv, venvs._base_home())
    venvs.ensure(venv, "wanted", lambda python: "installed", {})
    assert (venv / venvs.STAMP).read_text() == "installed"


def test_an_interrupted_install_is_redone(tmp_path: Path) -> None:
    venv = tmp_path / "v"
    _fake_venv(venv, venvs._base_home())
    venvs.ensure(venv, "old", lambda python: None, {})

    def failing(python: Path) -> None:
        raise venvs.VenvError("network down")
    with pytest.raises(venvs.VenvError):
        venvs.ensure(venv, "new", failing, {})
    assert not (venv / venvs.STAMP).exists()
    calls = []
    venvs.ensure(venv, "old", lambda python: calls.append(python), {})
    assert len(calls) == 1


def test_amg_venv_upgrades_pip_once_then_reinstalls_with_it(
        tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "amg-venv"
    _fake_venv(venv, venvs._base_home())
    # Installed by the venv's bundled pip, before this upgrade existed.
    (venv / venvs.STAMP).write_text(venvs.source_digest(tree, venvs.source_files(tree)))
    calls: list[list[str]] = []
    monkeypatch.setattr(venvs, "pip_install",
                        lambda python, args, env, what: calls.append(list(args)))
    venvs.amg_venv(tree, venv, {})
    assert calls[0] == ["--upgrade", venvs.SCRIPT_PIP]
    assert len(calls) == 2 and "--force-reinstall" in calls[1]
    assert (venv / venvs.PIP_STAMP).read_text() == venvs.SCRIPT_PIP

    calls.clear()
    venvs.amg_venv(tree, venv, {})
    assert calls == []
    (tree / "core" / "__init__.py").write_text("VALUE = 2\n")
    venvs.amg_venv(tree, venv, {})
    assert len(calls) == 1 and "--force-reinstall" in calls[0]


def test_a_failed_pip_upgrade_is_retried(tree: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "amg-venv"
    _fake_venv(venv, venvs._base_home())

    def offline(python: Path, args: list[str], env: dict[str, str], what: str) -> None:
        raise venvs.VenvError(f"{what} failed: no network")
    monkeypatch.setattr(venvs, "pip_install", offline)
    with pytest.raises(venvs.VenvError, match="upgrading"):
        venvs.amg_venv(tree, venv, {})
    assert not (venv / venvs.PIP_STAMP).exists() and not (venv / venvs.STAMP).exists()
    calls: list[list[str]] = []
    monkeypatch.setattr(venvs, "pip_install",
                        lambda python, args, env, what: calls.append(list(args)))
    venvs.amg_venv(tree, venv, {})
    assert calls[0] == ["--upgrade", venvs.SCRIPT_PIP] and len(calls) == 2


@pytest.mark.slow
def test_venv_of_another_interpreter_is_recreated(tmp_path: Path) -> None:
    venv = tmp_path / "v"
    _fake_venv(venv, "/nonexistent/python/bin")
    (venv / venvs.STAMP).write_text("same")
    calls = []
    python = venvs.ensure(venv, "same", lambda python: calls.append(python), {**os.environ})
    assert calls == [python]
    assert venvs._home(venv) == venvs._base_home()
    out = subprocess.run([str(python), "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def _probe(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True)


@pytest.mark.slow
def test_amg_venv_installs_the_tree_and_never_keeps_a_stale_copy(
        tree: Path, tmp_path: Path) -> None:
    venv = tmp_path / "cache" / "amg-venv"
    env = {**os.environ}
    try:
        python, digest = venvs.amg_venv(tree, venv, env)
    except venvs.VenvError as exc:
        pytest.skip(f"cannot install packages here: {exc}")
    assert digest == venvs.source_digest(tree, venvs.source_files(tree))
    assert _probe(python, "import benchprobe; print(benchprobe.VALUE)").stdout == "1\n"
    # Installed, not editable: the package lives in the venv, not in the tree.
    where = _probe(python, "import benchprobe; print(benchprobe.__file__)").stdout
    assert where.startswith(str(venv))
    # No system site-packages: amalgam (editable here) is not visible.
    assert _probe(python, "import amalgam").returncode != 0
    # Built from a copy: nothing written into the checkout.
    assert not (tree / "build").exists() and not list(tree.glob("*.egg-info"))
    assert not venv.with_name("amg-venv-source").exists()
    # The console script comes from the upgraded pip: it imports no re.
    script = (venv / "bin" / "benchprobe").read_text()
    assert "from benchprobe.cli import main" in script and "import re" not in script

    stamp = venv / venvs.STAMP
    before = stamp.stat().st_mtime_ns
    assert venvs.amg_venv(tree, venv, env) == (python, digest)
    assert stamp.stat().st_mtime_ns == before

    (tree / "core" / "__init__.py").write_text("VALUE = 2\n")
    (tree / "core" / "gone.py").unlink()
    python, changed = venvs.amg_venv(tree, venv, env)
    assert changed != digest
    assert _probe(python, "import benchprobe; print(benchprobe.VALUE)").stdout == "2\n"
    assert _probe(python, "import benchprobe.gone").returncode != 0


@pytest.mark.slow
def test_no_network_falls_back_to_the_installed_tools(
        tmp_path: Path, hg_exe: str, capfd: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    links = tmp_path / "no-wheels"
    links.mkdir()
    env = {**tools.bench_env(cache / "home"), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(links), "PIP_NO_CACHE_DIR": "1"}
    found = tools.find_tools(cache, env)
    err = capfd.readouterr().err.strip().splitlines()
    assert found.mode == "installed"
    assert found.python == sys.executable
    assert len(err) == 1 and err[0].startswith("benchmarks: ") \
        and err[0].endswith("measuring the installed tools instead"), err
    assert "Traceback" not in err[0]


@pytest.mark.slow
def test_installed_mode_uses_this_interpreter(tmp_path: Path, hg_exe: str) -> None:
    found = tools.find_tools(tmp_path, tools.bench_env(tmp_path / "home"), installed=True)
    assert found.mode == "installed" and found.python == sys.executable
    assert found.hg_cext
    assert not (tmp_path / "amg-venv").exists()


@pytest.mark.parametrize("mode, words", [("venv", "own virtualenv"),
                                         ("installed", "`--installed`")])
def test_report_header_names_the_mode(mode: str, words: str) -> None:
    (report,) = _harness("report")
    info = {"cpu": "cpu", "cores": 2, "ram_bytes": 2**30, "os": "os", "python": "3",
            "hg": "hg", "git": "git", "amg": "amg", "date": "now",
            "load_average": (0.0, 0.0, 0.0), "tools_mode": mode,
            "amg_path": "/v/bin/amg (x)", "hg_path": "/h/bin/hg (y)"}
    header = report.markdown([], info, {}, "python -m benchmarks").split("| scenario |")[0]
    tools_line = [line for line in header.splitlines() if line.startswith("Tools: ")]
    assert len(tools_line) == 1 and words in tools_line[0]
    assert "/v/bin/amg (x)" in tools_line[0] and "/h/bin/hg (y)" in tools_line[0]


@pytest.mark.slow
def test_venv_mode_runs_every_side_from_its_venv(tmp_path: Path, hg_exe: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    found = tools.find_tools(cache, tools.bench_env(cache / "home"))
    if found.mode != "venv":
        pytest.skip("the virtualenvs cannot be built here (offline)")
    amg_venv, hg_venv = cache / "amg-venv", cache / f"hg-{tools.HG_VERSION}-venv"
    assert found.python == str(amg_venv / "bin" / "python")
    assert found.amg == [str(amg_venv / "bin" / "amg")]
    assert found.hg == [str(hg_venv / "bin" / "hg")] and found.hg_cext
    assert found.hg_python == str(hg_venv / "bin" / "python")
    where = _probe(Path(found.python), "import amalgam, pywatchman; print(amalgam.__file__)")
    assert where.stdout.startswith(str(amg_venv)), where.stderr
    assert _probe(Path(found.hg_python), "import amalgam").returncode != 0
    assert subprocess.run([*found.amg, "version"], capture_output=True).returncode == 0
