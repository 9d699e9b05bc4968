"""Old plugin index files are pruned after a rescan, never on a warm start."""
from __future__ import annotations

import os
import time
from pathlib import Path

from amalgam.registry import index
from amalgam.registry.discovery import discover, rescan

DAY = 24 * 3600


def _dir(env: dict[str, str]) -> Path:
    path = Path(env["XDG_CACHE_HOME"]) / "amalgam"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _old(path: Path, age: float, text: str = "x") -> Path:
    path.write_text(text)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def _current(env: dict[str, str]) -> Path:
    return Path(index.cache_file(env))


def test_only_the_newest_index_files_are_kept(isolated_env) -> None:
    cache = _dir(isolated_env)
    # Ages 1..20 hours: the 15 youngest stay beside the one being written.
    others = [_old(cache / f"plugins-{n:08x}.idx", (n + 1) * 3600) for n in range(20)]
    rescan(isolated_env)
    kept = sorted(p.name for p in cache.glob("plugins-*.idx"))
    assert _current(isolated_env).name in kept
    assert len(kept) == index._KEEP_FILES
    assert {p.name for p in others[:index._KEEP_FILES - 1]} <= set(kept)
    assert not {p.name for p in others[index._KEEP_FILES - 1:]} & set(kept)


def test_index_files_older_than_the_limit_go_even_when_few(isolated_env) -> None:
    cache = _dir(isolated_env)
    young = _old(cache / "plugins-0000000a.idx", 2 * DAY)
    old = _old(cache / "plugins-0000000b.idx", index._KEEP_SECONDS + DAY)
    rescan(isolated_env)
    assert young.exists() and not old.exists()
    assert _current(isolated_env).exists()


def test_legacy_json_and_dead_temporary_files_go(isolated_env) -> None:
    cache = _dir(isolated_env)
    legacy = _old(cache / "plugins-3c2aec1bde338d76.json", 60)
    dead_tmp = _old(cache / "plugins-0000000c.idx.4242.tmp", 2 * 3600)
    live_tmp = _old(cache / "plugins-0000000d.idx.4343.tmp", 5)
    unrelated = [_old(cache / "notes.json", 400 * DAY), _old(cache / "other.idx", 400 * DAY)]
    rescan(isolated_env)
    assert not legacy.exists() and not dead_tmp.exists()
    assert live_tmp.exists()
    assert all(p.exists() for p in unrelated)


def test_a_warm_start_prunes_nothing(isolated_env) -> None:
    cache = _dir(isolated_env)
    discover(isolated_env)  # writes the index (and prunes: nothing yet)
    old = _old(cache / "plugins-0000000e.idx", index._KEEP_SECONDS + DAY)
    legacy = _old(cache / "plugins-0000000f.json", DAY)
    assert discover(isolated_env) is not None  # served by the cache
    assert old.exists() and legacy.exists()


def test_an_unlistable_cache_directory_does_not_fail(isolated_env, tmp_path) -> None:
    # Pruning a directory that vanished (or cannot be read) is a no-op.
    index._prune(str(tmp_path / "missing"), keep="plugins-00000000.idx")
