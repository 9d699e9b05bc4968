"""Journaled transactions: rollback, recovery after SIGKILL, hg interop."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from amalgam.error import RecoveryNeeded
from amalgam.storage.transaction import Transaction, has_journal, recover
from amalgam.ui import UI
from amalgam.vfs import VFS


@pytest.fixture
def vfs(tmp_path):
    v = VFS(str(tmp_path / "store"))
    v.makedirs()
    return v


def _append(vfs, tr, path, data):
    size = vfs.stat(path).st_size if vfs.exists(path) else 0
    tr.add(path, size)
    vfs.append(path, data)


def _snapshot(vfs):
    out = {}
    for root, _dirs, files in os.walk(vfs.base):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as fp:
                out[os.path.relpath(full, vfs.base)] = fp.read()
    return out


def test_close_keeps_changes_and_removes_journal(vfs):
    vfs.write(b"a.i", b"base")
    with Transaction("t", vfs) as tr:
        _append(vfs, tr, b"a.i", b"+new")
        _append(vfs, tr, b"data/b.i", b"fresh")
        assert vfs.exists(b"journal")
    assert vfs.read(b"a.i") == b"base+new"
    assert vfs.read(b"data/b.i") == b"fresh"
    assert sorted(vfs.listdir()) == [b"a.i", b"data"]


def test_journal_format_is_hgs(vfs):
    vfs.write(b"a.i", b"base")
    vfs.write(b"phaseroots", b"p")
    tr = Transaction("t", vfs)
    _append(vfs, tr, b"a.i", b"x")
    _append(vfs, tr, b"a.i", b"y")  # second add of one file is ignored
    tr.add(b"data/new.i", 0)
    tr.addbackup(b"phaseroots")
    tr.addbackup(b"absent")
    assert vfs.read(b"journal") == b"a.i\x004\ndata/new.i\x000\n"
    assert vfs.read(b"journal.backupfiles") == (
        b"2\n\0phaseroots\0journal.backup.phaseroots.bck\x000\n\0absent\0\x000\n")
    assert vfs.read(b"journal.backup.phaseroots.bck") == b"p"
    tr.abort()


def test_abort_truncates_restores_and_deletes(vfs):
    vfs.write(b"a.i", b"base")
    vfs.write(b"rewritten", b"original")
    before = _snapshot(vfs)
    tr = Transaction("t", vfs)
    _append(vfs, tr, b"a.i", b"+junk")
    _append(vfs, tr, b"data/new.i", b"junk")
    tr.addbackup(b"rewritten")
    vfs.write(b"rewritten", b"changed", atomictemp=True)
    tr.addbackup(b"created")
    vfs.write(b"created", b"x")
    tr.abort()
    assert _snapshot(vfs) == before


def test_exception_aborts_and_propagates(vfs):
    vfs.write(b"a.i", b"base")
    with pytest.raises(KeyError):
        with Transaction("t", vfs) as tr:
            _append(vfs, tr, b"a.i", b"junk")
            raise KeyError("x")
    assert vfs.read(b"a.i") == b"base"
    assert not has_journal(vfs)


def test_backup_then_truncate_for_replaced_file(vfs):
    # An inline revlog appended to, then split (rewritten) in one transaction.
    vfs.write(b"idx.i", b"inline-base")
    tr = Transaction("t", vfs)
    _append(vfs, tr, b"idx.i", b"+appended")
    tr.addbackup(b"idx.i")
    assert b"idx.i" in vfs.read(b"journal.backupfiles")
    _append(vfs, tr, b"idx.d", b"moved data")
    vfs.write(b"idx.i", b"split layout", atomictemp=True)
    _append(vfs, tr, b"idx.i", b"+later")
    tr.abort()
    assert vfs.read(b"idx.i") == b"inline-base"
    assert not vfs.exists(b"idx.d")


def test_finalizers_run_sorted_and_may_journal(vfs):
    calls = []
    with Transaction("t", vfs) as tr:
        tr.addfinalize(b"b", lambda t: calls.append("b"))
        tr.addfinalize(b"a", lambda t: (calls.append("a"), _append(vfs, t, b"f", b"x")))
        tr.addpostclose(b"z", lambda t: calls.append("post"))
        tr.addabort(b"never", lambda t: calls.append("abort"))
    assert calls == ["a", "b", "post"]
    assert vfs.read(b"f") == b"x"


def test_abort_callbacks_run(vfs):
    calls = []
    tr = Transaction("t", vfs)
    tr.addabort(b"x", lambda t: calls.append(t.name))
    tr.abort()
    tr.abort()
    assert calls == ["t"]
    assert not tr.active


def test_leftover_journal_blocks_new_transaction(vfs):
    vfs.write(b"journal", b"")
    with pytest.raises(RecoveryNeeded) as info:
        Transaction("t", vfs)
    assert info.value.hints == ["run 'amg recover'"]


def test_recover_without_journal(vfs):
    assert recover(vfs, UI(fout=None, ferr=None)) is False


def test_recover_skips_bad_and_cut_entries(vfs, capfdbinary):
    import io
    vfs.write(b"a.i", b"0123456789")
    vfs.write(b"journal", b"a.i\x004\ngarbage\n../x\x000\nb.i\x000")
    err = io.BytesIO()
    assert recover(vfs, UI(fout=io.BytesIO(), ferr=err)) is True
    assert vfs.read(b"a.i") == b"0123"
    assert b"bad journal entry" in err.getvalue()
    assert not has_journal(vfs)


def test_recover_never_extends_a_file(vfs):
    vfs.write(b"a.i", b"01")
    vfs.write(b"journal", b"a.i\x0010\n")
    recover(vfs)
    assert vfs.read(b"a.i") == b"01"


WRITER = textwrap.dedent("""
    import os, signal, sys
    from amalgam.vfs import VFS
    from amalgam.storage.transaction import Transaction
    vfs = VFS(sys.argv[1])
    how = sys.argv[2]
    tr = Transaction("crash", vfs)
    for path in (b"a.i", b"data/new.i"):
        size = vfs.stat(path).st_size if vfs.exists(path) else 0
        tr.add(path, size)
        vfs.append(path, b"half-written")
    tr.addbackup(b"rewritten")
    vfs.write(b"rewritten", b"replaced", atomictemp=True)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        vfs.append(b"a.i", b"after signal")
    except KeyboardInterrupt:
        tr.abort()
        sys.exit(7)
""")


def _run_writer(base, how):
    return subprocess.run([sys.executable, "-c", WRITER, base, how],
                          capture_output=True, timeout=120)


def test_sigkill_leaves_journal_and_recover_restores(vfs):
    vfs.write(b"a.i", b"committed history")
    vfs.write(b"rewritten", b"original")
    before = _snapshot(vfs)
    proc = _run_writer(vfs.base, "kill")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert has_journal(vfs)
    assert vfs.read(b"a.i") == b"committed historyhalf-written"
    with pytest.raises(RecoveryNeeded):
        Transaction("next", vfs)
    assert recover(vfs) is True
    assert _snapshot(vfs) == before
    assert recover(vfs) is False
    Transaction("next", vfs).close()


def test_sigterm_rolls_back(vfs):
    vfs.write(b"a.i", b"committed history")
    vfs.write(b"rewritten", b"original")
    before = _snapshot(vfs)
    proc = _run_writer(vfs.base, "term")
    assert proc.returncode == 7, proc.stderr
    assert _snapshot(vfs) == before


def test_signal_handlers_restored_after_close(vfs):
    previous = signal.getsignal(signal.SIGTERM)
    tr = Transaction("t", vfs)
    assert signal.getsignal(signal.SIGTERM) != previous
    tr.close()
    assert signal.getsignal(signal.SIGTERM) == previous


# -- interop with hg ---------------------------------------------------------


@pytest.fixture
def hg_repo(hg, tmp_path):
    repo = tmp_path / "repo"
    hg("init", str(repo))
    (repo / "a").write_bytes(b"a\n")
    hg("commit", "-Am", "first", cwd=repo)
    return repo


def _store_snapshot(repo):
    store = repo / ".hg" / "store"
    skip = {"undo", "undo.backupfiles", "lock"}
    return {str(p.relative_to(store)): p.read_bytes()
            for p in store.rglob("*") if p.is_file() and p.name not in skip
            and not p.name.startswith("undo.")}


def test_hg_recover_rolls_back_our_journal(hg, hg_repo):
    before = _store_snapshot(hg_repo)
    script = textwrap.dedent("""
        import os, signal, sys
        from amalgam.storage.store import Store
        path = sys.argv[1]
        store = Store(path, open(path + "/requires").read().split())
        tr = store.transaction("crash")
        for name in (b"00changelog.d", b"00changelog.i", b"data/a.i", b"data/New File.i"):
            size = store.vfs.stat(name).st_size if store.vfs.exists(name) else 0
            tr.add(name, size)
            store.vfs.append(name, b"junk")
        store.write(tr)  # the fncache, as at close
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(hg_repo / ".hg/store")],
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (hg_repo / ".hg/store/journal").exists()
    assert b"data/New File.i" in (hg_repo / ".hg/store/fncache").read_bytes()
    out = hg("recover", cwd=hg_repo)
    assert "rolling back interrupted transaction" in out.stdout
    assert _store_snapshot(hg_repo) == before
    hg("verify", cwd=hg_repo)


def test_we_recover_a_killed_hg_commit(hg, hg_repo):
    before = _store_snapshot(hg_repo)
    (hg_repo / "a").write_bytes(b"changed\n")
    (hg_repo / "b").write_bytes(b"new file\n")
    # The hook's shell is hg's child: killing its parent kills hg mid-transaction.
    result = hg("commit", "-Am", "killed", "--config",
                "hooks.pretxnclose=kill -9 $PPID", cwd=hg_repo, check=False)
    assert result.rc != 0
    store = hg_repo / ".hg" / "store"
    assert (store / "journal").exists()
    vfs = VFS(str(store))
    from amalgam.storage.store import Store
    st = Store(str(store), (store / "requires").read_text().split())
    assert recover(st.vfs, UI(fout=None, ferr=None)) is True
    assert _store_snapshot(hg_repo) == before
    hg("verify", cwd=hg_repo)
    assert not vfs.exists(b"journal")


def test_transaction_off_the_main_thread_leaves_signals_alone(vfs):
    import threading
    previous = signal.getsignal(signal.SIGTERM)
    seen = []

    def work():
        with Transaction("t", vfs) as tr:
            seen.append(signal.getsignal(signal.SIGTERM))
            _append(vfs, tr, b"f", b"x")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [previous]
    assert vfs.read(b"f") == b"x"


def test_our_close_stops_hg_rollback_from_using_stale_undo(hg, hg_repo):
    from amalgam.storage.store import Store
    store = hg_repo / ".hg" / "store"
    assert (store / "undo").exists()
    st = Store(str(store), (store / "requires").read_text().split())
    with st.transaction("ours") as tr:
        tr.addbackup(b"phaseroots")
    before = _store_snapshot(hg_repo)
    result = hg("rollback", cwd=hg_repo, check=False)
    assert result.rc == 1
    assert "no rollback information available" in result.stderr
    assert _store_snapshot(hg_repo) == before
