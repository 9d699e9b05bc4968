"""The conversation with Watchman: connect, watch the root, ask for a clock or changes.

Every failure of the service (not installed, not running, a socket that
is not Watchman, a Watchman that hangs past the timeout, an error reply)
becomes :class:`Unavailable` with a one-line reason, so the caller can
fall back to a normal walk.  ``pywatchman`` is imported here, only when a
status actually asks.
"""
from __future__ import annotations

import os
from typing import Any

#: Never look inside the repository's own metadata directory.
_NOT_HG = ["not", ["anyof", ["dirname", ".hg"], ["name", ".hg", "wholename"]]]


class Unavailable(Exception):
    """Watchman cannot answer; ``kind`` is the fallback reason to count."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Changes:
    """What a ``since`` query answered."""

    __slots__ = ("clock", "files", "fresh")

    def __init__(self, clock: str, files: list[bytes], fresh: bool) -> None:
        self.clock = clock
        self.files = files
        self.fresh = fresh


class Watch:
    """A connection to Watchman watching one repository root."""

    def __init__(self, root: str, sockpath: str | None, timeout: float) -> None:
        try:
            import pywatchman
        except ImportError as exc:
            raise Unavailable("unavailable", f"pywatchman is not installed ({exc})") from None
        self._pywatchman = pywatchman
        self._timeout = timeout
        self._client = pywatchman.client(sockpath=sockpath or None, timeout=timeout,
                                         valueEncoding=None, valueErrors=None)
        reply = self._call("watch-project", root)
        watch = reply.get("watch")
        if not isinstance(watch, bytes):
            raise Unavailable("error", "watch-project gave no root")
        self.watch = watch
        relative = reply.get("relative_path")
        self.relative = relative if isinstance(relative, bytes) and relative else None

    def close(self) -> None:
        self._client.close()

    def _call(self, *args: Any) -> dict[str, Any]:
        """One command; any failure of the service becomes :class:`Unavailable`."""
        pw = self._pywatchman
        try:
            reply = self._client.query(*args)
        except pw.SocketTimeout:
            raise Unavailable("timeout", f"watchman did not answer within "
                                         f"{self._timeout:g}s") from None
        except pw.CommandError as exc:
            raise Unavailable("error", f"watchman error: {_oneline(exc)}") from None
        except pw.WatchmanError as exc:
            raise Unavailable("unavailable", _oneline(exc)) from None
        except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError) as exc:
            # A socket that is not Watchman answers something BSER cannot decode.
            raise Unavailable("not-watchman",
                              f"the socket does not speak watchman ({_oneline(exc)})") from None
        if not isinstance(reply, dict):
            raise Unavailable("not-watchman", "the socket does not speak watchman")
        return reply

    def _query_base(self) -> dict[str, Any]:
        query: dict[str, Any] = {"sync_timeout": int(self._timeout * 1000)}
        if self.relative is not None:
            query["relative_root"] = os.fsdecode(self.relative)
        return query

    def clock(self) -> str:
        """The current clock, after Watchman has seen every change made so far."""
        reply = self._call("clock", self.watch, {"sync_timeout": int(self._timeout * 1000)})
        return _clock(reply)

    def since(self, clock: str) -> Changes:
        """Paths changed since *clock* (nothing listed for a fresh instance)."""
        query = self._query_base()
        query.update({"since": clock, "fields": ["name"], "expression": _NOT_HG,
                      "empty_on_fresh_instance": True})
        reply = self._call("query", self.watch, query)
        return Changes(_clock(reply), self._files(reply), bool(reply.get("is_fresh_instance")))


    def all_files(self) -> list[bytes]:
        """Every path Watchman knows under the root (existing files only)."""
        query = self._query_base()
        query.update({"fields": ["name"], "expression": ["allof", _NOT_HG, ["exists"]]})
        return self._files(self._call("query", self.watch, query))

    @staticmethod
    def _files(reply: dict[str, Any]) -> list[bytes]:
        files = reply.get("files")
        if not isinstance(files, list) or not all(isinstance(f, bytes) for f in files):
            raise Unavailable("not-watchman", "watchman sent a malformed file list")
        return files


def _clock(reply: dict[str, Any]) -> str:
    clock = reply.get("clock")
    if isinstance(clock, bytes):
        clock = clock.decode("ascii", "replace")
    if not isinstance(clock, str) or not clock or "\n" in clock or "\0" in clock:
        raise Unavailable("not-watchman", "watchman sent no usable clock")
    return clock


def _oneline(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
