"""Byte progress of transfers: drawn only on a terminal, after the delay, never when quiet."""
from __future__ import annotations

import io

from amalgam.config.layers import Config
from amalgam.exchange.progress import ByteProgress, CountingReader, counting_chunks, human
from amalgam.ui import UI


class Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_ui(*, tty: bool = True, quiet: bool = False, **settings: str) -> UI:
    config = Config({})
    for key, value in settings.items():
        config.set("progress", key, value)
    ui = UI(config, fout=io.BytesIO(), ferr=Terminal() if tty else io.BytesIO(), environ={})
    ui.set_verbosity(quiet=quiet)
    return ui


def test_shown_after_delay_and_cleared() -> None:
    ui, clock = make_ui(delay="2"), Clock()
    with ByteProgress(ui, "receiving", clock=clock) as progress:
        progress.add(10)
        assert ui.ferr.getvalue() == b""  # before the delay nothing is drawn
        clock.now += 2.5
        progress.add(2048)
        assert ui.ferr.getvalue() == b"\rreceiving [2.0 KB]\x1b[K"
    assert ui.ferr.getvalue().endswith(b"\r\x1b[K")
    assert progress.count == 2058


def test_redraws_at_most_every_tenth_of_a_second() -> None:
    ui, clock = make_ui(delay="0"), Clock()
    progress = ByteProgress(ui, "sending", clock=clock)
    progress.add(1)
    progress.add(1)
    assert ui.ferr.getvalue().count(b"\r") == 1
    clock.now += 0.2
    progress.add(1)
    assert ui.ferr.getvalue().count(b"\r") == 2


def test_silent_when_quiet_disabled_or_not_a_terminal() -> None:
    for ui in (make_ui(quiet=True, delay="0"), make_ui(delay="0", disable="true"),
               make_ui(tty=False, delay="0")):
        clock = Clock()
        with ByteProgress(ui, "receiving", clock=clock) as progress:
            clock.now += 10
            progress.add(5000)
        assert ui.ferr.getvalue() == b""
        assert progress.count == 5000


def test_counting_wrappers_pass_data_through() -> None:
    ui = make_ui(tty=False)
    progress = ByteProgress(ui, "x")
    reader = CountingReader(io.BytesIO(b"abcdef"), progress)
    assert reader.read(4) == b"abcd" and reader.read() == b"ef"
    assert list(counting_chunks([b"12", b"345"], progress)) == [b"12", b"345"]
    assert progress.count == 11


def test_human_sizes() -> None:
    assert human(12) == "12 bytes"
    assert human(3 << 20) == "3.0 MB"
    assert human(5 << 30) == "5.0 GB"
