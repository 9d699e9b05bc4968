"""Generation keeps each manifest text only while a later sent manifest needs it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from amalgam.exchange import cgapply, changegroup
from amalgam.exchange.changegroup import Unpacker
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


def _branchy(path: Path) -> Repository:
    """Two lines of history forking from the root, one after the other.

    The second line's first parent (the root) lies seven manifests back,
    beyond a last-few cache: the generator must keep it for both lines.
    """
    repo = Repository.create(str(path), UI())
    with repo.lock(), repo.transaction("build"):
        root = repo.commit_files({b"base": FileChange(b"x\n" * 40)}, user="t",
                                 message="root", date=(0.0, 0))
        tips = {"a": root, "b": root}
        for line in ("a", "b"):
            for i in range(6):
                files = {f"{line}/f{i}".encode(): FileChange(f"{line} {i}\n".encode())}
                tips[line] = repo.commit_files(files, p1=tips[line], user="t",
                                               message=f"{line}{i}", date=(0.0, 0))
    return repo


def _apply(data: bytes, path: Path) -> Repository:
    dst = Repository.create(str(path), UI())
    with dst.lock(), dst.transaction("apply") as tr:
        cgapply.apply(dst, tr, Unpacker(io.BytesIO(data), "03"), UI())
    return dst


def _same_store(src: Repository, dst: Repository) -> None:
    for revlog_of in (lambda r: r.manifestlog.revlog, lambda r: r.changelog.revlog):
        theirs, ours = revlog_of(src), revlog_of(dst)
        assert [ours.node(r) for r in range(len(ours))] == [
            theirs.node(r) for r in range(len(theirs))]
    for line in ("a", "b"):
        for i in range(6):
            path = f"{line}/f{i}".encode()
            assert dst.file(path).revlog.rawdata(0) == src.file(path).revlog.rawdata(0)


def test_manifest_parents_come_from_kept_texts_not_the_revlog(tmp_path: Path,
                                                              monkeypatch) -> None:
    src = _branchy(tmp_path / "src")
    mlog = src.manifestlog.revlog
    reads: list[int] = []
    real = type(mlog).rawdata
    monkeypatch.setattr(mlog, "rawdata", lambda rev: reads.append(rev) or real(mlog, rev),
                        raising=False)
    kept: list[int] = []
    real_call = changegroup._ManifestEntries.__call__

    def spy(self, mrev: int, base: int, delta: bytes):  # type: ignore[no-untyped-def]
        entries = real_call(self, mrev, base, delta)
        kept.append(len(self.texts))
        return entries

    monkeypatch.setattr(changegroup._ManifestEntries, "__call__", spy)
    mlog._keep_steps = True  # as in a repository opened to serve
    data = b"".join(changegroup.generate(src, range(len(src)), [], "03"))
    assert reads == []  # every first parent was still held
    # Never more than a line's tip and the fork point (kept until its second child).
    assert max(kept) == 2 and kept[-1] == 0  # the last tip has no child to wait for
    assert mlog._keep_steps  # restored after the manifest group
    _same_store(src, _apply(data, tmp_path / "dst"))


def test_byte_bound_drops_texts_and_reads_them_again(tmp_path: Path, monkeypatch) -> None:
    src = _branchy(tmp_path / "src")
    full = b"".join(changegroup.generate(src, range(len(src)), [], "03"))
    monkeypatch.setattr(changegroup._ManifestEntries, "_KEEP_BYTES", 1)
    mlog = src.manifestlog.revlog
    reads: list[int] = []
    real = type(mlog).rawdata
    monkeypatch.setattr(mlog, "rawdata", lambda rev: reads.append(rev) or real(mlog, rev),
                        raising=False)
    bounded = b"".join(changegroup.generate(src, range(len(src)), [], "03"))
    assert reads  # nothing kept: parents were read from the revlog
    assert bounded == full
    _same_store(src, _apply(bounded, tmp_path / "dst"))


@pytest.mark.parametrize("children", [None, {}])
def test_without_children_counts_only_recent_texts_stay(tmp_path: Path,
                                                        children: dict[int, int] | None) -> None:
    src = _branchy(tmp_path / "src")
    entries = changegroup._ManifestEntries(src, children)
    mlog = src.manifestlog.revlog
    from amalgam.storage import mdiff

    for mrev in range(1, len(mlog)):
        p1 = mlog.parentrevs(mrev)[0]
        delta = mdiff.textdiff(mlog.rawdata(p1), mlog.rawdata(mrev))
        assert entries(mrev, p1, delta)
    # No counts: the last few; empty counts: nobody needs any text later.
    assert len(entries.texts) == (entries._KEEP if children is None else 0)
