"""amg resolve: option conflicts and listing without a merge."""
from __future__ import annotations


def test_option_errors(amg, tmp_path, hg):
    hg("init", str(tmp_path))
    r = amg("resolve", "-l", "-m", cwd=tmp_path)
    assert r.rc != 0 and "too many actions specified" in r.stderr
    r = amg("resolve", "-a", "f", cwd=tmp_path)
    assert r.rc != 0 and "can't specify --all and patterns" in r.stderr
    r = amg("resolve", cwd=tmp_path)
    assert "no files or directories specified" in r.stderr
    r = amg("resolve", "-l", cwd=tmp_path)
    assert (r.rc, r.out) == (0, b"")
    r = amg("resolve", "-m", "-a", cwd=tmp_path)
    assert r.rc == 255 and "not applicable when not merging" in r.stderr
