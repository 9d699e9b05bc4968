"""Rendering help: option tables, command pages and the built-in topics.

Everything here returns text; ``amalgam.commands.help`` decides what to
show and writes it through the ``UI``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amalgam.registrar import CommandInfo

WIDTH = 80


def _wrap(text: str, width: int, indent: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(width - indent, 20)) or [""]


def _wrap_indented(text: str, indent: int) -> list[str]:
    return [" " * indent + line for line in _wrap(text, WIDTH, indent)]


def _metavar(opt: Sequence[Any]) -> str:
    if isinstance(opt[2], bool):
        return ""
    if len(opt) > 4 and opt[4]:
        return opt[4]
    return "NUM" if isinstance(opt[2], int) else "VALUE"


def options_table(options: Sequence[Sequence[Any]], width: int = WIDTH) -> list[str]:
    """``-s --long METAVAR [+]  help`` lines, help wrapped in a column."""
    rows = []
    for opt in options:
        short = f"-{opt[0]}" if opt[0] else "  "
        left = f" {short} --{opt[1]}"
        meta = _metavar(opt)
        if meta:
            left += f" {meta}"
        if isinstance(opt[2], list):
            left += " [+]"
        rows.append((left, opt[3]))
    if not rows:
        return []
    column = max(len(left) for left, _ in rows) + 1
    lines = []
    for left, text in rows:
        wrapped = _wrap(text, width, column)
        lines.append(f"{left.ljust(column)}{wrapped[0]}".rstrip())
        lines.extend(" " * column + more for more in wrapped[1:])
    return lines


def _options_title(title: str, options: Sequence[Sequence[Any]]) -> str:
    if any(isinstance(opt[2], list) for opt in options):
        return f"{title} ([+] can be repeated):"
    return f"{title}:"


def usage_line(prog: str, info: CommandInfo) -> str:
    return f"{prog} {info.name} {info.synopsis}".rstrip()


def short_help(prog: str, info: CommandInfo, options: Sequence[Sequence[Any]]) -> str:
    """What a wrong command line prints: usage, summary and options."""
    lines = [usage_line(prog, info), "", info.summary, ""]
    if options:
        lines += [_options_title("options", options), "", *options_table(options), ""]
    lines.append(f"(use '{prog} {info.name} -h' to show more help)")
    return "\n".join(lines) + "\n"


def command_help(prog: str, info: CommandInfo, options: Sequence[Sequence[Any]],
                 global_options: Sequence[Sequence[Any]], verbose: bool) -> str:
    """The page ``amg help CMD`` shows."""
    lines = [usage_line(prog, info), ""]
    if info.aliases:
        lines += ["aliases: " + ", ".join(info.aliases), ""]
    if info.plugin:
        lines += [f"(added by the plugin '{info.plugin}')", ""]
    doc = info.doc or "(no help text available)"
    lines += [*doc.splitlines(), ""]
    if options:
        lines += [_options_title("options", options), "", *options_table(options), ""]
    if verbose:
        lines += [_options_title("global options", global_options), "",
                  *options_table(global_options), ""]
    else:
        lines.append(f"(use '{prog} help -v {info.name}' to show global options)")
    return "\n".join(lines).rstrip("\n") + "\n"


def hooks_topic(prog: str) -> str:
    """``amg help hooks``: every hook a plugin can implement, by layer."""
    from amalgam.hooks.catalogue import HOOKS, LAYERS

    lines = ["Plugin hooks", "",
             "A plugin lists the hooks it implements in its plugin.toml; the",
             "kernel imports a plugin only when one of those hooks is called.",
             "Hooks marked (first result) stop at the first non-None result.", ""]
    for layer in LAYERS:
        hooks = sorted((h for h in HOOKS.values() if h.layer == layer),
                       key=lambda h: h.name)
        wrappers = [h for h in hooks if h.wrapper_of_command]
        others = [h for h in hooks if not h.wrapper_of_command]
        if not hooks:
            continue
        lines += [f"{layer}:", ""]
        if wrappers:
            lines += _wrap_indented(
                "cmd_<command>: run around, change or replace one command "
                "(first result).  One per command: "
                + ", ".join(h.name for h in wrappers) + ".", 1)
        if others:
            column = max(len(h.name) for h in others) + 3
            for hook in others:
                summary = hook.summary + (" (first result)" if hook.firstresult else "")
                wrapped = _wrap(summary, WIDTH, column)
                lines.append(f" {hook.name.ljust(column - 1)}{wrapped[0]}")
                lines.extend(" " * column + more for more in wrapped[1:])
        lines.append("")
    lines.append(f"(use '{prog} help PLUGIN' to read a plugin's documentation)")
    return "\n".join(lines) + "\n"


#: Where summaries start in listings; a longer name gets a line of its own.
LISTING_COLUMN = 15


def listing(rows: Sequence[tuple[str, str]]) -> list[str]:
    """`` name   summary`` lines, the summaries aligned in one column."""
    lines = []
    column = LISTING_COLUMN
    for name, summary in rows:
        wrapped = _wrap(summary, WIDTH, column)
        if len(name) + 2 < column:
            lines.append(f" {name.ljust(column - 1)}{wrapped[0]}".rstrip())
        else:
            lines += [f" {name}", " " * column + wrapped[0]]
        lines.extend(" " * column + more for more in wrapped[1:])
    return lines
