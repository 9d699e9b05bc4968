"""Byte progress of transfers: drawn only on a terminal, after the delay, never when quiet."""
from __future__ import annotations

import io
from collections.abc import Callable

from amalgam.exchange.progress import ByteProgress, CountingReader, counting_chunks, human
from amalgam.ui import UI

from ..progress_helpers import Clock, assert_redraws_at_most_every_tenth, assert_silent, make_ui


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
    def start(ui: UI, clock: Clock) -> Callable[[], None]:
        progress = ByteProgress(ui, "sending", clock=clock)
        return lambda: progress.add(1)

    assert_redraws_at_most_every_tenth(start)


def test_silent_when_quiet_disabled_or_not_a_terminal() -> None:
    def run(ui: UI, clock: Clock) -> None:
        with ByteProgress(ui, "receiving", clock=clock) as progress:
            clock.now += 10
            progress.add(5000)
        assert progress.count == 5000

    assert_silent(run)


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
