"""How fsmonitor reaches Watchman: the socket found by asking the ``watchman``
program, pywatchman's pure-Python codec when the compiled one is missing,
and a repository inside a bigger watched project (a relative root)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from amalgam.plugins.fsmonitor import client


def _counts(root: Path) -> dict:
    path = root / ".hg" / "fsmonitor.amg-stats"
    return json.loads(path.read_bytes())["counts"] if path.exists() else {}


def _same(amg, config: list[str], root: Path) -> str:
    ours = amg(*config, "status", cwd=root)
    plain = amg("status", cwd=root)
    assert (ours.rc, ours.stdout) == (plain.rc, plain.stdout)
    assert ours.stderr == ""
    return ours.stdout


@pytest.fixture
def repo(amg, fsrepo: Path) -> Path:
    (fsrepo / "a").write_bytes(b"a\n")
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=fsrepo).rc == 0
    return fsrepo


def _fast_after_first(amg, config: list[str], root: Path) -> None:
    """A first status saves a state, the next ones take the fast path and are exact."""
    assert _same(amg, config, root) == ""
    walks = _counts(root)
    (root / "a").write_bytes(b"changed\n")
    (root / "new").write_bytes(b"n\n")
    assert _same(amg, config, root) == "M a\n? new\n"
    assert _counts(root) == walks


def _fake_watchman(bindir: Path, script: str) -> None:
    bindir.mkdir()
    exe = bindir / "watchman"
    exe.write_text(f"#!{sys.executable}\n{script}")
    exe.chmod(0o755)


def test_socket_named_by_the_watchman_program(amg, repo: Path, watchman_sock: str,
                                              tmp_path: Path, monkeypatch, isolated_env):
    reply = client.codec().dumps({"version": "fake", "sockname": os.fsencode(watchman_sock)})
    asked = tmp_path / "asked"
    _fake_watchman(tmp_path / "bin", "import sys\nassert 'get-sockname' in sys.argv\n"
                                     f"open({str(asked)!r}, 'a').write('x')\n"
                                     f"sys.stdout.buffer.write({reply!r})\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    config = ["--config", "plugins.fsmonitor=true", "--config", "fsmonitor.timeout=60"]
    _fast_after_first(amg, config, repo)
    # Asked once, then remembered per user.
    assert asked.read_text() == "x"
    cache = Path(isolated_env["XDG_CACHE_HOME"]) / "amalgam" / "watchman-sockname"
    assert cache.read_bytes() == os.fsencode(watchman_sock) + b"\n"
    # A remembered socket that no longer answers, or a damaged cache: asked again.
    for stale in (str(tmp_path / "gone.sock").encode() + b"\n", b"\0junk"):
        cache.write_bytes(stale)
        (repo / "a").write_bytes(stale)
        assert _same(amg, config, repo) == "M a\n? new\n"
        assert cache.read_bytes() == os.fsencode(watchman_sock) + b"\n"
    assert asked.read_text() == "xxx"


def test_remembered_socket_that_is_not_watchman_is_forgotten(amg, repo: Path, tmp_path: Path,
                                                             isolated_env):
    import socket
    import threading

    path = str(tmp_path / "impostor.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"not watchman\n")
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    cache = Path(isolated_env["XDG_CACHE_HOME"]) / "amalgam" / "watchman-sockname"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(path.encode() + b"\n")
    (repo / "a").write_bytes(b"changed\n")
    try:
        res = amg("--config", "plugins.fsmonitor=true", "status", cwd=repo)
    finally:
        thread.join(timeout=10)
        server.close()
    assert (res.rc, res.stdout) == (0, "M a\n")
    assert res.stderr.startswith("warning: fsmonitor: the socket does not speak watchman")
    assert not cache.exists()


def test_watchman_program_that_fails(amg, repo: Path, tmp_path: Path, monkeypatch):
    _fake_watchman(tmp_path / "bin", "import sys\nsys.stderr.write('no state dir\\n')\n"
                                     "sys.exit(3)\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    (repo / "a").write_bytes(b"changed\n")
    res = amg("--config", "plugins.fsmonitor=true", "status", cwd=repo)
    assert (res.rc, res.stdout) == (0, "M a\n")
    assert res.stderr == ("warning: fsmonitor: watchman get-sockname failed: no state dir "
                          "(walking the working copy)\n")
    assert _counts(repo) == {"unavailable": 1}


def test_compiled_codec_is_pywatchmans():
    codec = client._compiled_codec()
    assert codec is not None and codec.loads(codec.dumps([b"\xff", 1]), True, None, None) \
        == [b"\xff", 1]


def test_without_a_compiled_codec_pywatchman_chooses(monkeypatch):
    import pywatchman

    monkeypatch.setattr(client, "_compiled_codec", lambda: None)
    assert client.codec() is pywatchman.bser


def test_pure_python_codec(amg, fsm_config, repo: Path, monkeypatch):
    from pywatchman import pybser

    monkeypatch.setattr(client, "codec", lambda: pybser)
    _fast_after_first(amg, fsm_config, repo)


def test_repository_inside_a_watched_project(amg, fsm_config, tmp_path: Path, wm_query,
                                             unwatch: list[str]):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".watchmanconfig").write_text("{}\n")
    wm_query("watch-project", os.path.realpath(project))
    unwatch.append(str(project))
    root = project / "repo"
    assert amg("init", str(root)).rc == 0
    (root / "a").write_bytes(b"a\n")
    (project / "beside").write_bytes(b"outside the repository\n")
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=root).rc == 0
    _fast_after_first(amg, fsm_config, root)
    roots = wm_query("watch-list")["roots"]
    assert os.fsencode(os.path.realpath(project)) in roots
    assert os.fsencode(os.path.realpath(root)) not in roots
