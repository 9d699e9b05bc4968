"""The ``hello`` command; imported only when ``amg hello`` runs."""
from __future__ import annotations

from typing import Any


def hello(ui: Any, repo: Any, *names: str, greeting: str = "", **opts: Any) -> int:
    """greet someone

    Print a greeting for each NAME (default: world).  The greeting comes
    from -g/--greeting, else the hello.greeting config item.
    """
    greeting = greeting or ui.config.get("hello", "greeting")
    for name in names or ("world",):
        ui.write(f"{greeting}, {name}!\n")
    return 0
