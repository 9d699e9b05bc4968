"""Parsed TOML configuration files, cached so a warm start imports no parser.

Reading even a two-line config file imports ``tomllib`` (with ``re`` and
``datetime``), which costs about as much as the rest of amg's start-up.
The entries ``files.read_toml`` returns are therefore kept with
``marshal`` under ``$XDG_CACHE_HOME/amalgam/``, one file per config file,
keyed by the file's identity and timestamps (device, inode, size, mtime,
ctime) and by the parser (Python and Amalgam versions, the reader's own
source).  Any write to the config file changes its ctime, so a stored
entry is only trusted for the exact file it was read from.

Two rules keep that true on file systems with coarse timestamps: a file
changed less than ``_SETTLE_NS`` ago is not cached (a second write within
the same tick would keep its timestamps), and a file that changed while it
was read is not cached.  A damaged cache file is a miss, never an error;
a file that cannot be cached (a TOML date has no marshal form) is read
every time, as before.
"""
from __future__ import annotations

import marshal
import os
import sys

from amalgam.config import files

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from amalgam.config.files import Entry

#: Bumped whenever the stored layout changes.
_MAGIC = b"AMGCFG\x01\n"
_HEADER = len(_MAGIC) + 4  # magic, then the payload's crc32
#: How old a file's last change must be before its parse is cached.
_SETTLE_NS = 2 * 10**9
#: Cache files kept (newest first) when a new one is written, and their
#: longest life; a pruned one only costs one parse.
_KEEP_FILES = 64
_KEEP_SECONDS = 30 * 24 * 3600


def read_toml(path: str, environ: Mapping[str, str]) -> list[Entry] | None:
    """``files.read_toml(path)``, from the cache when the file is unchanged."""
    directory = _directory(environ)
    try:
        before = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        directory = None  # let the reader report it
    if directory is None:
        return files.read_toml(path)
    cache = os.path.join(directory, f"config-{_crc(path.encode('utf-8', 'surrogateescape')):08x}.cache")
    key = _key(path, before)
    entries = _load(cache, key)
    if entries is not None:
        return entries
    entries = files.read_toml(path)
    if entries is not None and _cacheable(path, before):
        _store(cache, key, entries)
    return entries


def _directory(environ: Mapping[str, str]) -> str | None:
    base = environ.get("XDG_CACHE_HOME") or (
        os.path.join(environ["HOME"], ".cache") if environ.get("HOME") else None)
    return os.path.join(base, "amalgam") if base else None


def _crc(data: bytes | memoryview) -> int:
    # zlib is imported only once a config file exists.
    import zlib

    return zlib.crc32(data)


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _key(path: str, st: os.stat_result) -> list[Any]:
    import amalgam

    try:
        reader = _stamp(os.stat(files.__file__))
    except (OSError, TypeError):
        reader = []
    return [path, *_stamp(st), sys.version, amalgam.__version__, reader]


def _cacheable(path: str, before: os.stat_result) -> bool:
    """Whether the file settled before it was read and did not change since."""
    import time

    try:
        after = os.stat(path)
    except OSError:
        return False
    changed = max(before.st_mtime_ns, before.st_ctime_ns)
    return _stamp(after) == _stamp(before) and time.time_ns() - changed >= _SETTLE_NS


def _load(cache: str, key: list[Any]) -> list[Entry] | None:
    try:
        with open(cache, "rb") as fp:
            blob = fp.read()
        payload = memoryview(blob)[_HEADER:]
        if (blob[:len(_MAGIC)] != _MAGIC
                or _crc(payload) != int.from_bytes(blob[len(_MAGIC):_HEADER], "big")):
            return None
        stored, entries = marshal.loads(payload)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if stored != key or not isinstance(entries, list) or not all(
            isinstance(e, tuple) and len(e) == 4 and isinstance(e[0], str)
            and isinstance(e[1], str) and isinstance(e[3], str) for e in entries):
        return None
    return entries


def _store(cache: str, key: list[Any], entries: list[Entry]) -> None:
    tmp = f"{cache}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps((key, entries))
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(tmp, "wb") as fp:
            fp.write(_MAGIC + _crc(data).to_bytes(4, "big") + data)
        os.replace(tmp, cache)
    except (OSError, ValueError):
        # An unwritable directory, or a value marshal cannot store (a TOML
        # date): the file is simply parsed every time.
        _unlink(tmp)
        return
    _prune(os.path.dirname(cache), keep=os.path.basename(cache))


def _prune(directory: str, keep: str) -> None:
    """Drop old cache files (and killed writers' temporary files)."""
    import time

    now = time.time()
    caches: list[tuple[float, str]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if not name.startswith("config-") or name == keep:
                    continue
                try:
                    mtime = entry.stat().st_mtime
                except OSError:
                    continue
                if name.endswith(".cache"):
                    caches.append((mtime, entry.path))
                elif name.endswith(".tmp") and mtime < now - 3600:
                    _unlink(entry.path)  # a live writer's is seconds old
    except OSError:
        return
    caches.sort(reverse=True)
    # *keep*, just written, is the newest of the _KEEP_FILES.
    for rank, (mtime, path) in enumerate(caches, start=2):
        if rank > _KEEP_FILES or mtime < now - _KEEP_SECONDS:
            _unlink(path)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
