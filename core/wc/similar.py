"""Rename detection for ``addremove -s``: pair removed files with similar added ones.

Identical contents are paired first (100%); then every remaining pair is
scored as twice the bytes of matching lines over the two sizes, and each
added file takes its best-scoring source at or above the threshold.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.wc.dirstate import DirState


def score(old: bytes, new: bytes) -> float:
    """Similarity of two texts between 0 and 1, by matching lines."""
    from difflib import SequenceMatcher

    if not old and not new:
        return 1.0
    a, b = old.splitlines(True), new.splitlines(True)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    equal = sum(sum(len(line) for line in a[i:i + n]) for i, _, n in matcher.get_matching_blocks())
    return equal * 2.0 / (len(old) + len(new))


def find_renames(repo: Repository, ds: DirState, added: list[bytes], removed: list[bytes],
                 threshold: float) -> dict[bytes, tuple[bytes, float]]:
    """``{dest: (source, score)}`` for added files that look like removed ones."""
    if not added or not removed:
        return {}
    manifest = repo.manifest_of(ds.p1())
    root = os.fsencode(repo.root)
    sources: dict[bytes, bytes] = {}
    for path in removed:
        entry = manifest.get(path)
        if entry is not None:
            data = repo.file(path).read(entry[0])
            if data:
                sources[path] = data
    targets: dict[bytes, bytes] = {}
    for path in added:
        try:
            with open(os.path.join(root, path), "rb") as fp:
                data = fp.read()
        except OSError:
            continue
        if data:
            targets[path] = data
    found: dict[bytes, tuple[bytes, float]] = {}
    by_content = {}
    for path, data in sources.items():
        by_content.setdefault(data, path)
    for dest, data in targets.items():
        source = by_content.get(data)
        if source is not None:
            found[dest] = (source, 1.0)
    if threshold < 1.0:
        from amalgam.merge.progress import Progress

        with Progress(repo.ui, "searching for similar files", len(targets), "files") as bar:
            _best_matches(sources, targets, threshold, found, bar)
    return found


def _best_matches(sources: dict[bytes, bytes], targets: dict[bytes, bytes], threshold: float,
                  found: dict[bytes, tuple[bytes, float]], bar: Any) -> None:
    """Give each unpaired target its most similar source at or above *threshold*."""
    for count, (dest, data) in enumerate(targets.items()):
        bar.update(count)
        if dest in found:
            continue
        best: tuple[bytes, float] | None = None
        for source, old in sources.items():
            value = score(old, data)
            if value >= threshold and (best is None or value > best[1]):
                best = (source, value)
        if best is not None:
            found[dest] = best
