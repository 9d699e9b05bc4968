"""``-T json``: one JSON object per changeset, in hg's exact layout.

hg indents keys by two spaces, braces by one, sorts the keys, and lists
every parent as a full hex node (the null node for a root).
"""
from __future__ import annotations

from typing import Any

from amalgam.templates.filters import dumps


def fields(ctx: Any) -> dict[str, Any]:
    when, offset = ctx.date()
    return {
        "bookmarks": list(ctx.bookmarks()),
        "branch": ctx.branch(),
        "date": [int(when), offset],
        "desc": ctx.description(),
        "node": ctx.hex(),
        "parents": [p.hex() for p in ctx.parents()],
        "phase": ctx.phasestr(),
        "rev": ctx.rev,
        "tags": [t for t in ctx.tags()],
        "user": ctx.user(),
    }


def entry(ctx: Any) -> str:
    """`` {\\n  "key": value,\\n ... }`` for one changeset, no trailing newline."""
    body = ",\n".join(f"  {dumps(key)}: {dumps(value)}"
                      for key, value in sorted(fields(ctx).items()))
    return " {\n" + body + "\n }"
