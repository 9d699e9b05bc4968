"""amg clone/pull/push/incoming/outgoing against real ``hg serve`` over HTTP and SSH.

The servers are hg's own: ``hg serve`` on a free loopback port and
``hg serve --stdio`` reached through the ssh stand-in.  Every result is
compared with what hg's own client gets from the same server.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FAKESSH = Path(__file__).resolve().parents[1] / "fixtures" / "fakessh.py"


def ssh_opts() -> list[str]:
    """amg options that reach ``hg serve --stdio`` through the ssh stand-in."""
    return ["--config", f"ui.ssh={sys.executable} {FAKESSH}", "--config", "ui.remotecmd=hg"]


def hg_ssh_opts() -> list[str]:
    return ["--ssh", f"{sys.executable} {FAKESSH}"]


def ssh_url(repo: Path) -> str:
    # hg's rule: ssh://host//abs/path names an absolute path.
    return f"ssh://localhost/{repo}"


def commit(hg, repo: Path, name: str, text: str, *extra: str) -> None:
    (repo / name).write_text(text)
    hg("commit", "-qA", "-m", f"{name}: {text.strip()}", *extra, cwd=repo)


def state(hg, repo: Path) -> tuple[list[str], str]:
    """Nodes with phases, and bookmarks: what must match between clones."""
    nodes = sorted(hg("log", "-T", "{node} {phase}\n", cwd=repo).stdout.splitlines())
    marks = hg("bookmarks", "-T", "{bookmark} {node}\n", cwd=repo).stdout
    return nodes, marks


def make_source(hg, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    hg("init", str(src))
    commit(hg, src, "a", "1\n")
    commit(hg, src, "b", "2\n")
    hg("bookmark", "-q", "main", cwd=src)
    commit(hg, src, "a", "3\n")
    hg("branch", "-q", "stable", cwd=src)
    commit(hg, src, "c", "4\n")
    # What a server holds was pushed to it, so it is public there too.
    hg("phase", "-q", "-p", "-r", "all()", cwd=src)
    return src


@pytest.fixture(params=["http", "ssh"])
def remote(request, hg_serve):
    """``(url, amg options)`` for a repository, over each transport."""
    def make(repo: Path) -> tuple[str, list[str]]:
        if request.param == "http":
            return hg_serve(repo).url, []
        return ssh_url(repo), ssh_opts()

    make.kind = request.param  # type: ignore[attr-defined]
    return make


def test_clone_matches_hg_clone(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    result = amg(*opts, "clone", url, str(tmp_path / "ours"))
    assert result.rc == 0, result.stderr
    assert "added 4 changesets with 4 changes to 3 files" in result.stdout
    hg("clone", "-q", "-U", str(src), str(tmp_path / "theirs"))
    assert state(hg, tmp_path / "ours") == state(hg, tmp_path / "theirs")
    hg("verify", "-q", cwd=tmp_path / "ours")
    assert amg("verify", "-q", cwd=tmp_path / "ours").rc == 0
    assert hg("paths", "default", cwd=tmp_path / "ours").stdout.strip() == url
    again = amg(*opts, "pull", cwd=tmp_path / "ours")  # through [paths] default
    assert again.rc == 0 and "no changes found" in again.stdout, again.stderr
    # The working copy is hg's default checkout: the '@'-less default branch head.
    assert (tmp_path / "ours" / "a").read_text() == "3\n"


def test_clone_rev_and_noupdate(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    assert amg(*opts, "clone", "-U", "-r", "1", url, str(tmp_path / "part")).rc == 0
    assert len(state(hg, tmp_path / "part")[0]) == 2
    assert not (tmp_path / "part" / "a").exists()
    hg("verify", "-q", cwd=tmp_path / "part")


def test_stream_clone(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    result = amg(*opts, "clone", "--stream", "-U", url, str(tmp_path / "streamed"))
    assert result.rc == 0, result.stderr
    assert "streaming all changes" in result.stdout
    hg("clone", "-q", "-U", str(src), str(tmp_path / "theirs"))
    assert state(hg, tmp_path / "streamed") == state(hg, tmp_path / "theirs")
    hg("verify", "-q", cwd=tmp_path / "streamed")
    assert amg("verify", "-q", cwd=tmp_path / "streamed").rc == 0


def test_pull_brings_changes_phases_and_bookmarks(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    hg("clone", "-q", "-r", "0", str(src), str(tmp_path / "ours"))
    hg("clone", "-q", "-r", "0", str(src), str(tmp_path / "theirs"))
    hg("bookmark", "-q", "-r", "tip", "later", cwd=src)
    result = amg(*opts, "pull", url, cwd=tmp_path / "ours")
    assert result.rc == 0, result.stderr
    assert "added 3 changesets" in result.stdout
    hg("pull", "-q", str(src), cwd=tmp_path / "theirs")
    assert state(hg, tmp_path / "ours") == state(hg, tmp_path / "theirs")
    hg("verify", "-q", cwd=tmp_path / "ours")
    again = amg(*opts, "pull", url, cwd=tmp_path / "ours")
    assert again.rc == 0 and "no changes found" in again.stdout


def test_incoming_and_outgoing_list_what_hg_lists(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    dst = tmp_path / "dst"
    hg("clone", "-q", "-r", "1", str(src), str(dst))
    commit(hg, dst, "mine", "x\n")
    hgopts = hg_ssh_opts() if remote.kind == "ssh" else []
    for command in ("incoming", "outgoing"):
        ours = amg(*opts, command, "-q", url, cwd=dst)
        theirs = hg(command, "-q", *hgopts, url, cwd=dst, check=False)
        assert (ours.rc, ours.stdout) == (theirs.rc, theirs.stdout), command


def test_push_refuses_new_heads_then_forces(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    dst = tmp_path / "dst"
    hg("clone", "-q", str(src), str(dst))
    hg("update", "-q", "-r", "1", cwd=dst)
    commit(hg, dst, "side", "x\n")
    refused = amg(*opts, "push", url, cwd=dst)
    assert refused.rc == 255
    assert "push creates new remote head" in refused.stderr
    assert len(state(hg, src)[0]) == 4
    forced = amg(*opts, "push", "-f", url, cwd=dst)
    assert forced.rc == 0, forced.stderr
    assert state(hg, src)[0] == state(hg, dst)[0]
    hg("verify", "-q", cwd=src)


def test_push_bookmark_and_publish(amg, hg, tmp_path: Path, remote) -> None:
    src = make_source(hg, tmp_path)
    url, opts = remote(src)
    dst = tmp_path / "dst"
    hg("clone", "-q", "-u", "stable", str(src), str(dst))
    commit(hg, dst, "c", "5\n")
    hg("bookmark", "-q", "feature", cwd=dst)
    result = amg(*opts, "push", "-B", "feature", url, cwd=dst)
    assert result.rc == 0, result.stderr
    assert "exporting bookmark feature" in result.stdout
    assert state(hg, src) == state(hg, dst)
    assert "draft" not in hg("log", "-T", "{phase}\n", cwd=dst).stdout  # published
    nothing = amg(*opts, "push", url, cwd=dst)
    assert nothing.rc == 1 and "no changes found" in nothing.stdout


def test_post_arguments_when_the_server_prefers_them(amg, hg, tmp_path: Path, hg_serve
                                                     ) -> None:
    """With ``httppostargs`` the arguments travel in the body instead of headers."""
    src = make_source(hg, tmp_path)
    log = tmp_path / "access.log"
    server = hg_serve(src, "--config", "experimental.httppostargs=true", "-A", str(log))
    dst = tmp_path / "dst"
    hg("clone", "-q", "-r", "0", str(src), str(dst))
    result = amg("pull", "-r", "stable", server.url, cwd=dst)
    assert result.rc == 0, result.stderr
    assert state(hg, dst) == state(hg, src)
    requests = log.read_text()
    assert "POST /?cmd=lookup" in requests and "POST /?cmd=getbundle" in requests


def test_batch_asks_heads_and_known_in_one_round_trip(hg, tmp_path: Path, hg_serve) -> None:
    import io

    from amalgam.config.layers import Config
    from amalgam.exchange.httppeer import HttpPeer
    from amalgam.node import bin
    from amalgam.ui import UI

    src = make_source(hg, tmp_path)
    log = tmp_path / "access.log"
    server = hg_serve(src, "-A", str(log))
    heads = sorted(bin(h) for h in hg("log", "-r", "heads(all())", "-T", "{node}\n",
                                      cwd=src).stdout.split())
    first = bin(hg("log", "-r", "0", "-T", "{node}", cwd=src).stdout)
    peer = HttpPeer(UI(Config({}), fout=io.BytesIO(), ferr=io.BytesIO(), environ={}),
                    server.url)
    try:
        got, known = peer.heads_known([first, b"\x01" * 20])
    finally:
        peer.close()
    assert sorted(got) == heads and known == [True, False]
    requests = log.read_text()
    assert requests.count("cmd=batch") == 1 and "cmd=heads" not in requests
