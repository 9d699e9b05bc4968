"""Real hg clients against ``amg serve`` (HTTP and ssh) and against gunicorn.

Each test compares the client's repository with the served one (nodes,
phases, bookmarks, branches) and runs both ``hg verify`` and ``amg verify``.
"""
from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path

import pytest

from .test_wire_server_support import (PUSH_OK, amg_command, amg_serve, build, gunicorn_serve,
                                       nodes, ssh_opts, state, verify_both)


def _commit(hg, path: Path, name: str, message: str) -> None:
    (path / name).write_text(message + "\n")
    hg("commit", "-Aqm", message, "-d", "200 0", cwd=path)


@pytest.fixture
def source(hg, tmp_path: Path) -> Path:
    return build(hg, tmp_path / "src", 4)


def test_http_clone_pull_push(hg, amg, source, tmp_path, isolated_env) -> None:
    (source / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    with amg_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst = tmp_path / "dst"
        hg("clone", "-q", url, str(dst))
        # A publishing server: everything arrives public, bookmarks and branches intact.
        expected = [line.replace(" draft ", " public ") for line in state(hg, source)]
        assert state(hg, dst) == expected
        verify_both(hg, amg, dst)

        _commit(hg, source, "new", "on the server")
        hg("pull", "-q", cwd=dst)
        assert nodes(hg, dst) == nodes(hg, source)

        hg("update", "-q", "book", cwd=dst)
        _commit(hg, dst, "pushed", "from the client")
        hg("bookmark", "-q", "pushedmark", cwd=dst)
        result = hg("push", "-B", "pushedmark", url, cwd=dst, check=False)
        assert result.rc == 0, result.stderr
        assert "remote: added 1 changesets" in result.stdout
        assert nodes(hg, dst) == nodes(hg, source)
        assert "pushedmark" in hg("bookmarks", cwd=source).stdout
        verify_both(hg, amg, source)


def test_http_stream_clone(hg, amg, source, tmp_path, isolated_env) -> None:
    with amg_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst = tmp_path / "dst"
        result = hg("clone", "--stream", url, str(dst))
        assert "stream-cloned" in result.stdout or "streaming all changes" in result.stdout
    assert nodes(hg, dst) == nodes(hg, source)
    assert "book" in hg("bookmarks", cwd=dst).stdout
    verify_both(hg, amg, dst)


def test_non_publishing_server_keeps_drafts(hg, amg, source, tmp_path, isolated_env) -> None:
    (source / ".hg" / "amalgam.toml").write_text("[phases]\npublish = false\n")
    with amg_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst, streamed = tmp_path / "dst", tmp_path / "streamed"
        hg("clone", "-q", url, str(dst))
        # A stream clone copies the phase roots along with the revlogs.
        hg("clone", "-q", "--stream", url, str(streamed))
    assert state(hg, dst) == state(hg, source)
    assert state(hg, streamed) == state(hg, source)
    verify_both(hg, amg, streamed)


def test_read_only_by_default(hg, source, tmp_path, isolated_env) -> None:
    with amg_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst = tmp_path / "dst"
        hg("clone", "-q", url, str(dst))
        _commit(hg, dst, "x", "refused")
        result = hg("push", url, cwd=dst, check=False)
        assert result.rc != 0
        assert "ssl required" in result.stderr
        # Push by GET is refused whatever the configuration says.
        parsed = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        conn.request("GET", "/?cmd=unbundle", headers={"X-HgArg-1": "heads=666f726365"})
        assert conn.getresponse().status == 405
        conn.close()
    assert nodes(hg, source) != nodes(hg, dst)


def test_ssh_clone_pull_push(hg, amg, source, tmp_path) -> None:
    url = f"ssh://localhost/{source}"
    dst = tmp_path / "dst"
    opts = ssh_opts(amg_command())
    hg("clone", "-q", *opts, url, str(dst))
    expected = [line.replace(" draft ", " public ") for line in state(hg, source)]
    assert state(hg, dst) == expected
    verify_both(hg, amg, dst)

    _commit(hg, source, "new", "on the server")
    hg("pull", "-q", *opts, cwd=dst)
    assert nodes(hg, dst) == nodes(hg, source)

    _commit(hg, dst, "pushed", "over ssh")
    hg("bookmark", "-q", "sshmark", cwd=dst)
    result = hg("push", *opts, "-B", "sshmark", cwd=dst)
    assert "remote: added 1 changesets" in result.stdout + result.stderr
    assert nodes(hg, dst) == nodes(hg, source)
    assert "sshmark" in hg("bookmarks", cwd=source).stdout
    verify_both(hg, amg, source)


def test_ssh_stream_clone(hg, amg, source, tmp_path) -> None:
    dst = tmp_path / "dst"
    hg("clone", "--stream", "-q", *ssh_opts(amg_command()), f"ssh://localhost/{source}", str(dst))
    assert nodes(hg, dst) == nodes(hg, source)
    verify_both(hg, amg, dst)


def test_gunicorn_deployment(hg, amg, source, tmp_path, isolated_env) -> None:
    """docs/serving.md: the app under gunicorn, behind a proxy that terminates TLS."""
    (source / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    with gunicorn_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst = tmp_path / "dst"
        hg("clone", "-q", url, str(dst))
        assert nodes(hg, dst) == nodes(hg, source)
        _commit(hg, dst, "g2", "through gunicorn")
        hg("push", "-q", url, cwd=dst)
        assert nodes(hg, dst) == nodes(hg, source)
    verify_both(hg, amg, source)
    verify_both(hg, amg, dst)


def test_amg_client_against_amg_serve(hg, amg, source, tmp_path, isolated_env) -> None:
    (source / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    with amg_serve(source, isolated_env, tmp_path) as (url, _pid):
        dst = tmp_path / "dst"
        result = amg("clone", url, str(dst))
        assert result.rc == 0, result.stderr
        assert nodes(hg, dst) == nodes(hg, source)
        _commit(hg, dst, "from-amg", "pushed by amg")
        result = amg("push", url, cwd=dst)
        assert result.rc == 0, result.stderr
    assert nodes(hg, dst) == nodes(hg, source)
    verify_both(hg, amg, source)


def test_same_answers_as_hg_serve(hg, hg_exe, source, tmp_path, isolated_env) -> None:
    """Differential: what hg clients see from amg serve equals what they see from hg serve."""
    import subprocess

    hgproc = subprocess.Popen([hg_exe, "serve", "-R", str(source),
                               "-a", "127.0.0.1", "-p", "0", "-A", "/dev/null", "--print-url"],
                              env=isolated_env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    try:
        assert hgproc.stdout is not None
        hgurl = hgproc.stdout.readline().decode().strip()
        with amg_serve(source, isolated_env, tmp_path) as (amgurl, _pid):
            partial = tmp_path / "partial"
            hg("clone", "-q", "-r", "book", hgurl, str(partial))
            (partial / "mine").write_text("local\n")
            hg("commit", "-Aqm", "local", cwd=partial)

            def answers(url: str) -> list[str]:
                out = []
                for namespace in ("namespaces", "bookmarks", "phases"):
                    out.append(hg("debugpushkey", url, namespace).stdout)
                out.append(hg("incoming", "-T", "{node} {phase} {bookmarks}\n", url,
                              cwd=partial, check=False).stdout)
                out.append(hg("outgoing", "-T", "{node}\n", url, cwd=partial,
                              check=False).stdout)
                out.append(hg("identify", "-r", "other", url).stdout)
                dest = tmp_path / f"clone-r-{len(url)}-{url[-6:-1]}"
                hg("clone", "-q", "-U", "-r", "book", "-r", "other", url, str(dest))
                out.append(hg("log", "-T", "{node} {phase} {bookmarks}\n", cwd=dest).stdout)
                return [text.replace(url, "URL") for text in out]

            assert answers(amgurl) == answers(hgurl)
    finally:
        hgproc.terminate()
        hgproc.wait(timeout=30)
