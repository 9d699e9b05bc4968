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
is cached as JSON under ``$XDG_CACHE_HOME/amalgam/``, keyed by the stat of
every plugin directory and manifest, and by each ``sys.path`` entry's mtime
and installed distributions (``*.dist-info``, ``*.egg-info``): installing,
removing or reinstalling a distribution changes those, editing a manifest
changes its stat.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from amalgam.error import PluginError
from amalgam.registry.manifest import PluginManifest, read_toml

ENTRY_POINT_GROUP = "amalgam.plugins"
_CACHE_FORMAT = 1


class Discovered(NamedTuple):
    """Every available plugin's manifest, and the plugins that are broken.

    A broken plugin (unreadable manifest, unfindable package, a name two
    sources provide) is an error only when it is enabled; listing it is not.
    """

    manifests: dict[str, PluginManifest]
    broken: dict[str, PluginError]


class _Candidate(NamedTuple):
    name: str
    manifest: str
    origin: str
    module: str
    sys_path: str | None
    distribution: tuple[str, str] | None


def plugin_path(environ: Mapping[str, str]) -> list[str]:
    """The directories named by ``AMG_PLUGIN_PATH``.

    Only absolute paths count: a relative one would load plugins from
    whatever directory amg runs in, such as a cloned repository.
    """
    return [p for p in environ.get("AMG_PLUGIN_PATH", "").split(os.pathsep)
            if os.path.isabs(p)]


def discover(environ: Mapping[str, str]) -> Discovered:
    """All plugins, from the cache when nothing it depends on has changed."""
    dirs = _plugin_dirs(environ)
    sites = [p or os.getcwd() for p in sys.path]
    cache = _cache_file(environ, [*dirs, *sites])
    found = _read_cache(cache, dirs, sites) if cache else None
    if found is None:
        found, manifests = _scan(environ)
        if cache:
            _write_cache(cache, found, dirs, manifests, sites)
    return found


def _plugin_dirs(environ: Mapping[str, str]) -> list[str]:
    import amalgam.plugins

    return [*amalgam.plugins.__path__, *plugin_path(environ)]


def _stat(path: str) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError:
        return [path, None, None]
    return [path, st.st_mtime_ns, st.st_size]


def _site_state(path: str) -> list[Any]:
    """A ``sys.path`` entry's mtime and its installed distributions.

    The mtime is the cheap first check.  When it changed (the current
    directory is on ``sys.path`` under ``python -m``, and changes all the
    time) the distributions' metadata directories decide: their names and
    mtimes change when a distribution is installed, removed or reinstalled.
    """
    return [*_stat(path)[:2], _dists(path)]


def _dists(path: str) -> list[list[Any]]:
    try:
        with os.scandir(path) as entries:
            return sorted([e.name, e.stat().st_mtime_ns] for e in entries
                          if e.name.endswith((".dist-info", ".egg-info")))
    except OSError:
        return []


def _cache_file(environ: Mapping[str, str], roots: list[str]) -> str | None:
    # zlib is already loaded at start-up, hashlib is not; the cache stores
    # its roots, so a checksum collision only costs a rescan.
    import zlib

    from amalgam import __version__

    base = environ.get("XDG_CACHE_HOME") or (
        os.path.join(environ["HOME"], ".cache") if environ.get("HOME") else None)
    if not base:
        return None
    key = "\0".join([__version__, sys.executable, *roots]).encode("utf-8", "surrogateescape")
    digest = f"{zlib.crc32(key):08x}"
    return os.path.join(base, "amalgam", f"plugins-{digest}.json")


def _read_cache(path: str, dirs: list[str], sites: list[str]) -> Discovered | None:
    import json

    try:
        with open(path, "rb") as fp:
            data = json.load(fp)
        if (data.get("format") != _CACHE_FORMAT or data["dirs"] != dirs
                or [site[0] for site in data["sites"]] != sites):
            return None
        if any(_stat(entry[0]) != entry for entry in data["stat"]):
            return None
        for site, mtime, dists in data["sites"]:
            if _stat(site)[1] != mtime and _dists(site) != dists:
                return None
        manifests = {e["expected_name"]: PluginManifest.from_json(e)
                     for e in data["manifests"]}
        broken = {name: PluginError(message, hints=hints)
                  for name, message, hints in data["broken"]}
    except (OSError, ValueError, KeyError, TypeError, IndexError, PluginError):
        # An unreadable or outdated cache is only a cache: scan again.
        return None
    return Discovered(manifests, broken)


def _write_cache(path: str, found: Discovered, dirs: list[str],
                 manifests: list[str], sites: list[str]) -> None:
    import json

    data = {
        "format": _CACHE_FORMAT,
        "dirs": dirs,
        # Plugin directories and manifests: any change means a rescan.
        "stat": [_stat(p) for p in [*dirs, *manifests]],
        "sites": [_site_state(p) for p in sites],
        "manifests": [m.to_json() for m in found.manifests.values()],
        "broken": [[name, err.message, err.hints] for name, err in found.broken.items()],
    }
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fp:
            json.dump(data, fp)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        # Not being able to cache must not stop the command.
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _scan(environ: Mapping[str, str]) -> tuple[Discovered, list[str]]:
    """Every plugin, and the manifest files the result depends on."""
    manifests: dict[str, PluginManifest] = {}
    broken: dict[str, PluginError] = {}
    origins: dict[str, str] = {}
    watched: list[str] = []
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
    return Discovered(manifests, broken), watched


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
