"""Moved to ``amalgam.dates`` (the one date module); kept for old imports."""
from __future__ import annotations

from amalgam.dates import matcher

__all__ = ["matcher"]
