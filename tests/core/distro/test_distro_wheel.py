"""The wheel ``build`` writes: names, metadata, RECORD digests, generated module."""
from __future__ import annotations

import base64
import configparser
import hashlib
import sys
import types
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import amalgam
from amalgam import distro
from amalgam.error import Abort, ConfigError

EXAMPLE = Path(__file__).parents[3] / "examples" / "distro" / "DISTRO.toml"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return distro.build(EXAMPLE, tmp_path / "out")


def read(wheel: Path, member: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member).decode("utf-8")


def test_wheel_name_and_members(wheel: Path) -> None:
    from packaging.utils import parse_wheel_filename

    assert wheel.name == "acme_vcs-1.2.0-py3-none-any.whl"
    name, version, _, tags = parse_wheel_filename(wheel.name)
    assert (name, str(version)) == ("acme-vcs", "1.2.0")
    assert {str(t) for t in tags} == {"py3-none-any"}
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == [
            "acme_vcs/__init__.py",
            "acme_vcs-1.2.0.dist-info/METADATA",
            "acme_vcs-1.2.0.dist-info/WHEEL",
            "acme_vcs-1.2.0.dist-info/entry_points.txt",
            "acme_vcs-1.2.0.dist-info/RECORD",
        ]
    assert sorted(p.name for p in wheel.parent.iterdir()) == [wheel.name]


def test_record_lists_every_member_with_its_sha256(wheel: Path) -> None:
    rows = [line.split(",") for line in read(wheel, "acme_vcs-1.2.0.dist-info/RECORD")
            .splitlines()]
    with zipfile.ZipFile(wheel) as zf:
        assert [r[0] for r in rows] == zf.namelist()
        for path, digest, size in rows[:-1]:
            data = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
            assert digest == "sha256=" + expected.rstrip(b"=").decode()
            assert int(size) == len(data)
    assert rows[-1] == ["acme_vcs-1.2.0.dist-info/RECORD", "", ""]


def test_metadata_requires_this_amalgam_and_the_plugins(wheel: Path) -> None:
    from packaging.requirements import Requirement

    meta = Parser().parsestr(read(wheel, "acme_vcs-1.2.0.dist-info/METADATA"))
    assert meta["Metadata-Version"] == "2.1"
    assert (meta["Name"], meta["Version"]) == ("acme_vcs", "1.2.0")
    assert "Acme VCS" in meta["Summary"]
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    assert [(r.name, str(r.specifier)) for r in requires] == [
        ("amalgam-vcs", f">={amalgam.__version__}"), ("amg-hello", ">=0.1")]
    wheel_meta = Parser().parsestr(read(wheel, "acme_vcs-1.2.0.dist-info/WHEEL"))
    assert wheel_meta["Wheel-Version"] == "1.0"
    assert wheel_meta["Root-Is-Purelib"] == "true"
    assert wheel_meta.get_all("Tag") == ["py3-none-any"]


def test_console_script_entry_point(wheel: Path) -> None:
    eps = configparser.ConfigParser()
    eps.read_string(read(wheel, "acme_vcs-1.2.0.dist-info/entry_points.txt"))
    assert dict(eps["console_scripts"]) == {"acme": "acme_vcs:main"}


def test_generated_module_activates_the_distribution_then_runs_the_cli(
        wheel: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict[str, object] = {}
    exec(compile(read(wheel, "acme_vcs/__init__.py"), "acme_vcs/__init__.py", "exec"),
         namespace)
    expected = distro.load_spec(EXAMPLE)
    assert distro.Distribution.from_dict(namespace["DISTRIBUTION"]) == expected

    seen = []
    fake_cli = types.ModuleType("amalgam.cli")
    fake_cli.main = lambda: seen.append(distro.active()) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "amalgam.cli", fake_cli)
    monkeypatch.setattr(distro, "_ACTIVE", None)
    assert namespace["main"]() == 7  # type: ignore[operator]
    assert seen == [expected]


def test_builds_are_reproducible(tmp_path: Path, wheel: Path) -> None:
    again = distro.build(EXAMPLE, tmp_path / "again")
    assert again.read_bytes() == wheel.read_bytes()


def test_awkward_names_stay_inside_their_strings(tmp_path: Path) -> None:
    spec = tmp_path / "DISTRO.toml"
    spec.write_text("name = 'Q\"\"\"uote \\\\ \u00e9'\ncommand = \"q-vcs\"\n"
                    "version = \"2.0-RC1\"\n[defaults.ui]\nusername = \"'''\\\"\"\n",
                    encoding="utf-8")
    wheel = distro.build(spec, tmp_path)
    assert wheel.name == "q_vcs-2.0rc1-py3-none-any.whl"
    namespace: dict[str, object] = {}
    exec(read(wheel, "q_vcs/__init__.py"), namespace)
    data = namespace["DISTRIBUTION"]
    assert data["name"] == 'Q"""uote \\\\ \u00e9'  # type: ignore[index]
    assert data["defaults"] == {"ui": {"username": "'''\""}}  # type: ignore[index]


def test_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "DISTRO.toml"
    spec.write_text('name = "x"\ncommand = "amg"\nversion = "1"\n')
    with pytest.raises(ConfigError):
        distro.build(spec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unwritable_output_is_a_clean_abort(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Abort, match="cannot write .*acme_vcs-1.2.0-py3-none-any.whl") as exc:
        distro.build(EXAMPLE, blocker / "out")
    assert exc.value.hints == ["pass a writable output directory with -o"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
