"""``-T json``: one JSON object per changeset, in hg's exact layout.

hg indents keys by two spaces, braces by one, sorts the keys, lists every
parent as a full hex node (the null node for a root) and writes non-ASCII
text as it is (only the ``json`` filter escapes it).  The text is
assembled directly from a :class:`~amalgam.revset.names.RepoView` (cached
names and phases, changelog texts read a block at a time), because
``log -T json`` on a long history is all this.
"""
from __future__ import annotations

from json.encoder import encode_basestring as _string
from typing import TYPE_CHECKING

from amalgam.node import hex, nullrev
from amalgam.phases import PHASE_NAMES

if TYPE_CHECKING:
    from amalgam.revset.names import RepoView


def _strings(items: list[str]) -> str:
    return "[" + ", ".join(_string(item) for item in items) + "]"


def entry(view: RepoView, rev: int, level: str = "", *, copies: bool = False) -> str:
    """`` {\\n  "key": value,\\n ... }`` for changeset *rev*, no trailing newline.

    *level* is ``quiet`` (node and rev only), ``verbose`` (adds the files) or
    ``debug`` (adds the manifest, the extras and the files split by status);
    verbose with *copies* (log's --copies) adds the copies, when there are any.
    """
    cl = view.cl
    if level == "quiet":
        return f' {{\n  "node": "{hex(cl.node(rev))}",\n  "rev": {rev}\n }}'
    changeset = view.entry(rev)
    when, offset = changeset.date
    p1, p2 = view.parents(rev)
    parents = [hex(cl.node(p1))] + ([hex(cl.node(p2))] if p2 != nullrev else [])
    fields = {
        "bookmarks": _strings(view.names("bookmarks", rev)),
        "branch": _string(changeset.branch),
        "date": f"[{int(when)}, {offset}]",
        "desc": _string(changeset.description),
        "node": f'"{hex(cl.node(rev))}"',
        "parents": _strings(parents),
        "phase": f'"{PHASE_NAMES[view.phase(rev)]}"',
        "rev": str(rev),
        "tags": _strings(view.names("tags", rev)),
        "user": _string(changeset.user),
    }
    if level == "verbose":
        fields["files"] = _paths(changeset.files)
        if copies:
            fields.update(_copies(view, rev))
    elif level == "debug":
        fields.update(_debug_fields(view, rev))
    body = ",\n".join(f"  {_string(key)}: {value}" for key, value in sorted(fields.items()))
    return " {\n" + body + "\n }"


def _paths(paths: list[bytes]) -> str:
    return _strings([p.decode("utf-8", "surrogateescape") for p in paths])


def _debug_fields(view: RepoView, rev: int) -> dict[str, str]:
    """The manifest, the extras and the changed files by status, as ``--debug`` adds them."""
    from amalgam.context import changectx
    from amalgam.templates.keywords import changed_files

    ctx = changectx(view.repo, rev)
    modified, added, removed = changed_files(ctx)
    extra = ", ".join(f"{_string(k)}: {_string(v)}" for k, v in sorted(ctx.extra().items()))
    return {"added": _paths(added), "extra": "{" + extra + "}",
            "manifest": f'"{hex(ctx.manifestnode())}"', "modified": _paths(modified),
            "removed": _paths(removed)}


def _copies(view: RepoView, rev: int) -> dict[str, str]:
    from amalgam.context import changectx
    from amalgam.templates.keywords import file_copies

    found = file_copies(changectx(view.repo, rev), {}).items
    if not found:
        return {}
    pairs = ", ".join(f"{_string(item['name'])}: {_string(item['source'])}" for item in found)
    return {"copies": "{" + pairs + "}"}
