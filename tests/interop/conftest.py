"""Fixtures for the hg-vs-amg scenario tests."""
from __future__ import annotations

import pytest

from .differential import Twin


@pytest.fixture
def twin(tmp_path, amg, hg):
    """A fresh empty repository in two copies (amg side, hg side)."""
    return Twin(tmp_path, amg, hg)
