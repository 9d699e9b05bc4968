"""Named remote paths: ``[paths]`` from configuration and ``.hg/hgrc``."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam.error import InputError

if TYPE_CHECKING:
    from amalgam.ui import UI


def items(ui: UI) -> list[tuple[str, str]]:
    config = ui.config
    return [(name, str(value)) for name, value in config.items("paths")] if config else []


def resolve(ui: UI, repo: Any, name: str | None, defaults: tuple[str, ...] = ("default",)
            ) -> tuple[str, str]:
    """``(label, location)`` for a path name, a location, or the first default set."""
    known = dict(items(ui))
    if name is None:
        for candidate in defaults:
            if candidate in known:
                return candidate, _absolute(repo, known[candidate])
        raise InputError("default repository not configured!",
                         hint="see 'amg help config.paths'")
    if name in known:
        return name, _absolute(repo, known[name])
    return name, name


def _absolute(repo: Any, location: str) -> str:
    """Relative locations in a repository's configuration are relative to its root."""
    if "://" in location or location.startswith("file:") or os.path.isabs(location):
        return location
    base = repo.root if repo is not None else os.getcwd()
    return os.path.normpath(os.path.join(base, os.path.expanduser(location)))
