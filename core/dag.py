"""Walks over the revision graph that many commands share."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amalgam.repo import Repository


def ancestors(repo: Repository, revs: Iterable[int]) -> set[int]:
    """*revs* and every revision they descend from (the null revision left out)."""
    parentrevs = repo.changelog.revlog.parentrevs
    seen = {rev for rev in revs if rev >= 0}
    stack = list(seen)
    while stack:
        for parent in parentrevs(stack.pop()):
            if parent >= 0 and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen
