"""Fixtures for the interop tests: hg-vs-amg twins and ``hg serve`` on a free port."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .differential import Twin


@pytest.fixture
def twin(tmp_path, amg, hg):
    """A fresh empty repository in two copies (amg side, hg side)."""
    return Twin(tmp_path, amg, hg)


class HgServe:
    """``hg serve`` of one repository on a free loopback port, stopped on close."""

    def __init__(self, hg_exe: str, env: dict[str, str], repo: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [hg_exe, "serve", "-R", str(repo), "-p", "0", "-a", "127.0.0.1", "--print-url",
             "--config", "web.push_ssl=False", "--config", "web.allow-push=*", *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("http://"):
            self.close()
            raise AssertionError(f"hg serve did not start: {line!r}")
        self.url = line.replace("localhost", "127.0.0.1")
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def hg_serve(hg_exe: str, isolated_env: dict[str, str]) -> Iterator:
    """``start(repo) -> HgServe``; every server started is stopped after the test."""
    servers: list[HgServe] = []

    def start(repo: Path, *extra: str) -> HgServe:
        server = HgServe(hg_exe, isolated_env, repo, *extra)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()
