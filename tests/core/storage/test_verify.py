"""verify: clean repositories pass; each kind of damage is an integrity error."""
from __future__ import annotations

import os
import struct

import pytest

from amalgam.repo import FileChange, Repository

USER = "Test <t@example.com>"


def _build(root) -> Repository:
    repo = Repository.create(str(root))
    texts = [b"".join(b"line %d of rev %d\n" % (i, r) for i in range(40)) for r in range(4)]
    for rev, text in enumerate(texts):
        files = {b"a.txt": FileChange(text), b"dir/b.bin": FileChange(bytes([rev]) * 300)}
        if rev == 2:
            files[b"c.txt"] = FileChange(text, copy_source=b"a.txt")
        repo.commit_files(files, user=USER, date=(1_700_000_000 + rev, 0), message=f"r{rev}")
    return repo


def _store(root, name: str) -> str:
    return os.path.join(str(root), ".hg", "store", name)


def _patch_entry(path: str, rev: int, offset: int, fmt: str, value: int) -> None:
    """Overwrite one field of index entry *rev* of an inline revlog."""
    with open(path, "r+b") as fp:
        data = fp.read()
        pos = 0
        for _ in range(rev):
            complen = struct.unpack(">i", data[pos + 8:pos + 12])[0]
            pos += 64 + complen
        fp.seek(pos + offset)
        fp.write(struct.pack(fmt, value))


def _flip_last_byte(path: str) -> None:
    with open(path, "r+b") as fp:
        fp.seek(-1, 2)
        last = fp.read(1)
        fp.seek(-1, 2)
        fp.write(bytes([last[0] ^ 0x55]))


def _truncate(path: str) -> None:
    with open(path, "r+b") as fp:
        fp.truncate(os.path.getsize(path) - 30)


CORRUPTIONS = {
    "truncated manifest index": lambda root: _truncate(_store(root, "00manifest.i")),
    "truncated changelog index": lambda root: _truncate(_store(root, "00changelog.i")),
    "flipped data byte": lambda root: _flip_last_byte(_store(root, "data/a.txt.i")),
    "missing filelog": lambda root: os.unlink(_store(root, "data/dir/b.bin.i")),
    "wrong linkrev": lambda root: _patch_entry(_store(root, "data/a.txt.i"), 2, 20, ">i", 0),
    "delta base above its rev": lambda root: _patch_entry(_store(root, "data/a.txt.i"), 1,
                                                          16, ">i", 3),
}


def test_clean_repository(amg, hg, tmp_path):
    _build(tmp_path / "r")
    result = amg("verify", cwd=tmp_path / "r")
    assert result.rc == 0, result.stderr
    assert result.out.decode().splitlines() == [
        "checking changesets", "checking manifests",
        "crosschecking files in changesets and manifests", "checking files",
        "checking dirstate", "checked 4 changesets with 9 changes to 3 files"]
    assert result.err == b""
    hg("verify", cwd=tmp_path / "r")


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_damage_is_reported(amg, hg, tmp_path, damage):
    root = tmp_path / "r"
    _build(root)
    CORRUPTIONS[damage](root)
    if damage != "wrong linkrev":  # hg only checks that a linkrev exists
        assert hg("verify", cwd=root, check=False).rc != 0  # the fixture really is damaged
    result = amg("verify", cwd=root)
    assert result.rc == 1, (result.stdout, result.stderr)
    assert b"integrity errors encountered!" in result.err
    assert b"Traceback" not in result.err


@pytest.mark.parametrize("damage", sorted(set(CORRUPTIONS) - {"wrong linkrev"}))
def test_reading_damage_aborts_cleanly(amg, tmp_path, damage):
    root = tmp_path / "r"
    _build(root)
    CORRUPTIONS[damage](root)
    outcomes = []
    for args in (["debugdata", "-c", "3"], ["debugdata", "-m", "3"],
                 ["debugdata", "a.txt", "3"], ["debugdata", "a.txt", "1"],
                 ["debugindex", "dir/b.bin"], ["debugrevlog", "-m"]):
        result = amg(*args, cwd=root)
        assert b"Traceback" not in result.err
        assert result.rc == 0 or result.err.startswith(b"abort: "), (args, result.stderr)
        outcomes.append(result.rc)
    assert any(outcomes), "the damage must be visible to at least one reader"


def test_incomplete_fncache_is_a_warning(amg, hg, tmp_path):
    root = tmp_path / "r"
    _build(root)
    fncache = root / ".hg/store/fncache"
    fncache.write_bytes(b"".join(line + b"\n" for line in fncache.read_bytes().splitlines()
                                 if line != b"data/c.txt.i"))
    result = amg("verify", cwd=root)
    assert result.rc == 0, result.stderr
    assert result.err.splitlines()[:2] == [
        b"warning: revlog 'data/c.txt.i' is missing from the fncache",
        b"1 warnings encountered!"]


def test_hg_corruptions_agree_on_first_damaged_changeset(amg, hg, tmp_path):
    root = tmp_path / "r"
    _build(root)
    CORRUPTIONS["flipped data byte"](root)
    theirs = hg("verify", cwd=root, check=False).err.splitlines()[-1]
    ours = amg("verify", cwd=root).err.splitlines()[-1]
    assert ours == theirs == b"(first damaged changeset appears to be 3)"


def test_abandoned_transaction_is_mentioned(amg, tmp_path):
    root = tmp_path / "r"
    _build(root)
    (root / ".hg/store/journal").write_bytes(b"")
    result = amg("verify", cwd=root)
    assert result.rc == 0
    assert result.err == b"abandoned transaction found - run 'amg recover'\n"


def _manifest_text(entries: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(b"%s\0%s\n" % (path, node.hex().encode()) for path, node in entries)


def _random_manifests(rnd, ordered: bool) -> tuple[bytes, bytes]:
    paths = sorted({b"d%d/f%d" % (rnd.randrange(5), rnd.randrange(60)) for _ in range(80)})
    parent = [(p, bytes([rnd.randrange(256)]) * 20) for p in paths]
    child = list(parent)
    for _ in range(rnd.randrange(1, 6)):
        pos = rnd.randrange(len(child) + 1)
        roll = rnd.random()
        if roll < 0.4 and pos < len(child):
            child[pos] = (child[pos][0], bytes([rnd.randrange(256)]) * 20)
        elif roll < 0.7 and pos < len(child):
            del child[pos]
        else:
            child.insert(pos, (b"new%d" % rnd.randrange(10**6), bytes([rnd.randrange(256)]) * 20))
    if ordered:
        child.sort()
        child = [e for i, e in enumerate(child) if i == 0 or e[0] != child[i - 1][0]]
    elif child:
        # Damage a hash-valid manifest could carry: a repeated line, lines out of order.
        child.insert(rnd.randrange(len(child)), rnd.choice(child))
        if rnd.random() < 0.5:
            i = rnd.randrange(len(child))
            child[i], child[-1] = child[-1], child[i]
    return _manifest_text(parent), _manifest_text(child)


@pytest.mark.parametrize("ordered", [True, False])
def test_changed_lines_from_the_delta_match_a_full_diff(ordered):
    import random

    from amalgam.storage import mdiff
    from amalgam.storage.manifest import Manifest
    from amalgam.storage.verify import _added_entries, _is_ordered

    rnd = random.Random(7 if ordered else 8)
    for _ in range(300):
        parent, child = _random_manifests(rnd, ordered)
        expected = {path: new[0] for path, (_old, new)
                    in Manifest(parent).diff(Manifest(child)).items() if new is not None}
        delta = mdiff.textdiff(parent, child)
        for hunks in (delta, None):
            added, child_ordered = _added_entries(parent, True, child, hunks)
            assert added == expected
            assert child_ordered == _is_ordered(child)
        # The parent's own order is not taken on trust either.
        assert _added_entries(parent, False, child, delta)[0] == expected


def test_malformed_changed_manifest_line_is_an_error():
    from amalgam.error import StorageError
    from amalgam.storage import mdiff
    from amalgam.storage.verify import _added_entries

    parent = _manifest_text([(b"a", b"\1" * 20), (b"b", b"\2" * 20)])
    child = parent.replace(b"b\0", b"b-no-separator")
    for hunks in (mdiff.textdiff(parent, child), None):
        with pytest.raises(StorageError, match="NUL separator"):
            _added_entries(parent, True, child, hunks)


def test_damaged_manifest_delta_reports_like_hg(amg, hg, tmp_path):
    """A manifest revision stored as a delta on its parent whose data no longer decodes."""
    root = tmp_path / "r"
    _build(root)
    path = _store(root, "00manifest.i")
    _flip_last_byte(path)
    result = amg("verify", cwd=root)
    theirs = hg("verify", cwd=root, check=False)
    assert theirs.rc != 0
    assert result.rc == 1
    assert result.err.splitlines()[-1] == theirs.err.splitlines()[-1] == \
        b"(first damaged changeset appears to be 3)"
