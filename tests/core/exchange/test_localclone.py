"""Local clone by copying the store (``amalgam.exchange.localclone``)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from amalgam.exchange import localclone
from amalgam.vfs import VFS


def _commit(amg, repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    result = amg("commit", "-A", "-m", f"{name}: {text.strip()}", "-u", "t", "-d", "0 0",
                 cwd=repo)
    assert result.rc == 0, result.stderr


@pytest.fixture
def src(amg, tmp_path: Path) -> Path:
    repo = tmp_path / "src"
    assert amg("init", str(repo)).rc == 0
    _commit(amg, repo, "a", "1\n")
    _commit(amg, repo, ".hidden name", "2\n")
    assert amg("bookmark", "main", cwd=repo).rc == 0
    _commit(amg, repo, "a", "3\n")
    return repo


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _store_files(repo: Path) -> list[Path]:
    store = repo / ".hg" / "store"
    return [store / name for name in ("00changelog.i", "00manifest.i", "data/a.i")]


def _log(amg, repo: Path, template: str = "{node} {bookmarks}\n") -> str:
    result = amg("log", "-T", template, cwd=repo)
    assert result.rc == 0, result.stderr
    return result.stdout


@pytest.fixture
def links(monkeypatch) -> None:
    """Let the clone hard-link, as it does once VFS breaks links before writing."""
    monkeypatch.setattr(VFS, "breaks_hardlinks", True, raising=False)


def test_copy_links_the_store_and_keeps_history(amg, src: Path, tmp_path: Path,
                                                 links) -> None:
    dest = tmp_path / "dest"
    result = amg("clone", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "linked" in result.stdout and "requesting all changes" not in result.stdout
    for path in _store_files(dest):
        assert path.stat().st_nlink > 1, path
        assert path.stat().st_ino == (src / path.relative_to(dest)).stat().st_ino
    assert _log(amg, dest) == _log(amg, src)
    assert amg("verify", cwd=dest).rc == 0
    assert (dest / "a").read_text() == "3\n"
    fncache = [repo / ".hg" / "store" / "fncache" for repo in (src, dest)]
    assert (set(fncache[1].read_bytes().splitlines())
            == set(fncache[0].read_bytes().splitlines()))
    # Files that are appended to in place are the clone's own.
    assert (dest / ".hg" / "store" / "fncache").stat().st_nlink == 1
    assert (dest / ".hg" / "bookmarks").stat().st_nlink == 1
    assert (dest / ".hg" / "hgrc").read_text().endswith(f"default = {src}\n")


def test_without_safe_links_files_are_copied(amg, src: Path, tmp_path: Path,
                                             monkeypatch) -> None:
    monkeypatch.setattr(VFS, "breaks_hardlinks", False, raising=False)
    dest = tmp_path / "dest"
    result = amg("clone", "-U", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "copied" in result.stdout and "requesting all changes" not in result.stdout
    assert all(path.stat().st_nlink == 1 for path in _store_files(dest))
    # A commit in the clone leaves the source as it was.
    before = {p: p.read_bytes() for p in _store_files(src)}
    assert amg("update", "-q", cwd=dest).rc == 0
    _commit(amg, dest, "a", "4\n")
    assert {p: p.read_bytes() for p in _store_files(src)} == before
    assert amg("verify", cwd=src).rc == 0


def test_link_failure_falls_back_to_copies(amg, src: Path, tmp_path: Path, links,
                                           monkeypatch) -> None:
    calls = []

    def refuse(source: str, target: str) -> None:
        calls.append(source)
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(localclone.os, "link", refuse)
    dest = tmp_path / "dest"
    result = amg("clone", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "copied" in result.stdout
    assert len(calls) == 1, "after one refusal every other file is copied"
    assert all(path.stat().st_nlink == 1 for path in _store_files(dest))
    assert _log(amg, dest) == _log(amg, src)
    assert amg("verify", cwd=dest).rc == 0


def _link_failing(when, exc: BaseException):
    """``os.link`` raising *exc* at the calls whose number (from 1) *when* accepts."""
    real = os.link
    count = [0]

    def link(source: str, target: str) -> None:
        count[0] += 1
        if when(count[0]):
            raise exc
        real(source, target)
    return link


def test_link_failure_midway_copies_the_rest(amg, src: Path, tmp_path: Path, links,
                                             monkeypatch) -> None:
    monkeypatch.setattr(localclone.os, "link",
                        _link_failing(lambda n: n > 2, OSError(31, "Too many links")))
    dest = tmp_path / "dest"
    assert amg("clone", "-U", str(src), str(dest)).rc == 0
    nlinks = sorted(p.stat().st_nlink for p in (dest / ".hg" / "store").rglob("*.[id]"))
    assert nlinks[0] == 1 and nlinks[-1] == 2
    assert amg("verify", cwd=dest).rc == 0


def test_copies_keep_permissions(amg, src: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(VFS, "breaks_hardlinks", False, raising=False)
    (src / ".hg" / "store" / "data" / "a.i").chmod(0o640)
    dest = tmp_path / "dest"
    assert amg("clone", "-U", str(src), str(dest)).rc == 0
    assert (dest / ".hg" / "store" / "data" / "a.i").stat().st_mode & 0o777 == 0o640


def test_pull_option_pulls(amg, src: Path, tmp_path: Path, links, monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("--pull must not copy the store")
    monkeypatch.setattr(localclone, "copy", fail)
    dest = tmp_path / "dest"
    for args, name in ((["--pull"], "p"), (["-r", "1"], "r"), (["-b", "default"], "b")):
        result = amg("clone", "-U", *args, str(src), str(dest / name))
        assert result.rc == 0, result.stderr
        assert "requesting all changes" in result.stdout
        assert all(p.stat().st_nlink == 1 for p in _store_files(dest / name))
    assert _log(amg, dest / "p") == _log(amg, src)


def test_locked_source_is_pulled(amg, src: Path, tmp_path: Path, links) -> None:
    import subprocess
    import sys

    from amalgam.storage.lock import host_id

    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        os.symlink(f"{host_id()}:{holder.pid}", src / ".hg" / "store" / "lock")
        dest = tmp_path / "dest"
        result = amg("clone", "-U", "--debug", str(src), str(dest))
        assert result.rc == 0, result.stderr
        assert "source repository is locked" in result.stdout
        assert "requesting all changes" in result.stdout
        assert all(p.stat().st_nlink == 1 for p in _store_files(dest))
        assert os.path.islink(src / ".hg" / "store" / "lock"), "not ours to remove"
    finally:
        holder.kill()
        holder.wait()


def test_abandoned_transaction_is_pulled(amg, src: Path, tmp_path: Path, links) -> None:
    (src / ".hg" / "store" / "journal").write_bytes(b"")
    dest = tmp_path / "dest"
    result = amg("clone", "-U", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "abandoned transaction" in result.stdout
    assert not (dest / ".hg" / "store" / "journal").exists()
    assert all(p.stat().st_nlink == 1 for p in _store_files(dest))


def test_secret_changesets_are_pulled_and_stay_home(amg, src: Path, tmp_path: Path,
                                                    links) -> None:
    assert amg("phase", "--secret", "--force", "-r", "2", cwd=src).rc == 0
    dest = tmp_path / "dest"
    result = amg("clone", "-U", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "secret changesets" in result.stdout
    assert len(_log(amg, dest).splitlines()) == 2


def test_phases_follow_the_source_publishing(amg, src: Path, tmp_path: Path, links) -> None:
    assert amg("phase", "--public", "-r", "0", cwd=src).rc == 0
    phases = "{node} {phase}\n"
    public = tmp_path / "public"
    assert amg("clone", "-U", str(src), str(public)).rc == 0
    assert "draft" not in _log(amg, public, phases)
    assert not (public / ".hg" / "store" / "phaseroots").exists()
    (src / ".hg" / "hgrc").write_text("[phases]\npublish = False\n")
    drafts = tmp_path / "drafts"
    assert amg("clone", "-U", str(src), str(drafts)).rc == 0
    assert _log(amg, drafts, phases) == _log(amg, src, phases)
    assert _log(amg, drafts, phases).count(" draft") == 2
    # --config beats the source's own file, as for a command run inside it.
    forced = tmp_path / "forced"
    assert amg("clone", "-U", "--config", "phases.publish=true", str(src),
               str(forced)).rc == 0
    assert "draft" not in _log(amg, forced, phases)


def test_requirements_come_from_the_source_store(amg, tmp_path: Path, links) -> None:
    src = tmp_path / "zlib"
    assert amg("init", "--config", "format.revlog-compression=zlib",
               "--config", "format.dotencode=false", str(src)).rc == 0
    _commit(amg, src, "A b", "1\n")
    dest = tmp_path / "dest"
    assert amg("clone", "-U", "--config", "format.use-share-safe=false", str(src),
               str(dest)).rc == 0
    reqs = set((dest / ".hg" / "requires").read_text().split())
    assert "revlog-compression-zstd" not in reqs and "dotencode" not in reqs
    assert "share-safe" not in reqs and not (dest / ".hg" / "store" / "requires").exists()
    assert {"fncache", "generaldelta", "revlogv1", "store"} <= reqs
    assert amg("verify", cwd=dest).rc == 0
    assert amg("cat", "-r", "0", "A b", cwd=dest).stdout == "1\n"


def test_metadata_and_caches(amg, src: Path, tmp_path: Path, links) -> None:
    hg = src / ".hg"
    (hg / "cache").mkdir(exist_ok=True)
    for name in ("branch2-served", "tags2", "rbc-revs-v2", "rbc-revs-v1", "branch2-foo",
                 "evil"):
        (hg / "cache" / name).write_bytes(b"x\n")
    (hg / "store" / "obsstore").write_bytes(b"\x00")
    (hg / "localtags").write_text("")
    (hg / "store" / "undo").write_bytes(b"")
    dest = tmp_path / "dest"
    assert amg("clone", "-U", str(src), str(dest)).rc == 0
    assert sorted(os.listdir(dest / ".hg" / "cache")) == [
        "branch2-served", "rbc-revs-v2", "tags2"]
    assert (dest / ".hg" / "store" / "obsstore").read_bytes() == b"\x00"
    assert (dest / ".hg" / "bookmarks").read_bytes() == (hg / "bookmarks").read_bytes()
    for absent in ("localtags", "dirstate", "bookmarks.current", "store/undo"):
        assert not (dest / ".hg" / absent).exists(), absent


def test_interrupted_copy_leaves_nothing(amg, src: Path, tmp_path: Path, links,
                                         monkeypatch) -> None:
    real = os.link
    monkeypatch.setattr(localclone.os, "link", _link_failing(lambda n: n == 3,
                                                             KeyboardInterrupt()))
    dest = tmp_path / "deep" / "dest"
    assert amg("clone", "-U", str(src), str(dest)).rc != 0
    assert not (tmp_path / "deep").exists()
    assert not (src / ".hg" / "store" / "lock").exists(), "the source lock is released"
    monkeypatch.setattr(localclone.os, "link", real)
    assert amg("clone", "-U", str(src), str(dest)).rc == 0


def test_destination_not_empty(amg, src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "mine").write_text("x\n")
    result = amg("clone", str(src), str(dest))
    assert result.rc == 255 and "is not empty" in result.stderr
    assert _files(dest) == {"mine"}


def test_stream_from_a_local_path_copies(amg, src: Path, tmp_path: Path, links) -> None:
    """hg copies a local source for --stream too: there is no server to stream."""
    dest = tmp_path / "dest"
    result = amg("clone", "-U", "--stream", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "linked" in result.stdout
    assert _log(amg, dest) == _log(amg, src)


def test_empty_source(amg, tmp_path: Path, links) -> None:
    src, dest = tmp_path / "empty", tmp_path / "dest"
    assert amg("init", str(src)).rc == 0
    result = amg("clone", "--debug", f"file://{src}", str(dest))
    assert result.rc == 0, result.stderr
    assert "0 files" in result.stdout and "requesting" not in result.stdout
    assert (dest / ".hg" / "hgrc").read_text().endswith(f"default = {src}\n")
    assert _files(dest / ".hg" / "store") == {"requires"}  # as hg leaves it
    assert amg("verify", cwd=dest).rc == 0


def test_stale_secret_root_does_not_block_the_copy(amg, src: Path, tmp_path: Path,
                                                   links) -> None:
    (src / ".hg" / "store" / "phaseroots").write_text("2 " + "ab" * 20 + "\n")
    dest = tmp_path / "dest"
    result = amg("clone", "-U", "--debug", str(src), str(dest))
    assert result.rc == 0, result.stderr
    assert "linked" in result.stdout and "secret" not in result.stdout


def test_hostile_fncache_aborts_cleanly(amg, src: Path, tmp_path: Path, links) -> None:
    with open(src / ".hg" / "store" / "fncache", "ab") as fp:
        fp.write(b"/secret.i\n")
    dest = tmp_path / "dest"
    result = amg("clone", str(src), str(dest))
    assert result.rc == 255 and result.stderr.startswith("abort: ")
    assert "absolute" in result.stderr
    assert not dest.exists()
    assert not (src / ".hg" / "store" / "lock").exists()


def test_progress_on_a_terminal(amg, src: Path, tmp_path: Path, links) -> None:
    from amalgam.repo import Repository

    from ..progress_helpers import make_ui

    ui = make_ui(delay="0")
    dest = localclone.copy(ui, Repository.open(str(src), ui), str(tmp_path / "dest"))
    assert dest is not None and len(dest.changelog) == 3
    drawn = ui.ferr.getvalue()
    assert drawn.startswith(b"\rlinking [0/") and drawn.endswith(b"\r\x1b[K")
    quiet = make_ui(delay="0", quiet=True)
    localclone.copy(quiet, Repository.open(str(src), quiet), str(tmp_path / "quiet"))
    assert quiet.ferr.getvalue() == b""


def test_existing_empty_destination(amg, src: Path, tmp_path: Path, links,
                                    monkeypatch) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()

    def interrupt(source: str, target: str) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(localclone.os, "link", interrupt)
    assert amg("clone", "-U", str(src), str(dest)).rc != 0
    assert dest.is_dir() and not any(dest.iterdir()), "the directory was there before"
    monkeypatch.undo()
    monkeypatch.setattr(VFS, "breaks_hardlinks", True, raising=False)
    assert amg("clone", str(src), str(dest)).rc == 0
    assert _log(amg, dest) == _log(amg, src) and (dest / "a").read_text() == "3\n"
