"""The WSGI application, called in-process: routing, arguments, permissions, replies."""
from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest

from amalgam.node import hex
from amalgam.repo import FileChange, Repository
from amalgam.wire import http, protocol


def make_repo(path: Path, count: int = 3, hgrc: str = "") -> Repository:
    repo = Repository.create(str(path))
    for i in range(count):
        repo.commit_files({b"f%d" % i: FileChange(b"content %d\n" % i)},
                          user="t", message=f"c{i}", date=(float(i), 0))
    if hgrc:
        (path / ".hg" / "amalgam.toml").write_text(hgrc)
    return Repository.open(str(path))


def call(app: http.WireApp, query: str, *, method: str = "GET", body: bytes = b"",
         headers: dict[str, str] | None = None, scheme: str = "http",
         user: str | None = None, path: str = "/") -> tuple[str, dict[str, str], bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
               "wsgi.url_scheme": scheme, "wsgi.errors": io.StringIO()}
    if user is not None:
        environ["REMOTE_USER"] = user
    for key, value in (headers or {}).items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    got: list = []

    def start_response(status: str, hdrs: list[tuple[str, str]]) -> None:
        got.append((status, dict(hdrs)))

    data = b"".join(app(environ, start_response))
    return got[0][0], got[0][1], data


def args(**kw: bytes) -> dict[str, str]:
    return protocol.encode_http_args(kw, 1024)


@pytest.fixture
def served(tmp_path: Path, isolated_env):
    def build(hgrc: str = "", count: int = 3) -> tuple[Repository, http.WireApp]:
        repo = make_repo(tmp_path / "repo", count, hgrc)
        return repo, http.create_app(str(tmp_path / "repo"))
    return build


def test_capabilities_and_heads(served) -> None:
    repo, app = served()
    status, headers, body = call(app, "cmd=capabilities")
    assert status.startswith("200") and headers["Content-Type"] == http.MEDIA_01
    caps = protocol.parse_capabilities(body)
    assert {"batch", "getbundle", "known", "unbundle", "httpheader", "bundle2"} <= set(caps)
    b2 = protocol.decode_bundle2_caps(caps["bundle2"])
    assert "03" in b2["changegroup"] and b2["phases"] == ["heads"]
    tip = repo.changelog.revlog.node(2)
    assert call(app, "cmd=heads")[2] == hex(tip).encode() + b"\n"


def test_batch_and_known(served) -> None:
    repo, app = served()
    tip = repo.changelog.revlog.node(2)
    cmds = protocol.encode_batch([("heads", {}),
                                  ("known", {"nodes": protocol.encode_nodes([tip, b"\1" * 20])})])
    status, _h, body = call(app, "cmd=batch", headers=args(cmds=cmds))
    assert status.startswith("200")
    heads, known = protocol.decode_batch_reply(body)
    assert protocol.decode_nodes(heads) == [tip]
    assert protocol.decode_bools(known) == [True, False]


def test_lookup(served) -> None:
    repo, app = served()
    node = repo.changelog.revlog.node(1)
    assert call(app, "cmd=lookup", headers=args(key=b"1"))[2] == b"1 %s\n" % hex(node).encode()
    assert call(app, "cmd=lookup", headers=args(key=b"nosuch"))[2].startswith(b"0 ")


def test_query_string_arguments(served) -> None:
    _repo, app = served()
    body = call(app, "cmd=listkeys&namespace=namespaces")[2]
    assert protocol.decode_listkeys(body) == {"bookmarks": "", "phases": "", "namespaces": ""}


@pytest.mark.parametrize("query, path, status", [
    ("cmd=nosuch", "/", "400"),
    ("cmd=heads", "/sub", "404"),
    ("cmd=heads", "/../x", "404"),
    ("cmd=heads", "/.hg/store/00changelog.i", "404"),
    ("cmd=heads", "/.HG/hgrc", "404"),
    ("cmd=heads", "//etc/passwd", "404"),
    ("", "/", "404"),
    ("cmd=lookup", "/", "400"),              # missing argument
    ("cmd=heads&bogus=1", "/", "400"),       # undeclared argument
])
def test_routing_and_bad_requests(served, query, path, status) -> None:
    _repo, app = served()
    assert call(app, query, path=path)[0].startswith(status)


def test_malformed_batch_is_400(served) -> None:
    _repo, app = served()
    assert call(app, "cmd=batch", headers=args(cmds=b"heads :z"))[0].startswith("400")
    assert call(app, "cmd=batch", headers=args(cmds=b"getbundle "))[0].startswith("400")


def _getbundle_headers(proto: str | None) -> dict[str, str]:
    b2 = protocol.encode_bundle2_caps({"HG20": [], "changegroup": ["02", "03"]})
    hdrs = args(bundlecaps=f"HG20,bundle2={b2}".encode(), cg=b"1",
                common=b"0" * 40)
    if proto:
        hdrs["X-HgProto-1"] = proto
    return hdrs


@pytest.mark.parametrize("proto, engine", [
    (None, None), ("0.1 0.2 comp=zstd,zlib,none", "zstd"),
    ("0.1 0.2 comp=zlib,none", "zlib"), ("0.1 0.2 comp=none", "none")])
def test_getbundle_compression(served, proto, engine) -> None:
    _repo, app = served()
    status, headers, body = call(app, "cmd=getbundle", headers=_getbundle_headers(proto))
    assert status.startswith("200")
    if engine is None:
        assert headers["Content-Type"] == http.MEDIA_01
        raw = zlib.decompress(body)
    else:
        assert headers["Content-Type"] == http.MEDIA_02
        assert body[1:1 + body[0]] == engine.encode()
        payload = body[1 + body[0]:]
        if engine == "zstd":
            import zstandard

            raw = zstandard.ZstdDecompressor().decompressobj().decompress(payload)
        elif engine == "zlib":
            raw = zlib.decompress(payload)
        else:
            raw = payload
    assert raw.startswith(b"HG20") and b"CHANGEGROUP" in raw


def test_getbundle_unknown_head_is_an_error_part(served) -> None:
    _repo, app = served()
    hdrs = _getbundle_headers("0.1 0.2 comp=none")
    hdrs.update(args(bundlecaps=protocol.decode_http_args(hdrs)["bundlecaps"],
                     heads=b"1" * 40))
    body = call(app, "cmd=getbundle", headers=hdrs)[2]
    assert b"ERROR:ABORT" in body and b"requested head" in body


def _bundle(tmp_path: Path, amg, count: int = 4) -> bytes:
    """A bundle2 of a repository that extends the served one by one changeset."""
    src = make_repo(tmp_path / "src", count)
    out = tmp_path / "push.hg"
    assert amg("bundle", "--all", "-t", "none-v2", str(out), cwd=src.root).rc == 0
    return out.read_bytes()


PUSH_OK = '[web]\nallow-push = ["*"]\npush-ssl = false\n'


def test_push_applies_and_replies(served, amg, tmp_path) -> None:
    repo, app = served(PUSH_OK)
    data = _bundle(tmp_path, amg)
    status, headers, body = call(app, "cmd=unbundle", method="POST", body=data,
                                 headers=args(heads=b"666f726365"))
    assert status.startswith("200"), body
    assert body.startswith(b"HG20") and b"ERROR" not in body
    assert len(Repository.open(repo.root).changelog.revlog) == 4


@pytest.mark.parametrize("hgrc, kw, status", [
    ("", {"method": "POST"}, "403"),                   # default: read-only, TLS first
    ("[web]\npush-ssl = false\n", {"method": "POST"}, "401"),        # nobody may push
    ('[web]\nallow-push = ["alice"]\npush-ssl = false\n', {"method": "POST"}, "401"),
    ('[web]\nallow-push = ["alice"]\npush-ssl = false\n',
     {"method": "POST", "user": "bob"}, "403"),
    ('[web]\nallow-push = ["*"]\n', {"method": "POST"}, "403"),            # plain http
    (PUSH_OK, {"method": "GET"}, "405"),                               # push by GET
])
def test_push_refused(served, amg, tmp_path, hgrc, kw, status) -> None:
    repo, app = served(hgrc)
    data = _bundle(tmp_path, amg)
    kw = dict(kw)
    body = data if kw["method"] == "POST" else b""
    got, headers, _ = call(app, "cmd=unbundle", body=body, headers=args(heads=b"666f726365"),
                           **kw)
    assert got.startswith(status)
    if status == "401":
        assert headers["WWW-Authenticate"].startswith("Basic")
    assert len(Repository.open(repo.root).changelog.revlog) == 3


def test_push_allowed_user_over_https(served, amg, tmp_path) -> None:
    repo, app = served('[web]\nallow-push = ["alice"]\n')
    data = _bundle(tmp_path, amg)
    got = call(app, "cmd=unbundle", method="POST", body=data, scheme="https", user="alice",
               headers=args(heads=b"666f726365"))
    assert got[0].startswith("200")
    assert len(Repository.open(repo.root).changelog.revlog) == 4


@pytest.mark.parametrize("hgrc, method, status", [
    ("[web]\npush-ssl = false\n", "POST", "401"),
    (PUSH_OK, "GET", "405"),
    (PUSH_OK, "POST", "200"),
])
def test_pushkey_hidden_in_batch_needs_push_permission(served, hgrc, method, status) -> None:
    from amalgam import bookmarks

    repo, app = served(hgrc)
    tip = repo.changelog.revlog.node(2)
    cmds = protocol.encode_batch([("heads", {}), ("pushkey", {
        "namespace": b"bookmarks", "key": b"evil", "old": b"", "new": hex(tip).encode()})])
    got, _h, body = call(app, "cmd=batch", method=method, headers=args(cmds=cmds))
    assert got.startswith(status)
    marks = bookmarks.read(Repository.open(repo.root))
    if status == "200":
        assert protocol.decode_batch_reply(body)[1] == b"1\n"
        assert marks == {"evil": tip}
    else:
        assert marks == {}


def test_pull_can_be_disabled(served) -> None:
    _repo, app = served("[web]\nallow-pull = false\n")
    assert call(app, "cmd=heads")[0].startswith("401")


def test_cut_push_rolls_back(served, amg, tmp_path) -> None:
    repo, app = served(PUSH_OK)
    data = _bundle(tmp_path, amg, count=6)
    before = sorted(p.name for p in (Path(repo.root) / ".hg" / "store").rglob("*"))
    environ_body = data[: len(data) // 2]
    # The client promised the whole bundle but the connection ends half way.
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "cmd=unbundle",
               "wsgi.input": io.BytesIO(environ_body), "CONTENT_LENGTH": str(len(data)),
               "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
               "HTTP_X_HGARG_1": "heads=666f726365"}
    body = b"".join(app(environ, lambda s, h: None))
    assert b"ERROR:ABORT" in body
    again = Repository.open(repo.root)
    assert len(again.changelog.revlog) == 3
    assert sorted(p.name for p in (Path(repo.root) / ".hg" / "store").rglob("*")) == before
    assert amg("verify", cwd=repo.root).rc == 0


def test_oversized_request_refused(served) -> None:
    _repo, app = served(PUSH_OK)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "cmd=heads",
               "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": str(http.MAX_POST_ARGS + 1),
               "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO()}
    got: list = []
    b"".join(app(environ, lambda s, h: got.append(s)))
    assert got[0].startswith("413")


class _PluginHooks:
    """Hooks as a plugin would answer them; every other hook has no implementation."""

    def __getattr__(self, name: str):
        return lambda **kwargs: []

    def exchange_wire_commands(self, repo):
        from amalgam.wire.commands import WireCommand

        def echo(repo, args, req):
            return b"echo:" + args["text"]

        def wipe(repo, args, req):
            raise AssertionError("a push-permission plugin command ran without permission")
        return [[WireCommand("echo", "text", "pull", echo),
                 WireCommand("wipe", "", "push", wipe)]]

    def exchange_capabilities(self, repo, caps):
        caps.append("echo=1")
        return []


def test_plugin_wire_commands_and_capabilities(tmp_path, isolated_env) -> None:
    make_repo(tmp_path / "repo")
    ui = http.server_ui(str(tmp_path / "repo"))
    ui.hooks = _PluginHooks()  # type: ignore[assignment]
    app = http.create_app(str(tmp_path / "repo"), ui)
    caps = protocol.parse_capabilities(call(app, "cmd=capabilities")[2])
    assert caps["echo"] == "1"
    assert call(app, "cmd=echo", headers=args(text=b"hi"))[2] == b"echo:hi"
    assert call(app, "cmd=wipe", method="POST")[0].startswith("403")


def test_post_arguments(served) -> None:
    repo, app = served()
    form = b"key=tip"
    status, _h, body = call(app, "cmd=lookup", method="POST", body=form,
                            headers={"X-HgArgs-Post": str(len(form))})
    assert status.startswith("200")
    assert body == b"1 " + hex(repo.changelog.revlog.node(2)).encode() + b"\n"


def test_stream_clones_can_be_disabled(served) -> None:
    _repo, app = served("[server]\nuncompressed = false\n")
    caps = protocol.parse_capabilities(call(app, "cmd=capabilities")[2])
    assert "streamreqs" not in caps
    assert "stream" not in protocol.decode_bundle2_caps(caps["bundle2"])
    hdrs = _getbundle_headers("0.1 0.2 comp=none")
    hdrs.update(args(**{**protocol.decode_http_args(hdrs), "stream": b"1", "cg": b"0"}))
    body = call(app, "cmd=getbundle", headers=hdrs)[2]
    assert b"ERROR:ABORT" in body and b"stream clones are disabled" in body


def test_no_stream_clone_with_secret_changesets(served, amg) -> None:
    repo, app = served()
    assert amg("phase", "--secret", "--force", "-r", "2", cwd=repo.root).rc == 0
    assert amg("bookmark", "-r", "2", "hidden", cwd=repo.root).rc == 0
    assert amg("bookmark", "-r", "1", "shown", cwd=repo.root).rc == 0
    shown = hex(repo.changelog.revlog.node(1))
    assert protocol.decode_listkeys(
        call(app, "cmd=listkeys", headers=args(namespace=b"bookmarks"))[2]) == {"shown": shown}
    caps = protocol.parse_capabilities(call(app, "cmd=capabilities")[2])
    assert "streamreqs" not in caps
    # The secret head is not advertised either.
    assert call(app, "cmd=heads")[2] == hex(repo.changelog.revlog.node(1)).encode() + b"\n"
