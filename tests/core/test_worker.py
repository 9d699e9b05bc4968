"""Forked workers: results in order, failures carried back, nothing left running."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from amalgam import error, worker
from amalgam.config.layers import Config

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need fork()")


class _UI:
    def __init__(self, **values: object) -> None:
        self.config = Config({})
        for key, value in values.items():
            self.config.set("worker", key, value, source="test")


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_fork_map_runs_parts_in_separate_processes_and_keeps_order():
    results = worker.fork_map(_pid_and_square, [1, 2, 3, 4])
    assert [r[1] for r in results] == [1, 4, 9, 16]
    pids = [r[0] for r in results]
    assert pids[0] == os.getpid()
    assert len(set(pids)) == 4


def test_one_part_runs_here():
    assert worker.fork_map(_pid_and_square, [3]) == [(os.getpid(), 9)]
    assert worker.fork_map(_pid_and_square, []) == []


def _fail_in_child(n: int) -> int:
    if n == 2:
        raise error.StateError("part two is broken", hint="fix part two")
    return n


def test_child_exception_is_raised_in_parent_with_its_hints():
    with pytest.raises(error.StateError) as info:
        worker.fork_map(_fail_in_child, [1, 2, 3])
    assert info.value.message == "part two is broken"
    assert info.value.hints == ["fix part two"]


class _Unpicklable(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("cannot travel")
        self.lock = lock


def _raise_unpicklable(n: int) -> int:
    if n:
        raise _Unpicklable(threading.Lock())
    return n


def test_unpicklable_child_exception_becomes_an_abort_naming_it():
    with pytest.raises(error.Abort, match="_Unpicklable: cannot travel"):
        worker.fork_map(_raise_unpicklable, [0, 1])


def _die(n: int) -> int:
    if n:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_child_killed_by_a_signal_is_reported():
    with pytest.raises(error.Abort, match=r"worker process died \(signal 9\)"):
        worker.fork_map(_die, [0, 1])


def _record_pid_then_sleep(arg: tuple[str, int]) -> int:
    path, n = arg
    if n == 0:
        deadline = time.monotonic() + 10
        while len(os.listdir(path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyError("parent part failed")
    with open(os.path.join(path, str(os.getpid())), "w"):
        pass
    time.sleep(60)
    return n


def test_parent_failure_kills_and_reaps_the_children(tmp_path):
    start = time.monotonic()
    with pytest.raises(KeyError):
        worker.fork_map(_record_pid_then_sleep, [(str(tmp_path), n) for n in range(3)])
    assert time.monotonic() - start < 30
    for name in os.listdir(tmp_path):
        with pytest.raises(ProcessLookupError):
            os.kill(int(name), 0)  # reaped, not a zombie: the pid is gone


def test_count_honours_config():
    assert worker.count(_UI(enabled=False)) == 1
    assert worker.count(_UI(numcpus=3)) == 3
    assert worker.count(_UI()) == len(os.sched_getaffinity(0))


def test_count_is_one_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert worker.count(_UI(numcpus=4)) == 1
    finally:
        stop.set()
        thread.join()
