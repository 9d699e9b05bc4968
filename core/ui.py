"""The ``UI`` object: the kernel's only way to talk to the user.

Commands and plugins never print or read the terminal directly.  They call
``ui.write`` (normal output), ``ui.status`` (suppressed by ``-q``),
``ui.note`` (only with ``-v``), ``ui.debug`` (only with ``--debug``) and
``ui.warn`` / ``ui.error`` (stderr).  Output can be captured with
``pushbuffer``/``popbuffer``, which is how a command wrapper hook sees and
rewrites a command's output.

Text is written as bytes: file names are bytes on disk and must round-trip
exactly.  ``str`` arguments are encoded as UTF-8 (``surrogateescape`` keeps
undecodable bytes intact).
"""
from __future__ import annotations

import io
import os
import sys

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

    from amalgam.config import Config
    from amalgam.registry import Hooks, Registry

_COLORS = {
    "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35,
    "cyan": 36, "white": 37, "bold": 1, "underline": 4, "dim": 2,
}
# Default effects per label; hg uses the same vocabulary for its labels.
_LABEL_EFFECTS: dict[str, tuple[str, ...]] = {
    "status.modified": ("blue", "bold"),
    "status.added": ("green", "bold"),
    "status.removed": ("red", "bold"),
    "status.deleted": ("cyan", "bold", "underline"),
    "status.unknown": ("magenta", "bold", "underline"),
    "status.ignored": ("dim",),
    "diff.deleted": ("red",),
    "diff.inserted": ("green",),
    "diff.file_a": ("bold",),
    "diff.file_b": ("bold",),
    "diff.hunk": ("magenta",),
    "log.changeset": ("yellow",),
    "ui.error": ("red", "bold"),
    "ui.warning": ("yellow",),
}


def tobytes(value: Any) -> bytes:
    """Encode *value* for output: bytes pass through, str becomes UTF-8."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8", "surrogateescape")


class UI:
    """Output, input and verbosity for one command invocation."""

    def __init__(self, config: Config | None = None, *,
                 fout: IO[bytes] | None = None, ferr: IO[bytes] | None = None,
                 fin: IO[bytes] | None = None,
                 environ: dict[str, str] | None = None) -> None:
        self.config = config
        # Set by the CLI once the configuration is loaded; library users who
        # build a UI themselves may leave them unset (no plugins).
        self.registry: Registry | None = None
        self.hooks: Hooks | None = None
        self.fout: IO[bytes] = fout if fout is not None else sys.stdout.buffer
        self.ferr: IO[bytes] = ferr if ferr is not None else sys.stderr.buffer
        self.fin: IO[bytes] = fin if fin is not None else sys.stdin.buffer
        # The environment is captured once, by the CLI, and passed in here so
        # the rest of the kernel never reads os.environ itself.
        self.environ: dict[str, str] = dict(os.environ) if environ is None else environ
        self.quiet = False
        self.verbose = False
        self.debugflag = False
        self.tracebackflag = False
        self.interactive_flag: bool | None = None
        self.color_mode = "never"
        self._buffers: list[io.BytesIO] = []
        self._buffer_labels: list[bool] = []

    # -- verbosity -------------------------------------------------------

    def set_verbosity(self, *, quiet: bool = False, verbose: bool = False,
                      debug: bool = False) -> None:
        self.debugflag = debug
        self.verbose = verbose or debug
        self.quiet = quiet and not self.verbose

    # -- output ----------------------------------------------------------

    def write(self, *args: Any, label: str = "") -> None:
        """Normal command output (stdout)."""
        data = b"".join(tobytes(a) for a in args)
        if self._buffers:
            if label and self._buffer_labels[-1]:
                data = self._colorize(data, label)
            self._buffers[-1].write(data)
            return
        if label and self._color_enabled(self.fout):
            data = self._colorize(data, label)
        self.fout.write(data)

    def write_err(self, *args: Any, label: str = "") -> None:
        """Output to stderr, flushing stdout first so the two interleave."""
        data = b"".join(tobytes(a) for a in args)
        if label and self._color_enabled(self.ferr):
            data = self._colorize(data, label)
        self.flush()
        self.ferr.write(data)
        self.ferr.flush()

    def status(self, *args: Any, label: str = "") -> None:
        """Progress messages a script may not want (hidden by ``-q``)."""
        if not self.quiet:
            self.write(*args, label=label)

    def note(self, *args: Any, label: str = "") -> None:
        """Details shown only with ``-v``."""
        if self.verbose:
            self.write(*args, label=label)

    def debug(self, *args: Any, label: str = "") -> None:
        """Internals shown only with ``--debug``."""
        if self.debugflag:
            self.write(*args, label=label)

    def warn(self, *args: Any) -> None:
        self.write_err(*args, label="ui.warning")

    def error(self, *args: Any) -> None:
        self.write_err(*args, label="ui.error")

    def flush(self) -> None:
        try:
            self.fout.flush()
        except (BrokenPipeError, ValueError):
            pass

    # -- capture ---------------------------------------------------------

    def pushbuffer(self, labeled: bool = False) -> None:
        """Capture ``write`` output until the matching ``popbuffer``."""
        self._buffers.append(io.BytesIO())
        self._buffer_labels.append(labeled)

    def popbuffer(self) -> bytes:
        self._buffer_labels.pop()
        return self._buffers.pop().getvalue()

    # -- input -----------------------------------------------------------

    def interactive(self) -> bool:
        if self.interactive_flag is not None:
            return self.interactive_flag
        try:
            return self.fin.isatty()
        except (AttributeError, ValueError):
            return False

    def prompt(self, message: str, default: str = "y") -> str:
        """Ask a question; non-interactive sessions take *default*."""
        self.write(message, " ")
        if not self.interactive():
            self.write(default, "\n")
            return default
        self.flush()
        line = self.fin.readline()
        if not line:
            raise EOFError("response expected")
        answer = line.decode("utf-8", "surrogateescape").strip()
        return answer or default

    def formatted(self) -> bool:
        """Whether stdout is a terminal (for pagers, colour, progress)."""
        try:
            return self.fout.isatty()
        except (AttributeError, ValueError):
            return False

    # -- colour ----------------------------------------------------------

    def _color_enabled(self, stream: IO[bytes]) -> bool:
        if self.color_mode == "always":
            return True
        if self.color_mode == "never" or "NO_COLOR" in self.environ:
            return False
        try:
            return stream.isatty() and self.environ.get("TERM", "") != "dumb"
        except (AttributeError, ValueError):
            return False

    @staticmethod
    def _colorize(data: bytes, label: str) -> bytes:
        codes: list[str] = []
        for name in label.split():
            for effect in _LABEL_EFFECTS.get(name, ()):
                codes.append(str(_COLORS[effect]))
        if not codes or not data:
            return data
        start = b"\x1b[" + ";".join(codes).encode() + b"m"
        end = b"\x1b[0m"
        # Keep newlines outside the escape so line-based tools stay happy.
        lines = data.split(b"\n")
        return b"\n".join(start + ln + end if ln else ln for ln in lines)
