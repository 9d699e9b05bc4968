"""``http://`` and ``https://`` peers through ``requests`` (hg's HTTP v1 transport).

One ``requests.Session`` per peer keeps the connection alive across the
commands of a pull or push.  TLS certificates are always verified.
Credentials come from the URL (``user:pass@host``) or from ``[auth]``; the
password never appears in a message.  Arguments travel in ``X-HgArg-N``
headers (or the POST body when the server offers ``httppostargs``), answers
are streamed and decompressed piece by piece, never held whole.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from amalgam.error import Abort, RepoError
from amalgam.exchange.streams import decompressor
from amalgam.exchange.wirepeer import WirePeer
from amalgam.wire import protocol

if TYPE_CHECKING:
    from amalgam.exchange.streams import Reader
    from amalgam.ui import UI

_USER_AGENT = "mercurial/proto-1.0 (Amalgam)"
_MEDIA_01 = "application/mercurial-0.1"
_MEDIA_02 = "application/mercurial-0.2"
#: Compressions we can read in a 0.2 answer, our preference first.
_COMPRESSIONS = {"zstd": "ZS", "zlib": "GZ", "none": "UN"}
_PIECE = 64 * 1024
_MAX_ANSWER = 64 << 20  # string answers (bundles are streamed, never capped)
_AUTH_HINT = "set a username and password for this URL in the [auth] section"


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:pass@`` and the credentials it carried."""
    from urllib.parse import unquote

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


def auth_from_config(ui: UI, url: str) -> tuple[str | None, str | None]:
    """``[auth]`` credentials of the group whose ``prefix`` matches *url* best."""
    config = ui.config
    if config is None:
        return None, None
    groups: dict[str, dict[str, str]] = {}
    for key, value in config.items("auth"):
        group, _dot, field = str(key).rpartition(".")
        if group:
            groups.setdefault(group, {})[field] = str(value)
    scheme, _sep, rest = url.partition("://")
    best: tuple[int, dict[str, str]] | None = None
    for fields in groups.values():
        prefix = fields.get("prefix", "")
        if not prefix:
            continue
        pscheme, has_scheme, prest = prefix.partition("://")
        if has_scheme:
            if pscheme.lower() != scheme.lower():
                continue
        else:
            prest = prefix
        if prest == "*" or rest.startswith(prest):
            score = 0 if prest == "*" else len(prest)
            if best is None or score > best[0]:
                best = (score, fields)
    if best is None:
        return None, None
    return best[1].get("username"), best[1].get("password")


class _Body:
    """The raw bytes of a response, with transport errors turned into aborts."""

    def __init__(self, peer: HttpPeer, response: Any) -> None:
        self._peer = peer
        self._response = response
        self._raw = response.raw

    def read(self, size: int = -1) -> bytes:
        import requests
        import urllib3

        if size == 0:
            return b""
        try:
            data: bytes = self._raw.read(_PIECE if size < 0 else min(size, 1 << 20))
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            raise self._peer._lost(exc) from None
        if not data:
            self._response.close()
        return data


class HttpPeer(WirePeer):
    def __init__(self, ui: UI, url: str) -> None:
        import requests

        self.ui = ui
        clean, user, password = split_credentials(url)
        if user is None:
            user, configured = auth_from_config(ui, clean)
            password = password or configured
        self.url = clean
        self._base = clean.split("?", 1)[0].rstrip("/")
        self._session = requests.Session()
        self._session.headers["User-Agent"] = _USER_AGENT
        self._session.headers["Accept"] = f"{_MEDIA_01}, {_MEDIA_02}"
        self._session.auth = (user, password or "") if user else None
        timeout = ui.config.get("http", "timeout") if ui.config is not None else 60.0
        self._timeout = float(timeout) if timeout else None
        self._caps = {}
        try:
            self._caps = protocol.parse_capabilities(self._read_all(self._request(
                "capabilities", {}, redirect=True), "capabilities"))
        except BaseException:
            self.close()
            raise

    # -- errors ---------------------------------------------------------------

    def _lost(self, exc: BaseException) -> Abort:
        return Abort(f"connection to {self.url} was lost: {type(exc).__name__}",
                     hint="the server closed the connection or the network failed; "
                          "nothing was changed, try again")

    def _check(self, response: Any) -> None:
        status = response.status_code
        reason = response.reason or ""
        if status == 401:
            raise Abort(f"authorization failed for {self.url}", hint=_AUTH_HINT)
        if status == 403:
            raise Abort(f"HTTP Error 403: {reason or 'Forbidden'} ({self.url})",
                        hint="the server refused this user; check your [auth] "
                             "credentials and the server's permissions")
        if status == 404:
            raise RepoError(f"'{self.url}' does not appear to be an hg repository "
                            f"(HTTP Error 404: {reason or 'Not Found'})")
        if status >= 400:
            raise Abort(f"HTTP Error {status}: {reason} ({self.url})")
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype == "application/hg-error":
            text = response.raw.read(4096).decode("utf-8", "replace").strip()
            raise Abort(f"remote error: {text.splitlines()[0] if text else 'unknown error'}")
        if not ctype.startswith("application/mercurial-"):
            raise RepoError(f"'{self.url}' does not appear to be an hg repository",
                            hint=f"the server answered with {ctype or 'no content type'}")

    # -- requests ---------------------------------------------------------------

    def _request(self, cmd: str, args: dict[str, str], *, body: IO[bytes] | None = None,
                 size: int = 0, redirect: bool = False) -> Any:
        import requests

        headers: dict[str, str] = {}
        data: Any = body
        method = "POST" if body is not None else "GET"
        if args and self.capable("httppostargs") and body is None:
            method = "POST"
            data = urlencode(sorted(args.items())).encode("ascii")
            headers[protocol.POSTARGS_HEADER] = str(len(data))
            headers["Content-Type"] = _MEDIA_01
        elif args:
            headers.update(protocol.encode_http_args(
                {k: v.encode("utf-8") for k, v in args.items()}, self._header_limit()))
        if body is not None:
            headers["Content-Type"] = _MEDIA_01
            headers["Content-Length"] = str(size)
        if "0.2tx" in str(self.capable("httpmediatype") or ""):
            offered = str(self.capable("compression") or "").split(",")
            comp = [c for c in _COMPRESSIONS if c in offered or c == "none"]
            headers[protocol.PROTO_HEADER + "1"] = protocol.format_proto_header(["0.1", "0.2"],
                                                                                comp)
        vary = [h for h in headers if h.startswith((protocol.ARG_HEADER, protocol.PROTO_HEADER))]
        if vary:
            headers["Vary"] = ",".join(vary)
        url = f"{self._base}?cmd={cmd}"
        try:
            response = self._session.request(method, url, headers=headers, data=data,
                                             stream=True, timeout=self._timeout,
                                             allow_redirects=redirect)
        except requests.exceptions.SSLError as exc:
            raise Abort(f"TLS handshake with {self.url} failed: {_reason(exc)}",
                        hint="the server's certificate must be valid and trusted by the "
                             "system's CA store (verification is never turned off)") from None
        except requests.exceptions.ConnectionError as exc:
            raise Abort(f"cannot reach {self.url}: {_reason(exc)}",
                        hint="check the URL and that the server is running") from None
        except requests.exceptions.Timeout:
            raise Abort(f"timed out waiting for {self.url}",
                        hint="the server is slow or unreachable; raise http.timeout") from None
        except requests.RequestException as exc:
            raise Abort(f"HTTP request to {self.url} failed: {_reason(exc)}") from None
        if redirect and response.history:
            self._follow(response.url)
        if 300 <= response.status_code < 400:
            raise Abort(f"unexpected redirect from {self.url} (HTTP {response.status_code})",
                        hint="use the repository's real URL")
        try:
            self._check(response)
        except BaseException:
            response.close()
            raise
        return response

    def _follow(self, real: str) -> None:
        """A redirected handshake moves the base URL, as hg does."""
        base = real.split("?", 1)[0].rstrip("/")
        if base != self._base:
            self._base = base
            self.url = split_credentials(base)[0]
            self.ui.status(f"real URL is {self.url}\n")

    def _header_limit(self) -> int:
        value = self.capable("httpheader")
        try:
            return max(256, int(str(value).split(",")[0])) if value is not True else 1024
        except ValueError:
            return 1024

    def _answer(self, response: Any, compressed_01: bool) -> Reader:
        """The decoded body: 0.2 names its compression, a 0.1 stream is zlib."""
        body = _Body(self, response)
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype == _MEDIA_02:
            size = body.read(1)
            name = body.read(size[0]).decode("ascii", "replace") if size else ""
            if name not in _COMPRESSIONS:
                raise Abort(f"{self.url} answered with unknown compression '{name}'")
            return decompressor(body, _COMPRESSIONS[name])
        return decompressor(body, "GZ") if compressed_01 else body

    def _read_all(self, response: Any, cmd: str) -> bytes:
        reader = self._answer(response, compressed_01=False)
        pieces, got = [], 0
        while True:
            piece = reader.read(_PIECE)
            if not piece:
                break
            got += len(piece)
            if got > _MAX_ANSWER:
                response.close()
                raise Abort(f"the answer to '{cmd}' from {self.url} is too large")
            pieces.append(piece)
        return b"".join(pieces)

    # -- transport -------------------------------------------------------------

    def _call(self, cmd: str, args: dict[str, str]) -> bytes:
        if cmd == "pushkey":
            # A write: servers accept it only as POST, so send an empty body.
            import io

            return self._read_all(self._request(cmd, args, body=io.BytesIO(), size=0), cmd)
        return self._read_all(self._request(cmd, args), cmd)

    def _callstream(self, cmd: str, args: dict[str, str]) -> Reader:
        return self._answer(self._request(cmd, args), compressed_01=True)

    def _callpush(self, cmd: str, body: IO[bytes], size: int, args: dict[str, str]
                  ) -> Reader:
        # A push reply is never compressed in the 0.1 media type (hg's "legacy" stream).
        return self._answer(self._request(cmd, args, body=body, size=size),
                            compressed_01=False)

    def close(self) -> None:
        self._session.close()


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, without URLs (they may hold secrets)."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "certificate verify failed",
                   "timed out", "Connection reset", "Temporary failure in name resolution"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
