"""What fsmonitor remembers between two statuses, and its fallback counters.

``.hg/fsmonitor.amg-state`` (Amalgam's own file: hg's fsmonitor keeps
``.hg/fsmonitor.state`` and each tool's notable files describe its own
last status) holds::

    amalgam-fsmonitor <VERSION>\\n
    <sha1 hex of everything after this line>\\n
    host <hostname>\\n
    clock <watchman clock>\\n
    ignore <sha1 hex of the ignore rules>\\n
    dirstate <inode> <size> <mtime_ns> | dirstate none\\n
    dirstate-key <sha1 hex of that dirstate>\\n      (optional)
    \\n
    <notable path>\\0<notable path>\\0...

The notable paths are the last status's modified, added, removed, deleted
and unknown files: Watchman will not report them again, yet they still
differ from the dirstate.  ``.hg/fsmonitor.dirstate`` is a hard link to the
dirstate the state was saved against, so a later status can tell which
entries another command changed (the dirstate is always replaced by
rename, so the link keeps the old contents); when the kernel remembers
what its last writes changed (``DirState.changed_since``), the SHA-1 of
that dirstate is enough and nothing is compared.

``.hg/fsmonitor.amg-stats`` (JSON) counts each fallback to a full walk by
reason and remembers the last one; it is written only when a fallback
happens.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import TYPE_CHECKING, Any

from amalgam.error import AmalgamError

if TYPE_CHECKING:
    from amalgam.repo import Repository

VERSION = 1
STATE_FILE = "fsmonitor.amg-state"
STATS_FILE = "fsmonitor.amg-stats"
DIRSTATE_LINK = "fsmonitor.dirstate"
_MAGIC = b"amalgam-fsmonitor"

Identity = tuple[int, int, int]


class Invalid(Exception):
    """The saved state cannot be used; ``kind`` is the fallback reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class State:
    """A saved clock and what it is valid for."""

    __slots__ = ("host", "clock", "ignore", "dirstate", "notable", "key")

    def __init__(self, host: str, clock: str, ignore: str, dirstate: Identity | None,
                 notable: list[bytes], key: bytes | None = None) -> None:
        self.host = host
        self.clock = clock
        self.ignore = ignore
        self.dirstate = dirstate
        self.notable = notable
        #: SHA-1 of the dirstate the status ran against, when known
        self.key = key

    def encode(self) -> bytes:
        ident = "none" if self.dirstate is None else " ".join(map(str, self.dirstate))
        key = "" if self.key is None else f"dirstate-key {self.key.hex()}\n"
        body = (f"host {self.host}\nclock {self.clock}\nignore {self.ignore}\n"
                f"dirstate {ident}\n{key}\n").encode("utf-8", "surrogateescape")
        body += b"".join(path + b"\0" for path in self.notable)
        digest = hashlib.sha1(body).hexdigest().encode("ascii")
        return b"%s %d\n%s\n%s" % (_MAGIC, VERSION, digest, body)


def decode(data: bytes) -> State:
    """Parse a state file; anything unexpected raises :class:`Invalid`."""
    magic, _, rest = data.partition(b"\n")
    name, _, version = magic.partition(b" ")
    if name != _MAGIC or not version.isdigit():
        raise Invalid("corrupt-state", "the state file is not fsmonitor's")
    if int(version) != VERSION:
        raise Invalid("other-version", f"the state file has version {int(version)}, "
                                       f"this plugin writes {VERSION}")
    digest, _, body = rest.partition(b"\n")
    if hashlib.sha1(body).hexdigest().encode("ascii") != digest:
        raise Invalid("corrupt-state", "the state file is truncated or corrupt")
    head, sep, files = body.partition(b"\n\n")
    fields: dict[str, str] = {}
    for line in head.decode("utf-8", "surrogateescape").split("\n"):
        key, _, value = line.partition(" ")
        fields[key] = value
    try:
        host, clock, ignore, ident = (fields["host"], fields["clock"], fields["ignore"],
                                      fields["dirstate"])
        dirstate = None if ident == "none" else _identity(ident)
        key = bytes.fromhex(fields["dirstate-key"]) if "dirstate-key" in fields else None
    except (KeyError, ValueError):
        raise Invalid("corrupt-state", "the state file misses a field") from None
    if not sep or (files and not files.endswith(b"\0")):
        raise Invalid("corrupt-state", "the state file is truncated or corrupt")
    return State(host, clock, ignore, dirstate, files.split(b"\0")[:-1] if files else [],
                 key)


def _identity(text: str) -> Identity:
    parts = [int(p) for p in text.split()]
    if len(parts) != 3:
        raise ValueError(text)
    return parts[0], parts[1], parts[2]


def hostname() -> str:
    """This host's name, as ``socket.gethostname()`` gives it (without importing socket)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return uname().nodename
    import socket

    return socket.gethostname()


def load(repo: Repository) -> State:
    """The saved state of *repo*, checked against this host; or :class:`Invalid`."""
    data = repo.vfs.tryread(STATE_FILE)
    if not data:
        raise Invalid("no-state", "no saved state")
    state = decode(data)
    if state.host != hostname():
        raise Invalid("other-host", f"the state was saved on {state.host!r}")
    return state


def save(repo: Repository, state: State) -> None:
    """Write the state and its dirstate link; the caller holds the wlock."""
    repo.vfs.write(STATE_FILE, state.encode(), atomictemp=True)


def identity(path: str) -> Identity | None:
    """The stat signature the kernel also uses to notice a replaced dirstate."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def link_dirstate(repo: Repository) -> Identity | None:
    """Hard-link the current dirstate aside; its identity, or None if impossible."""
    link = repo.vfs.join(DIRSTATE_LINK)
    tmp = link + ".tmp"
    try:
        os.unlink(tmp)
    except OSError:
        pass
    try:
        os.link(repo.vfs.join("dirstate"), tmp)
        os.replace(tmp, link)
    except OSError:
        try:
            os.unlink(link)
        except OSError:
            pass
        return None
    return identity(link)


def ignore_hash(repo: Repository) -> str:
    """A digest of every ignore rule (``.hgignore``, ``ui.ignore`` and their includes)."""
    from amalgam.wc.ignore import expand_file

    files = [os.path.join(repo.root, ".hgignore")]
    extra = repo.ui.config.get("ui", "ignore", None)
    if extra:
        files.append(os.path.join(repo.root, os.path.expanduser(str(extra))))
    digest = hashlib.sha1()
    for path in files:
        digest.update(os.fsencode(path) + b"\0")
        if not os.path.isfile(path):
            continue
        try:
            pats = expand_file(repo.root, path, b"", None)
        except AmalgamError as exc:
            # The status reports the broken include itself; a later fix changes the digest.
            digest.update(str(exc).encode("utf-8", "surrogateescape"))
            continue
        for kind, pattern in pats:
            digest.update(kind.encode("ascii") + b"\0" + pattern + b"\0")
    return digest.hexdigest()


# -- fallback statistics ------------------------------------------------------


def load_stats(repo: Repository) -> dict[str, Any]:
    import json

    try:
        stats = json.loads(repo.vfs.tryread(STATS_FILE) or b"{}")
    except ValueError:
        stats = {}
    if not isinstance(stats, dict) or not isinstance(stats.get("counts"), dict):
        stats = {"counts": {}}
    return stats


def record_fallback(repo: Repository, kind: str, message: str) -> None:
    """Count one fallback; a file that cannot be written only loses the count."""
    import json

    stats = load_stats(repo)
    counts = stats["counts"]
    counts[kind] = int(counts.get(kind, 0)) + 1 if isinstance(counts.get(kind), int) else 1
    stats["last"] = {"reason": kind, "message": message, "time": int(time.time())}
    try:
        repo.vfs.write(STATS_FILE, json.dumps(stats, sort_keys=True).encode("utf-8") + b"\n",
                       atomictemp=True)
    except OSError:
        pass
