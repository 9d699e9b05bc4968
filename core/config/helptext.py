"""``help_text``: the reference of every declared item, for ``amg help config``."""
from __future__ import annotations

from amalgam.config.values import format_value

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from amalgam.config.layers import Config

_INTRO = """\
Configuration items

Set them in a TOML configuration file, under a table named after the
section, or for one command with --config SECTION.NAME=VALUE.  A name with
dots may be written as nested tables: [storage.revlog] max-chain-len = 500
sets storage.revlog.max-chain-len.

Files, lowest priority first: $AMG_SYSTEM_CONFIG (else
/etc/amalgam/config.toml), $XDG_CONFIG_HOME/amalgam/config.toml (else
~/.config/amalgam/config.toml), the repository's .hg/amalgam.toml.
'amg config --debug' shows every value and where it is set.
"""


def _describe(item_type: str, default: object, choices: tuple[str, ...]) -> str:
    parts = [item_type if not choices else "|".join(choices)]
    if default is not None:
        shown = format_value(default)
        parts.append(f"default {shown!r}" if isinstance(default, str)
                     else f"default {shown}")
    return ", ".join(parts)


def help_text(config: Config) -> str:
    """Every declared item with its type, default, owner and help."""
    import textwrap
    lines = [_INTRO]
    section = None
    for item in config.declared():
        if item.section != section:
            section = item.section
            lines.append(f"[{section}]")
        name = f"{item.section}.{item.name}"
        if item.freeform:
            name = f"{item.section}.<any name>"
        info = _describe(item.type, item.default, item.choices)
        if item.owner != "kernel":
            info += f", from plugin {item.owner}"
        lines.append(f"  {name} ({info})")
        lines.extend(textwrap.wrap(item.help, 72, initial_indent="      ",
                                   subsequent_indent="      "))
        lines.append("")
    return "\n".join(lines)
