"""apply_stream tells a short stream from a stream that fails to decode."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from amalgam.error import Abort
from amalgam.exchange.bundle import apply_stream
from amalgam.repo import Repository
from amalgam.ui import UI


class Failing:
    """A stream whose decoder breaks, as a corrupt compressed wire bundle does."""

    def read(self, size: int = -1) -> bytes:
        raise Abort("decompression failed: corrupt zstd frame")


@pytest.mark.parametrize("data", [b"", b"HG"])
def test_short_stream_is_not_a_bundle(tmp_path: Path, data: bytes) -> None:
    repo = Repository.create(str(tmp_path / "r"), UI())
    with pytest.raises(Abort, match="empty or too short"):
        apply_stream(repo, UI(), io.BytesIO(data), source="unbundle")
    assert len(repo.changelog.revlog) == 0


def test_decoding_error_keeps_its_message(tmp_path: Path) -> None:
    repo = Repository.create(str(tmp_path / "r"), UI())
    with pytest.raises(Abort, match="corrupt zstd frame"):
        apply_stream(repo, UI(), Failing(), source="unbundle")
    assert len(repo.changelog.revlog) == 0
