"""Bundles cross between amg and real hg in both directions, for every bundlespec."""
from __future__ import annotations

from pathlib import Path

import pytest

SPECS = ["none-v2", "gzip-v2", "bzip2-v2", "zstd-v2", "none-v3", "zstd-v2;cg.version=03"]
HG_SPECS = SPECS + ["none-v1", "gzip-v1", "bzip2-v1"]


def _history(hg, root: Path) -> Path:
    """A small history with a merge, a copy, a branch and binary data."""
    repo = root / "src"
    hg("init", str(repo))
    (repo / "a.txt").write_text("one\n")
    (repo / "b.bin").write_bytes(b"\x00\x01\x02" * 50)
    hg("commit", "-qAm", "base", cwd=repo)
    (repo / "a.txt").write_text("one\ntwo\n")
    hg("commit", "-qm", "two", cwd=repo)
    hg("update", "-q", "0", cwd=repo)
    hg("copy", "-q", "a.txt", "c.txt", cwd=repo)
    (repo / "d" ).mkdir()
    (repo / "d" / "e.txt").write_text("nested\n")
    hg("commit", "-qAm", "side", cwd=repo)
    hg("merge", "-q", "1", cwd=repo)
    hg("commit", "-qm", "merge", cwd=repo)
    hg("branch", "-q", "feature", cwd=repo)
    (repo / "a.txt").write_text("feature\n")
    hg("commit", "-qm", "on feature", cwd=repo)
    return repo


def _log(hg, repo: Path) -> str:
    return hg("log", "-T", "{rev}:{node} {p1node} {p2node} {branch}\n", cwd=repo).stdout


@pytest.mark.parametrize("spec", SPECS)
def test_amg_bundle_unbundles_in_hg(amg, hg, tmp_path: Path, spec: str) -> None:
    src = _history(hg, tmp_path)
    out = tmp_path / "out.hg"
    result = amg("bundle", "--all", "-t", spec, str(out), cwd=src)
    assert result.rc == 0, result.stderr
    assert "5 changesets found" in result.stdout
    dst = tmp_path / "dst"
    hg("init", str(dst))
    hg("unbundle", str(out), cwd=dst)
    hg("verify", cwd=dst)
    assert _log(hg, dst) == _log(hg, src)
    spec_line = hg("debugbundle", "--spec", str(out)).stdout.strip()
    assert spec_line.split("-")[0] == spec.split("-")[0]


@pytest.mark.parametrize("spec", HG_SPECS)
def test_hg_bundle_unbundles_in_amg(amg, hg, tmp_path: Path, spec: str) -> None:
    src = _history(hg, tmp_path)
    out = tmp_path / "hg.bundle"
    hg("bundle", "-q", "--all", "-t", spec, str(out), cwd=src)
    dst = tmp_path / "dst"
    assert amg("init", str(dst)).rc == 0
    result = amg("unbundle", str(out), cwd=dst)
    assert result.rc == 0, result.stderr
    assert "added 5 changesets" in result.stdout
    assert amg("verify", cwd=dst).rc == 0
    hg("verify", cwd=dst)
    assert _log(hg, dst) == _log(hg, src)
    # Applying it again adds nothing and changes nothing.
    again = amg("unbundle", str(out), cwd=dst)
    assert again.rc == 0 and "added 0 changesets" in again.stdout
    assert _log(hg, dst) == _log(hg, src)


def test_partial_bundles_with_base_and_rev(amg, hg, tmp_path: Path) -> None:
    src = _history(hg, tmp_path)
    first = tmp_path / "first.hg"
    rest = tmp_path / "rest.hg"
    assert amg("bundle", "-r", "1", "-t", "none-v2", str(first), "--base", "null",
               cwd=src).rc == 0
    assert amg("bundle", "--base", "1", "-t", "gzip-v2", str(rest), cwd=src).rc == 0
    dst = tmp_path / "dst"
    hg("init", str(dst))
    hg("unbundle", str(first), cwd=dst)
    assert len(_log(hg, dst).splitlines()) == 2
    hg("unbundle", str(rest), cwd=dst)
    hg("verify", cwd=dst)
    assert sorted(_log(hg, dst).splitlines()) == sorted(_log(hg, src).splitlines())


def test_unbundled_changesets_are_draft_unless_the_bundle_says_public(amg, hg,
                                                                      tmp_path: Path) -> None:
    src = _history(hg, tmp_path)
    hg("phase", "-p", "1", cwd=src)
    for spec, expected in (("none-v2", {"draft"}), ("none-v3", {"public", "draft"})):
        out = tmp_path / f"{spec}.hg"
        assert amg("bundle", "--all", "-t", spec, str(out), cwd=src).rc == 0
        dst = tmp_path / f"dst-{spec}"
        assert amg("init", str(dst)).rc == 0
        assert amg("unbundle", str(out), cwd=dst).rc == 0
        phases = hg("log", "-T", "{rev}:{phase}\n", cwd=dst).stdout.split()
        assert {p.split(":")[1] for p in phases} == expected
        if spec == "none-v3":
            assert hg("log", "-T", "{phase}\n", cwd=dst).stdout.split() == \
                hg("log", "-T", "{phase}\n", cwd=src).stdout.split()


STREAM = "none-v2;stream=v2"


def test_stream_bundles_both_ways(amg, hg, tmp_path: Path) -> None:
    src = _history(hg, tmp_path)
    ours = tmp_path / "ours.hg"
    assert amg("bundle", "--all", "-t", STREAM, str(ours), cwd=src).rc == 0
    assert hg("debugbundle", "--spec", str(ours)).stdout.startswith(STREAM)
    into_hg = tmp_path / "into-hg"
    hg("init", str(into_hg))
    hg("unbundle", str(ours), cwd=into_hg)
    hg("verify", cwd=into_hg)
    assert _log(hg, into_hg) == _log(hg, src)
    # hg's history caches travel too, so the receiver need not rebuild them.
    from amalgam.exchange.streamclone import _CACHE_PREFIXES

    sent = {p.name for p in (src / ".hg" / "cache").iterdir()
            if p.name.encode().startswith(_CACHE_PREFIXES)}
    assert sent and sent <= {p.name for p in (into_hg / ".hg" / "cache").iterdir()}

    theirs = tmp_path / "theirs.hg"
    hg("bundle", "-q", "--all", "-t", STREAM, str(theirs), cwd=src)
    # A zlib repository adopts the sender's revlog format, as hg's receiver does.
    into_amg = tmp_path / "into-amg"
    result = amg("--config", "format.revlog-compression=zlib", "init", str(into_amg))
    assert result.rc == 0
    applied = amg("unbundle", str(theirs), cwd=into_amg)
    assert applied.rc == 0, applied.stderr
    assert amg("verify", cwd=into_amg).rc == 0
    hg("verify", cwd=into_amg)
    assert _log(hg, into_amg) == _log(hg, src)
    assert "revlog-compression-zstd" in (into_amg / ".hg" / "store" / "requires").read_text()
    # Only an empty repository takes a stream bundle.
    again = amg("unbundle", str(theirs), cwd=into_amg)
    assert again.rc != 0 and "not empty" in again.stderr
