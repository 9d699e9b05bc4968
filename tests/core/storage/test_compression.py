"""Chunk compression: round trips, bounds, and zstd contexts per thread."""
from __future__ import annotations

import os
import threading

import pytest

from amalgam.error import StorageError
from amalgam.storage import compression


@pytest.mark.parametrize("engine", ["zlib", "zstd"])
def test_round_trip_and_small_inputs_stay_plain(engine):
    data = b"line of text\n" * 500
    chunk = compression.compress(data, engine)
    assert len(chunk) < len(data)
    assert compression.decompress(chunk, len(data)) == data
    tiny = b"abc"
    assert compression.decompress(compression.compress(tiny, engine), 3) == tiny


def test_zstd_frame_larger_than_its_bound_is_refused():
    chunk = compression.compress(b"x" * 10_000, "zstd")
    with pytest.raises(StorageError):
        compression.decompress(chunk, 100)


def test_threads_compress_and_decompress_at_once():
    # One shared zstd context corrupted data when a server's threads
    # decompressed concurrently; each thread must get its own.
    texts = [os.urandom(64) * 2000 + bytes([i]) for i in range(8)]
    chunks = [compression.compress(t, "zstd") for t in texts]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(200):
                assert compression.decompress(chunks[i], len(texts[i])) == texts[i]
                assert compression.decompress(
                    compression.compress(texts[i], "zstd"), len(texts[i])) == texts[i]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
