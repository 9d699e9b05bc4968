"""A progress line on stderr for long working-copy operations.

Shown only when stderr is a terminal, output is not quiet, ``progress.disable``
is not set and the work has already taken ``progress.delay`` seconds, so
short commands and pipes stay clean.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from amalgam.exchange.progress import enabled  # one rule for every progress line

if TYPE_CHECKING:
    from amalgam.ui import UI

# progress.delay when the UI has no configuration (the declared default)
_DELAY = 3.0
_INTERVAL = 0.1


class Progress:
    """``with Progress(ui, "updating", total, "files") as p: p.update(n)``."""

    def __init__(self, ui: UI, topic: str, total: int, unit: str, *,
                 clock: Callable[[], float] | None = None) -> None:
        self._ui = ui
        self._topic = topic
        self._total = total
        self._unit = unit
        self._clock = clock or time.monotonic
        self._enabled = enabled(ui)
        delay = ui.config.get("progress", "delay") if ui.config is not None else _DELAY
        self._next = self._clock() + max(float(delay or 0), 0.0)
        self._shown = False

    def update(self, done: int) -> None:
        if not self._enabled:
            return
        now = self._clock()
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
