"""Values a template expression produces, and how each renders as text.

Most keywords give plain strings or integers.  Lists (``files``, ``tags``,
``parents``…) are :class:`ListValue`: each item is a small mapping, so
``{files % "{file}\\n"}`` can name an item's fields, while ``{files}`` and
``join(files, ", ")`` use each item's text.  Dates are :class:`Date`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Date:
    """A changeset date: seconds since the epoch and hg's offset (seconds west of UTC)."""

    when: float
    offset: int

    def __str__(self) -> str:
        return f"{float(self.when)!r}{self.offset}"


class ListValue:
    """A list of items; *text* makes an item's own text, *sep* joins them."""

    def __init__(self, items: list[Mapping[str, Any]], text: Callable[[Mapping[str, Any]], str],
                 sep: str = " ", json: Callable[[Mapping[str, Any]], Any] | None = None,
                 whole: Callable[[list[Mapping[str, Any]]], Any] | None = None) -> None:
        self.items, self.text, self.sep = items, text, sep
        self.json = json or text
        #: the JSON value of the whole list, when it is not a list (file_copies: an object)
        self.whole = whole

    @classmethod
    def of(cls, key: str, values: list[Any], sep: str = " ") -> ListValue:
        """A list of plain values, each item exposing itself as *key*."""
        return cls([{key: v} for v in values], lambda item: str(item[key]), sep,
                   lambda item: item[key])

    def texts(self) -> list[str]:
        return [self.text(item) for item in self.items]

    def __str__(self) -> str:
        return self.sep.join(self.texts())

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, needle: object) -> bool:
        return needle in self.texts()


class Flag(str):
    """A yes/no keyword (``closesbranch``): shown and JSON-encoded as ``"true"``/``"false"``,
    but false for ``if()``."""


class Mapping_(dict):  # type: ignore[type-arg]
    """A mapping built by ``dict()``: shown as ``key=value`` in the order given."""


def as_dict(value: Any) -> Any:
    """A list whose whole value is a mapping (``extras``) as that mapping; else *value*."""
    if isinstance(value, ListValue) and value.whole is not None:
        whole = value.whole(value.items)
        if isinstance(whole, dict):
            return whole
    return value


def text(value: Any) -> str:
    """How *value* appears in output."""
    if value is None:
        return ""
    if isinstance(value, Mapping_):
        return " ".join(f"{key}={text(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "".join(text(v) for v in value)
    if isinstance(value, dict):
        return "".join(f"{k}={v}" for k, v in sorted(value.items()))
    return str(value)


def truthy(value: Any) -> bool:
    """Whether ``if()`` takes its then-branch for *value*."""
    if isinstance(value, ListValue):
        return len(value) > 0
    if isinstance(value, Date):
        return True
    if isinstance(value, Flag):
        return value == "true"
    return bool(text(value)) if not isinstance(value, (int, float)) else True
