"""Store path encoding and the fncache, checked against real hg."""
from __future__ import annotations

import os
import random

import pytest

from amalgam.error import StorageError
from amalgam.storage import store as st
from amalgam.storage.store import Store

DEFAULT_REQS = {"store", "fncache", "dotencode", "revlogv1"}

# Facts from hg-formats §1.4 (observed with hg 7.2.4).
EXAMPLES = [
    (b"data/foo/Bar.txt.i", b"data/foo/_bar.txt.i"),
    (b"data/aux.c.i", b"data/au~78.c.i"),
    (b"data/.hgignore.i", b"data/~2ehgignore.i"),
    (b"data/ trailing. /x.i", b"data/~20trailing.~20/x.i"),
    ("data/café.txt.i".encode(), b"data/caf~c3~a9.txt.i"),
    (b"data/foo.i/bar.i", b"data/foo.i.hg/bar.i"),
    (b"data/" + b"/".join(b"verylongdirectoryname%d" % i for i in range(6))
     + b"/SomeQuiteLongFileName.txt.i",
     b"dh/verylong/verylong/verylong/verylong/verylong/verylong/"
     b"somequitelongfilename1fa9954adc6414215a04d70cacdaaecff4b16ab0.i"),
    (b"00changelog.i", b"00changelog.i"),
]


@pytest.mark.parametrize("logical,encoded", EXAMPLES)
def test_documented_examples(logical, encoded):
    assert st.hybridencode(logical, dotencode=True) == encoded


def test_dotencode_off_leaves_leading_dot():
    assert st.hybridencode(b"data/.hgignore.i", dotencode=False) == b"data/.hgignore.i"


def test_device_names():
    enc = st.hybridencode
    assert enc(b"data/com1/lpt9.i") == b"data/co~6d1/lp~749.i"
    assert enc(b"data/nul.txt.i") == b"data/nu~6c.txt.i"
    assert enc(b"data/AUX.i") == b"data/_a_u_x.i"
    assert enc(b"data/auxx.i") == b"data/auxx.i"
    assert enc(b"data/com0.i") == b"data/com0.i"


def test_encodedir_round_trip():
    path = b"data/a.hg/b.i/c.d/e.i"
    assert st.encodedir(path) == b"data/a.hg.hg/b.i.hg/c.d.hg/e.i"
    assert st.decodedir(st.encodedir(path)) == path


def _random_paths(count, seed=7):
    rng = random.Random(seed)
    alphabet = b"abcXYZ09_.~ -:*?<>|\"\\\x01\x7f\xe9\xff"
    specials = [b"aux", b"com1", b"nul.txt", b".hg", b"x.i", b"y.d", b"LPT3", b"con.",
                b" a ", b"..", b"..d", b"A" * 40]
    for _ in range(count):
        target = rng.choice([5, 30, 80, 130, 300])
        parts = []
        while sum(map(len, parts)) < target:
            if rng.random() < 0.15:
                parts.append(rng.choice(specials))
            else:
                parts.append(bytes(rng.choice(alphabet)
                                   for _ in range(rng.randint(1, 14))))
        yield b"data/" + b"/".join(parts) + rng.choice([b".i", b".d"])


def test_matches_mercurial_encoder_on_random_paths():
    hgstore = pytest.importorskip("mercurial.store")
    for path in _random_paths(4000):
        assert st.hybridencode(path, True) == hgstore._pathencode(path), path
        assert st.hybridencode(path, False) == hgstore._plainhybridencode(path), path
        encoded = st.encodefilename(path)
        assert encoded == hgstore.encodefilename(path), path
        assert st.decodefilename(encoded) == path


def test_decodefilename_rejects_garbage():
    with pytest.raises(StorageError):
        st.decodefilename(b"data/~zz.i")


NAMES = [
    "plain.txt", "UPPER/Case.TXT", "aux.c", "con/prn.txt", ".hidden", "dir. /x ",
    "café/naïve.txt", "x.i/y.d/z", "sp ace/tr.ail.", "_under_score",
    "/".join(["verylongdirectoryname%d" % i for i in range(8)]) + "/SomeLongFile.txt",
    "a" * 200 + ".bin",
]


@pytest.fixture
def hg_repo(hg, tmp_path):
    repo = tmp_path / "repo"
    hg("init", str(repo))
    for name in NAMES:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() + b"\n")
    hg("commit", "-Am", "names", cwd=repo)
    return repo


def test_store_names_match_hg(hg_repo):
    store = Store(str(hg_repo / ".hg/store"),
                  (hg_repo / ".hg/store/requires").read_text().split())
    entries = store.fncache_entries()
    assert entries == {b"data/" + n.encode() + b".i" for n in NAMES}
    on_disk = set(store.encoded_datafiles())
    assert {store.encode(p) for p in entries} == on_disk
    assert any(name.startswith(b"dh/") for name in on_disk)
    for path, size in store.datafiles():
        assert size == os.path.getsize(store.vfs.join(path))
    for name in NAMES:
        logical = b"data/" + name.encode() + b".i"
        assert store.vfs.exists(logical), name
        assert store.vfs.read(logical) == (hg_repo / ".hg/store").joinpath(
            os.fsdecode(store.encode(logical))).read_bytes()


def test_plain_store_lists_by_decoding(tmp_path):
    store = Store(str(tmp_path), {"store", "revlogv1"})
    store.vfs.write(b"data/Foo:bar.i", b"x")
    assert store.rawvfs.exists(b"data/_foo~3abar.i")
    assert store.datafiles() == [(b"data/Foo:bar.i", 1)]
    assert store.fncache_entries() == set()


def test_fncache_written_at_close_by_appending(tmp_path):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"fncache", b"data/old.i\n")
    with store.transaction("t") as tr:
        with store.vfs(b"data/New.i", "ab") as fp:
            tr.add(b"data/New.i", 0)
            fp.write(b"rev")
        with store.vfs(b"data/dir.i/x.i", "wb") as fp:
            fp.write(b"rev")
        assert store.rawvfs.read(b"fncache") == b"data/old.i\n"
    assert store.rawvfs.read(b"fncache") == b"data/old.i\ndata/New.i\ndata/dir.i.hg/x.i\n"
    assert store.fncache_entries() == {b"data/old.i", b"data/New.i", b"data/dir.i/x.i"}
    assert not store.rawvfs.exists(b"journal")



def test_transaction_backups_beside_a_revlog_stay_out_of_fncache(tmp_path):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.vfs.write(b"data/a_b.i", b"inline")
    with store.transaction("t") as tr:
        tr.addbackup(b"data/a_b.i")
        # hg names the backup through the store encoding, beside the file.
        assert store.rawvfs.exists(b"data/journal.backup.a__b.i.bck")
        with store.vfs(b"data/a_b.d", "wb") as fp:
            fp.write(b"split data")
    assert store.fncache_entries() == {b"data/a_b.i", b"data/a_b.d"}


def test_appending_to_an_existing_revlog_does_not_load_the_fncache(tmp_path, monkeypatch):
    """A commit to a big repository appends to existing revlogs; it must not
    parse the whole fncache for that.  New and emptied files still get listed."""
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"fncache", b"data/old.i\n")
    store.vfs.write(b"data/old.i", b"rev0")
    loads = []
    real = st.parse_fncache
    monkeypatch.setattr(st, "parse_fncache", lambda data: loads.append(data) or real(data))
    store = Store(str(tmp_path), DEFAULT_REQS)
    with store.transaction("t") as tr:
        tr.add(b"data/old.i", 4)
        with store.vfs(b"data/old.i", "ab") as fp:
            fp.write(b"rev1")
        assert loads == []
        with store.vfs(b"data/new.i", "ab") as fp:
            tr.add(b"data/new.i", 0)
            fp.write(b"rev0")
    assert len(loads) == 1
    assert store.rawvfs.read(b"fncache") == b"data/old.i\ndata/new.i\n"


def test_reading_does_not_touch_fncache(tmp_path):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"data/a.i", b"x")
    with store.transaction("t"):
        store.vfs.read(b"data/a.i")
        store.vfs.exists(b"data/b.i")
    assert not store.rawvfs.exists(b"fncache")


def test_fncache_unchanged_on_abort(tmp_path):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"fncache", b"data/old.i\n")
    with pytest.raises(ValueError):
        with store.transaction("t") as tr:
            tr.add(b"data/new.i", 0)
            store.vfs.write(b"data/new.i", b"rev")
            raise ValueError
    assert store.rawvfs.read(b"fncache") == b"data/old.i\n"
    assert not store.vfs.exists(b"data/new.i")
    assert store.fncache_entries() == {b"data/old.i"}


def test_fncache_removal_rewrites_atomically(tmp_path):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"fncache", b"data/a.i\ndata/b.i\n")
    with store.transaction("t"):
        store.fncache.discard(b"data/a.i")
    assert store.rawvfs.read(b"fncache") == b"data/b.i\n"


@pytest.mark.parametrize("content", [b"data/a.i", b"data/a.i\n\ndata/b.i\n"])
def test_malformed_fncache(tmp_path, content):
    store = Store(str(tmp_path), DEFAULT_REQS)
    store.rawvfs.write(b"fncache", content)
    with pytest.raises(StorageError) as info:
        store.fncache_entries()
    assert info.value.hints


def test_fncache_we_write_is_read_by_hg(hg, hg_repo):
    storepath = hg_repo / ".hg/store"
    store = Store(str(storepath), (storepath / "requires").read_text().split())
    store.fncache.discard(b"data/plain.txt.i")
    with store.transaction("t"):
        store.fncache.add(b"data/plain.txt.i")
    assert b"data/plain.txt.i" in (storepath / "fncache").read_bytes().split(b"\n")
    out = hg("verify", cwd=hg_repo)
    assert "checked 1 changesets" in out.stdout


def test_encoded_vfs_refuses_escapes(tmp_path):
    from amalgam.error import SecurityError
    store = Store(str(tmp_path), DEFAULT_REQS)
    with pytest.raises(SecurityError):
        store.vfs.write(b"data/../../evil.i", b"x")
