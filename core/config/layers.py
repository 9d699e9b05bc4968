"""The layered configuration: ``load`` builds a ``Config`` for one command.

Layers, lowest first (a higher layer wins for the same key):

1. built-in defaults (the declared items), then ``$EMAIL`` for ui.username
2. the distribution's defaults (a mapping given to ``load``)
3. the system file: ``$AMG_SYSTEM_CONFIG``, else /etc/amalgam/config.toml
4. the user file: ``$XDG_CONFIG_HOME/amalgam/config.toml``, else
   ``~/.config/amalgam/config.toml``
5. ``[paths]``, ``[ui] username`` and ``[phases] publish`` of the repository's ``.hg/hgrc``
6. the repository's ``.hg/amalgam.toml``
7. ``$HGUSER`` for ui.username (hg lets it beat every file)
8. ``--config`` and ``Config.set``

Values keep the layer they came from and their source (``FILE:LINE``).
They are typed when read, with the item's declared type, so items a plugin
declares after loading are checked too.
"""
from __future__ import annotations

import os

from amalgam.config import cache, files
from amalgam.config.items import ANY, KERNEL_ITEMS, ConfigItem
from amalgam.config.values import check_value, expand_home, parse_text
from amalgam.error import ConfigError, InputError, PluginError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

_UNSET: Any = object()

# Layer ranks; the gaps leave room for layers without renumbering.
EMAIL, DISTRIBUTION, SYSTEM, USER, HGRC, REPO, HGUSER, OVERRIDE = (
    5, 10, 20, 30, 40, 50, 60, 70)

Key = tuple[str, str]


class _Value:
    """A value as a layer holds it: raw, where it came from, and whether it
    is text still to be parsed with the declared type."""

    __slots__ = ("raw", "source", "text")

    def __init__(self, raw: Any, source: str, text: bool) -> None:
        self.raw = raw
        self.source = source
        self.text = text


def parse_override(text: str) -> tuple[str, str, str]:
    """Split ``section.name=value`` (a ``--config`` argument)."""
    key, eq, value = text.partition("=")
    section, dot, name = key.partition(".")
    section, name = section.strip(), name.strip()
    if not eq or not dot or not section or not name:
        # A command-line mistake, not a bad file: hg's input-error category.
        raise InputError(f"malformed --config option: '{text}'",
                          hint="use --config SECTION.NAME=VALUE, e.g. "
                               "--config ui.verbose=true")
    return section, name, value


class Config:
    """Configuration values in layers, with declared items and sources."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self._items: dict[Key, ConfigItem] = {
            (i.section, i.name): i for i in KERNEL_ITEMS}
        self._layers: dict[int, dict[Key, _Value]] = {}
        self._merged: dict[Key, _Value] | None = None

    # -- filling layers --------------------------------------------------

    def _put(self, rank: int, section: str, name: str, value: Any,
             source: str, text: bool) -> None:
        self._layers.setdefault(rank, {})[(section, name)] = _Value(
            value, source, text)
        self._merged = None

    def _put_entries(self, rank: int, entries: Iterable[files.Entry],
                     text: bool = False) -> None:
        for section, name, value, source in entries:
            self._put(rank, section, name, value, source, text)

    def _read_toml(self, rank: int, path: str) -> None:
        entries = cache.read_toml(path, self.environ)
        if entries:
            self._put_entries(rank, entries)

    def set(self, section: str, name: str, value: Any,
            source: str = "--config") -> None:
        """Set a value above every file (like ``--config``).

        A ``str`` is parsed with the item's type (``"yes"`` for a bool is
        true); other values must already have the declared type.
        """
        self._put(OVERRIDE, section, name, value, source,
                  isinstance(value, str))

    def load_repo(self, repo_root: str) -> None:
        """Add (or replace) the layers of the repository at *repo_root*."""
        for rank in (HGRC, REPO):
            if self._layers.pop(rank, None) is not None:
                self._merged = None
        hgdir = os.path.join(repo_root, ".hg")
        entries = files.read_hgrc(os.path.join(hgdir, "hgrc"))
        if entries:
            self._put_entries(HGRC, entries, text=True)
        self._read_toml(REPO, os.path.join(hgdir, "amalgam.toml"))

    # -- declared items --------------------------------------------------

    def declare(self, items: Iterable[ConfigItem]) -> None:
        """Add items (a plugin's, say); each key may be declared only once."""
        for item in items:
            key = (item.section, item.name)
            known = self._items.get(key)
            if known is not None and known != item:
                error = PluginError if item.owner != "kernel" else ConfigError
                raise error(f"config item {item.key} declared by {item.owner} "
                            f"is already declared by {known.owner}",
                            hint="an item is declared once; use a section of "
                                 "your own, named after the plugin")
            self._items[key] = item
        self._merged = None

    def declared(self) -> list[ConfigItem]:
        """Every declared item, sorted by section and name."""
        return sorted(self._items.values(), key=lambda i: (i.section, i.name))

    def item(self, section: str, name: str) -> ConfigItem | None:
        """The item declared for this key (a free-form section's ``*``)."""
        found = self._items.get((section, name))
        if found is None:
            found = self._items.get((section, ANY))
        return found

    # -- reading ---------------------------------------------------------

    def _values(self) -> dict[Key, _Value]:
        if self._merged is None:
            merged: dict[Key, _Value] = {}
            for rank in sorted(self._layers):
                merged.update(self._layers[rank])
            self._merged = merged
        return self._merged

    def get(self, section: str, name: str, default: Any = _UNSET) -> Any:
        """The value of ``section.name``, typed by its declaration.

        When no layer sets it: *default* if given, else the declared
        default, else None.
        """
        value = self._values().get((section, name))
        item = self.item(section, name)
        if value is None:
            if default is not _UNSET:
                return default
            if item is None or item.default is None:
                return None
            if item.type == "list":
                return list(item.default)
            if item.type == "path":
                return expand_home(item.default, self.environ.get("HOME"))
            return item.default
        return self._typed(section, name, value, item)

    def _typed(self, section: str, name: str, value: _Value,
               item: ConfigItem | None) -> Any:
        if item is None:
            return value.raw
        home = self.environ.get("HOME")
        try:
            if value.text:
                return parse_text(item, value.raw, home)
            return check_value(item, value.raw, home)
        except ConfigError as exc:
            raise ConfigError(f"invalid value for {section}.{name} in "
                              f"{value.source}: {exc.message}",
                              hint=f"see 'amg help config' for "
                                   f"{section}.{name}") from None

    def raw(self, section: str, name: str) -> Any:
        """The value as its layer holds it (TOML value or text), or None."""
        value = self._values().get((section, name))
        return None if value is None else value.raw

    def source(self, section: str, name: str) -> str:
        """Where the value comes from: ``FILE:LINE``, ``--config``,
        ``distribution``, ``$HGUSER``..., ``default`` when no layer sets a
        declared key, and ``""`` for a key nobody sets or declares."""
        value = self._values().get((section, name))
        if value is not None:
            return value.source
        return "default" if self.item(section, name) is not None else ""

    def items(self, section: str) -> list[tuple[str, Any]]:
        """The set (not default) values of *section*, typed, sorted by name."""
        return [(name, self._typed(sec, name, value, self.item(sec, name)))
                for (sec, name), value in sorted(self._values().items())
                if sec == section]

    def sections(self) -> list[str]:
        """Sections with at least one set value, sorted."""
        return sorted({sec for sec, _ in self._values()})

    def keys(self) -> list[Key]:
        """Every set ``(section, name)``, sorted."""
        return sorted(self._values())

    def warnings(self) -> list[str]:
        """One line per set key that a known section does not declare."""
        sections = {sec for sec, _ in self._items}
        free = {sec for sec, name in self._items if name == ANY}
        out = []
        for (sec, name), value in sorted(self._values().items()):
            if sec in sections and sec not in free and (sec, name) not in self._items:
                line = f"unknown config key '{sec}.{name}' in {value.source}"
                guess = self._closest(sec, name)
                out.append(f"{line} (did you mean '{guess}'?)" if guess else line)
        return out

    def _closest(self, section: str, name: str) -> str | None:
        import difflib
        names = [n for s, n in self._items if s == section]
        match = difflib.get_close_matches(name, names, n=1)
        return f"{section}.{match[0]}" if match else None


def _system_path(environ: Mapping[str, str]) -> str:
    return environ.get("AMG_SYSTEM_CONFIG", "/etc/amalgam/config.toml")


def user_config_path(environ: Mapping[str, str]) -> str | None:
    """Where the user's configuration file is (whether it exists or not)."""
    base = environ.get("XDG_CONFIG_HOME")
    if not base:
        home = environ.get("HOME")
        if not home:
            return None
        base = os.path.join(home, ".config")
    return os.path.join(base, "amalgam", "config.toml")


def load(*, environ: Mapping[str, str], repo_root: str | None = None,
         overrides: Sequence[str | tuple[str, str, str]] = (),
         distro_defaults: Mapping[str, Any] | None = None,
         cwd: str | None = None) -> Config:
    """Build the configuration of one command from every layer.

    *overrides* are ``--config`` arguments, as text or already split by
    ``parse_override``.  *distro_defaults* has the shape of a parsed config
    file (``{"ui": {"color": "never"}}``).  Relative file locations (from
    the environment, or *repo_root*) are taken relative to *cwd* when given.
    """
    config = Config(environ)
    for override in overrides:
        section, name, value = (parse_override(override)
                                if isinstance(override, str) else override)
        config.set(section, name, value)
    email = environ.get("EMAIL")
    if email:
        config._put(EMAIL, "ui", "username", email, "$EMAIL", True)
    hguser = environ.get("HGUSER")
    if hguser:
        config._put(HGUSER, "ui", "username", hguser, "$HGUSER", True)
    if distro_defaults:
        for keys, value in files.flatten(dict(distro_defaults)):
            if len(keys) < 2:
                raise ConfigError(f"distribution default '{keys[0]}' is not "
                                  f"inside a section",
                                  hint="write defaults as {section: {name: "
                                       "value}}")
            config._put(DISTRIBUTION, keys[0], ".".join(keys[1:]), value,
                        "distribution", False)
    system = _system_path(environ)
    if system:
        config._read_toml(SYSTEM, _under(cwd, system))
    user = user_config_path(environ)
    if user:
        config._read_toml(USER, _under(cwd, user))
    if repo_root is not None:
        config.load_repo(_under(cwd, repo_root))
    return config


def _under(cwd: str | None, path: str) -> str:
    return os.path.join(cwd, path) if cwd else path
