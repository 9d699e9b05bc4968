"""Amalgam's configuration: layered TOML files with declared, typed items.

``load`` builds the ``Config`` of one command; ``ConfigItem`` declares a
key (the kernel's are in ``amalgam.config.items``, plugins declare theirs
through ``Config.declare``); ``help_text`` is the reference shown by
``amg help config``.  See docs/config.md for the user's view.
"""
from __future__ import annotations

from amalgam.config.items import ConfigItem
from amalgam.config.layers import Config, load, parse_override, user_config_path

__all__ = ["Config", "ConfigItem", "help_text", "load", "parse_override",
           "user_config_path"]


def __getattr__(name: str) -> object:
    # ``help_text`` is only for ``amg help config``: imported on first use.
    if name == "help_text":
        from amalgam.config.helptext import help_text

        return help_text
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
