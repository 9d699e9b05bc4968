"""Discovery from all three sources, and the stat-keyed cache."""
from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

from amalgam.error import PluginError
from amalgam.registry import discovery
from amalgam.registry.discovery import discover

MANIFEST = 'name = "{name}"\nsummary = "s"\nversion = "{version}"\nhook-api = 1\nhooks = []\n'


def _cache_files(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["XDG_CACHE_HOME"]) / "amalgam").glob("plugins-*.idx"))


def _no_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(environ):
        raise AssertionError("scanned although the cache is valid")
    monkeypatch.setattr(discovery, "_scan", fail)


def test_plugin_path_is_discovered_and_cached(plugin_dir, isolated_env,
                                               monkeypatch) -> None:
    name = plugin_dir.add()
    found = discover(isolated_env)
    assert found.manifests()[name].origin == "path"
    assert found.manifests()[name].sys_path == str(plugin_dir.root)
    assert len(_cache_files(isolated_env)) == 1
    _no_scan(monkeypatch)
    again = discover(isolated_env)
    assert again.manifests()[name].path == found.manifests()[name].path


def test_editing_a_manifest_invalidates_the_cache(plugin_dir, isolated_env) -> None:
    name = plugin_dir.add()
    assert discover(isolated_env).manifests()[name].version == "1.0"
    toml = plugin_dir.root / name / "plugin.toml"
    toml.write_text(MANIFEST.format(name=name, version="2.0-longer"))
    assert discover(isolated_env).manifests()[name].version == "2.0-longer"


def test_new_plugin_directory_invalidates_the_cache(plugin_dir, isolated_env) -> None:
    first = plugin_dir.add()
    discover(isolated_env)
    st = os.stat(plugin_dir.root)
    second = plugin_dir.add()
    # Same-second mtimes must not hide the change on coarse file systems.
    os.utime(plugin_dir.root, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert set(discover(isolated_env).manifests()) >= {first, second}


def test_corrupt_cache_is_rebuilt(plugin_dir, isolated_env) -> None:
    name = plugin_dir.add()
    discover(isolated_env)
    (cache,) = _cache_files(isolated_env)
    good = cache.read_bytes()
    cache.write_bytes(b"{not an index")
    assert name in discover(isolated_env).manifests()
    assert cache.read_bytes() == good


def test_broken_plugins_are_cached_too(plugin_dir, isolated_env, monkeypatch) -> None:
    name = plugin_dir.add(manifest='name = "NAME"\nsummary = 1\nversion = "1"\n'
                                   'hook-api = 1\nhooks = []\n')
    err = discover(isolated_env).broken()[name]
    _no_scan(monkeypatch)
    again = discover(isolated_env).broken()[name]
    assert (again.message, again.hints) == (err.message, err.hints)
    assert "'summary' must be str" in again.message


def test_no_cache_directory_still_works(plugin_dir, isolated_env) -> None:
    name = plugin_dir.add()
    env = {k: v for k, v in isolated_env.items() if k not in ("XDG_CACHE_HOME", "HOME")}
    assert name in discover(env).manifests()


def test_same_name_twice_is_broken(plugin_dir, isolated_env, tmp_path) -> None:
    name = plugin_dir.add()
    other = tmp_path / "other-path"
    (other / name).mkdir(parents=True)
    (other / name / "__init__.py").write_text("")
    (other / name / "plugin.toml").write_text(MANIFEST.format(name=name, version="9"))
    env = {**isolated_env,
           "AMG_PLUGIN_PATH": os.pathsep.join([str(plugin_dir.root), str(other)])}
    found = discover(env)
    assert name not in found.manifests()
    assert "is provided twice" in found.broken()[name].message


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A directory on sys.path where fake distributions can be installed."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    names: list[str] = []

    def install(dist: str, version: str, entry_points: str,
                package: str | None = None, manifest: str | None = None) -> None:
        info = site / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[amalgam.plugins]\n{entry_points}\n")
        if package:
            (site / package).mkdir()
            (site / package / "__init__.py").write_text("raise ImportError('must not run')\n")
            names.append(package)
            if manifest is not None:
                (site / package / "plugin.toml").write_text(manifest)
    yield install
    for name in names:
        sys.modules.pop(name, None)


def test_entry_point_plugins_are_found_without_import(site, isolated_env) -> None:
    pkg = f"amgep_{uuid.uuid4().hex[:8]}"
    site("amg-ep-demo", "3.1", f"epdemo = {pkg}", pkg,
         MANIFEST.format(name="epdemo", version="3.1"))
    found = discover(isolated_env)
    manifest = found.manifests()["epdemo"]
    assert manifest.origin == "distribution"
    assert manifest.distribution == ("amg-ep-demo", "3.1")
    assert manifest.module == pkg
    assert manifest.origin_text() == "amg-ep-demo 3.1"
    assert pkg not in sys.modules


def test_entry_point_to_missing_package_is_broken(site, isolated_env) -> None:
    site("amg-ghost", "1.0", "ghost = amg_no_such_package_here")
    err = discover(isolated_env).broken()["ghost"]
    assert isinstance(err, PluginError)
    assert "distribution amg-ghost" in err.message
    assert "cannot find package 'amg_no_such_package_here'" in err.message


def test_entry_point_without_manifest_is_broken(site, isolated_env) -> None:
    pkg = f"amgep_{uuid.uuid4().hex[:8]}"
    site("amg-nomanifest", "1.0", f"nomani = {pkg}", pkg)
    assert "cannot read plugin manifest" in discover(isolated_env).broken()["nomani"].message


def test_builtin_plugins_directory_is_scanned(isolated_env, monkeypatch, tmp_path) -> None:
    import amalgam.plugins

    fake = tmp_path / "builtins"
    (fake / "shipped").mkdir(parents=True)
    (fake / "shipped" / "__init__.py").write_text("")
    (fake / "shipped" / "plugin.toml").write_text(MANIFEST.format(name="shipped",
                                                                  version="0.1"))
    (fake / "not_a_plugin").mkdir()
    monkeypatch.setattr(amalgam.plugins, "__path__", [str(fake)])
    found = discover(isolated_env)
    assert found.manifests()["shipped"].origin == "built-in"
    assert found.manifests()["shipped"].module == "amalgam.plugins.shipped"
    assert "not_a_plugin" not in found.manifests()


def test_plugin_path_packages_are_named_by_their_manifest(plugin_dir, isolated_env) -> None:
    pkg = plugin_dir.add(manifest=MANIFEST.format(name="nice-name", version="1"))
    manifest = discover(isolated_env).manifests()["nice-name"]
    assert manifest.module == pkg


def test_unrelated_change_in_a_site_directory_keeps_the_cache(
        site, isolated_env, monkeypatch, tmp_path) -> None:
    discover(isolated_env)
    sitedir = tmp_path / "site"
    st = os.stat(sitedir)
    (sitedir / "notes.txt").write_text("not a distribution")
    os.utime(sitedir, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    _no_scan(monkeypatch)
    discover(isolated_env)


def test_installing_a_distribution_invalidates_the_cache(site, isolated_env) -> None:
    assert "later" not in discover(isolated_env).manifests()
    pkg = f"amgep_{uuid.uuid4().hex[:8]}"
    site("amg-later", "1.0", f"later = {pkg}", pkg, MANIFEST.format(name="later", version="1"))
    assert discover(isolated_env).manifests()["later"].distribution == ("amg-later", "1.0")


def test_reinstalling_with_new_entry_points_invalidates_the_cache(
        site, isolated_env, tmp_path) -> None:
    pkg = f"amgep_{uuid.uuid4().hex[:8]}"
    site("amg-re", "1.0", "", pkg, MANIFEST.format(name="again", version="1"))
    assert "again" not in discover(isolated_env).manifests()
    # pip replaces the metadata directory; both it and the site directory
    # get new mtimes (bumped here in case the file system is coarse).
    info = tmp_path / "site" / "amg-re-1.0.dist-info"
    shutil.rmtree(info)
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: amg-re\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[amalgam.plugins]\nagain = {pkg}\n")
    for path in (info, tmp_path / "site"):
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert "again" in discover(isolated_env).manifests()


def test_relative_plugin_path_entries_are_ignored(plugin_dir, isolated_env,
                                                  monkeypatch) -> None:
    name = plugin_dir.add()
    monkeypatch.chdir(plugin_dir.root.parent)
    env = {**isolated_env, "AMG_PLUGIN_PATH": plugin_dir.root.name}
    assert name not in discover(env).manifests()
