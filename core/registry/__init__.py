"""The plugin registry: manifests, discovery and its cache, lazy import, and
the hook facade.

Importing this package is on every command's start-up path, so it pulls in
only the registry, its cached index and the facade; TOML and manifest
validation are imported when discovery must rescan, pluggy when a hook with
implementers is called.
"""
from __future__ import annotations

from amalgam.registry.facade import Hooks
from amalgam.registry.invocation import CommandInvocation
from amalgam.registry.registry import Registry

__all__ = ["CommandInvocation", "Hooks", "Registry"]
