"""``amg help``: the command list, one command's page, plugins and topics."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error, helptext
from amalgam.registrar import CATEGORIES, command

if TYPE_CHECKING:
    from amalgam.registrar import CommandInfo
    from amalgam.ui import UI

#: Topics that are not commands; they win over a command of the same name
#: (use ``-c`` for the command), as in hg.
TOPICS = ("config", "hooks", "revsets", "templates")


@command("help", [
    ("c", "command", False, "show only help for commands"),
], "[-c] [TOPIC]", norepo=True, category="help", helpbasic=True)
def help_(ui: UI, repo: Any, name: str | None = None, **opts: Any) -> int:
    """show help about commands, plugins and topics

    With no arguments, list the commands with a short description of each,
    grouped by what they are for, then the plugins and other topics.

    Given a topic, a command (a unique prefix or an alias will do) or a
    plugin name, show its documentation.  Topics: config, hooks.

    Returns 0 on success.
    """
    from amalgam.cli.services import progname

    prog = progname()
    if name is None:
        ui.write(overview(ui, prog))
        return 0
    if name in TOPICS and not opts["command"]:
        ui.write(_topic(ui, prog, name))
        return 0
    info = _find_command(ui, name)
    if info is not None:
        ui.write(command_page(ui, prog, info))
        return 0
    if not opts["command"]:
        text = ui.registry.plugin_help(name)
        if text is not None:
            ui.write(_plugin_page(ui, name, text))
            return 0
    raise error.InputError(f"no such help topic: {name}",
                           hint=f"use '{prog} help' for the list of commands and topics")


def _topic(ui: UI, prog: str, name: str) -> str:
    if name == "hooks":
        return helptext.hooks_topic(prog)
    if name in ("revsets", "templates"):
        import importlib

        return importlib.import_module(f"amalgam.helptext.{name}").topic(prog)
    from amalgam.config import help_text

    return help_text(ui.config).rstrip("\n") + "\n"


def _find_command(ui: UI, name: str) -> CommandInfo | None:
    from amalgam.cli import resolve

    try:
        entry = resolve.find(ui, name)
    except error.UnknownCommand:
        return None  # maybe a plugin's name
    return resolve.load(ui, entry)


def command_options(ui: UI, info: CommandInfo) -> list[Any]:
    """The command's own options plus those enabled plugins add to it."""
    return [*info.options, *ui.registry.command_options(info.name)]


def command_page(ui: UI, prog: str, info: CommandInfo) -> str:
    from amalgam.cli.dispatch import GLOBAL_OPTIONS

    return helptext.command_help(prog, info, command_options(ui, info),
                                 GLOBAL_OPTIONS, ui.verbose)


def short_help(ui: UI, info: CommandInfo) -> str:
    """The usage summary printed after a bad command line."""
    from amalgam.cli.services import progname

    return helptext.short_help(progname(), info, command_options(ui, info))


def _plugin_page(ui: UI, name: str, text: str) -> str:
    state = "enabled" if ui.registry.is_enabled(name) else "disabled"
    lines = [f"{name} plugin ({state})", "", text.rstrip("\n"), ""]
    if state == "disabled":
        lines.append(f"(enable it with '{name} = true' under [plugins] in your config)")
    return "\n".join(lines).rstrip("\n") + "\n"


def _summaries(ui: UI) -> dict[str, list[tuple[str, str]]]:
    """Command rows by help category, importing each built-in module."""
    from amalgam.cli import resolve

    groups: dict[str, list[tuple[str, str]]] = {}
    for entry in resolve.entries(ui).values():
        if entry.name.startswith("debug") and not ui.verbose:
            continue
        if entry.plugin is not None:
            row = (entry.name, f"{entry.summary} (plugin {entry.plugin})")
            groups.setdefault("misc", []).append(row)
            continue
        try:
            info = resolve.load(ui, entry)
        except error.Abort:
            continue  # a command whose module is not installed is not listed
        name = entry.name
        if ui.verbose and info.aliases:
            name += ", " + ", ".join(info.aliases)
        groups.setdefault(info.category, []).append((name, info.summary))
    return groups


def overview(ui: UI, prog: str) -> str:
    """``amg help``: commands by category, plugins, topics."""
    groups = _summaries(ui)
    lines = ["Amalgam: Mercurial-compatible version control", "", "list of commands:", ""]
    for category, title in CATEGORIES.items():
        rows = sorted(groups.get(category, []))
        if rows:
            lines += [f"{title}:", "", *helptext.listing(rows), ""]
    lines += _plugin_lines(ui)
    aliases = [(name, f"alias for: {value}") for name, value in ui.config.items("alias")]
    if aliases:
        lines += ["user aliases:", "", *helptext.listing(aliases), ""]
    lines += ["additional help topics:", "",
              *helptext.listing([("config", "configuration items and files"),
                                 ("hooks", "hooks plugins can implement"),
                                 ("revsets", "selecting changesets with revsets"),
                                 ("templates", "customizing output with templates")]),
              ""]
    if ui.verbose:
        from amalgam.cli.dispatch import GLOBAL_OPTIONS

        lines += ["global options ([+] can be repeated):", "",
                  *helptext.options_table(GLOBAL_OPTIONS), ""]
    else:
        lines.append(f"(use '{prog} help -v' to show aliases and global options)")
    return "\n".join(lines).rstrip("\n") + "\n"


def basic(ui: UI, prog: str) -> str:
    """What ``amg`` with no arguments prints: the everyday commands."""
    from amalgam.cli import resolve

    rows = []
    for entry in resolve.entries(ui).values():
        if entry.plugin is not None:
            continue
        try:
            info = resolve.load(ui, entry)
        except error.Abort:
            continue
        if info.helpbasic:
            rows.append((info.name, info.summary))
    lines = ["Amalgam: Mercurial-compatible version control", "", "basic commands:", "",
             *helptext.listing(sorted(rows)), "",
             f"(use '{prog} help' for the full list of commands)"]
    return "\n".join(lines) + "\n"


def _plugin_lines(ui: UI) -> list[str]:
    manifests = ui.registry.manifests()
    enabled = [(m.name, m.summary) for m in manifests if ui.registry.is_enabled(m.name)]
    disabled = [(m.name, m.summary) for m in manifests
                if not ui.registry.is_enabled(m.name)]
    lines = []
    if enabled:
        lines += ["enabled plugins:", "", *helptext.listing(enabled), ""]
    if disabled:
        lines += ["disabled plugins:", "", *helptext.listing(disabled), ""]
    return lines
