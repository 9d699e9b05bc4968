"""A progress line on stderr for long working-copy operations.

Shown only when stderr is a terminal, output is not quiet and the work has
already taken about a second, so short commands and pipes stay clean.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amalgam.ui import UI

_DELAY = 1.0
_INTERVAL = 0.1


class Progress:
    """``with Progress(ui, "updating", total, "files") as p: p.update(n)``."""

    def __init__(self, ui: UI, topic: str, total: int, unit: str) -> None:
        self._ui = ui
        self._topic = topic
        self._total = total
        self._unit = unit
        self._start = time.monotonic()
        self._next = self._start + _DELAY
        self._shown = False
        isatty = getattr(ui.ferr, "isatty", None)
        self._enabled = not ui.quiet and bool(isatty and isatty())

    def update(self, done: int) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + _INTERVAL
        self._shown = True
        self._ui.write_err(f"\r{self._topic} [{done}/{self._total} {self._unit}]\x1b[K")
        self._ui.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            self._ui.write_err("\r\x1b[K")
            self._ui.flush()
