"""Local clone, pull, push, incoming and outgoing between amg and hg repositories."""
from __future__ import annotations

from pathlib import Path


def _commit(hg, repo: Path, name: str, text: str, *extra: str) -> None:
    (repo / name).write_text(text)
    hg("commit", "-qA", "-m", f"{name}: {text.strip()}", *extra, cwd=repo)


def _nodes(hg, repo: Path) -> list[str]:
    return sorted(hg("log", "-T", "{node} {phase}\n", cwd=repo).stdout.splitlines())


def _source(hg, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    hg("init", str(src))
    _commit(hg, src, "a", "1\n")
    _commit(hg, src, "b", "2\n")
    hg("bookmark", "-q", "main", cwd=src)
    _commit(hg, src, "a", "3\n")
    return src


def test_clone_matches_hg_clone(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    result = amg("clone", str(src), str(tmp_path / "ours"))
    assert result.rc == 0, result.stderr
    assert result.stdout == hg("clone", str(src), str(tmp_path / "hg-full")).stdout
    hg("clone", "-q", "-U", str(src), str(tmp_path / "theirs"))
    assert _nodes(hg, tmp_path / "ours") == _nodes(hg, tmp_path / "theirs")
    assert (hg("bookmarks", "-T", "{bookmark} {node}\n", cwd=tmp_path / "ours").stdout
            == hg("bookmarks", "-T", "{bookmark} {node}\n", cwd=tmp_path / "theirs").stdout)
    hg("verify", cwd=tmp_path / "ours")
    # hg knows where the clone came from.
    assert hg("paths", "default", cwd=tmp_path / "ours").stdout.strip() == str(src)
    assert amg("paths", cwd=tmp_path / "ours").stdout.strip() == f"default = {src}"


def test_clone_with_rev_takes_only_ancestors(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    assert amg("clone", "-r", "1", str(src), str(tmp_path / "part")).rc == 0
    assert len(_nodes(hg, tmp_path / "part")) == 2
    hg("verify", cwd=tmp_path / "part")


def test_failed_clone_leaves_nothing(amg, tmp_path: Path) -> None:
    result = amg("clone", str(tmp_path / "missing"), str(tmp_path / "dest"))
    assert result.rc != 0 and "not found" in result.stderr
    assert not (tmp_path / "dest").exists()


def test_pull_incoming_and_phases(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    dst = tmp_path / "dst"
    assert amg("clone", "-r", "0", str(src), str(dst)).rc == 0
    incoming = amg("incoming", "-q", cwd=dst)
    assert incoming.rc == 0
    expected = hg("incoming", "-q", cwd=dst).stdout
    assert incoming.stdout == expected
    assert amg("incoming", cwd=dst).stdout == hg("incoming", cwd=dst).stdout
    saved = amg("incoming", "--bundle", str(tmp_path / "in.hg"), cwd=dst)
    assert saved.rc == 0 and saved.stdout.count("changeset:") == 2
    assert "changegroup" in hg("debugbundle", str(tmp_path / "in.hg")).stdout
    pulled = amg("pull", cwd=dst)
    assert pulled.rc == 0, pulled.stderr
    assert "added 2 changesets" in pulled.stdout
    # src is publishing: everything pulled is public, like hg does it.
    assert {line.split()[1] for line in _nodes(hg, dst)} == {"public"}
    assert [n.split()[0] for n in _nodes(hg, dst)] == [n.split()[0] for n in _nodes(hg, src)]
    assert amg("incoming", cwd=dst).rc == 1
    again = amg("pull", cwd=dst)
    assert again.rc == 0 and "no changes found" in again.stdout
    hg("verify", cwd=dst)


def test_push_to_hg_repository_and_refuse_new_heads(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    hg("clone", "-q", str(src), str(tmp_path / "work"))
    work = tmp_path / "work"
    _commit(hg, work, "c", "local\n")
    outgoing = amg("outgoing", "-q", cwd=work)
    assert outgoing.stdout == hg("outgoing", "-q", cwd=work).stdout
    assert amg("outgoing", cwd=work).stdout == hg("outgoing", cwd=work).stdout
    pushed = amg("push", cwd=work)
    assert pushed.rc == 0, pushed.stderr
    assert [n.split()[0] for n in _nodes(hg, src)] == [n.split()[0] for n in _nodes(hg, work)]
    # Pushing to a publishing repository publishes locally as well.
    assert {line.split()[1] for line in _nodes(hg, work)} == {"public"}
    hg("verify", cwd=src)
    assert amg("push", cwd=work).rc == 1

    # A new head on the remote is refused without -f, like hg.
    hg("update", "-q", "tip", cwd=src)
    _commit(hg, src, "d", "remote side\n")
    _commit(hg, work, "e", "local side\n")
    before = _nodes(hg, src)
    refused = amg("push", cwd=work)
    assert refused.rc != 0
    assert "push creates new remote head" in refused.stderr
    assert _nodes(hg, src) == before
    forced = amg("push", "-f", cwd=work)
    assert forced.rc == 0, forced.stderr
    assert len(hg("heads", "-T", "{node}\n", cwd=src).stdout.split()) == 2
    hg("verify", cwd=src)


def test_hg_pulls_and_pushes_amg_written_repositories(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    ours = tmp_path / "ours"
    assert amg("clone", str(src), str(ours)).rc == 0
    hg("clone", "-q", str(ours), str(tmp_path / "second"))
    assert [n.split()[0] for n in _nodes(hg, tmp_path / "second")] == \
        [n.split()[0] for n in _nodes(hg, src)]
    _commit(hg, tmp_path / "second", "z", "from hg\n")
    hg("push", "-q", str(ours), cwd=tmp_path / "second")
    assert amg("verify", cwd=ours).rc == 0
    assert _nodes(hg, ours) == _nodes(hg, tmp_path / "second")


def test_push_and_pull_bookmarks(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    hg("clone", "-q", str(src), str(tmp_path / "work"))
    work = tmp_path / "work"
    hg("update", "-q", "main", cwd=work)
    hg("bookmark", "-q", "-i", cwd=work)
    _commit(hg, work, "f", "feature\n")
    hg("bookmark", "-q", "feature", cwd=work)
    result = amg("push", "-B", "feature", cwd=work)
    assert result.rc == 0, result.stderr
    assert "exporting bookmark feature" in result.stdout
    marks = hg("bookmarks", "-T", "{bookmark} {node}\n", cwd=src).stdout
    assert "feature " + hg("log", "-r", "feature", "-T", "{node}", cwd=work).stdout in marks
    hg("bookmark", "-q", "-f", "-r", "tip", "main", cwd=src)
    pulled = amg("pull", cwd=work)
    assert pulled.rc == 0 and "updating bookmark main" in pulled.stdout


def test_clone_checks_out_and_pull_update(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    ours = tmp_path / "ours"
    result = amg("clone", str(src), str(ours))
    assert result.rc == 0, result.stderr
    assert "updating to branch default\n2 files updated" in result.stdout
    assert hg("status", cwd=ours).stdout == ""
    assert (ours / "a").read_text() == "3\n"
    assert hg("parents", "-T", "{node}", cwd=ours).stdout == \
        hg("log", "-r", "tip", "-T", "{node}", cwd=src).stdout
    _commit(hg, src, "b", "new\n")
    pulled = amg("pull", "-u", cwd=ours)
    assert pulled.rc == 0, pulled.stderr
    assert "1 files updated" in pulled.stdout
    assert (ours / "b").read_text() == "new\n"
    assert hg("status", cwd=ours).stdout == ""
    bare = amg("clone", "-U", str(src), str(tmp_path / "bare"))
    assert bare.rc == 0 and not (tmp_path / "bare" / "a").exists()


def test_push_race_is_refused(amg, hg, tmp_path: Path) -> None:
    """The receiver checks the heads the pusher saw (check:heads) before applying."""
    from amalgam.exchange import bundle2
    from amalgam.exchange.peer import LocalPeer
    from amalgam.repo import Repository

    src = _source(hg, tmp_path)
    seen = hg("log", "-r", "tip", "-T", "{node}", cwd=src).stdout
    _commit(hg, src, "c", "raced in\n")
    before = _nodes(hg, src)
    writer = bundle2.Writer()
    writer.newpart("check:heads", data=bytes.fromhex(seen))
    writer.newpart("changegroup", data=b"\0\0\0\0" * 3, mandatory_params=[("version", "02")])
    peer = LocalPeer(Repository.open(str(src)))
    import pytest

    from amalgam.error import Abort

    with pytest.raises(Abort, match="push race"):
        peer.unbundle(writer.chunks(), [bytes.fromhex(seen)])
    assert _nodes(hg, src) == before


def test_push_new_branch_rev_and_secret(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    hg("clone", "-q", str(src), str(tmp_path / "work"))
    work = tmp_path / "work"
    hg("branch", "-q", "feature", cwd=work)
    _commit(hg, work, "f", "on a branch\n")
    refused = amg("push", cwd=work)
    assert refused.rc != 0 and "push creates new remote branches: feature" in refused.stderr
    hg("update", "-q", "default", cwd=work)
    _commit(hg, work, "s", "secret\n", "--secret")
    # -r limits the push to the given changeset's ancestors.
    only = amg("push", "-r", "2", cwd=work)
    assert only.rc == 1 and only.stdout.endswith("no changes found\n")
    assert amg("push", "--new-branch", cwd=work).rc == 0
    branches = hg("branches", "-T", "{branch}\n", cwd=src).stdout.split()
    assert sorted(branches) == ["default", "feature"]
    secret = hg("log", "-r", "secret()", "-T", "{node}", cwd=work).stdout
    assert hg("log", "-r", f"{secret}", cwd=src, check=False).rc != 0
    ignored = amg("push", "-r", secret, cwd=work)
    assert ignored.rc == 1
    assert "no changes found (ignored 1 secret changesets)" in ignored.stdout
    hg("verify", cwd=src)


def test_pull_branch_bookmark_and_divergence(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    hg("branch", "-q", "other", cwd=src)
    _commit(hg, src, "o", "other branch\n")
    dst = tmp_path / "dst"
    assert amg("clone", "-U", "-b", "default", str(src), str(dst)).rc == 0
    assert "other" not in hg("branches", "-T", "{branch}\n", cwd=dst).stdout
    assert amg("pull", "-b", "other", cwd=dst).rc == 0
    assert "other" in hg("branches", "-T", "{branch}\n", cwd=dst).stdout
    # -B imports the named bookmark; a bookmark moved on both sides diverges.
    hg("bookmark", "-q", "-r", "0", "side", cwd=src)
    result = amg("pull", "-B", "side", cwd=dst)
    assert result.rc == 0 and "importing bookmark side" in result.stdout
    hg("bookmark", "-q", "-f", "-r", "1", "side", cwd=dst)
    hg("update", "-q", "0", cwd=src)
    _commit(hg, src, "n", "diverging\n")
    hg("bookmark", "-q", "-f", "side", cwd=src)
    diverged = amg("pull", cwd=dst)
    assert diverged.rc == 0
    assert "divergent bookmark side stored as side@default" in diverged.stderr
    marks = hg("bookmarks", "-T", "{bookmark}\n", cwd=dst).stdout.split()
    assert "side@default" in marks and "side" in marks
    missing = amg("pull", "-B", "nosuch", cwd=dst)
    assert missing.rc != 0 and "remote bookmark nosuch not found!" in missing.stderr


def test_non_publishing_source_keeps_drafts(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    dst = tmp_path / "dst"
    result = amg("--config", "phases.publish=false", "clone", "-U", str(src), str(dst))
    assert result.rc == 0, result.stderr
    assert hg("log", "-T", "{phase}\n", cwd=dst).stdout.split() == ["draft"] * 3


def test_push_to_non_publishing_keeps_public_changesets_public(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    hg("clone", "-q", str(src), str(tmp_path / "work"))
    work = tmp_path / "work"
    _commit(hg, work, "p", "published here\n")
    hg("phase", "-p", ".", cwd=work)
    _commit(hg, work, "d", "still draft\n")
    result = amg("--config", "phases.publish=false", "push", cwd=work)
    assert result.rc == 0, result.stderr
    phases = hg("log", "-r", "-2:", "-T", "{phase}\n", cwd=src).stdout.split()
    assert phases == ["public", "draft"]
    assert hg("log", "-r", "-2:", "-T", "{phase}\n", cwd=work).stdout.split() == phases


def test_pull_from_a_non_publishing_source_keeps_its_drafts_draft(amg, hg, tmp_path: Path) -> None:
    src = _source(hg, tmp_path)
    (src / ".hg" / "hgrc").write_text("[phases]\npublish = false\n")
    phases = "{rev} {phase}\n"
    for tool, name in ((amg, "ours"), (hg, "theirs")):
        dest = tmp_path / name
        assert hg("init", str(dest)).rc == 0
        assert tool("pull", "-q", str(src), cwd=dest).rc == 0
    assert amg("log", "-T", phases, cwd=tmp_path / "ours").stdout == \
        hg("log", "-T", phases, cwd=tmp_path / "theirs").stdout == "2 draft\n1 draft\n0 draft\n"
