"""What the kernel does with a ``wc_walk`` answer, shown with the wc_watch
test plugin (which answers the walk from ``.hg/wc_watch_hint``).

The kernel treats hinted paths by the normal walk's rules: a tracked file
under a symlinked directory is deleted, untracked names inside a nested
repository, in ``.hg`` or outside the working copy are dropped.  A plugin
may hand over a raw list of changed names and stay correct.
"""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plugins"


@pytest.fixture
def hinted(amg, tmp_path: Path):
    root = tmp_path / "repo"
    assert amg("init", str(root)).rc == 0
    (root / "d").mkdir()
    (root / "d" / "b").write_bytes(b"b\n")
    assert amg("commit", "-Aqm", "init", "-u", "test", cwd=root).rc == 0
    env = {"AMG_PLUGIN_PATH": str(FIXTURES)}

    def status(hint: bytes | None) -> str:
        hintfile = root / ".hg" / "wc_watch_hint"
        if hint is None:
            res = amg("status", cwd=root)
        else:
            hintfile.write_bytes(hint)
            res = amg("--config", "plugins.wc_watch=true", "status", cwd=root, env=env)
            hintfile.unlink()
        assert res.rc == 0
        return res.stdout

    return root, status


def test_hinted_file_under_a_symlinked_directory_is_deleted(hinted, tmp_path: Path):
    root, status = hinted
    other = tmp_path / "other"
    other.mkdir()
    (other / "b").write_bytes(b"b\n")
    (root / "d" / "b").unlink()
    (root / "d").rmdir()
    (root / "d").symlink_to(other)
    assert status(b"d\nd/b\n") == status(None)


def test_hinted_file_inside_a_nested_repository_is_not_unknown(amg, hinted):
    root, status = hinted
    assert amg("init", str(root / "d" / "sub")).rc == 0
    (root / "d" / "sub" / "inner").write_bytes(b"x\n")
    assert status(b"d/sub/inner\n") == status(None)


def test_hinted_paths_outside_the_working_copy_are_ignored(hinted, tmp_path: Path):
    root, status = hinted
    (tmp_path / "outside").write_bytes(b"x\n")
    assert status(b"../outside\n.hg/requires\n") == status(None)


def test_prefixes_kept_only_for_tracked_directories():
    """A ``NamesDirectories`` answer's prefixes are filtered by bisection of the parent dirs."""
    from amalgam.wc import hinted

    class Tracked:
        def parent_dirs(self) -> list[bytes]:
            return [b"", b"z", b"a/b", b"a-c"]  # "a-c" sorts between "a" and "a/"

    asked = (b"a/", b"a/b/", b"a-c/", b"b/", b"a/b/c/", b"z/", b"y/", b"a-/")
    assert hinted._tracked_only(Tracked(), asked) == (b"a/", b"a/b/", b"a-c/", b"z/")
