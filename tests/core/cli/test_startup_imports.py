"""What a command imports at start-up, seen from a clean interpreter.

``python -S`` starts without site-packages' ``.pth`` hooks (which import
half the standard library themselves), the way amg starts in a clean
virtualenv, so what is left in ``sys.modules`` is what amg imported.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

import amalgam
import amalgam.hooks
import amalgam.plugins

# The three packages are found wherever this test run finds them (an
# editable install maps them to separate directories).
PACKAGES = {name: str(Path(pkg.__file__).parent)
            for name, pkg in (("amalgam", amalgam), ("amalgam.hooks", amalgam.hooks),
                              ("amalgam.plugins", amalgam.plugins))}

# Where zstandard is installed: on sys.path without site's .pth hooks (it
# only makes modules findable, imports nothing), so zstd revlogs can be read.
SITE = os.path.dirname(os.path.dirname(zstandard.__file__))

PROBE = """\
import sys
from _frozen_importlib_external import spec_from_file_location

PACKAGES = {packages!r}
sys.path.append({site!r})


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
    code = PROBE.format(packages=PACKAGES, site=SITE)
    proc = subprocess.run([sys.executable, "-S", "-c", code, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, set(proc.stderr.rsplit("MODULES ", 1)[1].split())


def _loaded_by(*modules: str, then: str = "") -> set[str]:
    """What importing *modules* (then running the code *then*) imports."""
    code = PROBE.format(packages=PACKAGES, site=SITE).split("from amalgam.cli import main")[0]
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
    # A commit imports the transaction's shutil (WRITE_ONLY): the probe is
    # not blind to it.
    root = _repo(tmp_path)
    _, modules = _imports(isolated_env, root, "commit", "-A", "-m", "m", "-u", "t")
    assert "shutil" in modules


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


#: What reading revlogs and rewriting the dirstate used to import: typing's
#: companions, threading, binascii, zstandard's package (platform, typing)
#: and tempfile's (shutil, random).
STORAGE_READ = ("amalgam.storage.changelog", "amalgam.storage.revlog_index",
                "amalgam.storage.mdiff", "amalgam.storage.compression",
                "amalgam.storage.lock", "amalgam.storage.filelog",
                "amalgam.storage.manifest", "amalgam.storage.manifestcache")
STORAGE_UNWANTED = TYPING | {"collections", "functools", "threading", "binascii", "platform",
                             "zstandard"}


def test_storage_read_modules_import_no_typing() -> None:
    loaded = _loaded_by(*STORAGE_READ)
    assert set(STORAGE_READ) <= loaded
    assert not loaded & STORAGE_UNWANTED, sorted(loaded & STORAGE_UNWANTED)


def _committed_repo(amg, tmp_path: Path) -> tuple[Path, list[Path]]:
    root = tmp_path / "repo"
    assert amg("init", str(root)).rc == 0
    files = [root / f"f{i}" for i in range(3)]
    for path in files:
        path.write_bytes(b"content of %s\n" % path.name.encode() * 20)
    assert amg("commit", "-A", "-m", "one", "-u", "t", cwd=root).rc == 0
    assert "revlog-compression-zstd" in (root / ".hg/store/requires").read_text()
    return root, files


def test_touched_status_imports_no_writer_typing_or_zstandard_package(
        amg, isolated_env, tmp_path) -> None:
    # Touched files (new mtime, same content) make status read the parent
    # manifest and the filelogs, then rewrite the dirstate.
    root, files = _committed_repo(amg, tmp_path)
    for path in files[:2]:
        os.utime(path, (1_500_000_000, 1_500_000_000))
    dirstate = root / ".hg/dirstate"
    before = dirstate.read_bytes()
    out, modules = _imports(isolated_env, root, "status")
    assert out == ""  # nothing is modified
    assert dirstate.read_bytes() != before  # the new mtimes were written
    assert {"amalgam.storage.filelog", "zstandard.backend_c"} <= modules
    unwanted = WRITE_ONLY | {"platform", "zstandard"}
    assert not modules & unwanted, sorted(modules & unwanted)
    assert not [p for p in os.listdir(root / ".hg") if p.startswith(".")]  # no temp left


def test_a_later_zstandard_import_shares_the_backend() -> None:
    # The backend loaded alone is the one the package then re-exports: its
    # ZstdError is the class callers catch.
    loaded = _loaded_by("amalgam.storage.compression", then="""\
from amalgam.storage import compression
data = b"x" * 100
assert compression.decompress(compression.compress(data, "zstd"), 100) == data
assert "zstandard" not in sys.modules
import zstandard
assert zstandard.ZstdError is sys.modules["zstandard.backend_c"].ZstdError
assert compression._zstd() is sys.modules["zstandard.backend_c"]""")
    assert {"zstandard", "zstandard.backend_c"} <= loaded


def test_zstandard_is_imported_normally_when_its_backend_cannot_be_found() -> None:
    loaded = _loaded_by("amalgam.storage.compression", then="""\
from importlib.machinery import PathFinder
find_spec, hidden = PathFinder.find_spec.__func__, []
def find_once(cls, name, path=None, target=None):  # the first look-up finds nothing
    if name == "zstandard" and not hidden:
        hidden.append(name)
        return None
    return find_spec(cls, name, path, target)
PathFinder.find_spec = classmethod(find_once)
from amalgam.storage import compression
data = b"x" * 100
assert compression.decompress(compression.compress(data, "zstd"), 100) == data""")
    assert "zstandard" in loaded


def test_make_temp_creates_private_new_files(tmp_path: Path) -> None:
    # vfs.make_temp replaces tempfile.mkstemp on the write path.
    from amalgam.vfs import make_temp

    fd, name = make_temp(str(tmp_path), ".x-", "-y")
    fd2, name2 = make_temp(str(tmp_path), ".x-", "-y")
    os.close(fd)
    os.close(fd2)
    assert name != name2
    for path in (name, name2):
        base = os.path.basename(path)
        assert os.path.dirname(path) == str(tmp_path)
        assert base.startswith(".x-") and base.endswith("-y")
        assert os.stat(path).st_mode & 0o777 == 0o600


def test_make_temp_draws_again_on_a_taken_name(tmp_path: Path, monkeypatch) -> None:
    from amalgam import vfs

    draws = iter([b"\0" * 6, b"\0" * 6, b"\1" * 6])
    monkeypatch.setattr(vfs.os, "urandom", lambda n: next(draws))
    fd, first = vfs.make_temp(str(tmp_path), "t")
    os.close(fd)
    fd, second = vfs.make_temp(str(tmp_path), "t")  # the first draw is taken
    os.close(fd)
    assert (os.path.basename(first), os.path.basename(second)) == ("t" + "00" * 6,
                                                                   "t" + "01" * 6)
    monkeypatch.setattr(vfs.os, "urandom", lambda n: b"\0" * 6)
    with pytest.raises(FileExistsError):
        vfs.make_temp(str(tmp_path), "t")
