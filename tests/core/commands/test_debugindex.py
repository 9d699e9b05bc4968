"""debugindex/debugdata/debugrevlog against hg's own output on the same repository."""
from __future__ import annotations

import pytest


@pytest.fixture
def hgrepo(hg, tmp_path):
    root = tmp_path / "r"
    hg("init", str(root))
    for rev in range(3):
        (root / "a.txt").write_text("".join(f"line {i} {rev}\n" for i in range(30)))
        if rev == 1:
            hg("copy", "-q", "a.txt", "b.txt", cwd=root)
        hg("commit", "-Aq", "-m", f"r{rev}", "-u", "t", "-d", f"{rev} 0", cwd=root)
    return root


@pytest.mark.parametrize("which", [["-c"], ["-m"], ["a.txt"], ["b.txt"]])
def test_debugindex_matches_hg(amg, hg, hgrepo, which):
    ours = amg("debugindex", *which, cwd=hgrepo)
    assert ours.rc == 0, ours.stderr
    assert ours.out == hg("debugindex", *which, cwd=hgrepo).out


@pytest.mark.parametrize("which", [["-c", "2"], ["-m", "1"], ["a.txt", "2"], ["b.txt", "0"]])
def test_debugdata_matches_hg(amg, hg, hgrepo, which):
    ours = amg("debugdata", *which, cwd=hgrepo)
    assert ours.rc == 0, ours.stderr
    assert ours.out == hg("debugdata", *which, cwd=hgrepo).out


@pytest.mark.parametrize("args,message", [
    (["debugdata", "-c", "9"], b"abort: invalid revision identifier 9\n"),
    (["debugdata", "a.txt", "x"], b"abort: invalid revision identifier x\n"),
    (["debugindex", "-c", "-m"], b"abort: give exactly one of -c, -m or a file name\n"),
    (["debugindex", "nosuch"], b"abort: nosuch: no history in the repository\n"),
])
def test_bad_arguments_abort(amg, hgrepo, args, message):
    result = amg(*args, cwd=hgrepo)
    assert result.rc == 255
    assert result.err.startswith(message)


def test_debugrevlog_figures(amg, hgrepo):
    result = amg("debugrevlog", "a.txt", cwd=hgrepo)
    assert result.rc == 0, result.stderr
    lines = result.out.decode().splitlines()
    assert lines[0] == "format : 1"
    assert "flags  : inline, generaldelta" in lines
    assert any(line.startswith("revisions     :   3") for line in lines)
    assert any(line.startswith("compression ratio :") for line in lines)
    assert any(line.startswith("max chain length  :") for line in lines)
