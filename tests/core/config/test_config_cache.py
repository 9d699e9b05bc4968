"""The parsed-config cache: hits skip the TOML parser, every change misses,
damaged or unstorable caches fall back to parsing, errors are never cached."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amalgam.config import cache, files, load
from amalgam.error import ConfigError

HOUR = 3600


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "AMG_SYSTEM_CONFIG": str(tmp_path / "etc" / "config.toml")}


def _user(env: dict[str, str], text: str, age: float = HOUR) -> Path:
    """Write the user config, last changed *age* seconds ago (mtime; ctime is now)."""
    path = Path(env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def _cached(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["XDG_CACHE_HOME"]) / "amalgam").glob("config-*.cache"))


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled at once (the real rule needs their ctime 2 s old)."""
    monkeypatch.setattr(cache, "_SETTLE_NS", 0)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each real parse of a TOML file."""
    seen: list[str] = []
    real = files.read_toml

    def counting(path: str):
        seen.append(path)
        return real(path)
    monkeypatch.setattr(files, "read_toml", counting)
    return seen


def test_a_settled_file_is_parsed_once(env, settled, parses) -> None:
    path = _user(env, '[ui]\nusername = "A <a@b>"\nverbose = true\n')
    first = load(environ=env)
    assert parses == [str(path)] and len(_cached(env)) == 1
    second = load(environ=env)
    assert parses == [str(path)]  # the second load hit the cache
    for cfg in (first, second):
        assert cfg.get("ui", "username") == "A <a@b>"
        assert cfg.get("ui", "verbose") is True
        assert cfg.source("ui", "username") == f"{path}:2"


def test_a_warm_start_imports_no_toml_parser(env, settled) -> None:
    _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    code = ("import sys\nfrom amalgam.config import load\nimport os\n"
            "cfg = load(environ=os.environ)\n"
            "print(cfg.get('ui', 'username'), 'tomllib' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["A", "<a@b>", "False"], proc.stderr


def test_a_rewrite_of_the_same_size_and_mtime_is_seen(env, settled, parses) -> None:
    path = _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    st = os.stat(path)
    time.sleep(0.01)  # a later ctime, even on coarse clocks that tick often
    path.write_text('[ui]\nusername = "B <a@b>"\n', encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime
    if os.stat(path).st_ctime_ns == st.st_ctime_ns:
        pytest.skip("this file system's ctime did not move")
    assert load(environ=env).get("ui", "username") == "B <a@b>"
    assert len(parses) == 2


def test_a_file_changed_just_now_is_not_cached(env, parses) -> None:
    _user(env, '[ui]\nusername = "A <a@b>"\n', age=0)
    load(environ=env)
    load(environ=env)
    assert len(parses) == 2 and _cached(env) == []


def test_a_change_of_parser_is_a_miss(env, settled, parses, monkeypatch) -> None:
    import amalgam

    _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    monkeypatch.setattr(amalgam, "__version__", amalgam.__version__ + ".dev1")
    assert load(environ=env).get("ui", "username") == "A <a@b>"
    assert len(parses) == 2


def _damaged(good: bytes) -> list[bytes]:
    import marshal
    import zlib

    header = len(cache._MAGIC) + 4
    wrong_shape = marshal.dumps((["key"], [("ui", "username")]))
    return [
        b"",
        good[:5],
        good[:header + 3],
        good[:-1],
        good[:header] + bytes([good[header] ^ 0xFF]) + good[header + 1:],
        b"garbage" * 10,
        cache._MAGIC + zlib.crc32(wrong_shape).to_bytes(4, "big") + wrong_shape,
    ]


@pytest.mark.parametrize("case", range(7))
def test_a_damaged_cache_is_reparsed_and_rewritten(case, env, settled, parses) -> None:
    _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    (stored,) = _cached(env)
    good = stored.read_bytes()
    stored.write_bytes(_damaged(good)[case])
    assert load(environ=env).get("ui", "username") == "A <a@b>"
    assert len(parses) == 2
    assert stored.read_bytes() == good


def test_another_files_cache_is_not_used(env, settled, parses, tmp_path) -> None:
    # A cache file keyed for another path (a checksum collision) is a miss.
    path = _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    (stored,) = _cached(env)
    other = tmp_path / "other.toml"
    other.write_text('[ui]\nusername = "B <a@b>"\n', encoding="utf-8")
    os.utime(other, (time.time() - HOUR,) * 2)
    cache.read_toml(str(other), env)
    (other_cache,) = [p for p in _cached(env) if p != stored]
    stored.write_bytes(other_cache.read_bytes())
    assert load(environ=env).get("ui", "username") == "A <a@b>"
    assert parses.count(str(path)) == 2


def test_dates_cannot_be_cached_and_are_parsed_each_time(env, settled, parses) -> None:
    _user(env, '[ui]\nusername = "A <a@b>"\n[extra]\nwhen = 1979-05-27\n')
    for _ in range(2):
        load(environ=env)
    assert len(parses) == 2 and _cached(env) == []


def test_errors_are_raised_every_time_and_never_cached(env, settled) -> None:
    _user(env, "[ui\nusername = 1\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="malformed configuration file"):
            load(environ=env)
    assert _cached(env) == []


def test_missing_files_write_nothing(env, settled) -> None:
    cfg = load(environ=env)
    assert cfg.get("ui", "username") is None
    assert not (Path(env["XDG_CACHE_HOME"]) / "amalgam").exists()


def test_an_unwritable_cache_directory_still_reads(env, settled, tmp_path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    env = {**env, "XDG_CACHE_HOME": str(blocker)}
    _user(env, '[ui]\nusername = "A <a@b>"\n')
    for _ in range(2):
        assert load(environ=env).get("ui", "username") == "A <a@b>"


def test_no_cache_directory_without_home(env, settled, parses) -> None:
    _user(env, '[ui]\nusername = "A <a@b>"\n')
    bare = {k: v for k, v in env.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    for _ in range(2):
        assert load(environ=bare).get("ui", "username") == "A <a@b>"
    assert len(parses) == 2


def test_old_cache_files_are_pruned_when_one_is_written(env, settled) -> None:
    directory = Path(env["XDG_CACHE_HOME"]) / "amalgam"
    directory.mkdir(parents=True)
    now = time.time()
    olds = []
    for n in range(cache._KEEP_FILES + 3):  # ages 1.. hours
        old = directory / f"config-{n:08x}.cache"
        old.write_bytes(b"x")
        os.utime(old, (now - (n + 1) * HOUR,) * 2)
        olds.append(old)
    ancient = directory / "config-ffffffff.cache"
    ancient.write_bytes(b"x")
    os.utime(ancient, (now - cache._KEEP_SECONDS - HOUR,) * 2)
    plugins = directory / "plugins-00000000.idx"
    plugins.write_bytes(b"x")
    os.utime(plugins, (now - cache._KEEP_SECONDS - HOUR,) * 2)
    _user(env, '[ui]\nusername = "A <a@b>"\n')
    load(environ=env)
    kept = {p.name for p in _cached(env)}
    assert len(kept) == cache._KEEP_FILES
    assert {p.name for p in olds[:cache._KEEP_FILES - 1]} <= kept
    assert not ancient.exists()
    assert plugins.exists()  # not the config cache's to prune
