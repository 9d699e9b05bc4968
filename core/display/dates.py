"""Moved to ``amalgam.dates`` (the one date module); kept for old imports."""
from __future__ import annotations

from amalgam.dates import Date, datestr, local_offset, matcher, shortdate, tzstr

__all__ = ["Date", "datestr", "local_offset", "matcher", "shortdate", "tzstr"]
