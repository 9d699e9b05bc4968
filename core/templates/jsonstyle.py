"""``-T json``: one JSON object per changeset, in hg's exact layout.

hg indents keys by two spaces, braces by one, sorts the keys, and lists
every parent as a full hex node (the null node for a root).  The text is
assembled directly from a :class:`~amalgam.revset.names.RepoView` (cached
names and phases, changelog texts read a block at a time), because
``log -T json`` on a long history is all this.
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii as _string
from typing import TYPE_CHECKING

from amalgam.node import hex, nullrev
from amalgam.phases import PHASE_NAMES

if TYPE_CHECKING:
    from amalgam.revset.names import RepoView


def _strings(items: list[str]) -> str:
    return "[" + ", ".join(_string(item) for item in items) + "]"


def entry(view: RepoView, rev: int) -> str:
    """`` {\\n  "key": value,\\n ... }`` for changeset *rev*, no trailing newline."""
    cl = view.cl
    changeset = view.entry(rev)
    when, offset = changeset.date
    p1, p2 = view.parents(rev)
    parents = [hex(cl.node(p1))] + ([hex(cl.node(p2))] if p2 != nullrev else [])
    return (" {\n"
            f'  "bookmarks": {_strings(view.names("bookmarks", rev))},\n'
            f'  "branch": {_string(changeset.branch)},\n'
            f'  "date": [{int(when)}, {offset}],\n'
            f'  "desc": {_string(changeset.description)},\n'
            f'  "node": "{hex(cl.node(rev))}",\n'
            f'  "parents": {_strings(parents)},\n'
            f'  "phase": "{PHASE_NAMES[view.phase(rev)]}",\n'
            f'  "rev": {rev},\n'
            f'  "tags": {_strings(view.names("tags", rev))},\n'
            f'  "user": {_string(changeset.user)}\n'
            " }")
