"""Hostile pushes and requests against the server: refused, nothing written.

Most cases call the WSGI application in-process (the same object ``amg
serve`` and gunicorn run); the cut push goes through a real ``amg serve``
over a socket.  After each refusal the repository's files are byte for byte
what they were.
"""
from __future__ import annotations

import io
import resource
import socket
import struct
import urllib.parse
import zlib
from pathlib import Path

import pytest

from amalgam.exchange.bundle2 import OutPart, Writer
from amalgam.exchange.changegroup import chunkheader, closechunk
from amalgam.node import hex, nullid
from amalgam.repo import FileChange, Repository
from amalgam.storage.revlog import hashrevision
from amalgam.wire import http, protocol

from .test_wire_server_support import PUSH_OK, amg_serve


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted((root / ".hg").rglob("*")) if p.is_file()}


def _chunk(node: bytes, base: bytes, link: bytes, text: bytes) -> bytes:
    header = node + nullid + nullid + base + link
    delta = struct.pack(">lll", 0, 0, len(text)) + text
    return chunkheader(len(header) + len(delta)) + header + delta


def _cg_with_file(path: bytes, link: bytes, *, base: bytes = nullid) -> bytes:
    text = b"evil\n"
    group = _chunk(hashrevision(text, nullid, nullid), base, link, text) + closechunk()
    return closechunk() + closechunk() + chunkheader(len(path)) + path + group + closechunk()


def _bundle(payload: bytes, parttype: str = "changegroup") -> bytes:
    writer = Writer()
    params = [("version", "02")] if parttype == "changegroup" else []
    writer.addpart(OutPart(parttype, data=payload, mandatory_params=params))
    return b"".join(writer.chunks())


@pytest.fixture
def target(tmp_path: Path, isolated_env):
    root = tmp_path / "served"
    repo = Repository.create(str(root))
    repo.commit_files({b"f": FileChange(b"data\n")}, user="t", message="m", date=(0.0, 0))
    (root / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    return root, repo.changelog.revlog.node(0), http.create_app(str(root))


def _push(app, data: bytes, *, method: str = "POST", length: int | None = None,
          extra: dict[str, str] | None = None) -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/", "QUERY_STRING": "cmd=unbundle",
               "wsgi.input": io.BytesIO(data),
               "CONTENT_LENGTH": str(len(data) if length is None else length),
               "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
               "HTTP_X_HGARG_1": "heads=666f726365", **(extra or {})}
    got: list[str] = []
    body = b"".join(app(environ, lambda status, headers: got.append(status)))
    return got[0], body


def _refused(target, data: bytes, expect: bytes) -> None:
    root, _link, app = target
    before = _snapshot(root)
    status, body = _push(app, data)
    assert status.startswith("200")
    assert b"ERROR:ABORT" in body and expect in body, body
    assert _snapshot(root) == before


@pytest.mark.parametrize("path", [b"../evil", b"/etc/evil", b".hg/hgrc", b".HG/hgrc",
                                  b"a/../../x", b"sub/.hg/hgrc", b"sub/.Hg/store/x"])
def test_bad_paths(target, path) -> None:
    _refused(target, _bundle(_cg_with_file(path, target[1])), b"refusing file name")
    assert not (target[0].parent / "evil").exists()


def test_bad_delta_base(target) -> None:
    _refused(target, _bundle(_cg_with_file(b"g", target[1], base=b"\x11" * 20)),
             b"unknown delta base")


@pytest.mark.parametrize("size", [-7, 3, 2**31 - 1])
def test_bad_sizes(target, size) -> None:
    _refused(target, _bundle(struct.pack(">i", size) + b"\0" * 8), b"")


def test_huge_part_header(target) -> None:
    _refused(target, b"HG20" + struct.pack(">i", 0) + struct.pack(">i", 2**31 - 1), b"")


def test_unknown_mandatory_part(target) -> None:
    _refused(target, _bundle(b"x", parttype="made-up-part"), b"made-up-part")


def test_compression_bomb_is_refused_with_bounded_memory(target) -> None:
    root, _link, app = target
    before = _snapshot(root)
    params = b"Compression=GZ"
    compressor = zlib.compressobj(9)
    body = [compressor.compress(b"\xff" * (1 << 20)) for _ in range(256)]  # 256 MiB inflated
    data = b"HG20" + struct.pack(">i", len(params)) + params + b"".join(body) + compressor.flush()
    assert len(data) < 1 << 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status, reply = _push(app, data)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert b"ERROR:ABORT" in reply and b"compressed pushes are refused" in reply
    assert grown_mib < 64
    assert _snapshot(root) == before


def test_bundle1_push_refused(target) -> None:
    root, _link, app = target
    before = _snapshot(root)
    status, body = _push(app, b"HG10UN" + b"\0" * 12)
    assert b"bundle2 required" in body
    assert _snapshot(root) == before


def test_push_by_get_and_permissions_in_batch(target) -> None:
    root, link, app = target
    before = _snapshot(root)
    assert _push(app, b"", method="GET")[0].startswith("405")
    cmds = protocol.encode_batch([("pushkey", {"namespace": b"bookmarks", "key": b"b",
                                               "old": b"", "new": hex(link).encode()})])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "cmd=batch",
               "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0",
               "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
               "HTTP_X_HGARG_1": protocol.encode_http_args({"cmds": cmds}, 1024)["X-HgArg-1"]}
    got: list[str] = []
    b"".join(app(environ, lambda status, headers: got.append(status)))
    assert got[0].startswith("405")
    assert _snapshot(root) == before


def test_plain_http_push_without_opt_out(target) -> None:
    root, _link, _app = target
    (root / ".hg" / "amalgam.toml").write_text('[web]\nallow-push = ["*"]\n')
    before = _snapshot(root)
    status, _body = _push(http.create_app(str(root)), _bundle(b"x", parttype="made-up-part"))
    assert status.startswith("403")
    assert _snapshot(root) == before


def test_push_cut_mid_stream_through_a_real_server(hg, amg, tmp_path, isolated_env) -> None:
    src = tmp_path / "src"
    hg("init", str(src))
    for i in range(5):
        (src / f"f{i}").write_text("x\n" * 1000 * (i + 1))
        hg("commit", "-Aqm", f"c{i}", cwd=src)
    served = tmp_path / "served"
    hg("clone", "-q", "-r", "0", str(src), str(served))
    (served / ".hg" / "amalgam.toml").write_text(PUSH_OK)
    bundle = tmp_path / "push.hg"
    hg("bundle", "-q", "-t", "none-v2", "--base", "0", str(bundle), cwd=src)
    data = bundle.read_bytes()
    before = _snapshot(served)
    with amg_serve(served, isolated_env, tmp_path) as (url, _pid):
        parts = urllib.parse.urlsplit(url)
        for cut in (10, len(data) // 3, len(data) - 5):
            with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
                sock.sendall(b"POST /?cmd=unbundle HTTP/1.1\r\nHost: x\r\n"
                             b"X-HgArg-1: heads=666f726365\r\n"
                             b"Content-Type: application/mercurial-0.1\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(data) + data[:cut])
                sock.shutdown(socket.SHUT_WR)
                sock.recv(65536)  # the error reply, or nothing: either way we are done
        # The server is still healthy and the repository untouched.
        clone = tmp_path / "again"
        hg("clone", "-q", url, str(clone))
    assert _snapshot(served) == before
    hg("verify", "-q", cwd=served)
    assert amg("verify", cwd=served).rc == 0
