"""A fake terminal, a hand-driven clock and a UI wired to them, for progress-line tests.

Both the transfer progress (``amalgam.exchange.progress``) and the
working-copy progress (``amalgam.merge.progress``) draw on stderr only on a
terminal, after a delay read from ``[progress]``: these pieces let a test
decide what the terminal is, what the settings are and when time passes.
Test modules under tests/core import it relatively (``from ..progress_helpers
import make_ui``), which works however pytest is started.
"""
from __future__ import annotations

import io
from collections.abc import Callable

from amalgam.config.layers import Config
from amalgam.ui import UI


class Terminal(io.BytesIO):
    """An in-memory stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock that moves only when the test sets ``now``."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_ui(*, tty: bool = True, quiet: bool = False, **settings: str) -> UI:
    """A UI whose stderr is a :class:`Terminal` (or a plain stream when not *tty*),
    with ``[progress]`` *settings* (``delay="0"``, ``disable="true"``...)."""
    config = Config({})
    for key, value in settings.items():
        config.set("progress", key, value)
    ui = UI(config, fout=io.BytesIO(), ferr=Terminal() if tty else io.BytesIO(), environ={})
    ui.set_verbosity(quiet=quiet)
    return ui


def silent_uis() -> tuple[UI, UI, UI]:
    """UIs on which no progress line may ever be drawn, even with no delay:
    quiet, ``progress.disable=true``, and stderr not a terminal."""
    return (make_ui(quiet=True, delay="0"), make_ui(delay="0", disable="true"),
            make_ui(tty=False, delay="0"))


def assert_redraws_at_most_every_tenth(start: Callable[[UI, Clock], Callable[[], object]]
                                       ) -> None:
    """The rule every progress line follows once drawn: not again within a tenth of a
    second.  *start(ui, clock)* opens a progress on *ui* and returns one step of it."""
    ui, clock = make_ui(delay="0"), Clock()
    step = start(ui, clock)
    step()
    step()
    assert ui.ferr.getvalue().count(b"\r") == 1
    clock.now += 0.2
    step()
    assert ui.ferr.getvalue().count(b"\r") == 2


def assert_silent(run: Callable[[UI, Clock], object]) -> None:
    """*run(ui, clock)* shows a progress while the clock passes any delay; on each of
    :func:`silent_uis` nothing may reach stderr."""
    for ui in silent_uis():
        run(ui, Clock())
        assert ui.ferr.getvalue() == b""
