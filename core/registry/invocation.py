"""``CommandInvocation``: one run of a command, as its wrapper hook sees it.

Defined here, away from ``amalgam.plugin``, because the command line builds
one for every command and must not import pluggy (or dataclasses) to do so.
Plugin authors import it from ``amalgam.plugin``.
"""
from __future__ import annotations

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.ui import UI


class CommandInvocation:
    """The command's ``ui``, ``repo`` (None if it needs none), ``name``,
    positional ``args`` and ``opts``.

    Mutable: a wrapper may change ``args`` and ``opts`` before the command
    runs, and the command sees the change.
    """

    __slots__ = ("ui", "repo", "name", "args", "opts")

    def __init__(self, ui: UI, repo: Any, name: str, args: list[Any] | None = None,
                 opts: dict[str, Any] | None = None) -> None:
        self.ui = ui
        self.repo = repo
        self.name = name
        self.args: list[Any] = [] if args is None else args
        self.opts: dict[str, Any] = {} if opts is None else opts

    def __repr__(self) -> str:
        return (f"CommandInvocation(name={self.name!r}, args={self.args!r}, "
                f"opts={self.opts!r})")
