"""The read-ahead window serves in-order and newest-first reads alike."""
from __future__ import annotations

from amalgam.storage import revlog, revlog_io

SIZE = 1 << 20
CONTENT = bytes(i * 7 % 251 for i in range(SIZE))


def _reader(monkeypatch):
    calls: list[tuple[int, int]] = []

    def read_chunks(opener, path, starts, lengths):
        calls.extend(zip(starts, lengths))
        return [CONTENT[s:s + n] for s, n in zip(starts, lengths)]

    monkeypatch.setattr(revlog_io, "read_chunks", read_chunks)
    return revlog_io.ReadAhead(), calls


def test_newest_first_reads_open_the_file_once_per_window(monkeypatch):
    ahead, calls = _reader(monkeypatch)
    for start in range(SIZE - 100, -1, -100):
        assert ahead.read(None, b"f", [start], [100], SIZE) == [CONTENT[start:start + 100]]
    assert len(calls) <= SIZE // revlog_io.ReadAhead.WINDOW + 2


def test_in_order_reads_open_the_file_once_per_window(monkeypatch):
    ahead, calls = _reader(monkeypatch)
    for start in range(0, SIZE - 100, 100):
        assert ahead.read(None, b"f", [start], [100], SIZE) == [CONTENT[start:start + 100]]
    assert len(calls) <= SIZE // revlog_io.ReadAhead.WINDOW + 2


def test_node_hashes_are_the_same_through_either_sha1(monkeypatch):
    import hashlib
    import sys

    text, p1, p2 = b"some text\n" * 10, b"\1" * 20, b"\2" * 20
    expected = hashlib.sha1(p1 + p2 + text).digest()
    monkeypatch.setattr(revlog, "_builtin_left", 5)
    monkeypatch.delitem(sys.modules, "hashlib")  # as at start-up: the builtin one is used
    assert revlog._sha1_for(len(text)).__module__ == "_sha1"
    assert revlog.hashrevision(text, p2, p1) == expected
    monkeypatch.setattr(revlog, "_builtin_left", 0)  # budget spent: OpenSSL's
    assert revlog.hashrevision(text, p1, p2) == expected
