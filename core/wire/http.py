"""The HTTP transport: a WSGI application serving one repository's wire protocol.

``create_app("/srv/repo")`` works under any WSGI server (``amg serve``'s
threaded stdlib server, gunicorn).  Each request opens the repository
afresh with its own buffered UI, so requests share nothing but the files
(locks serialise writers).  Arguments come from the query string, the
``X-HgArg-N`` headers and the ``X-HgArgs-Post`` body prefix; replies are
``application/mercurial-0.1`` or, when the client says so, ``-0.2`` with
negotiated compression.  Permission failures map to HTTP statuses the way
hg's server does (401/403/405); push needs ``web.allow-push`` and TLS or
``web.push-ssl = false``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from amalgam.error import AmalgamError, RepoError
from amalgam.wire import commands, protocol

if TYPE_CHECKING:
    from amalgam.ui import UI

StartResponse = Callable[..., Any]
MEDIA_01 = "application/mercurial-0.1"
MEDIA_02 = "application/mercurial-0.2"
MEDIA_ERROR = "application/hg-error"
#: Largest ``X-HgArgs-Post`` argument block accepted.
MAX_POST_ARGS = 16 << 20
#: Largest pushed bundle accepted (the body is streamed, never held in memory).
MAX_PUSH = 8 << 30
_PIECE = 1 << 16


class HTTPError(Exception):
    """Ends a request with *status* before any command runs."""

    def __init__(self, status: str, message: str, headers: list[tuple[str, str]] | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


class BodyReader:
    """``wsgi.input`` bounded by Content-Length, so a read never blocks past the body."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self.left = length

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.left:
            size = self.left
        if size == 0:
            return b""
        data = self._stream.read(size)
        self.left -= len(data)
        return data


def _web(ui: UI, name: str, default: Any) -> Any:
    return default if ui.config is None else ui.config.get("web", name)


def check_permission(ui: UI, environ: dict[str, Any], perm: str) -> None:
    """Raise :class:`HTTPError` unless this request may do *perm* (hg's rules)."""
    user = environ.get("REMOTE_USER") or None
    if perm == "pull":
        if not _web(ui, "allow-pull", True):
            raise _denied(user, "pull not authorized")
        return
    if environ.get("REQUEST_METHOD") != "POST":
        raise HTTPError("405 push requires POST request", "push requires POST request")
    if environ.get("wsgi.url_scheme") != "https" and _web(ui, "push-ssl", True):
        raise HTTPError("403 ssl required", "ssl required")
    allowed = list(_web(ui, "allow-push", []))
    # As in hg: "*" lets anybody push, authenticated or not.
    if not (allowed == ["*"] or (user is not None and user in allowed)):
        raise _denied(user, "push not authorized")


def _denied(user: str | None, message: str) -> HTTPError:
    if user is None:
        return HTTPError(f"401 {message}", message,
                         [("WWW-Authenticate", 'Basic realm="mercurial"')])
    return HTTPError(f"403 {message}", message)


class WireApp:
    """The WSGI callable; one instance serves one repository."""

    def __init__(self, path: str, ui: UI) -> None:
        import os

        self.root = os.path.abspath(path)
        self.ui = ui
        if not os.path.isdir(os.path.join(self.root, ".hg")):
            raise RepoError(f"repository {path} not found")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._handle(environ, start_response)
        except HTTPError as exc:
            # hg's body for refusals: a failed push result and the reason.
            body = b"0\n" + exc.message.encode("utf-8") + b"\n"
            start_response(exc.status, [("Content-Type", "text/plain"),
                                        ("Content-Length", str(len(body))), *exc.headers])
            return [body]

    def _handle(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        from amalgam.repo import Repository

        if environ.get("PATH_INFO", "") not in ("", "/"):
            raise HTTPError("404 Not Found", "not found")
        query = protocol.decode_query(environ.get("QUERY_STRING", ""))
        name = query.pop("cmd", b"").decode("ascii", "replace")
        if not name:
            raise HTTPError("404 Not Found", "this is a repository: use 'amg clone' or 'hg clone'")
        ui = request_ui(self.ui)
        try:
            repo = Repository.open(self.root, ui)
        except RepoError:
            raise HTTPError("404 Not Found", "repository not found") from None
        cmd = commands.table(repo).get(name)
        if cmd is None:
            raise HTTPError("400 unknown command", f"unknown wire command '{name}'")
        check_permission(ui, environ, cmd.permission)
        headers = {k[5:].replace("_", "-"): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        try:
            args, body = self._arguments(environ, headers, query, cmd.name == "unbundle")
            commands.parse_args(cmd, args)
        except protocol.WireError as exc:
            raise HTTPError("400 bad request", exc.message) from None

        def authorize(perm: str) -> None:
            check_permission(ui, environ, perm)

        req = commands.Request("http", payload=body, authorize=authorize)
        try:
            result = cmd.handler(repo, args, req)
        except protocol.WireError as exc:
            raise HTTPError("400 bad request", exc.message) from None
        except AmalgamError as exc:
            return _reply(start_response, MEDIA_ERROR, [exc.message.encode("utf-8")])
        if isinstance(result, bytes):
            return _reply(start_response, MEDIA_01, [result], len(result))
        if isinstance(result, commands.PushResult):
            data = b"%d\n" % result.ret + result.output
            return _reply(start_response, MEDIA_01, [data], len(data))
        return self._stream(start_response, headers, result)

    def _arguments(self, environ: dict[str, Any], headers: dict[str, str],
                   query: dict[str, bytes], push: bool
                   ) -> tuple[dict[str, bytes], BodyReader | None]:
        args = dict(query)
        args.update(protocol.decode_http_args(headers))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            postlen = int(headers.get("X-HGARGS-POST", "0"))
        except ValueError:
            raise protocol.WireError("malformed Content-Length or X-HgArgs-Post") from None
        if length < 0 or not 0 <= postlen <= min(length, MAX_POST_ARGS):
            raise protocol.WireError("invalid request body length")
        if length > (MAX_PUSH if push else MAX_POST_ARGS):
            raise HTTPError("413 request too large", "request too large")
        body = BodyReader(environ["wsgi.input"], length)
        if postlen:
            from amalgam.exchange.streams import readexactly

            args.update(protocol.decode_query(readexactly(body, postlen, "arguments")))
        return args, (body if push else None)

    def _stream(self, start_response: StartResponse, headers: dict[str, str],
                result: commands.StreamResponse) -> Iterable[bytes]:
        versions, engines, _others = protocol.parse_proto_header(headers)
        if not result.compressible:
            return _reply(start_response, MEDIA_01, result.chunks)
        if "0.2" not in versions:
            return _reply(start_response, MEDIA_01, compress(result.chunks, "zlib", self.ui))
        if result.prefer_uncompressed and "none" in engines:
            engine = "none"
        else:
            choices = [e for e in commands.available_engines() if e in engines]
            engine = choices[0] if choices else ("none" if "none" in engines else "zlib")
        prefix = bytes([len(engine)]) + engine.encode("ascii")
        return _reply(start_response, MEDIA_02,
                      _prefixed(prefix, compress(result.chunks, engine, self.ui)))


def _prefixed(prefix: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield prefix
    yield from chunks


def _reply(start_response: StartResponse, media: str, chunks: Iterable[bytes],
           length: int | None = None) -> Iterable[bytes]:
    headers = [("Content-Type", media)]
    if length is not None:
        headers.append(("Content-Length", str(length)))
    start_response("200 Script output follows", headers)
    return chunks


def compress(chunks: Iterable[bytes], engine: str, ui: UI) -> Iterator[bytes]:
    """*chunks* compressed with *engine* (``none``, ``zlib``, ``zstd``), streaming."""
    if engine == "none":
        yield from chunks
        return
    if engine == "zstd":
        import zstandard

        level = ui.config.get("server", "zstd-level") if ui.config is not None else 3
        compressor: Any = zstandard.ZstdCompressor(level=level).compressobj()
    else:
        import zlib

        compressor = zlib.compressobj()
    pending, size = [], 0
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            pending.append(out)
            size += len(out)
        if size >= _PIECE:
            yield b"".join(pending)
            pending, size = [], 0
    pending.append(compressor.flush())
    yield b"".join(pending)


def request_ui(base: UI) -> UI:
    """A UI for one request: the server's config and plugins, output buffered."""
    import io

    from amalgam.ui import UI

    ui = UI(base.config, fout=io.BytesIO(), ferr=io.BytesIO(), fin=io.BytesIO(),
            environ=base.environ)
    ui.registry, ui.hooks = base.registry, base.hooks
    ui.quiet, ui.verbose = base.quiet, base.verbose
    return ui


def server_ui(path: str) -> UI:
    """A UI configured the way ``amg`` would be inside *path* (for WSGI servers)."""
    import os

    from amalgam.cli import services
    from amalgam.ui import UI

    ui = UI(None, fout=_Null(), ferr=_Null())
    root = os.path.abspath(path)
    ui.config = services.load_config(ui, cwd=root, repo_root=root, overrides=[])
    services.make_registry(ui, ui.config)
    return ui


class _Null:
    """Discards output: under a WSGI server nobody reads the process's stdout."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""


def create_app(path: str, ui: UI | None = None) -> WireApp:
    """The WSGI application serving the repository at *path*.

    Usable directly by gunicorn: ``gunicorn 'amalgam.wire.http:create_app("/srv/repo")'``.
    """
    return WireApp(path, ui if ui is not None else server_ui(path))
