"""Forked worker processes for big jobs that split into independent parts.

A status of 100,000 files spends half its time in ``lstat`` system calls and
half in Python; threads cannot overlap the two (every call hands the GIL
back and forth), forked processes can.  :func:`fork_map` runs one part in
this process and every other part in a child forked for it, and returns
what each part's function returned, in order.  Children inherit everything
loaded so far (the dirstate, compiled matchers) without copying it, and send
back only their result, pickled through a pipe.

Children never write to the user: they leave through ``os._exit``, so no
buffered output, ``finally`` block or ``atexit`` handler of the parent runs
twice.  Where ``fork`` is missing, disabled (``worker.enabled``), or unsafe
because other threads are running, :func:`count` says 1 and callers do
the work in one process; the results are the same either way.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from amalgam import error

_Part = TypeVar("_Part")
_Result = TypeVar("_Result")


def count(ui: Any) -> int:
    """How many processes a big job may use (1: do it all here)."""
    if not hasattr(os, "fork") or not ui.config.get("worker", "enabled"):
        return 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1  # a forked child gets only this thread: another's locks could be held
    wanted = ui.config.get("worker", "numcpus")
    if wanted:
        return max(1, int(wanted))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def fork_map(fn: Callable[[_Part], _Result], parts: Sequence[_Part]) -> list[_Result]:
    """``[fn(part) for part in parts]``, the parts after the first in forked children.

    *fn* must not write to the user or depend on state a child changes; what
    it returns must pickle.  An exception raised in a child is raised here
    (after every child is reaped); if this process fails or is interrupted,
    the children are killed and reaped before the exception goes on.
    """
    if len(parts) <= 1:
        return [fn(part) for part in parts]
    children: list[tuple[int, int]] = []
    try:
        for part in parts[1:]:
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, which never returns
                os.close(rfd)
                for _, other in children:
                    os.close(other)
                _child(fn, part, wfd)
            os.close(wfd)
            children.append((pid, rfd))
        results = [fn(parts[0])]
        failure: BaseException | None = None
        while children:
            pid, rfd = children.pop(0)
            ok, value = _collect(pid, rfd)
            if ok:
                results.append(value)
            elif failure is None:
                failure = value
        if failure is not None:
            raise failure
        return results
    finally:
        _kill(children)


def _child(fn: Callable[[Any], Any], part: Any, wfd: int) -> None:  # pragma: no cover
    import pickle
    import signal

    code = 255
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent reports the interrupt
        try:
            payload = pickle.dumps((True, fn(part)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = pickle.dumps((False, _portable(exc)), pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(wfd, view):]
        code = 0
    finally:
        os._exit(code)


def _portable(exc: BaseException) -> BaseException:
    """*exc* if it survives pickling, else an :class:`error.Abort` that says what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
        return exc
    except Exception:  # noqa: BLE001 - any unpicklable exception is described instead
        return error.Abort(f"a worker process failed: {type(exc).__name__}: {exc}")


def _collect(pid: int, rfd: int) -> tuple[bool, Any]:
    """Read one child's pickled answer and reap it."""
    import pickle

    try:
        with os.fdopen(rfd, "rb") as fp:
            data = fp.read()
    except BaseException:
        _kill([(pid, -1)])
        raise
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a child that died mid-write sent garbage or nothing
        how = f"signal {-os.waitstatus_to_exitcode(status)}" \
            if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
        return False, error.Abort(f"a worker process died ({how})",
                                  hint="run the command again; set worker.enabled=false "
                                       "to work in one process")


def _kill(children: list[tuple[int, int]]) -> None:
    """Stop and reap children still running after a failure here."""
    import signal

    for pid, rfd in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        if rfd >= 0:
            try:
                os.close(rfd)
            except OSError:
                pass
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
