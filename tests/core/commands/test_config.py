"""``amg config``: transcripts of listing, filtering, sources and editing."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

USERNAME = "test <test@example.com>"  # $HGUSER from the isolated environment


@pytest.fixture
def user_config(isolated_env: dict[str, str]) -> Path:
    path = Path(isolated_env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[ui]\ntimeout = 30\n\n[paths]\ndefault = 'https://x/r'\n")
    return path


def test_lists_every_set_value(amg, user_config, tmp_path):
    r = amg("config", "--config", "mine.list=[1, 2]", cwd=tmp_path)
    assert (r.rc, r.stderr) == (0, "")
    assert r.stdout.splitlines() == [
        "mine.list=[1, 2]",
        "paths.default=https://x/r",
        "ui.timeout=30",
        f"ui.username={USERNAME}",
    ]


def test_one_name_prints_the_bare_value(amg, user_config, tmp_path):
    r = amg("config", "ui.timeout", cwd=tmp_path)
    assert (r.rc, r.stdout) == (0, "30\n")


def test_sections_and_several_names(amg, user_config, tmp_path):
    r = amg("config", "ui", cwd=tmp_path)
    assert r.stdout.splitlines() == ["ui.timeout=30", f"ui.username={USERNAME}"]
    r = amg("config", "paths", "ui.timeout", cwd=tmp_path)
    assert r.stdout.splitlines() == ["paths.default=https://x/r", "ui.timeout=30"]


def test_debug_shows_sources(amg, user_config, tmp_path):
    r = amg("--debug", "config", "ui", "--config", "ui.verbose=yes", cwd=tmp_path)
    assert r.stdout.splitlines() == [
        "--debug: ui.debug=true",
        f"{user_config}:2: ui.timeout=30",
        f"$HGUSER: ui.username={USERNAME}",
        "--config: ui.verbose=yes",
    ]


def test_nothing_found_exits_1(amg, tmp_path):
    r = amg("config", "nosuch.key", cwd=tmp_path)
    assert (r.rc, r.stdout) == (1, "")
    r = amg("config", "nosuch", cwd=tmp_path)
    assert (r.rc, r.stdout) == (1, "")


def test_reads_repository_layers(amg, hg, tmp_path):
    hg("init", "r", cwd=tmp_path)
    repo = tmp_path / "r"
    (repo / ".hg" / "hgrc").write_text("[paths]\ndefault = /srv/r\n")
    (repo / ".hg" / "amalgam.toml").write_text("[ui]\nmerge = 'meld'\n")
    r = amg("--debug", "config", "paths", "ui.merge", cwd=repo)
    assert r.stdout.splitlines() == [
        f"{repo}/.hg/hgrc:2: paths.default=/srv/r",
        f"{repo}/.hg/amalgam.toml:2: ui.merge=meld",
    ]


def test_malformed_user_file_aborts_cleanly(amg, user_config, tmp_path):
    user_config.write_text("[ui]\ntimeout = \n")
    r = amg("config", cwd=tmp_path)
    assert r.rc == 255
    assert r.stderr.startswith(
        f"abort: malformed configuration file {user_config}: ")
    assert "at line 2" in r.stderr.splitlines()[0]
    assert "Traceback" not in r.stderr


def test_edit_creates_and_opens_the_user_file(amg, isolated_env, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\n"
                      "open(sys.argv[1], 'a').write('[ui]\\nmerge = \"edited\"\\n')\n")
    r = amg("config", "--edit", cwd=tmp_path,
            env={"EDITOR": f"{sys.executable} {editor}"})
    assert (r.rc, r.stderr) == (0, "")
    path = Path(isolated_env["XDG_CONFIG_HOME"]) / "amalgam" / "config.toml"
    assert path.read_text().startswith("# Amalgam configuration")
    assert amg("config", "ui.merge", cwd=tmp_path).stdout == "edited\n"


def test_edit_failure_and_local_without_repo(amg, tmp_path):
    r = amg("config", "--edit", "--config", "ui.editor=false", cwd=tmp_path)
    assert r.rc == 255 and "editor 'false' exited with status 1" in r.stderr
    r = amg("config", "--edit", "--local", "--config", "ui.editor=true", cwd=tmp_path)
    assert r.rc == 255 and r.stderr.startswith("abort: there is no repository")
    r = amg("config", "--local", cwd=tmp_path)
    assert r.rc == 255
    assert "--local only makes sense with --edit" in r.stderr


def test_newlines_in_values_are_escaped_like_hg(amg, hg, tmp_path):
    hg("init", "r", cwd=tmp_path)
    repo = tmp_path / "r"
    (repo / ".hg" / "hgrc").write_text("[paths]\nmulti = a\n  b\n")
    r = amg("config", "paths", cwd=repo)
    assert r.stdout == hg("config", "paths", cwd=repo).stdout == "paths.multi=a\\nb\n"
