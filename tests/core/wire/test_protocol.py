"""Round trips of every wire encoding pair, and hg's own encoders as an oracle."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amalgam.node import Node, hex
from amalgam.wire import protocol as p

nodes = st.lists(st.binary(min_size=20, max_size=20).map(Node), max_size=20)
names = st.text(min_size=1, max_size=20).filter(lambda s: "\n" not in s and "\t" not in s)
argnames = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_*", min_size=1, max_size=10)
cmdnames = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@given(st.binary())
def test_escape_roundtrip(data: bytes) -> None:
    escaped = p.escape_arg(data)
    assert not set(escaped) & set(b",;=")
    assert p.unescape_arg(escaped) == data


@given(st.lists(st.tuples(cmdnames, st.dictionaries(argnames, st.binary(), max_size=4)),
                min_size=1, max_size=5))
def test_batch_roundtrip(calls) -> None:
    assert p.decode_batch(p.encode_batch(calls)) == calls


@given(st.lists(st.binary(), min_size=1, max_size=5))
def test_batch_reply_roundtrip(results) -> None:
    assert p.decode_batch_reply(p.encode_batch_reply(results)) == results


def test_batch_matches_hg_example() -> None:
    # hg-formats.md 8.5.1: `heads ;known nodes=`
    assert p.encode_batch([("heads", {}), ("known", {"nodes": b""})]) == b"heads ;known nodes="
    assert p.decode_batch(b"heads ;known nodes=") == [("heads", {}), ("known", {"nodes": b""})]


@pytest.mark.parametrize("bad", [b"heads :x", b" nodes=1", b"known nodes", b"x a=:"])
def test_batch_malformed(bad: bytes) -> None:
    with pytest.raises(p.WireError):
        p.decode_batch(bad)


@given(nodes)
def test_nodes_roundtrip(ns) -> None:
    assert p.decode_nodes(p.encode_nodes(ns)) == ns
    assert p.decode_nodes(p.encode_nodes(ns) + b"\n") == ns


def test_nodes_malformed() -> None:
    with pytest.raises(p.WireError):
        p.decode_nodes(b"abc")
    with pytest.raises(p.WireError):
        p.decode_nodes(b"z" * 40)


@given(st.lists(st.booleans()))
def test_bools_roundtrip(values) -> None:
    assert p.decode_bools(p.encode_bools(values)) == values


def test_bools_malformed() -> None:
    with pytest.raises(p.WireError):
        p.decode_bools(b"012")


@given(st.dictionaries(names, st.text(max_size=40).filter(lambda s: "\n" not in s)))
def test_listkeys_roundtrip(keys) -> None:
    assert p.decode_listkeys(p.encode_listkeys(keys)) == keys


@given(st.dictionaries(names, st.lists(st.binary(min_size=20, max_size=20).map(Node),
                                       min_size=1, max_size=4)))
def test_branchmap_roundtrip(bmap) -> None:
    assert p.decode_branchmap(p.encode_branchmap(bmap)) == bmap


def test_branchmap_quotes_spaces() -> None:
    node = Node(b"\x11" * 20)
    assert p.encode_branchmap({"a b": [node]}) == b"a%20b " + hex(node).encode()


@given(st.dictionaries(st.text(alphabet="abcdefgh-", min_size=1, max_size=8),
                       st.one_of(st.none(), st.text(alphabet="abc,=%0123", max_size=8))))
def test_capabilities_roundtrip(caps) -> None:
    assert p.parse_capabilities(p.format_capabilities(caps)) == caps
    assert p.parse_capabilities(b"capabilities: " + p.format_capabilities(caps) + b"\n") == caps


@given(st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda s: "\n" not in s),
                       st.lists(st.text(min_size=1, max_size=6), max_size=3)))
def test_bundle2_caps_roundtrip(caps) -> None:
    assert p.decode_bundle2_caps(p.encode_bundle2_caps(caps)) == caps


@settings(max_examples=50)
@given(st.dictionaries(argnames, st.binary(max_size=300), max_size=6),
       st.integers(min_value=20, max_value=2000))
def test_http_args_roundtrip(args, maxlen) -> None:
    headers = p.encode_http_args(args, maxlen)
    assert all(len(k) + len(v) + 4 <= maxlen for k, v in headers.items())
    assert p.decode_http_args(headers) == args
    assert p.decode_http_args({k.lower(): v for k, v in headers.items()}) == args


def test_http_args_like_hg() -> None:
    # hg-formats.md 8.2.2 example.
    headers = p.encode_http_args({"cmds": b"heads ;known nodes="}, 1024)
    assert headers == {"X-HgArg-1": "cmds=heads+%3Bknown+nodes%3D"}


def test_proto_header() -> None:
    hdr = {"X-HgProto-1": "0.1 0.2 comp=zstd,zlib,none,bzip2 partial-pull"}
    assert p.parse_proto_header(hdr) == (["0.1", "0.2"], ["zstd", "zlib", "none", "bzip2"],
                                         {"partial-pull"})
    assert p.parse_proto_header({}) == (["0.1"], ["zlib", "none"], set())
    assert p.parse_proto_header(
        {"x-hgproto-1": p.format_proto_header(["0.1", "0.2"], ["zlib"], ["partial-pull"])}
    ) == (["0.1", "0.2"], ["zlib"], {"partial-pull"})


def test_against_hg_encoders() -> None:
    """hg's own (GPL, test-only) encoders agree with ours."""
    wireprototypes = pytest.importorskip("mercurial.wireprototypes")
    ns = [Node(bytes([i]) * 20) for i in range(3)]
    assert wireprototypes.encodelist(ns) == p.encode_nodes(ns)
    assert wireprototypes.escapebatcharg(b"a:b,c;d=e") == p.escape_arg(b"a:b,c;d=e")
    assert wireprototypes.unescapebatcharg(b"a:cb:oc:sd:ee") == p.unescape_arg(b"a:cb:oc:sd:ee")
