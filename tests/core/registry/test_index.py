"""The plugin index cache: a damaged file is a miss, stat changes invalidate,
and the influence queries never build a manifest."""
from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path

import pytest

from amalgam.registry import discovery, index
from amalgam.registry.discovery import discover

COMMAND = """
[commands.hush]
summary = "be quiet"
aliases = ["sh"]
function = "c:f"

[command-options.init]
options = [{ long = "hush", default = false, help = "quietly" }]

[config.hushing.level]
type = "int"
default = 2
help = "how quiet"
"""


def _cache(env: dict[str, str]) -> Path:
    (path,) = (Path(env["XDG_CACHE_HOME"]) / "amalgam").glob("plugins-*.idx")
    return path


def _count_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    scans: list[int] = []
    real = discovery._scan

    def counting(environ):
        scans.append(1)
        return real(environ)
    monkeypatch.setattr(discovery, "_scan", counting)
    return scans


def _damaged(good: bytes) -> list[bytes]:
    header = len(index._MAGIC) + 4
    junk = b"\x00\xff not marshal data \x07"
    wrong_shape = marshal.dumps(("key", "not a list"))
    return [
        b"",
        good[:5],  # torn inside the magic
        good[:header + 3],  # torn inside the payload
        good[:-1],  # one byte short
        good[:header] + bytes([good[header] ^ 0xFF]) + good[header + 1:],  # a flipped bit
        b"{not an index at all",
        # Checksums that match garbage: only the decoding can refuse these.
        index._MAGIC + zlib.crc32(junk).to_bytes(4, "big") + junk,
        index._MAGIC + zlib.crc32(wrong_shape).to_bytes(4, "big") + wrong_shape,
    ]


@pytest.mark.parametrize("case", range(8))
def test_a_damaged_cache_is_rescanned_and_rewritten(
        case, plugin_dir, isolated_env, monkeypatch) -> None:
    name = plugin_dir.add(extra=COMMAND)
    discover(isolated_env)
    cache = _cache(isolated_env)
    good = cache.read_bytes()
    cache.write_bytes(_damaged(good)[case])
    scans = _count_scans(monkeypatch)
    found = discover(isolated_env)
    assert scans == [1]
    assert found.influence[name].commands == {"hush": (("sh",), "be quiet")}
    assert cache.read_bytes() == good


def test_a_valid_cache_is_not_rescanned(plugin_dir, isolated_env, monkeypatch) -> None:
    name = plugin_dir.add(hooks=("wc_walk",), extra=COMMAND)
    first = discover(isolated_env)
    scans = _count_scans(monkeypatch)
    again = discover(isolated_env)
    assert scans == []
    declared = again.influence[name]
    assert declared.hooks == ("wc_walk",)
    assert declared.option_commands == ("init",)
    assert declared.config == (("hushing", "level", "int", 2, "how quiet"),)
    assert again.manifest(name).command_options == first.manifest(name).command_options


def test_touching_a_manifest_invalidates_the_cache(plugin_dir, isolated_env,
                                                   monkeypatch) -> None:
    name = plugin_dir.add()
    discover(isolated_env)
    toml = plugin_dir.root / name / "plugin.toml"
    st = os.stat(toml)
    os.utime(toml, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same content
    scans = _count_scans(monkeypatch)
    discover(isolated_env)
    assert scans == [1]


def test_removing_a_plugin_invalidates_the_cache(plugin_dir, isolated_env) -> None:
    name = plugin_dir.add()
    assert name in discover(isolated_env).influence
    (plugin_dir.root / name / "plugin.toml").unlink()
    assert name not in discover(isolated_env).influence


def test_a_manifest_added_to_an_existing_package_is_found(plugin_dir, isolated_env) -> None:
    # Only the package directory's mtime changes, not the plugin path's.
    name = plugin_dir.add()
    manifest = plugin_dir.root / name / "plugin.toml"
    saved = manifest.read_bytes()
    manifest.unlink()
    assert name not in discover(isolated_env).influence
    manifest.write_bytes(saved)
    assert name in discover(isolated_env).influence


def test_a_changed_plugin_path_uses_another_cache(plugin_dir, isolated_env,
                                                  tmp_path) -> None:
    name = plugin_dir.add()
    assert name in discover(isolated_env).influence
    env = {**isolated_env, "AMG_PLUGIN_PATH": str(tmp_path / "elsewhere")}
    assert name not in discover(env).influence


def test_a_moved_site_mtime_refreshes_the_cache_without_a_scan(
        plugin_dir, isolated_env, monkeypatch, tmp_path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    discover(isolated_env)
    cache = _cache(isolated_env)
    before = cache.read_bytes()
    st = os.stat(site)
    (site / "notes.txt").write_text("not a distribution")
    os.utime(site, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    scans = _count_scans(monkeypatch)
    discover(isolated_env)
    assert scans == []
    assert cache.read_bytes() != before  # the new mtime is stored...
    monkeypatch.setattr(index, "_dists", lambda path: pytest.fail("scanned " + path))
    discover(isolated_env)  # ...so the next run needs no directory listing


def test_an_unwritable_cache_directory_does_not_stop_discovery(
        plugin_dir, isolated_env, tmp_path) -> None:
    name = plugin_dir.add()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    env = {**isolated_env, "XDG_CACHE_HOME": str(blocker)}
    assert name in discover(env).influence


def test_unmarshallable_manifest_values_are_not_cached(plugin_dir, isolated_env) -> None:
    # TOML dates have no marshal form: the command still works, uncached.
    name = plugin_dir.add(extra="[config.when.start]\ntype = \"str\"\n"
                                "default = 1979-05-27\nhelp = \"a date\"\n")
    assert name in discover(isolated_env).influence
    assert not list((Path(isolated_env["XDG_CACHE_HOME"]) / "amalgam").glob("*.idx"))
    assert name in discover(isolated_env).influence
