"""The working-copy progress line honours -q, the terminal, progress.disable and .delay."""
from __future__ import annotations

import io

from amalgam.config.layers import Config
from amalgam.merge.progress import Progress
from amalgam.ui import UI


class Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def make_ui(*, tty: bool = True, quiet: bool = False, **settings: str) -> UI:
    config = Config({})
    for key, value in settings.items():
        config.set("progress", key, value)
    ui = UI(config, fout=io.BytesIO(), ferr=Terminal() if tty else io.BytesIO(), environ={})
    ui.set_verbosity(quiet=quiet)
    return ui


def test_drawn_after_the_configured_delay_then_cleared() -> None:
    ui, clock = make_ui(delay="5"), Clock()
    with Progress(ui, "updating", 10, "files", clock=clock) as progress:
        clock.now += 4.9
        progress.update(3)
        assert ui.ferr.getvalue() == b""
        clock.now += 0.2
        progress.update(4)
        assert ui.ferr.getvalue() == b"\rupdating [4/10 files]\x1b[K"
    assert ui.ferr.getvalue().endswith(b"\r\x1b[K")


def test_default_delay_is_the_declared_one() -> None:
    ui, clock = make_ui(), Clock()
    progress = Progress(ui, "updating", 10, "files", clock=clock)
    clock.now += 2.9
    progress.update(1)
    assert ui.ferr.getvalue() == b""
    clock.now += 0.2
    progress.update(2)
    assert b"[2/10 files]" in ui.ferr.getvalue()


def test_zero_delay_draws_at_once_and_redraws_at_most_every_tenth() -> None:
    ui, clock = make_ui(delay="0"), Clock()
    progress = Progress(ui, "updating", 10, "files", clock=clock)
    progress.update(1)
    progress.update(2)
    assert ui.ferr.getvalue().count(b"\r") == 1
    clock.now += 0.2
    progress.update(3)
    assert ui.ferr.getvalue().count(b"\r") == 2


def test_nothing_when_disabled_quiet_or_not_a_terminal() -> None:
    for ui in (make_ui(delay="0", disable="true"), make_ui(delay="0", quiet=True),
               make_ui(delay="0", tty=False)):
        clock = Clock()
        with Progress(ui, "updating", 10, "files", clock=clock) as progress:
            clock.now += 10
            progress.update(5)
        assert ui.ferr.getvalue() == b""


def test_disable_false_still_draws() -> None:
    ui, clock = make_ui(delay="0", disable="false"), Clock()
    with Progress(ui, "updating", 2, "files", clock=clock) as progress:
        progress.update(1)
    assert b"updating [1/2 files]" in ui.ferr.getvalue()
