"""Texts kept along delta chains while rebuilding them, shared by all revlogs.

Reading revision N of a chain applies every delta from the chain's
snapshot up to N.  Reading N, then N-1, N-2 ... (``log -p``, annotate,
newest-first walks) would re-apply nearly the whole chain each time.  So a
rebuild of a long chain keeps the text after every ``STEP`` deltas here,
and a later read of the same chain starts from the nearest kept text.  The
cache is process-wide and bounded in bytes, because a big commit opens
thousands of filelogs.  Kept texts are not trusted on their own: a read of
such a revision is hash-checked like any other.
"""
from __future__ import annotations

# _thread's lock and a plain (ordered) dict: threading and collections cost
# milliseconds of every command that reads a revlog.
from _thread import allocate_lock

#: deltas applied between two kept texts (so at most this many per later read)
STEP = 8
#: bytes kept in all, over every revlog of the process
BUDGET = 8 << 20
#: texts above this are not kept: a few would crowd out everything else
STEP_MAX_TEXT = 1 << 20
#: (revlog token, rev) -> text, oldest first
kept: dict[tuple[object, int], bytes] = {}
kept_bytes = 0
# A server reads from several threads: the table and its byte count change together.
_guard = allocate_lock()


def remember_step(key: tuple[object, int], text: bytes) -> None:
    """Keep *text* under *key* ``(revlog token, rev)``, dropping the oldest beyond the budget."""
    global kept_bytes
    with _guard:
        if key in kept:
            return
        kept[key] = text
        kept_bytes += len(text)
        while kept_bytes > BUDGET and kept:
            kept_bytes -= len(kept.pop(next(iter(kept))))


class Stops:
    """Where a chain walk can stop: a verified recent text or a kept step.

    A kept step found by ``in`` is pinned until ``get``, so another thread
    evicting it in between cannot make the walk's stop disappear.
    """

    __slots__ = ("cache", "token", "_pinned")

    def __init__(self, cache: dict[int, bytes], token: object) -> None:
        self.cache, self.token = cache, token
        self._pinned: tuple[object, bytes] | None = None

    def __contains__(self, rev: object) -> bool:
        if rev in self.cache:
            return True
        with _guard:
            text = kept.get((self.token, rev))
            if text is None:
                return False
            kept[self.token, rev] = kept.pop((self.token, rev))
        self._pinned = (rev, text)
        return True

    def get(self, rev: int) -> bytes:
        text = self.cache.get(rev)
        if text is None:
            pinned = self._pinned
            if pinned is None or pinned[0] != rev:
                raise KeyError(rev)
            text = pinned[1]
        return text
