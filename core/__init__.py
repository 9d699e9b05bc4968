"""Amalgam: a plugin-first, Mercurial-compatible version-control system.

The kernel lives in this package; hook specifications in ``amalgam.hooks``
and the built-in plugins in ``amalgam.plugins``.  Importing ``amalgam`` must
stay cheap: it is on every command's start-up path.
"""
from __future__ import annotations

__version__ = "0.1.0"
