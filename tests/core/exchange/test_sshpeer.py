"""ssh:// peers: URL validation, the command line, and failures of the remote side."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from amalgam.config.layers import Config
from amalgam.error import InputError
from amalgam.exchange.sshpeer import command_line, parse_url
from amalgam.ui import UI

FAKESSH = Path(__file__).resolve().parents[2] / "fixtures" / "fakessh.py"


def make_ui(ssh: str = "ssh", remotecmd: str = "amg") -> UI:
    config = Config({})
    config.set("ui", "ssh", ssh)
    config.set("ui", "remotecmd", remotecmd)
    return UI(config, fout=io.BytesIO(), ferr=io.BytesIO(), environ={})


def test_parse_url_follows_hgs_path_rule() -> None:
    assert parse_url("ssh://example.com/repo") == (None, "example.com", None, "repo")
    assert parse_url("ssh://bob@example.com:2222//srv/repo") == (
        "bob", "example.com", "2222", "/srv/repo")
    assert parse_url("ssh://example.com") == (None, "example.com", None, ".")


@pytest.mark.parametrize("url", [
    "ssh://-oProxyCommand=touch${IFS}pwned/path",
    "ssh://%2DoProxyCommand=x/path",
    "ssh://-luser@host/path",
    "ssh://user@-oProxyCommand=x/path",
    "ssh://host/-rf",
    "ssh://host/%2Dpath",
])
def test_options_in_urls_are_refused(url: str) -> None:
    with pytest.raises(InputError, match="potentially unsafe URL"):
        command_line(make_ui(), url)


def test_command_line_quotes_the_path_and_ends_options() -> None:
    argv = command_line(make_ui("ssh -C -i '/k ey'", "hg"),
                        "ssh://bob@host:22//srv/a b;$(touch x)")
    assert argv[:6] == ["ssh", "-C", "-i", "/k ey", "-p", "22"]
    assert argv[6:8] == ["--", "bob@host"]
    assert argv[8] == "hg -R '/srv/a b;$(touch x)' serve --stdio"


def test_unsafe_url_runs_nothing(amg, tmp_path: Path) -> None:
    log = tmp_path / "ssh.log"
    result = amg("--config", f"ui.ssh={sys.executable} {FAKESSH}",
                 "clone", "ssh://-oProxyCommand=touch${IFS}pwned/path", str(tmp_path / "d"),
                 env={"FAKESSH_LOG": str(log)})
    assert result.rc == 255
    assert result.stderr.startswith("abort: potentially unsafe URL")
    assert not log.exists()
    assert not (tmp_path / "d").exists()


def test_shell_characters_in_the_path_stay_a_path(amg, hg, tmp_path: Path) -> None:
    src = tmp_path / "a b;$(touch pwned)"
    hg("init", str(src))
    (src / "f").write_text("x\n")
    hg("commit", "-qAm", "x", cwd=src)
    result = amg("--config", f"ui.ssh={sys.executable} {FAKESSH}", "--config",
                 "ui.remotecmd=hg", "clone", f"ssh://localhost/{src}", str(tmp_path / "d"),
                 cwd=tmp_path)
    assert result.rc == 0, result.stderr
    assert (tmp_path / "d" / "f").read_text() == "x\n"
    assert not (tmp_path / "pwned").exists()


def test_missing_remote_command_aborts_cleanly(amg, tmp_path: Path) -> None:
    result = amg("--config", f"ui.ssh={sys.executable} {FAKESSH}", "--config",
                 "ui.remotecmd=/nonexistent/amg-remote", "clone",
                 f"ssh://localhost/{tmp_path}/src", str(tmp_path / "d"))
    assert result.rc == 255
    assert "abort: no suitable response from remote hg" in result.stderr
    assert "Traceback" not in result.stderr
    assert "remote: " in result.stdout  # the shell's complaint is relayed
    assert not (tmp_path / "d").exists()


def test_missing_remote_repository(amg, hg_exe, tmp_path: Path) -> None:
    result = amg("--config", f"ui.ssh={sys.executable} {FAKESSH}", "--config",
                 "ui.remotecmd=hg", "clone", f"ssh://localhost/{tmp_path}/nowhere",
                 str(tmp_path / "d"))
    assert result.rc == 255
    assert "not found" in result.stdout  # hg's own message, relayed as remote: ...
    assert not (tmp_path / "d").exists()


def test_missing_ssh_program(amg, tmp_path: Path) -> None:
    result = amg("--config", "ui.ssh=/nonexistent/ssh", "clone", "ssh://host/repo",
                 str(tmp_path / "d"))
    assert result.rc == 255
    assert result.stderr.startswith("abort: cannot run ssh command '/nonexistent/ssh'")


def test_login_banner_before_the_handshake_is_skipped(amg, hg, tmp_path: Path) -> None:
    src = tmp_path / "src"
    hg("init", str(src))
    (src / "f").write_text("x\n")
    hg("commit", "-qAm", "x", cwd=src)
    banner = (f"sh -c 'echo Welcome to the server; echo 42 lines of news; "
              f"exec {sys.executable} {FAKESSH} \"$@\"' banner")
    result = amg("--config", f"ui.ssh={banner}", "--config", "ui.remotecmd=hg",
                 "clone", f"ssh://localhost/{src}", str(tmp_path / "d"))
    assert result.rc == 0, result.stderr
    assert (tmp_path / "d" / "f").read_text() == "x\n"
