"""Requirements: hg 7.2.4's defaults, share-safe split, refusing unknown features."""
from __future__ import annotations

import pytest

from amalgam.error import ConfigError, RepoError, RequirementError
from amalgam.storage import requirements as rq
from amalgam.vfs import VFS


class FakeConfig:
    """Just enough of amalgam.config.Config for format.* lookups."""

    def __init__(self, **values):
        self.values = {k.replace("_", "-"): v for k, v in values.items()}

    def get(self, section, name, default=None):
        assert section == "format"
        return self.values.get(name, default)


def _write_new(tmp_path, config):
    hgdir = tmp_path / "amg" / ".hg"
    (hgdir / "store").mkdir(parents=True)
    rq.write(VFS(str(hgdir)), rq.new_repo_requirements(config))
    return hgdir


def _files(hgdir):
    store = hgdir / "store" / "requires"
    return ((hgdir / "requires").read_bytes(),
            store.read_bytes() if store.exists() else None)


# (our config, the same switch for hg)
SWITCHES = [
    ({}, []),
    ({"revlog_compression": "zlib"}, ["format.revlog-compression=zlib"]),
    ({"dotencode": False}, ["format.dotencode=no"]),
    ({"usefncache": False}, ["format.usefncache=no"]),
    ({"use_share_safe": False}, ["format.use-share-safe=no"]),
    ({"sparse_revlog": False}, ["format.sparse-revlog=no"]),
    ({"generaldelta": False}, ["format.usegeneraldelta=no"]),
]


@pytest.mark.parametrize("ours,theirs", SWITCHES)
def test_new_repo_files_match_hg_init(hg, tmp_path, ours, theirs):
    hgrepo = tmp_path / "hg"
    args = ["init", str(hgrepo)]
    for item in theirs:
        args += ["--config", item]
    hg(*args)
    assert _files(_write_new(tmp_path, FakeConfig(**ours))) == _files(hgrepo / ".hg")


def test_defaults_without_config_are_the_documented_set():
    assert rq.new_repo_requirements(None) == {
        "share-safe", "dotencode", "fncache", "generaldelta",
        "revlog-compression-zstd", "revlogv1", "sparserevlog", "store"}
    assert rq.new_repo_requirements(None) <= rq.KERNEL_REQUIREMENTS


def test_compression_engines():
    assert rq.compression_requirement("zlib") is None
    assert rq.compression_requirement(["zstd", "zlib"]) == "revlog-compression-zstd"
    assert rq.compression_requirement("none") == "exp-compression-none"
    with pytest.raises(ConfigError):
        rq.compression_requirement("lzma")


def test_read_takes_union_of_both_files(hg, tmp_path):
    repo = tmp_path / "r"
    hg("init", str(repo), "--config", "format.use-dirstate-v2=yes",
       "--config", "storage.dirstate-v2.slow-path=allow")
    reqs = rq.read(VFS(str(repo / ".hg")))
    assert {"share-safe", "dirstate-v2", "store", "revlogv1"} <= reqs
    working, store = rq.split(reqs)
    assert working == {"share-safe", "dirstate-v2"}
    assert "dirstate-v2" not in store


def test_split_without_share_safe_puts_all_in_working_copy(tmp_path):
    hgdir = tmp_path / ".hg"
    hgdir.mkdir()
    rq.write(VFS(str(hgdir)), {"store", "revlogv1"})
    assert (hgdir / "requires").read_bytes() == b"revlogv1\nstore\n"
    assert not (hgdir / "store").exists()
    assert rq.read(VFS(str(hgdir))) == {"store", "revlogv1"}


def test_missing_requires_is_empty(tmp_path):
    assert rq.read(VFS(str(tmp_path))) == set()


@pytest.mark.parametrize("content", [b"store\n\xff\n", b"store\nbad name\n",
                                     b"-flag\n", b"x" * 70000])
def test_corrupt_requires(tmp_path, content):
    (tmp_path / "requires").write_bytes(content)
    with pytest.raises(RepoError) as info:
        rq.read(VFS(str(tmp_path)))
    assert "requires" in info.value.message


def test_share_safe_without_store_file(tmp_path):
    (tmp_path / "requires").write_bytes(b"share-safe\n")
    with pytest.raises(RepoError):
        rq.read(VFS(str(tmp_path)))


def test_kernel_supports_its_own_repos():
    rq.check_requirements(rq.new_repo_requirements(None))


def test_unknown_requirement_refused_with_upgrade_hint():
    with pytest.raises(RequirementError) as info:
        rq.check_requirements({"store", "zz-feature", "aa-feature"})
    assert info.value.message == ("repository requires features unknown to this "
                                  "version: aa-feature, zz-feature")
    assert len(info.value.hints) == 1 and "upgrade" in info.value.hints[0]


def test_unknown_requirement_claimed_by_disabled_plugin():
    with pytest.raises(RequirementError) as info:
        rq.check_requirements({"store", "largefiles"},
                              {"largefiles": ("largefiles", False)})
    assert info.value.hints == ["enable the 'largefiles' plugin "
                                "([plugins] largefiles = true)"]


def test_enabled_plugin_claim_makes_it_supported():
    rq.check_requirements({"store", "largefiles"}, {"largefiles": ("largefiles", True)})


@pytest.mark.parametrize("req", ["persistent-nodemap", "dirstate-v2", "treemanifest"])
def test_features_we_cannot_handle_yet_are_refused(req):
    with pytest.raises(RequirementError):
        rq.check_requirements({"store", req})
