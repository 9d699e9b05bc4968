"""The amg client against ``amg serve`` (HTTP) and ``amg serve --stdio`` (ssh).

The same checks as against hg's server, with hg as the oracle of the
resulting repositories: the nodes, phases and bookmarks of the clone match
the server's, pushes arrive, and both verifiers are clean.
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_wire_client import FAKESSH, commit, make_source, ssh_url, state


@pytest.fixture
def amg_serve(isolated_env: dict[str, str]) -> Iterator:
    procs: list[subprocess.Popen[bytes]] = []

    def start(repo: Path) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "amalgam", "-R", str(repo), "serve", "-p", "0",
             "--config", "web.push-ssl=false", "--config", "web.allow-push=*"],
            env=isolated_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        assert line.startswith("listening at "), line
        return line.split()[2]

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


@pytest.fixture(params=["http", "ssh"])
def amg_remote(request, amg_serve):
    def make(repo: Path) -> tuple[str, list[str]]:
        if request.param == "http":
            return amg_serve(repo), []
        return ssh_url(repo), ["--config", f"ui.ssh={sys.executable} {FAKESSH}",
                               "--config", f"ui.remotecmd={sys.executable} -m amalgam"]
    return make


def test_clone_stream_and_push_against_amg(amg, hg, tmp_path: Path, amg_remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = amg_remote(src)
    for name, extra in (("plain", []), ("streamed", ["--stream"])):
        result = amg(*opts, "clone", *extra, url, str(tmp_path / name))
        assert result.rc == 0, result.stderr
        assert state(hg, tmp_path / name) == state(hg, src)
        hg("verify", "-q", cwd=tmp_path / name)
    work = tmp_path / "plain"
    hg("update", "-q", "-r", "1", cwd=work)
    commit(hg, work, "side", "x\n")
    refused = amg(*opts, "push", url, cwd=work)
    assert refused.rc == 255 and "push creates new remote head" in refused.stderr
    forced = amg(*opts, "push", "-f", url, cwd=work)
    assert forced.rc == 0, forced.stderr
    assert state(hg, src)[0] == state(hg, work)[0]
    hg("verify", "-q", cwd=src)
    assert amg("verify", "-q", cwd=src).rc == 0
