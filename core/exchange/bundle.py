"""Bundle files: recognising ``HG10xx``/``HG20`` headers, applying and writing them.

A bundle is read from a stream once, front to back: the first bytes pick
the format, the rest is fed through the matching decompressor into the
changegroup or bundle2 reader, which applies it inside one transaction.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from amalgam.error import Abort
from amalgam.exchange import phasesync
from amalgam.exchange.streams import Reader, TruncatedError, decompressor, readexactly
from amalgam.node import short

if TYPE_CHECKING:
    from amalgam.exchange.bundlespec import BundleSpec
    from amalgam.exchange.parts import Operation
    from amalgam.repo import Repository
    from amalgam.ui import UI


class Prefixed:
    """*raw* with some already-read bytes put back in front."""

    def __init__(self, prefix: bytes, raw: Reader) -> None:
        self._prefix = prefix
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._raw.read(size)
        if 0 <= size <= len(self._prefix):
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        data, self._prefix = self._prefix, b""
        return data + self._raw.read(-1 if size < 0 else size - len(data))


def apply_stream(repo: Repository, ui: UI, stream: Reader, *, source: str,
                 targetphase: int = phasesync.DRAFT,
                 bookmarks_mode: str = "record") -> Operation:
    """Apply a bundle of any supported format from *stream* in one transaction."""
    from amalgam.exchange import bundle2, cgapply, parts
    from amalgam.exchange.changegroup import Unpacker

    try:
        magic = readexactly(stream, 4, "bundle header")
    except TruncatedError:
        # Only a short stream is "not a bundle"; a decompression or transport
        # error keeps its own message.
        raise Abort("not a Mercurial bundle: it is empty or too short") from None
    with repo.lock(), repo.transaction(source) as tr:
        op = parts.Operation(repo, tr, ui, targetphase=targetphase,
                             bookmarks_mode=bookmarks_mode)
        if magic == bundle2.MAGIC:
            parts.process(op, bundle2.Unbundler(stream))
        elif magic == b"HG10":
            engine = readexactly(stream, 2, "bundle header").decode("latin-1")
            if engine not in ("UN", "GZ", "BZ"):
                raise Abort(f"unknown bundle compression '{engine}'")
            prefix = b"BZ" if engine == "BZ" else b""
            unpacker = Unpacker(decompressor(stream, engine, prefix), "01")
            op.changegroups.append(cgapply.apply(repo, tr, unpacker, ui))
        elif magic[:1] == b"\0":
            unpacker = Unpacker(Prefixed(magic, stream), "01")
            op.changegroups.append(cgapply.apply(repo, tr, unpacker, ui))
        elif magic == b"HGS1":
            raise Abort("stream clone bundles (HGS1) are not supported",
                        hint="create the bundle with a -t type such as zstd-v2")
        else:
            raise Abort(f"not a Mercurial bundle (header {magic!r})")
        if magic != bundle2.MAGIC:
            phasesync.register_new(repo, tr, targetphase, op.changegroups[-1].added)
    report(ui, repo, op, newchangesets=source != "push")
    return op


def report(ui: UI, repo: Repository, op: Operation, *, newchangesets: bool = True) -> None:
    """hg's summary lines after changegroups were applied."""
    for result in op.changegroups:
        heads = ""
        delta = result.newheads - result.oldheads
        if delta > 0:
            heads = f" (+{delta} heads)"
        elif delta < 0:
            heads = f" ({delta} heads)"
        ui.status(f"added {len(result.added)} changesets with {result.revisions} changes "
                  f"to {result.files} files{heads}\n")
    added = op.added
    if not added or not newchangesets:
        return
    cl = repo.changelog.revlog
    revs = sorted(cl.rev(n) for n in added)
    values = phasesync.phases(repo)
    drafts = sum(1 for r in revs if values[r] == phasesync.DRAFT)
    span = short(cl.node(revs[0]))
    if len(revs) > 1:
        span += ":" + short(cl.node(revs[-1]))
    ui.status(f"new changesets {span}" + (f" ({drafts} drafts)" if drafts else "") + "\n")


def bundle_chunks(repo: Repository, spec: BundleSpec, missing: Iterable[int],
                  common: Iterable[int]) -> Iterator[bytes]:
    """The bytes of a bundle file per *spec* sending *missing* to a holder of *common*."""
    from amalgam.exchange import bundle2
    from amalgam.exchange.changegroup import generate

    missing = sorted(missing)
    writer = bundle2.Writer(spec.compression)
    if spec.stream:
        from amalgam.exchange import streamclone

        streamclone.add_part(repo, writer)
        return writer.chunks()
    advisory = [("nbchanges", str(len(missing)))]
    if spec.phases:
        values = phasesync.phases(repo)
        if any(values[r] == phasesync.SECRET for r in missing):
            # Everything arrives secret; phase-heads then lowers the rest, so
            # secret changesets come back secret (hg marks its bundles so).
            advisory.append(("targetphase", str(phasesync.SECRET)))
    writer.newpart("changegroup", data=generate(repo, missing, common, spec.cgversion),
                   mandatory_params=[("version", spec.cgversion)],
                   advisory_params=advisory)
    if spec.phases:
        writer.newpart("phase-heads", data=phase_heads_payload(repo, missing))
    return writer.chunks()


def phase_heads_payload(repo: Repository, revs: Iterable[int]) -> bytes:
    """``>i phase + node`` for the heads of each phase within *revs*'s ancestors."""
    import struct

    cl = repo.changelog.revlog
    values = phasesync.phases(repo)
    members = phasesync.ancestors(repo, revs)
    out = []
    for phase in (phasesync.PUBLIC, phasesync.DRAFT):
        inside = {r for r in members if values[r] == phase}
        inner = {p for r in inside for p in cl.parentrevs(r) if p in inside}
        out.extend(struct.pack(">i", phase) + cl.node(r) for r in sorted(inside - inner))
    return b"".join(out)


def write_file(path: str, chunks: Iterable[bytes]) -> int:
    """Write a bundle atomically: a failure leaves no partial file at *path*."""
    from amalgam.vfs import AtomicTempFile

    total = 0
    with AtomicTempFile(os.path.abspath(path)) as fp:
        for chunk in chunks:
            fp.write(chunk)
            total += len(chunk)
    return total
