"""Locks: hg's symlink format, reentrancy, stale-lock breaking, waiting, interop."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pytest

from amalgam.error import LockHeld
from amalgam.storage import lock as lk
from amalgam.ui import UI
from amalgam.vfs import VFS


@pytest.fixture
def vfs(tmp_path):
    v = VFS(str(tmp_path))
    return v


@pytest.fixture
def ui():
    return UI(fout=io.BytesIO(), ferr=io.BytesIO())


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lock_is_symlink_naming_holder(vfs):
    held = lk.lock(vfs, b"lock")
    target = os.readlink(vfs.join(b"lock"))
    host, pid = target.rsplit(":", 1)
    assert int(pid) == os.getpid()
    assert host.split("/")[0] == __import__("socket").gethostname()
    if os.path.exists("/proc/self/ns/pid"):
        assert host.split("/")[1] == "%x" % os.stat("/proc/self/ns/pid").st_ino
    held.release()
    assert not vfs.exists(b"lock")


def test_reentrant_within_process(vfs):
    with lk.lock(vfs, b"wlock") as outer:
        with lk.lock(vfs, b"wlock") as inner:
            assert inner is outer and outer.count == 2
        assert vfs.exists(b"wlock")
    assert not vfs.exists(b"wlock")
    assert not outer.held


def test_another_thread_waits_for_the_holder(vfs, ui):
    # A threaded server: two requests in one process must not share a lock.
    import threading

    order: list[str] = []
    outer = lk.lock(vfs, b"lock")
    taken = threading.Event()

    def other() -> None:
        with lk.lock(vfs, b"lock", ui=ui, timeout=10):
            order.append("other")
            taken.set()

    thread = threading.Thread(target=other)
    thread.start()
    assert not taken.wait(0.3)  # still waiting while this thread holds it
    order.append("first")
    outer.release()
    thread.join(10)
    assert order == ["first", "other"]
    assert not vfs.exists(b"lock")


def test_stale_lock_of_dead_process_is_broken(vfs, ui):
    holder = f"{lk.host_id()}:{_dead_pid()}"
    os.symlink(holder, vfs.join(b"lock"))
    with lk.lock(vfs, b"lock", ui=ui, timeout=0):
        assert os.readlink(vfs.join(b"lock")) == lk.lock_info()
    assert holder.encode() in ui.ferr.getvalue()
    assert not vfs.exists(b"lock.break")


def test_stale_regular_file_lock_is_broken(vfs, ui):
    vfs.write(b"lock", f"{lk.host_id()}:{_dead_pid()}".encode())
    with lk.lock(vfs, b"lock", ui=ui, timeout=0):
        pass
    assert not vfs.exists(b"lock")


@pytest.mark.parametrize("holder", ["otherhost:1", "otherhost/effffffc:99999999",
                                    "12345", "garbage"])
def test_foreign_or_unreadable_holder_is_not_broken(vfs, ui, holder):
    os.symlink(holder, vfs.join(b"lock"))
    with pytest.raises(LockHeld) as info:
        lk.lock(vfs, b"lock", ui=ui, timeout=0, desc="repository /r")
    assert info.value.message == (
        f"timed out waiting for lock on repository /r held by '{holder}'")
    assert os.readlink(vfs.join(b"lock")) == holder


def test_live_holder_is_waited_for_then_times_out(vfs, ui):
    holder = f"{lk.host_id()}:{os.getppid()}"
    os.symlink(holder, vfs.join(b"lock"))
    with pytest.raises(LockHeld) as info:
        lk.lock(vfs, b"lock", ui=ui, timeout=0.3, desc="repository /r")
    assert holder in info.value.message
    err = ui.ferr.getvalue().decode()
    assert err.count("waiting for lock on repository /r held by") == 1
    assert os.readlink(vfs.join(b"lock")) == holder


def test_timeout_comes_from_ui_config(vfs):
    class Config:
        def get(self, section, name, default=None):
            return 0.2 if (section, name) == ("ui", "timeout") else default

    ui = UI(Config(), fout=io.BytesIO(), ferr=io.BytesIO())
    holder = f"{lk.host_id()}:{os.getppid()}"
    os.symlink(holder, vfs.join(b"lock"))
    with pytest.raises(LockHeld):
        lk.lock(vfs, b"lock", ui=ui)
    assert b"waiting for lock" in ui.ferr.getvalue()


def test_lock_freed_while_waiting_is_taken(vfs, ui):
    script = ("import sys, time\n"
              "from amalgam.vfs import VFS\n"
              "from amalgam.storage import lock\n"
              "with lock.lock(VFS(sys.argv[1]), b'lock'):\n"
              "    print('held', flush=True)\n"
              "    time.sleep(0.5)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, vfs.base],
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"held\n"
    with lk.lock(vfs, b"lock", ui=ui, timeout=60):
        assert os.readlink(vfs.join(b"lock")) == lk.lock_info()
    proc.wait(timeout=60)
    assert b"waiting for lock" in ui.ferr.getvalue()


def test_missing_directory_is_a_clean_error(tmp_path):
    from amalgam.error import LockError
    with pytest.raises(LockError):
        lk.lock(VFS(str(tmp_path / "nope")), b"lock", timeout=0)


# -- interop with hg ---------------------------------------------------------


@pytest.fixture
def hg_repo(hg, tmp_path):
    repo = tmp_path / "repo"
    hg("init", str(repo))
    (repo / "a").write_bytes(b"a\n")
    return repo


def test_hg_waits_for_our_store_lock(hg, hg_repo):
    store = VFS(str(hg_repo / ".hg" / "store"))
    with lk.lock(store, b"lock"):
        result = hg("--config", "ui.timeout=1", "commit", "-Am", "x",
                    cwd=hg_repo, check=False)
    assert result.rc != 0
    assert lk.lock_info() in result.stderr
    assert "timed out" in result.stderr
    hg("commit", "-Am", "x", cwd=hg_repo)


def test_hg_waits_for_our_wlock(hg, hg_repo):
    with lk.lock(VFS(str(hg_repo / ".hg")), b"wlock"):
        result = hg("--config", "ui.timeout=1", "commit", "-Am", "x",
                    cwd=hg_repo, check=False)
    assert result.rc != 0
    assert lk.lock_info() in result.stderr


def test_we_wait_for_hgs_lock(hg_exe, isolated_env, hg_repo, ui):
    proc = subprocess.Popen([hg_exe, "debuglocks", "--set-lock"], cwd=hg_repo,
                            env=isolated_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        store = VFS(str(hg_repo / ".hg" / "store"))
        deadline = time.monotonic() + 60
        while lk.is_locked(store, b"lock") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        holder = lk.is_locked(store, b"lock")
        # hg may run behind a launcher, so only the host part is certain.
        assert holder is not None and holder.startswith(lk.host_id() + ":")
        with pytest.raises(LockHeld) as info:
            lk.lock(store, b"lock", ui=ui, timeout=0.2)
        assert holder in info.value.message
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    with lk.lock(store, b"lock", ui=ui, timeout=10):
        pass
