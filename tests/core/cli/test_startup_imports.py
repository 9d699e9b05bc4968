"""What a command imports at start-up, seen from a clean interpreter.

``python -S`` starts without site-packages' ``.pth`` hooks (which import
half the standard library themselves), the way amg starts in a clean
virtualenv, so what is left in ``sys.modules`` is what amg imported.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import amalgam
import amalgam.hooks
import amalgam.plugins

# The three packages are found wherever this test run finds them (an
# editable install maps them to separate directories).
PACKAGES = {name: str(Path(pkg.__file__).parent)
            for name, pkg in (("amalgam", amalgam), ("amalgam.hooks", amalgam.hooks),
                              ("amalgam.plugins", amalgam.plugins))}

PROBE = """\
import sys
from _frozen_importlib_external import spec_from_file_location

PACKAGES = {packages!r}


class Finder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        where = PACKAGES.get(name)
        if where is None:
            return None
        return spec_from_file_location(name, where + "/__init__.py",
                                       submodule_search_locations=[where])


sys.meta_path.insert(0, Finder)
before = set(sys.modules)
from amalgam.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("MODULES " + " ".join(sorted(set(sys.modules) - before)) + "\\n")
sys.exit(rc)
"""

#: Needed only to write a file (vfs atomic-temp) or by commands that
#: copy trees; a read-only command must not pay for them.
WRITE_ONLY = {"tempfile", "shutil", "random", "bz2", "lzma"}
#: Plugin discovery: only on a cold or stale plugin index.
DISCOVERY = {"importlib.metadata", "tomllib", "json", "pluggy", "amalgam.registry.discovery",
             "amalgam.registry.manifest"}


#: typing and what it drags in (re, enum, functools, contextlib): more than
#: amg's own start-up modules cost together; annotations do not need them.
TYPING = {"typing", "re", "enum", "contextlib"}

#: The start-up modules of the command line, config and plugin registry.
KERNEL_START = ("amalgam.cli", "amalgam.cli.dispatch", "amalgam.cli.resolve",
                "amalgam.cli.services", "amalgam.config", "amalgam.registry",
                "amalgam.registrar", "amalgam.ui", "amalgam.vfs")


#: What ``status``, ``root`` and ``version`` import besides the kernel's start-up.
STATUS_PATH = ("amalgam.error", "amalgam.repo", "amalgam.node", "amalgam.commands.status",
               "amalgam.commands.root", "amalgam.commands.version",
               "amalgam.storage.requirements", "amalgam.storage.store", "amalgam.wc.cmdutil",
               "amalgam.wc.match", "amalgam.wc.dirstate", "amalgam.wc.dirstate_cache",
               "amalgam.wc.dirstate_v1", "amalgam.wc.status", "amalgam.wc.ignore")


def _imports(env: dict[str, str], cwd: Path, *args: str) -> tuple[str, set[str]]:
    code = PROBE.format(packages=PACKAGES)
    proc = subprocess.run([sys.executable, "-S", "-c", code, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, set(proc.stderr.rsplit("MODULES ", 1)[1].split())


def _loaded_by(*modules: str, then: str = "") -> set[str]:
    """What importing *modules* (then running the code *then*) imports."""
    code = PROBE.format(packages=PACKAGES).split("from amalgam.cli import main")[0]
    code += "".join(f"import {m}\n" for m in modules) + then + "\n"
    code += 'print(" ".join(sorted(set(sys.modules) - before)))\n'
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def _repo(tmp_path: Path) -> Path:
    from amalgam.repo import Repository

    root = tmp_path / "repo"
    Repository.create(str(root))
    (root / "a").write_bytes(b"a\n")
    return root


def test_read_only_commands_import_no_writer_or_discovery(isolated_env, tmp_path) -> None:
    root = _repo(tmp_path)
    _imports(isolated_env, root, "root")  # fills the plugin index
    for args in (("root",), ("status",), ("version",)):
        out, modules = _imports(isolated_env, root, *args)
        assert out  # the command really ran
        assert not modules & WRITE_ONLY, (args, sorted(modules & WRITE_ONLY))
        assert not modules & DISCOVERY, (args, sorted(modules & DISCOVERY))


def test_version_opens_no_repository(isolated_env, tmp_path) -> None:
    out, modules = _imports(isolated_env, _repo(tmp_path), "version")
    assert out.startswith("Amalgam")
    assert not {m for m in modules if m.startswith(("amalgam.repo", "amalgam.storage",
                                                    "amalgam.wc"))}


def test_the_probe_sees_imports(isolated_env, tmp_path) -> None:
    # A command that writes does import the atomic-temp machinery: the
    # probe is not blind to it.
    root = _repo(tmp_path)
    _, modules = _imports(isolated_env, root, "add", "a")
    assert "tempfile" in modules


def test_start_up_modules_do_not_import_typing() -> None:
    # typing (with re, enum, functools, contextlib) costs more than all of
    # these modules together; they only need it for annotations.
    loaded = _loaded_by(*KERNEL_START)
    assert set(KERNEL_START) <= loaded
    unwanted = {"typing", "re", "tempfile"}
    assert not loaded & unwanted, sorted(loaded & unwanted)


def test_status_path_modules_do_not_import_typing() -> None:
    loaded = _loaded_by(*STATUS_PATH)
    assert set(STATUS_PATH) <= loaded
    # collections: OrderedDict and the abc aliases; binascii: bytes.hex() writes hex.
    unwanted = TYPING | {"collections", "binascii"}
    assert not loaded & unwanted, sorted(loaded & unwanted)


def test_status_root_and_version_import_no_typing(isolated_env, tmp_path) -> None:
    root = _repo(tmp_path)
    for args in (("root",), ("status",), ("version",)):
        out, modules = _imports(isolated_env, root, *args)
        assert out  # the command really ran
        assert not modules & TYPING, (args, sorted(modules & TYPING))


def test_the_probe_sees_typing() -> None:
    # A pattern needs re: the module check is not blind to it.
    assert "re" in _loaded_by("amalgam.wc.match",
                              then="amalgam.wc.match.pattern_re('glob', b'*.c')")
    assert "re" not in _loaded_by("amalgam.wc.match")


def test_config_help_text_is_imported_on_first_use() -> None:
    import amalgam.config

    assert "amalgam.config.helptext" not in _loaded_by("amalgam.config")
    assert amalgam.config.help_text.__module__ == "amalgam.config.helptext"
    with pytest.raises(AttributeError, match="no_such_name"):
        amalgam.config.no_such_name  # noqa: B018 - the lookup is the test
