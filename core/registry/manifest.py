"""``plugin.toml``: a plugin's influence manifest, parsed and validated.

The manifest is the plugin's contract, read without importing the plugin:
its name, summary, version, hook-API version, the exact hooks it
implements, the commands and command options it adds, the repository
requirements it claims and its config items.  Everything is checked here so
a broken manifest is refused with a message naming the file.
"""
from __future__ import annotations

import re
from typing import Any

from amalgam.error import PluginError

#: Config item types a manifest may declare (those ``amalgam.config`` knows).
CONFIG_TYPES = ("bool", "int", "float", "str", "list", "path")

_NAME_RE = re.compile(r"[a-z][a-z0-9_-]*\Z")
_FUNCTION_RE = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*\Z")
_TOP_KEYS = {"name", "summary", "version", "hook-api", "hooks", "requires",
             "commands", "command-options", "config"}
_COMMAND_KEYS = {"summary", "help", "synopsis", "function", "options", "aliases",
                 "norepo", "optionalrepo"}
_OPTION_KEYS = {"short", "long", "default", "help", "metavar"}

#: A command-line option as the registrar declares them:
#: ``(short, long, default, help)``.
Option = tuple[str, str, Any, str]


class _Invalid(Exception):
    """One problem in a manifest; turned into a PluginError naming the file."""


class PluginCommand:
    """A command a plugin adds, as declared in ``[commands.NAME]``."""

    __slots__ = ("name", "plugin", "summary", "help", "synopsis", "function",
                 "options", "aliases", "norepo", "optionalrepo")

    def __init__(self, name: str, plugin: str, data: dict[str, Any]) -> None:
        _check_keys(data, _COMMAND_KEYS, f"[commands.{name}]")
        self.name = name
        self.plugin = plugin
        self.summary = _get(data, "summary", str, f"commands.{name}")
        self.help: str = _get(data, "help", str, f"commands.{name}", "")
        self.synopsis: str = _get(data, "synopsis", str, f"commands.{name}", "")
        self.function: str = _get(data, "function", str, f"commands.{name}")
        if not _FUNCTION_RE.match(self.function):
            raise _Invalid(f"commands.{name}.function must look like "
                           f"'module:attribute', not {self.function!r}")
        self.options = parse_options(data.get("options", []), f"commands.{name}")
        self.aliases: list[str] = _str_list(data, "aliases", f"commands.{name}")
        self.norepo: bool = _get(data, "norepo", bool, f"commands.{name}", True)
        self.optionalrepo: bool = _get(data, "optionalrepo", bool,
                                       f"commands.{name}", False)


class PluginManifest:
    """A parsed, validated ``plugin.toml`` and where its plugin comes from.

    ``origin`` is ``"built-in"``, ``"path"`` (a directory on
    ``AMG_PLUGIN_PATH``) or ``"distribution"``; ``module`` is the package to
    import; ``distribution`` is ``(name, version)`` for installed ones;
    ``sys_path`` is the directory that must be on ``sys.path`` to import it.
    *expected_name* is the name the entry point or built-in package gives the
    plugin (None for ``AMG_PLUGIN_PATH`` packages, named by their manifest).
    """

    def __init__(self, data: dict[str, Any], path: str, *, expected_name: str | None,
                 origin: str, module: str, sys_path: str | None = None,
                 distribution: tuple[str, str] | None = None,
                 trusted: bool = False) -> None:
        self.data = data
        self.path = path
        self.origin = origin
        self.module = module
        self.sys_path = sys_path
        self.distribution = distribution
        try:
            _check_keys(data, _TOP_KEYS, "the top level")
            self.name: str = _get(data, "name", str, "")
            if expected_name is not None and self.name != expected_name:
                raise _Invalid(f"name {self.name!r} does not match the plugin's "
                               f"package or entry point {expected_name!r}")
            if not _NAME_RE.match(self.name):
                raise _Invalid(f"name {self.name!r} must be lower case letters, "
                               f"digits, '-' or '_'")
            # Checked before the rest: a newer API may have changed it.
            self.hook_api: int = _get(data, "hook-api", int, "")
            if not trusted:
                self._check_hook_api()
            self.summary: str = _get(data, "summary", str, "")
            self.version: str = _get(data, "version", str, "")
            self.hooks: tuple[str, ...] = tuple(_str_list(data, "hooks", "", required=True))
            self.requires: tuple[str, ...] = tuple(_str_list(data, "requires", ""))
            self.commands = {name: PluginCommand(name, self.name, _table(value, f"commands.{name}"))
                             for name, value in _table(data.get("commands", {}),
                                                       "commands").items()}
            self.command_options = _command_options(data.get("command-options", {}))
            self.config = _config_items(data.get("config", {}))
        except _Invalid as exc:
            raise PluginError(f"invalid plugin manifest {path}: {exc}",
                              hint="see docs/writing-plugins.md for the "
                                   "plugin.toml format") from None
        if not trusted:
            self._check_hooks()

    # The two checks against the kernel's hook catalogue.  A manifest from
    # the discovery cache passed them already (the cache is per kernel
    # version), which keeps the catalogue off the cached start-up path.

    def _check_hook_api(self) -> None:
        from amalgam.hooks.catalogue import HOOK_API_VERSION

        if self.hook_api > HOOK_API_VERSION:
            raise PluginError(
                f"plugin manifest {self.path} needs hook API {self.hook_api}, "
                f"this amalgam has {HOOK_API_VERSION}",
                hint=f"upgrade amalgam, or install a version of plugin "
                     f"'{self.name}' made for hook API {HOOK_API_VERSION}")

    def _check_hooks(self) -> None:
        from amalgam.hooks.catalogue import HOOKS

        unknown = sorted(set(self.hooks) - set(HOOKS))
        if unknown:
            raise PluginError(
                f"plugin manifest {self.path} declares unknown hook(s): "
                f"{', '.join(unknown)}",
                hint="see 'amg help hooks' for the hooks this amalgam offers")

    @classmethod
    def read(cls, path: str, **kwargs: Any) -> PluginManifest:
        """Parse the file at *path*; every problem is a PluginError naming it."""
        return cls(read_toml(path), path, **kwargs)

    def to_cache(self) -> tuple[Any, ...]:
        """What the discovery cache stores to rebuild this manifest."""
        return (self.data, self.path, self.origin, self.module, self.sys_path,
                self.distribution, self.name)

    @classmethod
    def from_cache(cls, entry: tuple[Any, ...]) -> PluginManifest:
        """Rebuild a manifest stored by ``to_cache`` (already validated)."""
        data, path, origin, module, sys_path, dist, name = entry
        return cls(data, path, expected_name=name, origin=origin, module=module,
                   sys_path=sys_path, distribution=(dist[0], dist[1]) if dist else None,
                   trusted=True)

    def origin_text(self) -> str:
        """Where the plugin comes from, for listings."""
        if self.distribution:
            return f"{self.distribution[0]} {self.distribution[1]}"
        if self.origin == "path":
            return f"path {self.sys_path}"
        return self.origin


def read_toml(path: str) -> dict[str, Any]:
    """The TOML data of the manifest at *path*, or a PluginError naming it."""
    import tomllib

    try:
        with open(path, "rb") as fp:
            return tomllib.load(fp)
    except OSError as exc:
        raise PluginError(f"cannot read plugin manifest {path}: "
                          f"{exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PluginError(f"invalid plugin manifest {path}: {exc}",
                          hint="fix the TOML syntax of the file") from None


def parse_options(value: Any, where: str) -> list[Option]:
    """``options = [{short, long, default, help}, ...]`` -> registrar tuples."""
    if not isinstance(value, list):
        raise _Invalid(f"{where}.options must be an array of tables")
    options: list[Option] = []
    for item in value:
        item = _table(item, f"{where}.options")
        _check_keys(item, _OPTION_KEYS, f"an option of {where}")
        long = _get(item, "long", str, f"{where}.options")
        short = _get(item, "short", str, f"{where}.options.{long}", "")
        if len(short) > 1:
            raise _Invalid(f"{where}.options.{long}.short must be one character")
        if "default" not in item:
            raise _Invalid(f"{where}.options.{long} lacks 'default'")
        options.append((short, long, item["default"],
                        _get(item, "help", str, f"{where}.options.{long}")))
    return options


def _command_options(value: Any) -> dict[str, list[Option]]:
    result = {}
    for command, table in _table(value, "command-options").items():
        table = _table(table, f"command-options.{command}")
        _check_keys(table, {"options"}, f"[command-options.{command}]")
        result[command] = parse_options(table.get("options", []),
                                        f"command-options.{command}")
    return result


def _config_items(value: Any) -> list[tuple[str, str, str, Any, str]]:
    items = []
    for section, names in _table(value, "config").items():
        for name, spec in _table(names, f"config.{section}").items():
            where = f"config.{section}.{name}"
            spec = _table(spec, where)
            _check_keys(spec, {"type", "default", "help"}, f"[{where}]")
            kind = _get(spec, "type", str, where)
            if kind not in CONFIG_TYPES:
                raise _Invalid(f"{where}.type must be one of {', '.join(CONFIG_TYPES)}")
            if "default" not in spec:
                raise _Invalid(f"{where} lacks 'default'")
            items.append((section, name, kind, spec["default"],
                          _get(spec, "help", str, where)))
    return items


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _Invalid(f"unknown key(s) {', '.join(unknown)} in {where}")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be a table")
    return value


def _get(data: dict[str, Any], key: str, kind: type, where: str,
         default: Any = ...) -> Any:
    name = f"{where}.{key}" if where else key
    if key not in data:
        if default is ...:
            raise _Invalid(f"missing required field '{name}'")
        return default
    value = data[key]
    # bool is an int subclass; an int field must not accept true/false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Invalid(f"'{name}' must be {kind.__name__}, not {type(value).__name__}")
    return value


def _str_list(data: dict[str, Any], key: str, where: str,
              required: bool = False) -> list[str]:
    value = _get(data, key, list, where, ... if required else [])
    if not all(isinstance(v, str) for v in value):
        raise _Invalid(f"'{where + '.' if where else ''}{key}' must be an array of strings")
    return value
