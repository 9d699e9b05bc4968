"""The ssh (stdio) server driven through in-memory pipes."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from amalgam.node import hex
from amalgam.repo import Repository
from amalgam.ui import UI
from amalgam.wire import protocol
from amalgam.wire.sshserver import SSHServer

from .test_http_app import make_repo

HANDSHAKE = b"hello\nbetween\npairs 81\n" + b"0" * 40 + b"-" + b"0" * 40


def run(root: str, data: bytes) -> tuple[int, bytes, bytes]:
    fout, ferr = io.BytesIO(), io.BytesIO()
    rc = SSHServer(UI(), root, io.BytesIO(data), fout, ferr).serve_forever()
    return rc, fout.getvalue(), ferr.getvalue()


def frames(data: bytes) -> list[bytes]:
    out = []
    stream = io.BytesIO(data)
    while True:
        line = stream.readline()
        if not line:
            return out
        out.append(stream.read(int(line)))


def arg(name: str, value: bytes) -> bytes:
    return b"%s %d\n" % (name.encode(), len(value)) + value


@pytest.fixture
def repo(tmp_path: Path, isolated_env) -> Repository:
    return make_repo(tmp_path / "repo")


def test_handshake(repo) -> None:
    rc, out, _err = run(repo.root, HANDSHAKE)
    assert rc == 0
    hello, between = frames(out)
    assert hello.startswith(b"capabilities: ") and hello.endswith(b"\n")
    caps = protocol.parse_capabilities(hello)
    assert "protocaps" in caps and "httpheader" not in caps and "bundle2" in caps
    assert between == b"\n"


def test_commands_and_star_arguments(repo) -> None:
    tip = repo.changelog.revlog.node(2)
    nodes = protocol.encode_nodes([tip, b"\2" * 20])
    cmds = protocol.encode_batch([("heads", {}), ("lookup", {"key": b"tip"})])
    request = (b"heads\n" + b"known\n* 0\n" + arg("nodes", nodes)
               + b"batch\n* 0\n" + arg("cmds", cmds) + b"protocaps\n" + arg("caps", b"partial-pull")
               + b"bogus\n")
    rc, out, _err = run(repo.root, request)
    assert rc == 0
    heads, known, batch, protocaps, bogus = frames(out)
    assert heads == hex(tip).encode() + b"\n"
    assert known == b"10"
    assert protocol.decode_batch_reply(batch) == [heads, b"1 " + hex(tip).encode() + b"\n"]
    assert (protocaps, bogus) == (b"OK", b"")


@pytest.mark.parametrize("request_bytes", [
    b"heads\nlookup\nkey 999999999999\n",        # oversized length
    b"lookup\nkey -1\n",                         # negative length
    b"lookup\nwrong 1\nx",                       # undeclared argument
    b"lookup\nkey 10\nabc",                      # cut value
    b"x" * 5000 + b"\n",                         # endless line
])
def test_malformed_requests_end_cleanly(repo, request_bytes) -> None:
    rc, out, err = run(repo.root, request_bytes)
    assert rc == 1
    assert out.endswith(b"\n") and err.endswith(b"\n-\n")
    assert b"Traceback" not in err


def _bundle(tmp_path: Path, amg) -> bytes:
    src = make_repo(tmp_path / "src", 5)
    out = tmp_path / "push.hg"
    assert amg("bundle", "--all", "-t", "none-v2", str(out), cwd=src.root).rc == 0
    return out.read_bytes()


def _framed(data: bytes, size: int = 4096) -> bytes:
    return b"".join(b"%d\n" % len(data[i:i + size]) + data[i:i + size]
                    for i in range(0, len(data), size)) + b"0\n"


def test_push(repo, tmp_path, amg) -> None:
    data = _bundle(tmp_path, amg)
    rc, out, _err = run(repo.root, b"unbundle\n" + arg("heads", b"666f726365") + _framed(data))
    assert rc == 0
    assert out.startswith(b"0\nHG20")
    assert b"ERROR" not in out
    assert len(Repository.open(repo.root).changelog.revlog) == 5


def test_push_race_is_reported_and_nothing_written(repo, tmp_path, amg) -> None:
    data = _bundle(tmp_path, amg)
    stale = protocol.encode_nodes([b"\3" * 20])
    rc, out, _err = run(repo.root, b"unbundle\n" + arg("heads", stale) + _framed(data)
                        + b"heads\n")
    assert rc == 0
    assert b"ERROR:PUSHRACED" in out
    # The server read the whole push and answered the next command in step.
    assert out.endswith(b"41\n" + hex(repo.changelog.revlog.node(2)).encode() + b"\n")
    assert len(Repository.open(repo.root).changelog.revlog) == 3


def test_cut_push_rolls_back(repo, tmp_path, amg) -> None:
    data = _bundle(tmp_path, amg)
    cut = _framed(data)[: len(data) // 2]
    rc, _out, err = run(repo.root, b"unbundle\n" + arg("heads", b"666f726365") + cut)
    assert rc == 1 and b"Traceback" not in err
    assert len(Repository.open(repo.root).changelog.revlog) == 3
    assert amg("verify", cwd=repo.root).rc == 0


@pytest.mark.parametrize("path", [b"../evil", b"/abs", b".HG/hgrc", b"sub/.hg/requires"])
def test_hostile_push_over_ssh(repo, path) -> None:
    from amalgam.exchange.bundle2 import Writer
    from amalgam.exchange.changegroup import chunkheader, closechunk
    from amalgam.node import nullid
    from amalgam.storage.revlog import hashrevision

    link = repo.changelog.revlog.node(0)
    text = b"evil\n"
    header = hashrevision(text, nullid, nullid) + nullid + nullid + nullid + link
    delta = b"\0" * 8 + len(text).to_bytes(4, "big") + text
    group = chunkheader(len(header) + len(delta)) + header + delta + closechunk()
    cg = closechunk() + closechunk() + chunkheader(len(path)) + path + group + closechunk()
    writer = Writer()
    writer.newpart("changegroup", data=cg, mandatory_params=[("version", "02")])
    before = sorted(p.name for p in Path(repo.root, ".hg").rglob("*"))
    rc, out, _err = run(repo.root, b"unbundle\n" + arg("heads", b"666f726365")
                        + _framed(b"".join(writer.chunks())))
    assert rc == 0 and b"ERROR:ABORT" in out and b"refusing file name" in out
    assert sorted(p.name for p in Path(repo.root, ".hg").rglob("*")) == before
