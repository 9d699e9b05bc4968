"""The Twin harness itself: it must notice a difference, not only agree."""
from __future__ import annotations

import pytest


def test_same_catches_differing_output(twin):
    twin.write("a", "x\n")
    with pytest.raises(AssertionError):
        # `root` prints each copy's own path, which normalises to $ROOT;
        # `version` prints different programs' banners and must differ.
        twin.same("version", "-q")


def test_same_normalises_roots(twin):
    ra, rh = twin.same("root")
    assert ra.stdout != rh.stdout  # raw outputs differ only by the root


def test_state_sees_a_commit_on_one_side(twin, hg):
    assert twin.state(twin.a) == twin.state(twin.h)
    (twin.h / "f").write_text("data\n")
    hg("commit", "-A", "-m", "only hg", "-d", "0 0", cwd=twin.h)
    with pytest.raises(AssertionError, match="log differs"):
        twin.assert_same_state()
