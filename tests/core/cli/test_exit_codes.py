"""Exit codes of bad command lines, with and without ``ui.detailed-exit-code``,
checked against hg 7.2.4 itself.

hg reads its config files and every ``--config`` (wherever it is on the
line) before it parses the rest, so even an early error honours
``ui.detailed-exit-code``; a malformed ``--config`` sees only the ones
before it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

DETAILED = ["--config", "ui.detailed-exit-code=true"]

# Bad command lines hg and amg both refuse, with the same arguments.
LINES = [
    ["--config", "foo", "version"],
    ["--config", "foo=bar", "version"],
    ["--config", ".foo=bar", "version"],
    ["--config", "foo.=bar", "version"],
    ["--config", "ui.foo", "version"],
    ["--config=nodot", "version"],
    ["--badopt", "version"],
    ["version", "--badopt"],
    ["-q", "--badopt", "version"],
    ["nosuchcommand"],
    ["version", "extra"],
    ["--config"],
    ["--cwd", "/nonexistent/amg-test-dir", "version"],
    ["-R", "/nonexistent/amg-test-repo", "log"],
]


@pytest.mark.parametrize("line", LINES, ids=" ".join)
@pytest.mark.parametrize("detailed", [False, True], ids=["plain", "detailed"])
def test_same_exit_code_as_hg(amg, hg, line, detailed) -> None:
    args = [*DETAILED, *line] if detailed else line
    want = hg(*args, check=False).rc
    assert want != 0
    assert amg(*args).rc == want


@pytest.mark.parametrize("line", [
    ["--badopt", *DETAILED, "version"],  # --config after the bad option
    ["version", "--badopt", *DETAILED],
    ["--config", "foo", *DETAILED, "version"],  # detailed comes too late
    [*DETAILED, "--config", "ui.detailed-exit-code=false", "--config", "x", "version"],
])
def test_early_config_positions_as_hg(amg, hg, line) -> None:
    want = hg(*line, check=False).rc
    assert amg(*line).rc == want


def _user_config(isolated_env: dict[str, str], tmp_path: Path, amg_toml: str,
                 hgrc: str) -> None:
    path = Path(isolated_env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(amg_toml)
    (tmp_path / "hgrc").write_text(hgrc)
    isolated_env["HGRCPATH"] = str(tmp_path / "hgrc")


@pytest.mark.parametrize("line", [
    ["--config", "foo", "version"],
    ["--badopt", "version"],
    ["nosuchcommand"],
    ["--config", "ui.detailed-exit-code=false", "--config", "foo", "version"],
])
def test_detailed_from_the_user_file(amg, hg, isolated_env, tmp_path, line) -> None:
    _user_config(isolated_env, tmp_path, "[ui]\ndetailed-exit-code = true\n",
                 "[ui]\ndetailed-exit-code = true\n")
    want = hg(*line, check=False).rc
    assert want in (10, 255)
    assert amg(*line).rc == want


def test_a_broken_user_file_exits_255_even_if_detailed_is_asked(
        amg, hg, isolated_env, tmp_path) -> None:
    _user_config(isolated_env, tmp_path, "[ui\n", "[ui\n")
    assert hg(*DETAILED, "version", check=False).rc == 255
    res = amg(*DETAILED, "version")
    assert res.rc == 255
    assert res.stderr.startswith("abort: ") and "config.toml" in res.stderr


def test_a_broken_repository_file_honours_the_user_file(
        amg, hg, isolated_env, tmp_path) -> None:
    # hg: a broken .hg/hgrc is a config error (30) once the user's files
    # asked for detailed codes; amg's repository file is .hg/amalgam.toml.
    _user_config(isolated_env, tmp_path, "[ui]\ndetailed-exit-code = true\n",
                 "[ui]\ndetailed-exit-code = true\n")
    repo = tmp_path / "repo"
    hg("init", str(repo))
    (repo / ".hg" / "hgrc").write_text("[x\n")
    want = hg("log", cwd=repo, check=False).rc
    (repo / ".hg" / "hgrc").unlink()
    (repo / ".hg" / "amalgam.toml").write_text("[x\n")
    res = amg("log", cwd=repo)
    assert res.rc == want == 30
    assert "amalgam.toml" in res.stderr


def test_unknown_plugin_is_a_config_error(amg) -> None:
    # hg only warns about an unknown extension; amg refuses, as a config error.
    args = ["--config", "plugins.no_such_plugin_here=true", "version"]
    assert amg(*args).rc == 255
    assert amg(*DETAILED, *args).rc == 30


def test_invalid_color_is_an_input_error(amg) -> None:
    assert amg("--color", "sometimes", "version").rc == 255
    assert amg(*DETAILED, "--color", "sometimes", "version").rc == 10
