"""A commit's default date: now, with the machine's offset exactly as hg records it."""
from __future__ import annotations

import time

import pytest

from amalgam import repo as repomod


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York",
                                  "Australia/Lord_Howe", "Europe/London"])
def test_the_offset_is_the_one_hg_records(monkeypatch, zone):
    pytest.importorskip("mercurial")
    from mercurial.utils import dateutil  # oracle only

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        before = time.time()
        when, offset = repomod._now()
        assert before <= when <= time.time()
        assert dateutil.makedate(when) == (when, offset)
        # Either side of a daylight-saving change too (2024-03-31 and 2024-10-27 in Europe).
        for instant in (1711846800.0 - 1, 1711846800.0 + 1, 1729990800.0 + 1):
            monkeypatch.setattr(time, "time", lambda: instant)
            assert repomod._now() == dateutil.makedate(instant)
    finally:
        monkeypatch.undo()
        time.tzset()
