"""Read and validate DISTRO.toml, the one file that describes a distribution.

Every problem is a one-line :class:`~amalgam.error.ConfigError` naming the
file (and the line, when a small scan of the text can find it) with a hint,
raised before anything is written.  The format is documented in
docs/distributions.md.
"""
from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable
from typing import Any

from amalgam.distro import Distribution
from amalgam.distro import names
from amalgam.error import ConfigError

#: A DISTRO.toml is a few dozen lines; refuse anything absurd before reading it.
MAX_SPEC_BYTES = 64 << 10
#: tomllib's cost grows with the square of a dotted key's length, so long
#: lines are refused before parsing; no sane DISTRO.toml needs one.
MAX_LINE = 1000
#: Deepest nesting of tables and arrays in [defaults].
MAX_DEPTH = 32

_TOP_KEYS = ("name", "command", "version", "package", "plugins", "defaults")
_PLUGIN_KEYS = ("builtin", "requirements", "enable")
_REQUIRED = ("name", "command", "version")
_FORMAT_HINT = "see docs/distributions.md for the DISTRO.toml format"
_TOML_LINE_RE = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_HEADER_RE = re.compile(r"\s*\[\s*([^\[\]#]+?)\s*\]\s*(?:#.*)?$")


def load_spec(path: str | os.PathLike[str]) -> Distribution:
    """Parse and validate the DISTRO.toml at *path*."""
    path = os.fspath(path)
    text = _read(path)
    return _Spec(path, text).distribution()


def _read(path: str) -> str:
    try:
        # A FIFO or device would block or never end: only read regular files.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ConfigError(f"{path} is not a regular file",
                              hint="pass the path of a DISTRO.toml file")
        with open(path, "rb") as fp:
            data = fp.read(MAX_SPEC_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"cannot read distribution file {path}: {e.strerror or e}",
                          hint="pass the path of an existing DISTRO.toml") from None
    if len(data) > MAX_SPEC_BYTES:
        raise ConfigError(f"{path}: distribution file larger than {MAX_SPEC_BYTES} bytes",
                          hint=_FORMAT_HINT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})",
                          hint="save DISTRO.toml as UTF-8") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise ConfigError(f"{path}:{lineno}: line longer than {MAX_LINE} characters",
                              hint="split long arrays over several lines")
    return text


def builtin_plugins() -> list[str]:
    """Names of the plugins shipped in ``amalgam.plugins`` (by manifest, no import).

    The same rule as the registry's discovery: a package with a plugin.toml.
    """
    import amalgam.plugins

    found = set()
    for base in amalgam.plugins.__path__:
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and all(os.path.isfile(os.path.join(entry.path, f))
                                      for f in ("plugin.toml", "__init__.py")):
                found.add(entry.name)
    return sorted(found)


def line_of(text: str, *keys: str) -> int | None:
    """Best-effort line number of the TOML key path *keys* in *text*.

    Finds ``[a.b]`` + ``c = ...``, ``[a]`` + ``b.c = ...`` and top-level
    ``a.b.c = ...`` spellings; for a table path, its header line.
    """
    table = ""
    for lineno, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.match(line)
        if header:
            table = re.sub(r"\s*\.\s*", ".", header.group(1))
            if table == ".".join(keys):
                return lineno
            continue
        stripped = line.strip()
        for split in range(len(keys)):
            if table == ".".join(keys[:split]):
                rest = r"\s*\.\s*".join(re.escape(k) for k in keys[split:])
                if re.match(rf"(?:{rest}|\"{rest}\")\s*=", stripped):
                    return lineno
    return None


class _Spec:
    """One parse of one file: the place errors are raised with their line."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, message: str, *keys: str, hint: str = _FORMAT_HINT) -> ConfigError:
        line = line_of(self.text, *keys) if keys else None
        where = f"{self.path}:{line}" if line else self.path
        return ConfigError(f"{where}: {message}", hint=hint)

    def parse(self) -> dict[str, Any]:
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]

        try:
            return tomllib.loads(self.text)
        except RecursionError:
            raise ConfigError(f"{self.path}: arrays or tables nested too deeply",
                              hint=f"nest at most {MAX_DEPTH} levels") from None
        except tomllib.TOMLDecodeError as e:
            msg = str(e)
            m = _TOML_LINE_RE.search(msg)
            where = f"{self.path}:{m.group(1)}" if m else self.path
            reason = msg[:m.start()] if m else msg
            raise ConfigError(f"{where}: invalid TOML: {reason}",
                              hint="fix the TOML syntax of the distribution file") from None

    def distribution(self) -> Distribution:
        data = self.parse()
        unknown = [k for k in data if k not in _TOP_KEYS]
        if unknown:
            raise self.fail(f"unknown key '{unknown[0]}'", unknown[0],
                            hint="known keys: " + ", ".join(_TOP_KEYS))
        for key in _REQUIRED:
            if key not in data:
                raise self.fail(f"missing required key '{key}'",
                                hint=f"add {key} = \"...\" at the top of the file")
        name = self.string(data, "name", names.check_name)
        command = self.string(data, "command", names.check_command)
        raw_version = self.string(data, "version")
        version = names.normalize_version(raw_version)
        if version is None:
            raise self.fail(f"invalid version {raw_version!r}", "version",
                            hint="use a PEP 440 version such as 1.2.0")
        if "package" in data:
            package = self.string(data, "package", names.check_package)
        else:
            package = command.replace("-", "_")
            problem = names.check_package(package)
            if problem:
                raise self.fail(f"{problem} (derived from the command name)", "command",
                                hint="set package = \"...\" to a different name")
        builtin, enable, requirements = self.plugins(data.get("plugins", {}))
        plugins = builtin + enable
        defaults = self.defaults(data.get("defaults", {}), plugins)
        return Distribution(name=name.strip(), command=command, version=version,
                            package=package, plugins=plugins, builtin=builtin,
                            requirements=requirements, defaults=defaults)

    def string(self, table: dict[str, Any], key: str,
               check: Callable[[str], str | None] | None = None) -> str:
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(f"'{key}' must be a string", key)
        problem = check(value) if check else None
        if problem:
            raise self.fail(problem, key)
        return value

    def strings(self, table: dict[str, Any], key: str,
                check: Callable[[str], str | None]) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'plugins.{key}' must be a list of strings", "plugins", key)
        for item in value:
            problem = check(item)
            if problem:
                raise self.fail(problem, "plugins", key)
        if len(set(value)) != len(value):
            dup = next(v for v in value if value.count(v) > 1)
            raise self.fail(f"'{dup}' is listed twice in plugins.{key}", "plugins", key)
        return tuple(value)

    def plugins(self, table: Any) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        if not isinstance(table, dict):
            raise self.fail("'plugins' must be a table", "plugins")
        unknown = [k for k in table if k not in _PLUGIN_KEYS]
        if unknown:
            raise self.fail(f"unknown key 'plugins.{unknown[0]}'", "plugins", unknown[0],
                            hint="known keys in [plugins]: " + ", ".join(_PLUGIN_KEYS))
        builtin = self.strings(table, "builtin", names.check_plugin)
        enable = self.strings(table, "enable", names.check_plugin)
        requirements = self.strings(table, "requirements", names.check_requirement)
        both = sorted(set(builtin) & set(enable))
        if both:
            raise self.fail(f"plugin '{both[0]}' is in both plugins.builtin and"
                            " plugins.enable", "plugins", "enable",
                            hint="list built-in plugins under builtin only")
        available = builtin_plugins()
        for plugin in builtin:
            if plugin not in available:
                hint = ("built-in plugins: " + ", ".join(available) if available
                        else "this Amalgam ships no built-in plugins; third-party"
                        " plugins go in plugins.requirements and plugins.enable")
                raise self.fail(f"unknown built-in plugin '{plugin}'", "plugins",
                                "builtin", hint=hint)
        return builtin, enable, requirements

    def defaults(self, table: Any, plugins: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise self.fail("'defaults' must be a table of config sections", "defaults")
        for section, values in table.items():
            if not isinstance(values, dict):
                raise self.fail(f"'defaults.{section}' must be a table (a config section)",
                                "defaults", section,
                                hint=f"write [defaults.{section}] and its keys below it")
            self.check_value(values, ("defaults", section))
        enabled = table.get("plugins", {})
        for plugin, value in enabled.items():
            if not isinstance(value, bool):
                raise self.fail(f"'defaults.plugins.{plugin}' must be true or false",
                                "defaults", "plugins", plugin)
        for plugin in plugins:
            if enabled.get(plugin) is False:
                raise self.fail(f"plugin '{plugin}' is listed in [plugins] but disabled"
                                " in [defaults.plugins]", "defaults", "plugins", plugin,
                                hint="remove one of the two")
        self.check_declared(table)
        if not plugins and not enabled:
            return dict(table)
        return {**table, "plugins": {**enabled, **dict.fromkeys(plugins, True)}}

    def check_declared(self, table: dict[str, Any]) -> None:
        """Type-check values of Amalgam's declared config items at build time,
        rather than on every user's machine at run time."""
        from amalgam.config import Config
        from amalgam.config.files import flatten
        from amalgam.config.items import ANY
        from amalgam.config.values import check_value

        declared = {(i.section, i.name): i for i in Config({}).declared()}
        for section, values in table.items():
            for keys, value in flatten(values):
                name = ".".join(keys)
                item = declared.get((section, name)) or declared.get((section, ANY))
                if item is None:
                    continue
                try:
                    check_value(item, value)
                except ConfigError as e:
                    raise self.fail(f"invalid value for {section}.{name}: {e.message}",
                                    "defaults", section, *keys,
                                    hint=f"see 'amg help config' for {item.key}") from None

    def check_value(self, value: Any, path: tuple[str, ...], depth: int = 0) -> None:
        """Allow only values a config file and a Python literal both carry."""
        if depth > MAX_DEPTH:
            raise self.fail(f"'{'.'.join(path[:3])}' is nested more than {MAX_DEPTH}"
                            " levels deep", *path[:3], hint="flatten the value")
        if isinstance(value, dict):
            for key, item in value.items():
                self.check_value(item, (*path, key), depth + 1)
        elif isinstance(value, list):
            for item in value:
                self.check_value(item, path, depth + 1)
        elif isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"'{'.'.join(path)}' must be a finite number", *path)
        elif not isinstance(value, (str, int, float)):
            raise self.fail(f"'{'.'.join(path)}': dates and times are not config values",
                            *path, hint="quote it as a string")
