"""The working-copy progress line honours -q, the terminal, progress.disable and .delay."""
from __future__ import annotations

from collections.abc import Callable
from itertools import count

from amalgam.merge.progress import Progress
from amalgam.ui import UI

from ..progress_helpers import Clock, assert_redraws_at_most_every_tenth, assert_silent, make_ui


def test_drawn_after_the_configured_delay_then_cleared() -> None:
    ui, clock = make_ui(delay="5"), Clock(50.0)
    with Progress(ui, "updating", 10, "files", clock=clock) as progress:
        clock.now += 4.9
        progress.update(3)
        assert ui.ferr.getvalue() == b""
        clock.now += 0.2
        progress.update(4)
        assert ui.ferr.getvalue() == b"\rupdating [4/10 files]\x1b[K"
    assert ui.ferr.getvalue().endswith(b"\r\x1b[K")


def test_default_delay_is_the_declared_one() -> None:
    ui, clock = make_ui(), Clock(50.0)
    progress = Progress(ui, "updating", 10, "files", clock=clock)
    clock.now += 2.9
    progress.update(1)
    assert ui.ferr.getvalue() == b""
    clock.now += 0.2
    progress.update(2)
    assert b"[2/10 files]" in ui.ferr.getvalue()


def test_zero_delay_draws_at_once_and_redraws_at_most_every_tenth() -> None:
    def start(ui: UI, clock: Clock) -> Callable[[], None]:
        progress, done = Progress(ui, "updating", 10, "files", clock=clock), count(1)
        return lambda: progress.update(next(done))

    assert_redraws_at_most_every_tenth(start)


def test_nothing_when_disabled_quiet_or_not_a_terminal() -> None:
    def run(ui: UI, clock: Clock) -> None:
        with Progress(ui, "updating", 10, "files", clock=clock) as progress:
            clock.now += 10
            progress.update(5)

    assert_silent(run)


def test_disable_false_still_draws() -> None:
    ui, clock = make_ui(delay="0", disable="false"), Clock(50.0)
    with Progress(ui, "updating", 2, "files", clock=clock) as progress:
        progress.update(1)
    assert b"updating [1/2 files]" in ui.ferr.getvalue()
