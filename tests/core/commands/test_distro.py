"""``amg distro build``: transcripts through the in-process runner."""
from __future__ import annotations

import zipfile
from pathlib import Path

EXAMPLE = Path(__file__).parents[3] / "examples" / "distro" / "DISTRO.toml"


def test_build_prints_the_wheel_path(amg, tmp_path: Path) -> None:
    r = amg("distro", "build", str(EXAMPLE), "-o", str(tmp_path / "dist"))
    assert (r.rc, r.stderr) == (0, "")
    wheel = tmp_path / "dist" / "acme_vcs-1.2.0-py3-none-any.whl"
    assert r.stdout == f"{wheel}\n"
    with zipfile.ZipFile(wheel) as zf:
        assert "acme_vcs/__init__.py" in zf.namelist()


def test_build_defaults_to_the_current_directory(amg, tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "DISTRO.toml"
    spec.parent.mkdir()
    spec.write_text(EXAMPLE.read_text())
    r = amg("--cwd", str(tmp_path / "spec"), "distro", "build", "DISTRO.toml")
    assert r.rc == 0, r.stderr
    assert r.stdout == f"{tmp_path / 'spec' / 'acme_vcs-1.2.0-py3-none-any.whl'}\n"


def test_invalid_spec_aborts_with_file_and_line(amg, tmp_path: Path) -> None:
    spec = tmp_path / "DISTRO.toml"
    spec.write_text('name = "Acme"\ncommand = "amg"\nversion = "1.0"\n')
    r = amg("distro", "build", str(spec), "-o", str(tmp_path / "dist"))
    assert r.rc == 255
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        f"abort: {spec}:2: command name 'amg' is Amalgam's own",
        "(see docs/distributions.md for the DISTRO.toml format)",
    ]
    assert not (tmp_path / "dist").exists()


def test_missing_spec_file(amg, tmp_path: Path) -> None:
    r = amg("distro", "build", str(tmp_path / "nope.toml"))
    assert r.rc == 255
    assert r.stderr.startswith(f"abort: cannot read distribution file {tmp_path / 'nope.toml'}")


def test_bad_subcommands_are_input_errors(amg) -> None:
    usage = "amg distro build DISTRO.toml [-o OUTDIR]"
    r = amg("--config", "ui.detailed-exit-code=true", "distro", "bild", "x")
    assert r.rc == 10
    assert r.stderr.splitlines() == [
        "abort: unknown distro subcommand 'bild'",
        f"(the only subcommand is build: {usage})",
    ]
    r = amg("distro")
    assert (r.rc, r.stderr.splitlines()) == (
        255, ["abort: missing subcommand for 'distro'", f"(use: {usage})"])
    r = amg("distro", "build")
    assert (r.rc, r.stderr.splitlines()[0]) == (
        255, "abort: 'distro build' takes exactly one DISTRO.toml")
    r = amg("distro", "build", "a.toml", "b.toml")
    assert r.rc == 255 and "exactly one" in r.stderr
