"""Every reason fsmonitor walks the whole working copy instead, and that the
status stays exactly right each time (at most a one-line warning)."""
from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from amalgam.plugins.fsmonitor import state as statemod


def _stats(root: Path) -> dict:
    path = root / ".hg" / "fsmonitor.amg-stats"
    return json.loads(path.read_bytes()) if path.exists() else {"counts": {}}


def _last(root: Path) -> str | None:
    return _stats(root).get("last", {}).get("reason")


@pytest.fixture
def repo(amg, fsm_config, fsrepo: Path) -> Path:
    """A committed repository with one saved fsmonitor state."""
    (fsrepo / "a").write_bytes(b"a\n")
    (fsrepo / "d").mkdir()
    (fsrepo / "d" / "b").write_bytes(b"b\n")
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=fsrepo).rc == 0
    (fsrepo / "u").write_bytes(b"unknown\n")
    assert amg(*fsm_config, "status", cwd=fsrepo).rc == 0
    assert (fsrepo / ".hg" / statemod.STATE_FILE).exists()
    return fsrepo


def _same(amg, fsm_config, root: Path, *args: str, warning: str | None = None,
          common: tuple[str, ...] = ()):
    """Status with fsmonitor equals status without; stderr is empty or one warning."""
    ours = amg(*fsm_config, *common, "status", *args, cwd=root)
    plain = amg(*common, "status", *args, cwd=root)
    assert (ours.rc, ours.stdout) == (plain.rc, plain.stdout)
    if warning is None:
        assert ours.stderr == ""
    else:
        lines = ours.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("warning: fsmonitor: "), ours.stderr
        assert warning in lines[0]
    return ours


def test_fast_path_after_the_first_walk(amg, fsm_config, repo: Path):
    assert _stats(repo)["counts"] == {"no-state": 1}
    (repo / "a").write_bytes(b"changed\n")
    res = amg(*fsm_config, "--debug", "status", cwd=repo)
    assert "fsmonitor: 1 changed since" in res.stdout and "1 notable" in res.stdout
    assert "M a\n" in res.stdout and "? u\n" in res.stdout
    assert _stats(repo)["counts"] == {"no-state": 1}
    _same(amg, fsm_config, repo, "-A")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped"])
def test_corrupt_state(amg, fsm_config, repo: Path, damage: str):
    path = repo / ".hg" / statemod.STATE_FILE
    data = path.read_bytes()
    path.write_bytes({"garbage": b"\x00\xffnot a state",
                      "truncated": data[:len(data) - 3],
                      "flipped": data.replace(b"clock c:", b"clock d:")}[damage])
    (repo / "a").write_bytes(b"changed\n")
    res = amg(*fsm_config, "--debug", "status", cwd=repo)
    assert "fsmonitor: full walk (corrupt-state)" in res.stdout
    assert _last(repo) == "corrupt-state"
    _same(amg, fsm_config, repo)
    statemod.decode(path.read_bytes())  # rewritten whole by that status


def _rewrite(root: Path, **changes) -> None:
    path = root / ".hg" / statemod.STATE_FILE
    saved = statemod.decode(path.read_bytes())
    for name, value in changes.items():
        setattr(saved, name, value)
    path.write_bytes(saved.encode())


def test_state_from_another_host(amg, fsm_config, repo: Path):
    _rewrite(repo, host="elsewhere.example")
    (repo / "new").write_bytes(b"n\n")
    _same(amg, fsm_config, repo)
    assert _last(repo) == "other-host"


def test_state_of_another_version(amg, fsm_config, repo: Path):
    path = repo / ".hg" / statemod.STATE_FILE
    data = path.read_bytes()
    head, rest = data.split(b"\n", 1)
    path.write_bytes(b"amalgam-fsmonitor %d\n" % (statemod.VERSION + 1) + rest)
    (repo / "new").write_bytes(b"n\n")
    _same(amg, fsm_config, repo)
    assert _last(repo) == "other-version"


def test_ignore_rules_changed(amg, fsm_config, repo: Path):
    (repo / ".hgignore").write_bytes(b"syntax: glob\n*.log\n")
    (repo / "x.log").write_bytes(b"log\n")
    res = _same(amg, fsm_config, repo)
    assert "x.log" not in res.stdout
    assert _last(repo) == "ignore-changed"
    # Unignoring makes an old, unchanged file unknown: Watchman has nothing to say.
    (repo / ".hgignore").write_bytes(b"")
    res = _same(amg, fsm_config, repo)
    assert "? x.log\n" in res.stdout
    assert _stats(repo)["counts"]["ignore-changed"] == 2


def test_ui_ignore_file_counts_as_ignore_rules(amg, fsm_config, repo: Path):
    (repo / "extra-ignore").write_bytes(b"syntax: glob\nu\n")
    res = _same(amg, fsm_config, repo, common=("--config", "ui.ignore=extra-ignore"))
    assert "? u\n" not in res.stdout
    assert _last(repo) == "ignore-changed"


def test_ignored_files_wanted(amg, fsm_config, repo: Path):
    (repo / ".hgignore").write_bytes(b"syntax: glob\n*.o\n")
    _same(amg, fsm_config, repo)
    (repo / "old.o").write_bytes(b"o\n")
    res = _same(amg, fsm_config, repo, "-i")
    assert "I old.o\n" in res.stdout
    assert _last(repo) == "ignored-wanted"


def test_watchman_not_running(amg, fsm_config, repo: Path, tmp_path: Path):
    config = [*fsm_config, "--config", f"fsmonitor.sockpath={tmp_path / 'nosock'}"]
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, config, repo, warning="")
    assert _last(repo) == "unavailable"


@pytest.fixture
def fake_socket(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """A Unix socket that is not Watchman; ``behaviour["mode"]`` is garbage or hang."""
    path = str(tmp_path / "fake.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    behaviour = {"mode": "garbage"}
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            if behaviour["mode"] == "hang":
                held.append(conn)  # never answers
                continue
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\nnot watchman\n")
            except OSError:
                pass
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path, behaviour
    finally:
        stop.set()
        try:
            server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        server.close()
        for conn in held:
            conn.close()
        thread.join(timeout=5)


def test_socket_that_is_not_watchman(amg, fsm_config, repo: Path, fake_socket):
    path, _ = fake_socket
    config = [*fsm_config, "--config", f"fsmonitor.sockpath={path}"]
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, config, repo, warning="")
    assert _last(repo) in ("not-watchman", "unavailable")


def test_watchman_that_hangs_times_out(amg, fsm_config, repo: Path, fake_socket):
    path, behaviour = fake_socket
    behaviour["mode"] = "hang"
    config = [*fsm_config, "--config", f"fsmonitor.sockpath={path}",
              "--config", "fsmonitor.timeout=0.2"]
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, config, repo, warning="did not answer within 0.2s")
    assert _last(repo) == "timeout"


def test_fresh_instance(amg, fsm_config, repo: Path, wm_query):
    wm_query("watch-del", os.path.realpath(repo))
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, fsm_config, repo)
    assert _last(repo) == "fresh-instance"
    (repo / "d" / "b").write_bytes(b"changed too\n")
    before = _stats(repo)["counts"]
    _same(amg, fsm_config, repo)
    assert _stats(repo)["counts"] == before  # back on the fast path


def test_threshold(amg, fsm_config, repo: Path):
    config = [*fsm_config, "--config", "fsmonitor.threshold=5"]
    for i in range(20):
        (repo / f"many{i}").write_bytes(b"x\n")
    _same(amg, config, repo)
    assert _last(repo) == "threshold"
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, config, repo, "-A")  # 20 notable unknown files: still above


def test_files_changing_during_the_query(amg, fsm_config, repo: Path):
    """Thousands of changes while statuses run; once they stop, status is exact."""
    stop = threading.Event()

    def churn() -> None:
        i = 0
        while not stop.is_set() and i < 3000:
            (repo / "d" / f"churn{i % 300}").write_bytes(b"%d\n" % i)
            (repo / "a").write_bytes(b"a%d\n" % (i % 7))
            i += 1

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for _ in range(3):
            res = amg(*fsm_config, "status", cwd=repo)
            assert res.rc == 0
            assert res.stderr == "" or (res.stderr.startswith("warning: fsmonitor: ")
                                        and res.stderr.count("\n") == 1), res.stderr
    finally:
        stop.set()
        thread.join()
    _same(amg, fsm_config, repo, "-A")


def test_walk_on_invalidate_off_lists_watchmans_files(amg, fsm_config, repo: Path):
    config = [*fsm_config, "--config", "fsmonitor.walk-on-invalidate=false"]
    (repo / ".hg" / statemod.STATE_FILE).write_bytes(b"junk")
    os.unlink(repo / "d" / "b")
    (repo / "a").write_bytes(b"changed\n")
    res = _same(amg, config, repo, "-A")
    assert "! d/b\n" in res.stdout and "M a\n" in res.stdout
    assert _stats(repo)["last"]["message"].endswith("(listed by watchman)")


def test_dirstate_changed_without_its_saved_copy(amg, fsm_config, repo: Path):
    os.unlink(repo / ".hg" / statemod.DIRSTATE_LINK)
    assert amg("forget", "a", cwd=repo).rc == 0
    assert amg("commit", "-qm", "forget", "-u", "test", cwd=repo).rc == 0
    res = _same(amg, fsm_config, repo)
    assert "? a\n" in res.stdout
    assert _last(repo) == "dirstate-changed"


def test_mode_off_never_asks_watchman(amg, fsm_config, repo: Path, tmp_path: Path):
    before = _stats(repo)
    config = [*fsm_config, "--config", "fsmonitor.mode=off",
              "--config", f"fsmonitor.sockpath={tmp_path / 'nosock'}"]
    (repo / "a").write_bytes(b"changed\n")
    _same(amg, config, repo)
    assert _stats(repo) == before


@pytest.mark.parametrize("setting, message", [
    ("fsmonitor.mode=sometimes", "fsmonitor.mode must be one of on, off, paranoid"),
    ("fsmonitor.timeout=0", "fsmonitor.timeout must be positive"),
])
def test_bad_config_aborts_cleanly(amg, fsm_config, repo: Path, setting: str, message: str):
    res = amg(*fsm_config, "--config", setting, "status", cwd=repo)
    assert res.rc != 0 and res.stdout == ""
    assert res.stderr.startswith(f"abort: {message}") and "Traceback" not in res.stderr


def test_state_naming_paths_outside_the_working_copy(amg, fsm_config, repo: Path,
                                                     tmp_path: Path):
    (tmp_path / "outside").write_bytes(b"x\n")
    (repo / ".hg" / "inside").write_bytes(b"x\n")
    _rewrite(repo, notable=[b"u", b"../outside", b".hg/inside", b"/etc/passwd", b"d//b", b"./a"])
    res = _same(amg, fsm_config, repo)
    assert "outside" not in res.stdout and "inside" not in res.stdout


def test_paranoid_mode_agrees_on_a_correct_state(amg, fsm_config, repo: Path):
    config = [*fsm_config, "--config", "fsmonitor.mode=paranoid"]
    (repo / "a").write_bytes(b"changed\n")
    (repo / "new").write_bytes(b"n\n")
    before = _stats(repo)["counts"]
    _same(amg, config, repo)
    out = _same(amg, config, repo, "-m", "-a", "-r", "-d", "-c", "-u")  # -A would list ignored
    assert "C d/b\n" in out.stdout and "M a\n" in out.stdout
    assert _stats(repo)["counts"] == before


def test_paranoid_mode_corrects_a_wrong_fast_status(amg, fsm_config, repo: Path):
    config = [*fsm_config, "--config", "fsmonitor.mode=paranoid"]
    _rewrite(repo, notable=[])  # forget that u was unknown: the fast status misses it
    res = _same(amg, config, repo, warning="status differed from a full walk (unknown: +u)")
    assert "? u\n" in res.stdout
    assert _last(repo) == "paranoid-mismatch"
    _same(amg, fsm_config, repo)  # the corrected status was saved
