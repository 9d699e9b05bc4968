"""amg recover without a journal (crash recovery itself: tests/interop/test_crash.py)."""
from __future__ import annotations


def test_nothing_to_recover(amg, tmp_path):
    amg("init", "r", cwd=tmp_path)
    result = amg("recover", cwd=tmp_path / "r")
    assert (result.rc, result.out) == (1, b"")
    assert result.err == b"no interrupted transaction available\n"


def test_recover_outside_a_repository(amg, tmp_path):
    result = amg("recover", cwd=tmp_path)
    assert result.rc == 255
    assert result.err.startswith(b"abort: no repository found in ")
