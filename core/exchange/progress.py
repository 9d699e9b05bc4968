"""Byte counts of a transfer on stderr while clone, pull or push runs.

The changeset, manifest and file counts come from the changegroup applier;
this module adds what only the transport knows: how many bytes went over
the wire.  Like every progress line it is drawn only on a terminal, never
with ``-q`` or ``progress.disable``, and only once ``progress.delay``
seconds have passed, so short exchanges and pipes stay clean.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amalgam.exchange.streams import Reader
    from amalgam.ui import UI

_INTERVAL = 0.1
_UNITS = ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB"))


def enabled(ui: UI) -> bool:
    """Whether progress may be drawn at all for this invocation."""
    if ui.quiet:
        return False
    if ui.config is not None and ui.config.get("progress", "disable"):
        return False
    isatty = getattr(ui.ferr, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        return False


def human(count: int) -> str:
    for size, unit in _UNITS:
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


class ByteProgress:
    """``topic [N.N MB]`` redrawn in place at most every 0.1 s; cleared at the end."""

    def __init__(self, ui: UI, topic: str, *, clock: Callable[[], float] | None = None
                 ) -> None:
        self._ui = ui
        self._topic = topic
        self._clock = clock or time.monotonic
        delay = ui.config.get("progress", "delay") if ui.config is not None else 3.0
        self._enabled = enabled(ui)
        self._next = self._clock() + float(delay or 0)
        self._shown = False
        self.count = 0

    def add(self, size: int) -> None:
        self.count += size
        if not self._enabled:
            return
        now = self._clock()
        if now < self._next:
            return
        self._next = now + _INTERVAL
        self._shown = True
        self._ui.write_err(f"\r{self._topic} [{human(self.count)}]\x1b[K")

    def close(self) -> None:
        if self._shown:
            self._ui.write_err("\r\x1b[K")
            self._shown = False

    def __enter__(self) -> ByteProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CountingReader:
    """*raw* as a reader that reports every byte read to *progress*."""

    def __init__(self, raw: Reader, progress: ByteProgress) -> None:
        self._raw = raw
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._progress.add(len(data))
        return data


def counting_chunks(chunks: Iterable[bytes], progress: ByteProgress) -> Iterator[bytes]:
    for chunk in chunks:
        progress.add(len(chunk))
        yield chunk
