"""Typing of configuration values: text from ``--config`` and typed TOML.

Values from TOML files already have a type; they are checked against the
item's declared type.  Values given as text (``--config``, ``.hg/hgrc``,
the environment) are parsed with the declared type, the way a user would
expect: ``yes``/``on``/``1`` are true, lists are comma or space separated
or written as a TOML array.
"""
from __future__ import annotations

from amalgam.error import ConfigError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.config.items import ConfigItem

_TRUE = frozenset(("1", "yes", "true", "on", "always"))
_FALSE = frozenset(("0", "no", "false", "off", "never"))

_TYPE_WORDS = {
    "bool": "a boolean (true or false)",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "path": "a path (a string)",
    "list": "a list of strings",
}

# How a TOML value's Python type is named in messages.
_TOML_NAMES = {bool: "boolean", int: "integer", float: "float", str: "string",
               list: "array", dict: "table"}


def parse_bool(text: str) -> bool | None:
    """The boolean *text* spells, or None when it spells none."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _wrong(item: ConfigItem, value: Any) -> ConfigError:
    got = _TOML_NAMES.get(type(value), type(value).__name__)
    shown = repr(value) if isinstance(value, str) else _literal(value)
    return ConfigError(f"expected {_TYPE_WORDS[item.type]}, got {got} {shown}")


def _check_choice(item: ConfigItem, value: Any) -> Any:
    if item.choices and value not in item.choices:
        raise ConfigError(f"expected one of {', '.join(item.choices)}, "
                          f"got {value!r}")
    return value


def expand_home(path: str, home: str | None) -> str:
    """Replace a leading ``~`` (alone or before a slash) by *home*."""
    if home and (path == "~" or path.startswith("~/")):
        return home.rstrip("/") + path[1:] if path != "~" else home
    return path


def check_value(item: ConfigItem, value: Any, home: str | None = None) -> Any:
    """Check an already typed value (from TOML or code) against *item*."""
    kind = item.type
    if kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind == "str":
        if isinstance(value, str):
            return _check_choice(item, value)
    elif kind == "path":
        if isinstance(value, str):
            return expand_home(value, home)
    elif kind == "list":
        # A plain string is accepted and split, as hg users write lists so.
        if isinstance(value, str):
            return split_list(value)
        if isinstance(value, (list, tuple)) and all(isinstance(v, str)
                                                    for v in value):
            return list(value)
    raise _wrong(item, value)


def parse_text(item: ConfigItem, text: str, home: str | None = None) -> Any:
    """Parse *text* (from ``--config`` or an ini file) as *item*'s type."""
    kind = item.type
    if kind == "bool":
        flag = parse_bool(text)
        if flag is None:
            raise ConfigError(f"expected {_TYPE_WORDS['bool']}, got {text!r}")
        return flag
    if kind in ("int", "float"):
        try:
            return int(text.strip()) if kind == "int" else float(text.strip())
        except ValueError:
            raise ConfigError(f"expected {_TYPE_WORDS[kind]}, "
                              f"got {text!r}") from None
    if kind == "list":
        if text.lstrip().startswith("["):
            parsed = _toml_literal(text)
            if isinstance(parsed, list):
                return check_value(item, parsed)
        return split_list(text)
    if kind == "path":
        return expand_home(text, home)
    return _check_choice(item, text)


def split_list(text: str) -> list[str]:
    """Split a comma and/or space separated list, dropping empty parts."""
    return text.replace(",", " ").split()


def _toml_literal(text: str) -> Any:
    """The TOML value *text* spells, or None when it is not valid TOML."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    from amalgam.config.files import deep_key_line
    if deep_key_line(text):
        return None
    try:
        return tomllib.loads("v = " + text).get("v")
    except (tomllib.TOMLDecodeError, RecursionError):
        return None


def format_value(value: Any) -> str:
    """Show a value the way it would be written in ``--config``.

    Strings are shown bare, booleans as ``true``/``false``, lists and
    tables as TOML inline literals (which ``--config`` accepts back).
    """
    if isinstance(value, str):
        return value
    return _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = escaped.replace("\n", "\\n").replace("\t", "\\t")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_literal(str(k))} = {_literal(v)}"
                          for k, v in value.items())
        return "{" + inner + "}"
    return str(value)
