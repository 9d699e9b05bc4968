"""hg's dirstate v1 format: parse, pack, and splice a few records into a file.

The file is both parents followed by one record per tracked file:
``state mode size mtime namelen`` (``>cllll``) and the name, which is
``path\\0source`` for a copy.  Records have no order.  Sizes and mtimes
are kept masked to 31 bits as hg does, so either tool's dirstate reads
back the same.  :mod:`amalgam.wc.dirstate` holds the rules (the ambiguous
mtime) and the working-copy API.
"""
from __future__ import annotations

import struct

from amalgam import error
from amalgam.node import Node, nullid

_HEADER = struct.Struct(">cllll")
#: The same layout with the name length unsigned, so a corrupt negative one
#: cannot move the parser backwards.
_READ = struct.Struct(">clllL")
_STATES = {b"n": "n", b"a": "a", b"r": "r", b"m": "m"}
_CODES = {v: k for k, v in _STATES.items()}
_MASK = 0x7FFFFFFF
#: mtimes this far in the future are kept: a clock that far off is not a race.
_FUTURE_SLACK = 86400


def _corrupt(detail: str) -> error.StorageError:
    return error.StorageError(f"working directory state appears damaged: {detail}",
                              hint="run 'hg debugrebuilddirstate' (or 'amg debugrebuilddirstate')"
                                   " to rebuild it from the parent revision")


def parse(data: bytes) -> tuple[Node, Node, dict[bytes, tuple], dict[bytes, bytes]]:
    """Parse a v1 dirstate: ``(p1, p2, {path: (state, mode, size, mtime)}, copies)``."""
    if not data:
        return nullid, nullid, {}, {}
    if data.startswith(b"dirstate-v2\n"):
        raise error.RequirementError(
            "this working copy uses dirstate-v2, which amalgam does not support",
            hint="convert it with 'hg debugupgrade --config format.use-dirstate-v2=0 --run'")
    if len(data) < 40:
        raise _corrupt("the file is shorter than its header")
    p1, p2 = Node(data[:20]), Node(data[20:40])
    entries: dict[bytes, tuple] = {}
    copies: dict[bytes, bytes] = {}
    unpack = _READ.unpack_from
    states = _STATES
    pos, end = 40, len(data)
    try:
        while pos < end:
            state, mode, size, mtime, namelen = unpack(data, pos)
            start = pos + 17
            pos = start + namelen
            name = data[start:pos]
            if b"\0" in name:
                name, source = name.split(b"\0", 1)
                copies[name] = source
            entries[name] = (states[state], mode, size, mtime)
    except struct.error:
        raise _corrupt("truncated entry") from None
    except KeyError as exc:
        raise _corrupt(f"unknown state {exc.args[0]!r}") from None
    if pos != end:  # the last name runs past the end (an unsigned length never goes back)
        raise _corrupt("truncated file name")
    return p1, p2, entries, copies


def pack(p1: bytes, p2: bytes, entries: dict[bytes, tuple], copies: dict[bytes, bytes],
         now: int) -> bytes:
    """Serialise a v1 dirstate.

    Clean entries not strictly older than *now* lose their mtime, in
    *entries* too, so this process does not trust them either.
    """
    # Appended to one buffer: a list of 200,000 pieces joined at the end
    # held about four times the file's size at once.
    out = bytearray(p1)
    out += p2
    header = _HEADER.pack
    codes = _CODES
    downgraded = []
    for name, (state, mode, size, mtime) in entries.items():  # hg keeps no order either
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            mtime = -1
            downgraded.append(name)
        if copies and name in copies:
            name = name + b"\0" + copies[name]
        out += header(codes[state], mode, size, mtime, len(name))
        out += name
    for name in downgraded:
        state, mode, size, _ = entries[name]
        entries[name] = (state, mode, size, -1)
    return bytes(out)


def _record(path: bytes, value: tuple, source: bytes | None) -> bytes:
    name = path if source is None else path + b"\0" + source
    state, mode, size, mtime = value
    return _HEADER.pack(_CODES[state], mode, size, mtime, len(name)) + name


def splice(data: bytes, p1: bytes, p2: bytes, old: dict[bytes, tuple | None],
           oldcopies: dict[bytes, bytes | None], entries: dict[bytes, tuple],
           copies: dict[bytes, bytes], now: int) -> bytes | None:
    """*data* with the records of the paths in *old* replaced by their *entries* now.

    *old* holds each changed path's entry as *data* has it (None: absent)
    and *oldcopies* its copy source there.  Records keep their order and
    the new ones go at the end (the format has no order).  None when an
    old record is not where it should be; the caller packs everything.
    The caller has made sure no unchanged entry needs the ambiguous-mtime
    downgrade; changed ones get it here, as :func:`pack` gives it.
    """
    spans = []
    for path, value in old.items():
        if value is None:
            continue
        record = _record(path, value, oldcopies.get(path))
        pos = data.find(record, 40)
        end = pos + len(record)
        if pos < 0 or (end < len(data) and data[end:end + 1] not in _STATES):
            return None
        spans.append((pos, end))
    spans.sort()
    chunks = [p1, p2]
    last = 40
    for pos, end in spans:
        if pos < last:
            return None
        chunks.append(data[last:pos])
        last = end
    chunks.append(data[last:])
    for path in old:
        value = entries.get(path)
        if value is None:
            continue
        state, mode, size, mtime = value
        if mtime >= now and state == "n" and mtime - now < _FUTURE_SLACK:
            value = entries[path] = (state, mode, size, -1)
        chunks.append(_record(path, value, copies.get(path)))
    return b"".join(chunks)
