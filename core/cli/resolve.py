"""Finding the command a user typed: names, aliases, prefixes, suggestions.

Resolution works from the static table ``amalgam.commands.TABLE`` and the
command lists of enabled plugins' manifests, so no command module is
imported until the one that will run is known.  Matching follows hg: an
exact name or alias wins, else a unique prefix; ``debug*`` commands match
a prefix only when nothing else does.
"""
from __future__ import annotations

from amalgam import error
from amalgam.cli import services

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from amalgam.registrar import CommandInfo
    from amalgam.ui import UI


class Entry:
    """One command as the table knows it, before anything is imported.

    A plain class: building a ``NamedTuple`` class costs more at start-up
    than this whole module.
    """

    __slots__ = ("name", "aliases", "module", "plugin", "summary")

    def __init__(self, name: str, aliases: tuple[str, ...], module: str | None,
                 plugin: str | None, summary: str) -> None:
        self.name = name
        self.aliases = aliases
        self.module = module  # the built-in module, None for a plugin command
        self.plugin = plugin  # the plugin that adds it, None for a built-in one
        self.summary = summary  # from the plugin manifest; '' for built-ins (docstring)


def entries(ui: UI) -> dict[str, Entry]:
    """Every runnable command by primary name: built-ins, then plugins'."""
    from amalgam.commands import TABLE

    out = {name: Entry(name, aliases, module, None, "")
           for name, (module, aliases) in TABLE.items()}
    for name, (plugin, aliases, summary) in ui.registry.plugin_commands().items():
        # A built-in name wins; the registry reports plugins that clash.
        if name not in out:
            out[name] = Entry(name, aliases, None, plugin, summary)
    return out


def find(ui: UI, typed: str) -> Entry:
    """The command *typed* names; raises UnknownCommand/AmbiguousCommand."""
    table = entries(ui)
    names: dict[str, str] = {}
    for entry in table.values():
        for alias in (entry.name, *entry.aliases):
            names.setdefault(alias, entry.name)
    if typed in names:
        return table[names[typed]]
    plugin = ui.registry.disabled_plugin_for_command(typed)
    if plugin:
        raise error.PluginError(
            f"'{typed}' is provided by the disabled plugin '{plugin}'",
            hints=[f"enable it with '{plugin} = true' under [plugins] in your config",
                   f"or for one command: --config plugins.{plugin}=true"])
    matches = sorted({primary for alias, primary in names.items()
                      if alias.startswith(typed)})
    if not typed.startswith("debug"):
        matches = [m for m in matches if not m.startswith("debug")] or matches
    if len(matches) == 1:
        return table[matches[0]]
    if matches:
        exc: error.AmalgamError = error.AmbiguousCommand(
            f"command '{typed}' is ambiguous:\n    " + " ".join(matches))
    else:
        exc = error.UnknownCommand(f"unknown command '{typed}'",
                                   hint=_suggestion(typed, names))
    exc.prefix = services.progname()
    raise exc


def _suggestion(typed: str, names: dict[str, str]) -> str:
    import difflib

    close = difflib.get_close_matches(typed, list(names), n=3, cutoff=0.6)
    close = sorted({names[c] for c in close})
    if len(close) == 1:
        return f"did you mean {close[0]}?"
    if close:
        return "did you mean one of " + ", ".join(close) + "?"
    return f"use '{services.progname()} help' for a list of commands"


def load(ui: UI, entry: Entry) -> CommandInfo:
    """Import the module (or plugin) behind *entry* and return its metadata."""
    if entry.plugin is not None:
        return services.load_plugin_command(ui, entry.plugin, entry.name)
    assert entry.module is not None
    import importlib

    try:
        module = importlib.import_module(entry.module)
    except ModuleNotFoundError as exc:
        if exc.name != entry.module:
            raise
        raise error.Abort(f"command '{entry.name}' is not available in this installation",
                          hint=f"its module {entry.module} is missing; "
                               "reinstall amalgam-vcs") from None
    from amalgam.registrar import declared

    info = declared(vars(module)).get(entry.name)
    if info is None:
        raise error.Abort(f"module {entry.module} does not declare command '{entry.name}'",
                          hint="this is a bug in Amalgam; please report it")
    return info


def command_info(ui: UI, typed: str) -> CommandInfo:
    """Find *typed* and load its metadata."""
    return load(ui, find(ui, typed))
