"""Finding plugins without importing them, and caching what was found.

Three sources, all read without importing a plugin:

- built-in plugins: packages under ``amalgam.plugins`` with a ``plugin.toml``;
- ``AMG_PLUGIN_PATH``: directories (``os.pathsep``-separated) whose
  sub-packages with a ``plugin.toml`` are plugins (named by their
  manifest), for developing a plugin without installing it;
- installed distributions: entry points in the group ``amalgam.plugins``
  whose value is the plugin's package; ``importlib.util.find_spec`` locates
  the package (a top-level package is found, not executed).

Scanning entry points costs more than the rest of start-up, so the result
is cached by ``amalgam.registry.index``, which also answers the questions
dispatch asks without building a manifest.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from amalgam.error import PluginError
from amalgam.registry import index
from amalgam.registry.index import Index, plugin_path
from amalgam.registry.manifest import PluginManifest, read_toml

__all__ = ["ENTRY_POINT_GROUP", "discover", "plugin_path", "rescan"]

ENTRY_POINT_GROUP = "amalgam.plugins"


class _Candidate(NamedTuple):
    name: str
    manifest: str
    origin: str
    module: str
    sys_path: str | None
    distribution: tuple[str, str] | None


def discover(environ: Mapping[str, str]) -> Index:
    """All plugins, from the cache when nothing it depends on has changed."""
    found = index.load(environ)
    return rescan(environ) if found is None else found


def rescan(environ: Mapping[str, str]) -> Index:
    """All plugins, read afresh from their sources; the cache is updated."""
    found, watched = _scan(environ)
    index.store(environ, found, watched)
    return found


def _scan(environ: Mapping[str, str]) -> tuple[Index, list[str]]:
    """Every plugin, and the directories and manifests the result depends on."""
    import amalgam.plugins

    manifests: dict[str, PluginManifest] = {}
    broken: dict[str, PluginError] = {}
    origins: dict[str, str] = {}
    # Any change to a plugin directory or manifest means a rescan.  Package
    # directories are watched too: a plugin.toml (or __init__.py) appearing
    # in one changes only that directory's mtime.
    bases = [*amalgam.plugins.__path__, *plugin_path(environ)]
    watched: list[str] = [*bases, *(d for base in bases for d in _subdirs(base))]
    for cand in _candidates(environ, broken):
        watched.append(cand.manifest)
        name = cand.name
        manifest: PluginManifest | None = None
        try:
            data = read_toml(cand.manifest)
            if cand.origin == "path" and isinstance(data.get("name"), str):
                # Named by the manifest, so a broken one is still reported
                # under the name users enable.
                name = data["name"]
            manifest = PluginManifest(
                data, cand.manifest, expected_name=None if cand.origin == "path" else name,
                origin=cand.origin, module=cand.module, sys_path=cand.sys_path,
                distribution=cand.distribution)
        except PluginError as err:
            error = err
        where = cand.distribution[0] if cand.distribution else cand.manifest
        if name in origins:
            broken[name] = PluginError(
                f"plugin '{name}' is provided twice: by {origins[name]} and by {where}",
                hint="uninstall or rename one of them")
            manifests.pop(name, None)
            continue
        origins[name] = where
        if manifest is None:
            broken[name] = error
        else:
            manifests[name] = manifest
    return Index.build(manifests, broken), watched


def _candidates(environ: Mapping[str, str],
                broken: dict[str, PluginError]) -> Iterator[_Candidate]:
    import amalgam.plugins

    for base in amalgam.plugins.__path__:
        for name, manifest in _packages_in(base):
            yield _Candidate(name, manifest, "built-in", f"amalgam.plugins.{name}",
                             None, None)
    for base in plugin_path(environ):
        for name, manifest in _packages_in(base):
            yield _Candidate(name, manifest, "path", name, base, None)
    yield from _entry_points(broken)


def _subdirs(base: str) -> list[str]:
    try:
        return sorted(e.path for e in os.scandir(base)
                      if e.is_dir() and not e.name.startswith((".", "__")))
    except OSError:
        return []


def _packages_in(base: str) -> Iterator[tuple[str, str]]:
    try:
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        manifest = os.path.join(entry.path, "plugin.toml")
        if (entry.is_dir() and os.path.isfile(manifest)
                and os.path.isfile(os.path.join(entry.path, "__init__.py"))):
            yield entry.name, manifest


def _entry_points(broken: dict[str, PluginError]) -> Iterator[_Candidate]:
    import importlib.util
    from importlib.metadata import entry_points

    seen = set()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if (ep.name, ep.value) in seen:
            continue
        seen.add((ep.name, ep.value))
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else None
        module = ep.value.partition(":")[0].strip()
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError) as exc:
            spec, reason = None, str(exc)
        else:
            reason = "no such package"
        locations = spec.submodule_search_locations if spec else None
        if not locations:
            owner = f"distribution {dist[0]}" if dist else "an installed distribution"
            broken[ep.name] = PluginError(
                f"plugin '{ep.name}' from {owner}: cannot find package "
                f"'{module}' ({reason if spec is None else 'not a package'})",
                hint="reinstall the distribution; its entry point must name "
                     "the plugin's package")
            continue
        yield _Candidate(ep.name, os.path.join(list(locations)[0], "plugin.toml"),
                         "distribution", module, None, dist)
