"""amg init: hg-compatible repositories, clean refusals."""
from __future__ import annotations


def test_init_creates_a_repository_hg_accepts(amg, hg, tmp_path):
    result = amg("init", "new", cwd=tmp_path)
    assert (result.rc, result.out, result.err) == (0, b"", b"")
    hg("init", "theirs", cwd=tmp_path)
    for name in ("requires", "store/requires", "00changelog.i"):
        assert (tmp_path / "new/.hg" / name).read_bytes() == \
            (tmp_path / "theirs/.hg" / name).read_bytes()
    hg("verify", cwd=tmp_path / "new")
    assert amg("verify", cwd=tmp_path / "new").rc == 0


def test_init_in_current_directory_and_nested_dest(amg, tmp_path):
    assert amg("init", cwd=tmp_path).rc == 0
    assert (tmp_path / ".hg" / "requires").exists()
    assert amg("init", "a/b/c", cwd=tmp_path).rc == 0
    assert (tmp_path / "a/b/c/.hg/store/requires").exists()


def test_init_refuses_an_existing_repository(amg, tmp_path):
    amg("init", "r", cwd=tmp_path)
    before = sorted(p.name for p in (tmp_path / "r/.hg").iterdir())
    result = amg("init", "r", cwd=tmp_path)
    assert result.rc == 255
    assert result.err == b"abort: repository r already exists\n"
    assert sorted(p.name for p in (tmp_path / "r/.hg").iterdir()) == before


def test_init_with_zlib(amg, tmp_path):
    result = amg("init", "z", "--config", "format.revlog-compression=zlib", cwd=tmp_path)
    assert result.rc == 0, result.stderr
    assert b"revlog-compression-zstd" not in (tmp_path / "z/.hg/store/requires").read_bytes()


def test_bad_format_option_writes_nothing(amg, tmp_path):
    result = amg("init", "bad", "--config", "format.revlog-compression=lzma", cwd=tmp_path)
    assert result.rc != 0 and result.err.startswith(b"abort: ")
    assert not (tmp_path / "bad").exists()


def test_init_where_a_file_is_in_the_way(amg, tmp_path):
    (tmp_path / "f").write_text("x")
    result = amg("init", "f", cwd=tmp_path)
    assert result.rc == 255 and result.err.startswith(b"abort: cannot create repository f")
