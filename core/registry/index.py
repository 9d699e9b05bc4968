"""The plugin index: what each available plugin influences, and its cache.

Dispatch asks the registry only influence questions: which enabled plugin
declares this hook, adds this command or option, declares these config
items, claims this requirement.  The index answers them from plain tuples,
and the discovery cache stores those with ``marshal`` (built into the
interpreter, so reading it imports nothing).  A command whose enabled
plugins do not influence it therefore imports exactly what it imports with
no plugin enabled: no TOML, JSON, manifest validation or pluggy.  Full
manifests (``amg plugins``, ``version -v``, loading a plugin) are built on
demand from the same cache.

The cache file, under ``$XDG_CACHE_HOME/amalgam/``, is named after a
checksum of what decides which plugins exist (kernel version and location,
interpreter, ``AMG_PLUGIN_PATH``, ``sys.path``) and records the stat of
every plugin directory and manifest, and each ``sys.path`` entry's mtime and
installed distributions (``*.dist-info``, ``*.egg-info``).  Installing,
removing or reinstalling a distribution changes those; so does editing a
manifest.  The file carries its own checksum: a torn or garbage file is a
cache miss, never an error.  After a rescan, old files are pruned: the
newest ``_KEEP_FILES`` younger than ``_KEEP_SECONDS`` stay.
"""
from __future__ import annotations

import marshal
import os
import sys
import zlib

from amalgam.error import PluginError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from amalgam.registry.manifest import PluginManifest

    #: One config item a plugin declares: (section, name, type, default, help).
    ConfigSpec = tuple[str, str, str, Any, str]

#: Bumped whenever the stored layout changes (a new layout is a new file).
_MAGIC = b"AMGIDX\x03\n"
#: Index files kept per cache directory, newest first, and their longest
#: life.  Every interpreter, plugin path and ``sys.path`` (the current
#: directory under ``python -m amalgam``) has its own file; one pruned
#: while still in use only costs a rescan.
_KEEP_FILES = 16
_KEEP_SECONDS = 30 * 24 * 3600
_HEADER = len(_MAGIC) + 4  # magic, then the payload's crc32


class Influence:
    """What one plugin's manifest declares, as far as dispatch needs it."""

    __slots__ = ("hooks", "commands", "option_commands", "config", "requires")

    def __init__(self, hooks: tuple[str, ...],
                 commands: dict[str, tuple[tuple[str, ...], str]],
                 option_commands: tuple[str, ...], config: tuple[ConfigSpec, ...],
                 requires: tuple[str, ...]) -> None:
        self.hooks = hooks
        #: added command -> (its aliases, its summary)
        self.commands = commands
        #: existing commands the plugin adds options to
        self.option_commands = option_commands
        self.config = config
        self.requires = requires

    @classmethod
    def of(cls, manifest: PluginManifest) -> Influence:
        return cls(tuple(manifest.hooks),
                   {c.name: (tuple(c.aliases), c.summary)
                    for c in manifest.commands.values()},
                   tuple(manifest.command_options), tuple(manifest.config),
                   tuple(manifest.requires))

    def dump(self) -> tuple[Any, ...]:
        return (self.hooks, self.commands, self.option_commands, self.config, self.requires)


class Index:
    """Every available plugin's influence, the broken plugins, and their
    manifests (built on first request)."""

    def __init__(self, influence: dict[str, Influence], stored: dict[str, tuple[Any, ...]],
                 broken: dict[str, tuple[str, list[str]]],
                 manifests: dict[str, PluginManifest] | None = None) -> None:
        #: plugin name -> what it influences, for every usable plugin
        self.influence = influence
        self._stored = stored
        self._broken = broken
        self._manifests = dict(manifests or {})

    @classmethod
    def build(cls, manifests: dict[str, PluginManifest],
              broken: dict[str, PluginError]) -> Index:
        """The index of freshly read manifests."""
        return cls({n: Influence.of(m) for n, m in manifests.items()},
                   {n: m.to_cache() for n, m in manifests.items()},
                   {n: (e.message, list(e.hints)) for n, e in broken.items()},
                   manifests)

    def broken(self) -> dict[str, PluginError]:
        """Plugins that were found but cannot be used, with the reason."""
        return {name: PluginError(message, hints=list(hints))
                for name, (message, hints) in self._broken.items()}

    def manifest(self, name: str) -> PluginManifest:
        """Plugin *name*'s manifest; KeyError when there is no such usable plugin."""
        manifest = self._manifests.get(name)
        if manifest is None:
            from amalgam.registry.manifest import PluginManifest

            manifest = PluginManifest.from_cache(self._stored[name])
            self._manifests[name] = manifest
        return manifest

    def manifests(self) -> dict[str, PluginManifest]:
        """Every usable plugin's manifest, by name."""
        return {name: self.manifest(name) for name in self.influence}

    def _entries(self) -> list[tuple[Any, ...]]:
        return [(name, self.influence[name].dump(), self._stored[name])
                for name in self.influence]


def plugin_path(environ: Mapping[str, str]) -> list[str]:
    """The directories named by ``AMG_PLUGIN_PATH``.

    Only absolute paths count: a relative one would load plugins from
    whatever directory amg runs in, such as a cloned repository.
    """
    return [p for p in environ.get("AMG_PLUGIN_PATH", "").split(os.pathsep)
            if os.path.isabs(p)]


def _key(environ: Mapping[str, str]) -> str:
    import amalgam

    return "\0".join([amalgam.__version__, amalgam.__file__ or "", sys.executable,
                      *plugin_path(environ), "", *_sites()])


def _sites() -> list[str]:
    return [p or os.getcwd() for p in sys.path]


def cache_file(environ: Mapping[str, str]) -> str | None:
    """Where the index for this process's plugin sources is cached, if anywhere."""
    base = environ.get("XDG_CACHE_HOME") or (
        os.path.join(environ["HOME"], ".cache") if environ.get("HOME") else None)
    if not base:
        return None
    # The file stores its full key, so a checksum collision only costs a rescan.
    digest = zlib.crc32(_key(environ).encode("utf-8", "surrogateescape"))
    return os.path.join(base, "amalgam", f"plugins-{digest:08x}.idx")


def stat(path: str) -> list[Any]:
    """``[path, mtime_ns, size]``, with None for a missing file."""
    try:
        st = os.stat(path)
    except OSError:
        return [path, None, None]
    return [path, st.st_mtime_ns, st.st_size]


def _dists(path: str) -> list[list[Any]]:
    try:
        with os.scandir(path) as entries:
            return sorted([e.name, e.stat().st_mtime_ns] for e in entries
                          if e.name.endswith((".dist-info", ".egg-info")))
    except OSError:
        return []


def load(environ: Mapping[str, str]) -> Index | None:
    """The cached index, or None when it is missing, unreadable or stale."""
    path = cache_file(environ)
    if path is None:
        return None
    try:
        with open(path, "rb") as fp:
            blob = fp.read()
        payload = memoryview(blob)[_HEADER:]
        if (blob[:len(_MAGIC)] != _MAGIC
                or zlib.crc32(payload) != int.from_bytes(blob[len(_MAGIC):_HEADER], "big")):
            return None
        key, watched, sites, entries, broken = marshal.loads(payload)
        if key != _key(environ) or any(stat(entry[0]) != entry for entry in watched):
            return None
        # A sys.path entry's mtime is the cheap check; when it moved (the
        # current directory is on sys.path under ``python -m``) its
        # distributions decide, and the refreshed mtime is stored.
        moved = False
        for site in sites:
            mtime = stat(site[0])[1]
            if mtime != site[1]:
                if _dists(site[0]) != site[2]:
                    return None
                site[1], moved = mtime, True
        found = Index({name: Influence(*influence) for name, influence, _ in entries},
                      {name: stored for name, _, stored in entries},
                      {name: (message, hints) for name, message, hints in broken})
    except (OSError, ValueError, EOFError, TypeError, IndexError, KeyError):
        return None
    if moved:
        _write(path, (key, watched, sites, entries, broken))
    return found


def store(environ: Mapping[str, str], found: Index, watched: list[str]) -> None:
    """Cache *found*, which depends on the files and directories *watched*."""
    path = cache_file(environ)
    if path is None:
        return
    sites = [[*stat(p)[:2], _dists(p)] for p in _sites()]
    broken = [(name, message, hints) for name, (message, hints) in found._broken.items()]
    _write(path, (_key(environ), [stat(p) for p in watched], sites, found._entries(),
                  broken))
    _prune(os.path.dirname(path), keep=os.path.basename(path))


def _prune(directory: str, keep: str) -> None:
    """Remove old index files, killed writers' temporary files and the
    earlier layout's ``plugins-*.json``.

    Runs after a rescan only, so a warm start never lists the directory.
    """
    import time

    now = time.time()
    indexes: list[tuple[float, str]] = []
    try:
        with os.scandir(directory) as entries:
            found = [(e.name, e.path, _mtime(e)) for e in entries
                     if e.name.startswith("plugins-") and e.name != keep]
    except OSError:
        return
    for name, path, mtime in found:
        if name.endswith(".idx"):
            indexes.append((mtime, path))
        elif name.endswith(".json") or (name.endswith(".tmp") and mtime < now - 3600):
            _unlink(path)  # a live writer's .tmp is seconds old
    indexes.sort(reverse=True)
    # *keep*, just written, is the newest of the _KEEP_FILES.
    for rank, (mtime, path) in enumerate(indexes, start=2):
        if rank > _KEEP_FILES or mtime < now - _KEEP_SECONDS:
            _unlink(path)


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat().st_mtime
    except OSError:
        return 0.0  # gone meanwhile: unlinking it again is harmless


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write(path: str, payload: tuple[Any, ...]) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps(payload)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fp:
            fp.write(_MAGIC + zlib.crc32(data).to_bytes(4, "big") + data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        # Not being able to cache (an unwritable directory, a manifest
        # value marshal cannot store) must not stop the command.
        _unlink(tmp)
