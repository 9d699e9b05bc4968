"""Encodings of hg's wire protocol version 1, shared by server and client.

Every value that crosses the wire (batch calls, node lists, booleans,
pushkey dictionaries, branch maps, capabilities, HTTP argument headers) is
encoded and decoded here, once, so the HTTP and SSH transports on both sides
only move bytes.  Facts: hg-formats.md section 8.  Decoders raise
:class:`WireError` on malformed input; they never trust a length or a count.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote, unquote, unquote_to_bytes, urlencode

from amalgam.error import Abort
from amalgam.node import Node, bin, hex

#: Header names of the HTTP transport.
ARG_HEADER = "X-HgArg-"
PROTO_HEADER = "X-HgProto-"
POSTARGS_HEADER = "X-HgArgs-Post"
#: ``X-HgArg-000: `` plus ``\r\n`` -- what each header line costs beyond its value.
_HEADER_OVERHEAD = len("X-HgArg-000") + len(": \r\n")
#: At most this many ``X-HgArg-N`` / ``X-HgProto-N`` headers are read back.
MAX_HEADERS = 1000

# Batch escaping: ":" first so the escapes themselves survive.
_ESCAPES = ((b":", b":c"), (b",", b":o"), (b";", b":s"), (b"=", b":e"))
_UNESCAPES = {b"c": b":", b"o": b",", b"s": b";", b"e": b"="}


class WireError(Abort):
    """The peer broke the wire protocol (malformed argument, frame or header)."""


# -- batch ------------------------------------------------------------------


def escape_arg(b: bytes) -> bytes:
    """Escape ``:`` ``,`` ``;`` ``=`` so *b* can sit inside a batch request or reply."""
    for plain, escaped in _ESCAPES:
        b = b.replace(plain, escaped)
    return b


def unescape_arg(b: bytes) -> bytes:
    """Inverse of :func:`escape_arg`; a dangling or unknown escape is an error."""
    if b":" not in b:
        return b
    out = bytearray()
    i, n = 0, len(b)
    while i < n:
        ch = b[i:i + 1]
        if ch != b":":
            out += ch
            i += 1
            continue
        code = b[i + 1:i + 2]
        if code not in _UNESCAPES:
            raise WireError("malformed batch escape sequence")
        out += _UNESCAPES[code]
        i += 2
    return bytes(out)


def encode_batch(calls: list[tuple[str, dict[str, bytes]]]) -> bytes:
    """The ``cmds`` argument of ``batch``: ``name k=v,k=v;name ...``."""
    parts = []
    for name, args in calls:
        encoded = b",".join(escape_arg(k.encode()) + b"=" + escape_arg(v)
                            for k, v in sorted(args.items()))
        parts.append(name.encode("ascii") + b" " + encoded)
    return b";".join(parts)


def decode_batch(data: bytes) -> list[tuple[str, dict[str, bytes]]]:
    """Parse a ``cmds`` argument into ``(command, arguments)`` pairs."""
    calls: list[tuple[str, dict[str, bytes]]] = []
    if not data:
        return calls
    for piece in data.split(b";"):
        name, _sep, rest = piece.partition(b" ")
        if not name or not name.isascii():
            raise WireError("malformed batch request: bad command name")
        args: dict[str, bytes] = {}
        if rest:
            for pair in rest.split(b","):
                key, sep, value = pair.partition(b"=")
                if not sep:
                    raise WireError("malformed batch request: argument without '='")
                try:
                    args[unescape_arg(key).decode("ascii")] = unescape_arg(value)
                except UnicodeDecodeError:
                    raise WireError("malformed batch request: bad argument name") from None
        calls.append((name.decode("ascii"), args))
    return calls


def encode_batch_reply(results: Iterable[bytes]) -> bytes:
    """The ``batch`` reply: every result escaped, joined by ``;``."""
    return b";".join(escape_arg(r) for r in results)


def decode_batch_reply(data: bytes) -> list[bytes]:
    return [unescape_arg(r) for r in data.split(b";")]


# -- simple value types -------------------------------------------------------


def encode_nodes(nodes: Iterable[bytes]) -> bytes:
    """Hex node ids separated by single spaces (empty list: empty string)."""
    return " ".join(hex(n) for n in nodes).encode("ascii")


def decode_nodes(data: bytes) -> list[Node]:
    """Inverse of :func:`encode_nodes`; tolerates a trailing newline (``heads``)."""
    try:
        return [bin(word) for word in data.split()]
    except ValueError:
        raise WireError("malformed node list", hint="expected 40-digit hex ids") from None


def encode_bools(values: Iterable[bool]) -> bytes:
    return bytes(b"1"[0] if v else b"0"[0] for v in values)


def decode_bools(data: bytes) -> list[bool]:
    data = data.rstrip(b"\n")
    if data.strip(b"01"):
        raise WireError("malformed boolean list", hint="expected only '0' and '1'")
    return [c == 0x31 for c in data]


def decode_bool(data: bytes) -> bool:
    """A boolean argument: any non-empty value other than ``0`` is true (like hg)."""
    return bool(data) and data != b"0"


def encode_listkeys(keys: Mapping[str, str]) -> bytes:
    """A pushkey namespace: ``key<TAB>value`` lines, keys sorted, no final newline."""
    return "\n".join(f"{k}\t{v}" for k, v in sorted(keys.items())).encode("utf-8")


def decode_listkeys(data: bytes) -> dict[str, str]:
    result: dict[str, str] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("malformed listkeys reply: not UTF-8") from None
    for line in text.split("\n"):
        if not line:
            continue
        key, sep, value = line.partition("\t")
        if not sep:
            raise WireError("malformed listkeys reply: line without a tab")
        result[key] = value
    return result


def encode_branchmap(branches: Mapping[str, list[Node]]) -> bytes:
    """``<url-quoted branch> <hex> <hex>...`` lines, no final newline."""
    lines = []
    for name, heads in sorted(branches.items()):
        words = [quote(name.encode("utf-8"), safe="")] + [hex(n) for n in heads]
        lines.append(" ".join(words))
    return "\n".join(lines).encode("ascii")


def decode_branchmap(data: bytes) -> dict[str, list[Node]]:
    result: dict[str, list[Node]] = {}
    for line in data.split(b"\n"):
        if not line:
            continue
        words = line.split(b" ")
        try:
            name = unquote_to_bytes(words[0]).decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("malformed branchmap reply: branch name not UTF-8") from None
        result[name] = decode_nodes(b" ".join(words[1:]))
    return result


# -- capabilities ---------------------------------------------------------------


def parse_capabilities(data: bytes) -> dict[str, str | None]:
    """``name`` or ``name=value`` tokens; also accepts the ssh ``capabilities: `` form."""
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise WireError("malformed capabilities: not ASCII") from None
    if text.startswith("capabilities:"):
        text = text[len("capabilities:"):]
    caps: dict[str, str | None] = {}
    for token in text.split():
        name, sep, value = token.partition("=")
        caps[name] = value if sep else None
    return caps


def format_capabilities(caps: Mapping[str, str | None]) -> bytes:
    """Sorted space-separated tokens (the ``capabilities`` reply, no newline)."""
    return " ".join(name if value is None else f"{name}={value}"
                    for name, value in sorted(caps.items())).encode("ascii")


def encode_bundle2_caps(caps: dict[str, list[str]]) -> str:
    """The value of the ``bundle2=`` capability / bundlecaps token (quoted blob)."""
    from amalgam.exchange.bundle2 import encode_caps

    return quote(encode_caps(caps), safe="")


def decode_bundle2_caps(value: str) -> dict[str, list[str]]:
    from amalgam.exchange.bundle2 import decode_caps

    return decode_caps(unquote(value))


# -- HTTP argument and protocol headers ------------------------------------------


def encode_http_args(args: Mapping[str, bytes], maxlen: int) -> dict[str, str]:
    """``X-HgArg-N`` headers carrying *args* (server advertised ``httpheader=maxlen``)."""
    encoded = urlencode(sorted(args.items()))
    size = maxlen - _HEADER_OVERHEAD
    if size <= 0:
        raise WireError(f"httpheader limit {maxlen} is too small for any argument")
    return {f"{ARG_HEADER}{i + 1}": encoded[start:start + size]
            for i, start in enumerate(range(0, len(encoded), size))}


def _joined_headers(headers: Mapping[str, str], prefix: str) -> str:
    """Concatenate ``prefix1``, ``prefix2``, ... until one is missing (case-blind)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    pieces = []
    for i in range(1, MAX_HEADERS + 1):
        value = lowered.get(f"{prefix.lower()}{i}")
        if value is None:
            break
        pieces.append(value)
    return "".join(pieces)


def decode_query(query: str | bytes) -> dict[str, bytes]:
    """Parse a form-urlencoded argument string (values stay bytes)."""
    if isinstance(query, bytes):
        try:
            query = query.decode("ascii")
        except UnicodeDecodeError:
            raise WireError("malformed arguments: not URL-encoded ASCII") from None
    args: dict[str, bytes] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        key, _sep, value = pair.partition("=")
        name = unquote(key.replace("+", " "))
        args[name] = unquote_to_bytes(value.replace("+", " "))
    return args


def decode_http_args(headers: Mapping[str, str]) -> dict[str, bytes]:
    """Arguments carried by ``X-HgArg-N`` headers (empty dict when there are none)."""
    return decode_query(_joined_headers(headers, ARG_HEADER))


def parse_proto_header(headers: Mapping[str, str]) -> tuple[list[str], list[str], set[str]]:
    """``X-HgProto-N``: (media type versions, compression engines in client order, others).

    Without the header hg assumes ``0.1`` and ``comp=zlib,none``.
    """
    text = _joined_headers(headers, PROTO_HEADER)
    if not text:
        return ["0.1"], ["zlib", "none"], set()
    versions: list[str] = []
    engines: list[str] = []
    others: set[str] = set()
    for token in text.split():
        if token.startswith("comp="):
            engines = [e for e in token[len("comp="):].split(",") if e]
        elif token[:1].isdigit():
            versions.append(token)
        else:
            others.add(token)
    return versions or ["0.1"], engines, others


def format_proto_header(versions: Iterable[str], engines: Iterable[str],
                        others: Iterable[str] = ()) -> str:
    """The value of ``X-HgProto-1`` a client sends (inverse of :func:`parse_proto_header`)."""
    tokens = list(versions)
    engines = list(engines)
    if engines:
        tokens.append("comp=" + ",".join(engines))
    tokens.extend(sorted(others))
    return " ".join(tokens)
