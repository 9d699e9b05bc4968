"""Working-copy helpers: rename similarity.

(The ``-d`` date tests moved to tests/core/test_dates.py with the one date
module, ``amalgam.dates``.)
"""
from __future__ import annotations

import pytest

from amalgam.wc.similar import score


def test_similarity_score():
    assert score(b"a\nb\nc\nd\n", b"a\nb\nc\nd\n") == 1.0
    assert score(b"a\nb\nc\nd\n", b"a\nb\nc\nX\n") == pytest.approx(0.75)
    assert score(b"one\n", b"two\n") == 0.0
