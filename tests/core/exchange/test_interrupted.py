"""A connection cut at any point of a pull or clone: one-line abort, nothing changed or left."""
from __future__ import annotations

from pathlib import Path

import pytest

from amalgam.error import AmalgamError
from amalgam.exchange import bundle2
from amalgam.exchange.peer import IterReader, LocalPeer
from amalgam.exchange.pull import pull
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


class CutPeer(LocalPeer):
    """A LocalPeer whose getbundle stream stops after *limit* bytes."""

    def __init__(self, repo: Repository, limit: int) -> None:
        super().__init__(repo)
        self.limit = limit

    def getbundle(self, source, **kwargs):
        data = super().getbundle(source, **kwargs).read()
        self.full = len(data)
        return IterReader([data[:self.limit]])


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted((root / ".hg").rglob("*")) if p.is_file()}


def _build(path: Path, count: int) -> Repository:
    repo = Repository.create(str(path), UI())
    with repo.lock(), repo.transaction("build"):
        for i in range(count):
            repo.commit_files({b"f%d" % (i % 3): FileChange(b"line %d\n" % i * 20)},
                              user="t", message=f"c{i}", date=(0.0, 0))
    return repo


def _full_size(src: Repository, dst: Repository, scratch: Path) -> int:
    """Size of the bundle a pull from *src* into (a copy of) *dst* receives."""
    import io
    import shutil

    shutil.copytree(dst.root, scratch)
    peer = CutPeer(src, 10**9)
    pull(Repository.open(str(scratch)), peer, UI(fout=io.BytesIO()))
    return peer.full


@pytest.fixture
def pair(tmp_path: Path):
    src = _build(tmp_path / "src", 6)
    dst = _build(tmp_path / "dst", 2)  # shares the first two changesets
    return src, dst


def test_pull_cut_anywhere_leaves_repository_unchanged(pair, tmp_path: Path) -> None:
    import io

    src, dst = pair
    full = _full_size(src, dst, tmp_path / "probe")
    before = _snapshot(Path(dst.root))
    # Every cut point in the header area, then a stride through the payload.
    cuts = list(range(0, 80)) + list(range(80, full, max(1, full // 60)))
    for limit in cuts:
        ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
        fresh = Repository.open(dst.root, ui)
        with pytest.raises(AmalgamError) as info:
            pull(fresh, CutPeer(src, limit), ui)
        assert "\n" not in info.value.message
        assert _snapshot(Path(dst.root)) == before, f"cut at {limit} changed the repository"
    ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
    pull(Repository.open(dst.root, ui), CutPeer(src, full), ui)
    assert len(Repository.open(dst.root)) == 6


def test_failed_clone_removes_the_directory(tmp_path: Path, monkeypatch) -> None:
    import io

    from amalgam.exchange import clone as clonemod

    src = _build(tmp_path / "src", 3)
    monkeypatch.setattr(clonemod, "makepeer", lambda ui, path: CutPeer(src, 200))
    ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
    with pytest.raises(AmalgamError):
        clonemod.clone(ui, "src", str(tmp_path / "dest"), pull_protocol=True)
    assert not (tmp_path / "dest").exists()


def test_remote_error_part_interrupting_a_payload(pair) -> None:
    """An ``error:abort`` sent out of band inside a payload aborts with its message."""
    import io
    import struct

    from amalgam.error import RemoteError

    _src, dst = pair
    err = bundle2.OutPart("error:abort", mandatory_params=[("message", "server exploded")])
    header, *_rest = list(err.chunks(7))
    writer = bundle2.Writer()
    writer.newpart("changegroup", data=b"\0\0\0\0" * 3,
                   mandatory_params=[("version", "02")])
    stream = b"".join(writer.chunks())
    # Put an interrupt (-1) + the error part before the first payload chunk.
    cut = stream.index(b"\0\0\0\x0c")
    hostile = stream[:cut] + struct.pack(">i", -1) + header + b"\0\0\0\0" + stream[cut:]
    from amalgam.exchange.bundle import apply_stream

    before = _snapshot(Path(dst.root))
    with pytest.raises(RemoteError, match="server exploded"):
        apply_stream(dst, UI(fout=io.BytesIO()), io.BytesIO(hostile), source="pull")
    assert _snapshot(Path(dst.root)) == before


def test_progress_on_a_terminal_only(pair, tmp_path: Path, monkeypatch) -> None:
    import io

    from amalgam.merge import progress

    class Tty(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress, "_DELAY", 0.0)
    monkeypatch.setattr(progress, "_INTERVAL", 0.0)
    src, dst = pair
    err = Tty()
    ui = UI(fout=io.BytesIO(), ferr=err)
    pull(Repository.open(dst.root, ui), LocalPeer(src), ui)
    shown = err.getvalue().decode()
    assert "changesets [" in shown and "manifests [" in shown and "files [" in shown
    assert "/4 chunks]" in shown
    quiet = Tty()
    qui = UI(fout=io.BytesIO(), ferr=quiet)
    qui.quiet = True
    pull(Repository.open(src.root, qui), LocalPeer(dst), qui)
    assert quiet.getvalue() == b""
