"""The ``amg`` command line: ``main`` wraps one dispatch with error handling.

``main`` is the only place that turns exceptions into messages and exit
codes, and the only place (with ``python -m amalgam``) allowed to touch the
process: the environment is captured here once and handed to the ``UI``.
"""
from __future__ import annotations

import os
import sys

from amalgam import error
from amalgam.ui import UI

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import cProfile
    from collections.abc import Callable, Sequence
    from typing import IO

#: Exit code of every abort without ``ui.detailed-exit-code`` (hg's too).
ABORT_EXIT = 255


def main(argv: Sequence[str] | None = None, *, fin: IO[bytes] | None = None,
         fout: IO[bytes] | None = None, ferr: IO[bytes] | None = None,
         environ: dict[str, str] | None = None) -> int:
    """Run one ``amg`` command line and return its exit code."""
    standalone = argv is None
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ) if environ is None else dict(environ)
    ui = UI(None, fout=fout, ferr=ferr, fin=fin, environ=env)
    state = RunState()
    try:
        rc = _run_timed(ui, args, state)
        ui.fout.flush()
    except BrokenPipeError:
        # The reader went away (``amg log | head``): nothing left to say.
        if standalone:
            _silence_stdout()
        return ABORT_EXIT
    return rc


class RunState:
    """Settings dispatch discovers that ``main`` acts on after the command."""

    def __init__(self) -> None:
        self.time = False
        self.profiler: cProfile.Profile | None = None

    def start_profiler(self) -> None:
        import cProfile

        self.profiler = cProfile.Profile()
        self.profiler.enable()


def _run_timed(ui: UI, args: list[str], state: RunState) -> int:
    from amalgam.cli import dispatch

    start = os.times()
    try:
        return _catch(ui, lambda: dispatch.run(ui, args, state))
    finally:
        if state.profiler is not None:
            _report_profile(ui, state.profiler)
        if state.time:
            _report_time(ui, start, os.times())


def _catch(ui: UI, func: Callable[[], int | None]) -> int:
    """Call *func*; turn every failure into a message and an exit code."""
    try:
        rc = func()
    except error.AmalgamError as exc:
        if ui.tracebackflag:
            _write_traceback(ui)
        from amalgam.cli.services import progname

        for line in exc.format(progname()):
            ui.error(line + "\n")
        return exc.exit_code(detailed=_detailed(ui))
    except KeyboardInterrupt:
        if ui.tracebackflag:
            _write_traceback(ui)
        ui.error("interrupted!\n")
        return ABORT_EXIT
    except BrokenPipeError:
        raise  # main handles it; it must not be reported as an OSError
    except EOFError:
        ui.error("abort: a response was expected, but input ended\n")
        return ABORT_EXIT
    except OSError as exc:
        if ui.tracebackflag:
            _write_traceback(ui)
        ui.error(_oserror_line(exc) + "\n")
        return ABORT_EXIT
    except Exception:  # noqa: BLE001 - this is the crash reporter
        _crash_report(ui)
        return 1
    return 0 if rc is None else int(rc)


def _detailed(ui: UI) -> bool:
    from amalgam.cli import services

    return services.detailed_exit_code(ui)


def _oserror_line(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"abort: {reason}: {os.fsdecode(exc.filename)!r}"
    return f"abort: {reason}"


def _write_traceback(ui: UI) -> None:
    import traceback

    ui.write_err(traceback.format_exc())


def _crash_report(ui: UI) -> None:
    import platform
    import traceback

    from amalgam import __version__
    from amalgam.cli.services import progname

    lines = [
        f"** {progname()} crashed: this is a bug, please report it with the output below",
        f"** Python {platform.python_version()} on {platform.system()}",
        f"** Amalgam {__version__}",
    ]
    registry = getattr(ui, "registry", None)
    if registry is not None:
        lines.append("** Plugins enabled: " + (", ".join(registry.enabled()) or "none"))
    ui.write_err("\n".join(lines) + "\n" + traceback.format_exc())


def _report_time(ui: UI, start: os.times_result, end: os.times_result) -> None:
    ui.write_err(
        f"time: real {end.elapsed - start.elapsed:.3f} secs "
        f"(user {end.user - start.user:.3f}+{end.children_user - start.children_user:.3f}"
        f" sys {end.system - start.system:.3f}"
        f"+{end.children_system - start.children_system:.3f})\n")


def _report_profile(ui: UI, profiler: cProfile.Profile) -> None:
    import io
    import pstats

    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    ui.write_err(text.getvalue())


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
