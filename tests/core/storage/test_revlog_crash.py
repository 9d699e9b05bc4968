"""A writer killed mid-transaction, after an inline revlog was split: recovery
(ours or hg's) must bring back the inline revlog byte for byte."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from amalgam.node import nullid
from amalgam.storage.revlog import Revlog
from amalgam.storage.transaction import Transaction, has_journal, recover
from amalgam.vfs import VFS

_WRITER = textwrap.dedent("""
    import os, signal, sys
    from amalgam.node import nullid
    from amalgam.storage.revlog import Revlog
    from amalgam.storage.transaction import Transaction
    from amalgam.vfs import VFS

    store = VFS(sys.argv[1])
    rl = Revlog(store, b"data/big", options={"compression": "none"})
    tr = Transaction("crash", store)
    tip = rl.tip()
    for i in range(3):
        tip = rl.addrevision(os.urandom(50_000), tr, i + 1, tip, nullid)
    assert not rl.is_inline() and store.exists(b"data/big.d")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _committed_revlog(store: Path) -> bytes:
    vfs = VFS(str(store))
    rl = Revlog(vfs, b"data/big", options={"compression": "none"})
    with Transaction("first", vfs) as tr:
        rl.addrevision(b"first revision\n" * 100, tr, 0, nullid, nullid)
    return (store / "data" / "big.i").read_bytes()


def _kill_writer(store: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(store)],
                          capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    assert has_journal(VFS(str(store)))


def _assert_restored(store: Path, before: bytes) -> None:
    assert (store / "data" / "big.i").read_bytes() == before
    assert not (store / "data" / "big.d").exists()
    rl = Revlog(VFS(str(store)), b"data/big")
    assert rl.is_inline() and len(rl) == 1
    assert rl.revision(0) == b"first revision\n" * 100


def test_amg_recover_undoes_split(tmp_path: Path) -> None:
    store = tmp_path / "store"
    before = _committed_revlog(store)
    _kill_writer(store)
    assert recover(VFS(str(store)))
    _assert_restored(store, before)


def test_hg_recover_undoes_our_split(hg: Any, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    hg("init", str(repo))
    store = repo / ".hg" / "store"
    before = _committed_revlog(store)
    _kill_writer(store)
    hg("recover", "--no-verify", cwd=repo)
    _assert_restored(store, before)


def test_abort_in_process_undoes_split(tmp_path: Path) -> None:
    store = tmp_path / "store"
    before = _committed_revlog(store)
    vfs = VFS(str(store))
    rl = Revlog(vfs, b"data/big", options={"compression": "none"})
    with pytest.raises(RuntimeError), Transaction("boom", vfs) as tr:
        for i in range(3):
            rl.addrevision(bytes([i]) * 60_000, tr, i + 1, rl.tip(), nullid)
        assert not rl.is_inline()
        raise RuntimeError("interrupted")
    _assert_restored(store, before)
