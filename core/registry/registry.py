"""The plugin registry: which plugins are enabled, what they influence,
and importing them only when their influence is reached.
"""
from __future__ import annotations

import sys

from amalgam.error import PluginError
from amalgam.registry.facade import Hooks

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

    import pluggy

    from amalgam.registry.index import Index
    from amalgam.registry.manifest import Option, PluginManifest
    from amalgam.ui import UI

class Registry:
    """Enabled plugins and their manifests, for one process.

    Nothing is discovered until something needs it, and with no plugin
    enabled the hook queries answer without looking at any manifest, so a
    plain command pays only for reading its config.  With plugins enabled,
    the influence queries are answered from the cached index; a manifest is
    built only when a listing or a plugin's import needs it.
    """

    def __init__(self, config: Any, ui: UI) -> None:
        self.config = config
        self.ui = ui
        self._discovered: Index | None = None
        self._pm: pluggy.PluginManager | None = None
        self._loaded: dict[str, ModuleType] = {}
        self._by_hook: dict[str, list[str]] = {}
        #: The hook facade call sites use (also set as ``ui.hooks``).
        self.hooks = Hooks(self)
        # [plugins] values are typed as bool by the config declarations.
        settings = dict(config.items("plugins"))
        self._enabled = sorted(name for name, value in settings.items() if value)
        self._trace = (ui.environ.get("AMG_TRACE_PLUGINS", "") not in ("", "0")
                       or bool(config.get("ui", "trace-plugins", False)))
        if settings:
            self._check_settings(list(settings))

    # -- what is available -----------------------------------------------

    def _found(self) -> Index:
        if self._discovered is None:
            # Imported on first use: with no [plugins] setting, a command
            # that opens no repository never asks (nor imports zlib).
            from amalgam.registry import index

            found = index.load(self.ui.environ)
            if found is None:
                from amalgam.registry.discovery import rescan

                found = rescan(self.ui.environ)
            self._discovered = found
        return self._discovered

    def manifests(self) -> list[PluginManifest]:
        """Every available plugin's manifest, enabled or not, by name."""
        return sorted(self._found().manifests().values(), key=lambda m: m.name)

    def broken(self) -> dict[str, PluginError]:
        """Plugins that were found but cannot be used, with the reason."""
        return self._found().broken()

    def manifest(self, name: str) -> PluginManifest:
        return self._found().manifest(name)

    def enabled(self) -> list[str]:
        """Names of the enabled plugins."""
        return list(self._enabled)

    def is_enabled(self, name: str) -> bool:
        return name in self._enabled

    def _check_settings(self, names: list[str]) -> None:
        found = self._found()
        influence = found.influence
        broken = found.broken()
        for name in names:
            if name in broken:
                if name in self._enabled:
                    raise broken[name]
            elif name not in influence:
                import difflib

                available = sorted([*influence, *broken])
                close = difflib.get_close_matches(name, available, n=1)
                hints = [f"did you mean '{close[0]}'?"] if close else []
                hints.append("available plugins: " + (", ".join(available) or "none"))
                raise PluginError(f"unknown plugin '{name}' in [plugins]", hints=hints)
        from amalgam.commands import TABLE

        kernel = {n for name, (_, aliases) in TABLE.items() for n in (name, *aliases)}
        commands: dict[str, str] = {}
        for name in self._enabled:
            declared = influence[name]
            for hook in declared.hooks:
                self._by_hook.setdefault(hook, []).append(name)
            for command in (n for c, (aliases, _) in declared.commands.items()
                            for n in (c, *aliases)):
                if command in kernel:
                    raise PluginError(
                        f"plugin '{name}' adds the command '{command}', which "
                        f"amalgam already has",
                        hint=f"a plugin changes a built-in command through its "
                             f"wrapper hook; fix {found.manifest(name).path}")
                if command in commands:
                    raise PluginError(
                        f"plugins '{commands[command]}' and '{name}' both add "
                        f"the command '{command}'",
                        hint="disable one of them in [plugins]")
                commands[command] = name
        self._declare_config()

    def _declare_config(self) -> None:
        items = [(name, item) for name in self._enabled
                 for item in self._found().influence[name].config]
        if not items:
            return
        from amalgam.config import ConfigItem

        self.config.declare([
            ConfigItem(section, key, kind, default, help, owner=plugin)
            for plugin, (section, key, kind, default, help) in items])

    # -- influence, from manifests only ----------------------------------

    def implementers(self, hook: str) -> list[str]:
        """Enabled plugins whose manifest declares *hook* (nothing imported)."""
        return self._by_hook.get(hook, [])

    def plugin_commands(self) -> dict[str, tuple[str, tuple[str, ...], str]]:
        """Commands added by enabled plugins: name -> (plugin, aliases, summary)."""
        if not self._enabled:
            return {}
        influence = self._found().influence
        return {command: (name, aliases, summary) for name in self._enabled
                for command, (aliases, summary) in influence[name].commands.items()}

    def command_options(self, command: str) -> list[Option]:
        """Options enabled plugins add to the existing command *command*."""
        if not self._enabled:
            return []
        found = self._found()
        return [opt for name in self._enabled
                if command in found.influence[name].option_commands
                for opt in found.manifest(name).command_options[command]]

    def disabled_plugin_for_command(self, command: str) -> str | None:
        """The disabled plugin that would add *command*, if any."""
        for name, declared in sorted(self._found().influence.items()):
            if not self.is_enabled(name) and any(
                    command in (c, *aliases) for c, (aliases, _) in declared.commands.items()):
                return name
        return None

    def requirement_claims(self) -> dict[str, tuple[str, bool]]:
        """Repository requirement -> (claiming plugin, whether it is enabled)."""
        claims: dict[str, tuple[str, bool]] = {}
        for name, declared in sorted(self._found().influence.items()):
            for req in declared.requires:
                # An enabled claimant wins over a disabled one.
                if req not in claims or not claims[req][1]:
                    claims[req] = (name, self.is_enabled(name))
        return claims

    # -- importing -------------------------------------------------------

    def imported(self, name: str) -> bool:
        """Whether plugin *name*'s package was imported in this process."""
        if name not in self._found().influence:
            return False
        return self.manifest(name).module in sys.modules

    def plugin_help(self, name: str) -> str | None:
        """Plugin *name*'s package docstring (imports it), None if unknown."""
        if name not in self._found().influence:
            return None
        module = self._import(self.manifest(name))
        return (module.__doc__ or self.manifest(name).summary).strip()

    def load(self, name: str) -> ModuleType:
        """Import enabled plugin *name*, check it against its manifest and
        register its hooks (once)."""
        if name in self._loaded:
            return self._loaded[name]
        from amalgam.registry.loader import check_and_register

        manifest = self.manifest(name)
        module = self._import(manifest)
        check_and_register(self.plugin_manager(), module, manifest)
        self._loaded[name] = module
        return module

    def _import(self, manifest: PluginManifest) -> ModuleType:
        import importlib

        if manifest.module not in sys.modules:
            self.trace(f"plugin: import {manifest.name}\n")
        if manifest.sys_path and manifest.sys_path not in sys.path:
            sys.path.append(manifest.sys_path)
        try:
            return importlib.import_module(manifest.module)
        except Exception as exc:
            err = PluginError(f"plugin '{manifest.name}' failed to load: "
                              f"{type(exc).__name__}: {exc}",
                              hint="run with --traceback to see where")
            raise err from exc

    def loaded_plugins(self) -> list[str]:
        """Plugins imported and registered so far, in load order."""
        return list(self._loaded)

    def command_function(self, command: str) -> Callable[..., Any]:
        """The function of plugin command *command* (imports its plugin)."""
        import importlib

        plugin = self.plugin_commands()[command][0]
        cmd = self.manifest(plugin).commands[command]
        package = self.load(plugin)
        modname, _, attr = cmd.function.partition(":")
        try:
            module = importlib.import_module(f"{package.__name__}.{modname}")
            return getattr(module, attr)
        except (ImportError, AttributeError) as exc:
            raise PluginError(
                f"plugin '{plugin}' failed to load command '{command}': {exc}",
                hint=f"check commands.{command}.function in {self.manifest(plugin).path}"
            ) from exc

    def plugin_manager(self) -> pluggy.PluginManager:
        """The pluggy manager with every hookspec (built on first use)."""
        if self._pm is None:
            from amalgam.registry.loader import new_plugin_manager

            self._pm = new_plugin_manager()
        return self._pm

    def hook_caller(self, hook: str) -> Any:
        """Pluggy's caller for *hook*, after loading every enabled plugin
        that declares it."""
        for name in self.implementers(hook):
            self.load(name)
        return getattr(self.plugin_manager().hook, hook)

    def trace(self, message: str) -> None:
        """Write a plugin trace line on stderr when tracing is on."""
        if self._trace:
            self.ui.write_err(message)
