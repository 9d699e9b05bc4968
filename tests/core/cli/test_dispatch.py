"""Transcripts of the command line: global options, lookup, errors, exit codes."""
from __future__ import annotations

import errno
import re
from typing import Any

import pytest

from amalgam import error, registrar
from amalgam.commands import TABLE

DETAILED = ("--config", "ui.detailed-exit-code=true")


#: What the last fake command received.
SEEN: dict[str, Any] = {}


@registrar.command("probe|pr", [
    ("n", "dry-run", False, "do nothing"),
    ("l", "limit", 0, "how many", "NUM"),
    ("I", "include", [], "patterns", "PATTERN"),
    ("m", "message", "", "text", "TEXT"),
], "[-n] ARG [MORE]", norepo=True)
def probe(ui, repo, arg, more=None, **opts):
    """record what the command line passed"""
    SEEN.update(ui=ui, repo=repo, args=(arg, more), opts=opts)
    ui.write(f"probe {arg}\n")
    ui.status("status line\n")
    ui.note("note line\n")
    ui.debug("debug line\n")


@registrar.command("raiser", [("k", "kind", "", "what to raise")], norepo=True)
def raiser(ui, repo, **opts):
    """raise what --kind names"""
    kind = opts["kind"]
    if kind == "interrupt":
        raise KeyboardInterrupt
    if kind == "state":
        raise error.StateError("working copy is busy", hint="wait for it")
    if kind == "oserror":
        raise OSError(errno.EACCES, "Permission denied", "/some/file")
    if kind == "eof":
        raise EOFError
    raise ValueError("boom")


@registrar.command("optrepo", [], optionalrepo=True)
def optrepo(ui, repo):
    """show the repository found, if any"""
    ui.write(f"repo: {repo.root if repo is not None else None}\n")


@registrar.command("debugprobe", [], norepo=True)
def debugprobe(ui, repo):
    """a debug command"""
    ui.write("debugprobe\n")


@registrar.command("deprobe", [], norepo=True)
def deprobe(ui, repo):
    """a command sharing a prefix with a debug one"""
    ui.write("deprobe\n")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Put this module's commands in the command table."""
    SEEN.clear()
    for info in registrar.declared(globals()).values():
        monkeypatch.setitem(TABLE, info.name, (__name__, info.aliases))
    return SEEN


def test_global_options_before_and_after_the_command(amg, fake) -> None:
    before = amg("-q", "probe", "x")
    after = amg("probe", "x", "-q")
    assert before.stdout == after.stdout == "probe x\n"
    assert amg("probe", "x", "--verbose").stdout == "probe x\nstatus line\nnote line\n"
    assert amg("--debug", "probe", "x").stdout.endswith("note line\ndebug line\n")


def test_options_reach_the_command_with_underscored_names(amg, fake) -> None:
    r = amg("probe", "-n", "--limit=3", "-Ia", "--include", "b", "-m", "hi there",
            "one", "two")
    assert r.rc == 0, r.stderr
    assert fake["args"] == ("one", "two")
    assert fake["opts"] == {"dry_run": True, "limit": 3, "include": ["a", "b"],
                            "message": "hi there"}
    assert fake["repo"] is None


def test_defaults_are_passed_when_options_are_absent(amg, fake) -> None:
    assert amg("probe", "x").rc == 0
    assert fake["opts"] == {"dry_run": False, "limit": 0, "include": [], "message": ""}


def test_double_dash_ends_options(amg, fake) -> None:
    assert amg("probe", "--", "-q").stdout == "probe -q\nstatus line\n"


def test_aliases_and_unique_prefixes(amg, fake) -> None:
    assert amg("pr", "a", "-q").stdout == "probe a\n"
    assert amg("prob", "a", "-q").stdout == "probe a\n"
    assert amg("vers", "-q").stdout.startswith("Amalgam version control (version ")


def test_ambiguous_prefix_lists_the_candidates(amg) -> None:
    r = amg("ver")
    assert (r.rc, r.out) == (255, b"")
    assert r.stderr == "amg: command 'ver' is ambiguous:\n    verify version\n"
    assert amg(*DETAILED, "ver").rc == 10


def test_debug_commands_match_a_prefix_only_when_nothing_else_does(amg, fake) -> None:
    assert amg("deprob").stdout == "deprobe\n"
    assert amg("debugpr").stdout == "debugprobe\n"


@pytest.mark.parametrize("typed, hint", [
    ("verison", "(did you mean one of verify, version?)"),
    ("plugnis", "(did you mean plugins?)"),
    ("xyzzy", "(use 'amg help' for a list of commands)"),
])
def test_unknown_command(amg, typed: str, hint: str) -> None:
    r = amg(typed)
    assert r.rc == 255
    assert r.stderr == f"amg: unknown command '{typed}'\n{hint}\n"
    assert amg(*DETAILED, typed).rc == 10


def test_unknown_command_option_shows_usage(amg, fake) -> None:
    r = amg("probe", "--bogus", "x")
    assert r.rc == 255
    assert r.stderr == "amg probe: option --bogus not recognized\n"
    assert r.stdout.startswith("amg probe [-n] ARG [MORE]\n")
    assert " -n --dry-run " in r.stdout
    assert r.stdout.endswith("(use 'amg probe -h' to show more help)\n")
    assert amg(*DETAILED, "probe", "--bogus").rc == 10


def test_unknown_global_option_before_the_command(amg) -> None:
    r = amg("--bogus", "version")
    assert (r.rc, r.out) == (255, b"")
    assert r.stderr == ("amg: option --bogus not recognized\n"
                        "(use 'amg help -v' for a list of global options)\n")


@pytest.mark.parametrize("args, message", [
    (["probe", "x", "--limit", "many"],
     "amg probe: invalid value 'many' for option --limit, expected an integer\n"),
    (["probe", "x", "-m"], "amg probe: option -m requires argument\n"),
    (["probe"], "amg probe: invalid arguments\n"),
    (["probe", "a", "b", "c"], "amg probe: invalid arguments\n"),
    (["version", "extra"], "amg version: invalid arguments\n"),
])
def test_bad_command_lines(amg, fake, args: list[str], message: str) -> None:
    r = amg(*args)
    assert (r.rc, r.stderr) == (255, message)


def test_early_options_may_not_be_abbreviated(amg, fake) -> None:
    r = amg("probe", "x", "--cw", ".")
    assert r.rc == 255
    assert "option --cwd may not be abbreviated" in r.stderr


def test_malformed_config_option(amg) -> None:
    r = amg("--config", "foo", "version")
    assert r.rc == 255
    assert r.stderr.startswith("abort: malformed --config option: 'foo'\n(use --config ")
    r = amg("version", "--config")
    assert r.rc == 255
    assert "option --config requires argument" in r.stderr


def test_config_option_reaches_the_config(amg, fake) -> None:
    amg("probe", "x", "--config", "ui.verbose=true")
    assert fake["ui"].verbose
    assert fake["ui"].config.get("ui", "verbose") is True


def test_flags_beat_config(amg, fake) -> None:
    r = amg("probe", "x", "-q", "--config", "ui.verbose=true")
    assert r.stdout == "probe x\n"


@pytest.mark.parametrize("args, shown", [
    (["-q", "-v"], "probe x\nstatus line\n"),  # both cancel out, as in hg
    (["-v", "--config", "ui.quiet=true"], "probe x\nstatus line\nnote line\n"),
    (["--config", "ui.quiet=true"], "probe x\n"),
    (["--config", "ui.quiet=true", "--config", "ui.verbose=true"],
     "probe x\nstatus line\n"),
])
def test_verbosity_rules(amg, fake, args: list[str], shown: str) -> None:
    assert amg("probe", "x", *args).stdout == shown


def test_flags_are_visible_in_the_config(amg, fake) -> None:
    amg("probe", "x", "-q", "--debug", "-y")
    config = fake["ui"].config
    assert (config.get("ui", "quiet"), config.source("ui", "quiet")) == (True, "--quiet")
    assert (config.get("ui", "verbose"), config.source("ui", "verbose")) == (
        False, "--quiet")
    assert (config.get("ui", "debug"), config.get("ui", "interactive")) == (True, False)


def test_ui_settings_from_global_flags(amg, fake) -> None:
    amg("probe", "x", "-y", "--color", "always", "--traceback")
    ui = fake["ui"]
    assert (ui.interactive(), ui.color_mode, ui.tracebackflag) == (False, "always", True)
    r = amg("probe", "x", "--color", "sometimes")
    assert r.rc == 255
    assert r.stderr.startswith("abort: invalid --color value 'sometimes'\n")


def test_abort_uses_the_category_exit_code_only_when_asked(amg, fake) -> None:
    r = amg("raiser", "-k", "state")
    assert (r.rc, r.stderr) == (255, "abort: working copy is busy\n(wait for it)\n")
    assert amg(*DETAILED, "raiser", "-k", "state").rc == 20


def test_traceback_flag_shows_where_an_abort_came_from(amg, fake) -> None:
    assert "Traceback" not in amg("raiser", "-k", "state").stderr
    r = amg("raiser", "-k", "state", "--traceback")
    assert r.rc == 255
    assert "Traceback (most recent call last)" in r.stderr
    assert r.stderr.endswith("abort: working copy is busy\n(wait for it)\n")


def test_keyboard_interrupt(amg, fake) -> None:
    r = amg("raiser", "-k", "interrupt")
    assert (r.rc, r.stderr) == (255, "interrupted!\n")


def test_os_error_is_an_abort_not_a_crash(amg, fake) -> None:
    r = amg("raiser", "-k", "oserror")
    assert (r.rc, r.stderr) == (255, "abort: Permission denied: '/some/file'\n")


def test_end_of_input(amg, fake) -> None:
    r = amg("raiser", "-k", "eof")
    assert r.rc == 255
    assert r.stderr.startswith("abort: ")


def test_unexpected_exception_gives_a_crash_report(amg, fake) -> None:
    r = amg("raiser")
    assert r.rc == 1
    assert r.stderr.startswith("** amg crashed: this is a bug")
    assert "** Amalgam 0.1.0" in r.stderr
    assert "Traceback (most recent call last)" in r.stderr
    assert r.stderr.endswith("ValueError: boom\n")


def test_time_reports_on_stderr_even_after_an_error(amg, fake) -> None:
    pattern = (r"time: real \d+\.\d{3} secs "
               r"\(user \d+\.\d{3}\+\d+\.\d{3} sys \d+\.\d{3}\+\d+\.\d{3}\)\n")
    r = amg("--time", "probe", "x")
    assert r.stdout == "probe x\nstatus line\n"
    assert re.fullmatch(pattern, r.stderr)
    r = amg("raiser", "-k", "state", "--time")
    assert re.fullmatch("abort: working copy is busy\n\\(wait for it\\)\n" + pattern,
                        r.stderr)


def test_profile_prints_statistics(amg, fake) -> None:
    r = amg("--profile", "probe", "x")
    assert r.rc == 0
    assert "function calls" in r.stderr
    assert "cumulative" in r.stderr


def test_cwd(amg, tmp_path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "a" / ".hg").mkdir()
    r = amg("--cwd", str(sub), "root")
    assert (r.rc, r.stdout) == (0, f"{tmp_path / 'a'}\n")
    r = amg("--cwd", str(tmp_path / "missing"), "version")
    assert r.rc == 255
    assert r.stderr.startswith(
        f"abort: cannot change directory to '{tmp_path / 'missing'}': ")


def test_repo_is_accepted_for_repository(amg, tmp_path) -> None:
    (tmp_path / "r" / ".hg").mkdir(parents=True)
    for spelling in (["--repo", "r"], ["--repository=r"], ["-Rr"], ["-R", "r"]):
        r = amg("root", *spelling, cwd=tmp_path)
        assert (r.rc, r.stdout) == (0, f"{tmp_path / 'r'}\n"), spelling


def test_optional_repository(amg, fake, tmp_path) -> None:
    (tmp_path / "r" / ".hg").mkdir(parents=True)
    assert amg("optrepo", cwd=tmp_path).stdout == "repo: None\n"
    assert amg("optrepo", cwd=tmp_path / "r").stdout == f"repo: {tmp_path / 'r'}\n"
    r = amg("optrepo", "-R", "nowhere", cwd=tmp_path)
    assert r.rc == 255
    assert r.stderr.startswith("abort: repository nowhere not found")


def test_no_arguments_lists_basic_commands(amg) -> None:
    r = amg()
    assert r.rc == 0
    assert r.stdout.startswith("Amalgam: Mercurial-compatible version control\n")
    assert "\n help " in r.stdout
    assert r.stdout.endswith("(use 'amg help' for the full list of commands)\n")


def test_help_and_version_flags(amg) -> None:
    assert amg("--help").stdout == amg("help").stdout
    assert amg("version", "--help").stdout == amg("help", "version").stdout
    assert amg("-h", "vers").stdout == amg("help", "version").stdout
    assert amg("--version").stdout == amg("version").stdout
    # The command's page even where a topic has the same name.
    assert amg("config", "--help").stdout == amg("help", "-c", "config").stdout
    r = amg("nosuch", "--help")
    assert (r.rc, r.stderr) == (255, "amg: unknown command 'nosuch'\n"
                                     "(use 'amg help' for a list of commands)\n")


def test_user_alias_runs_its_command_with_its_options(amg, fake) -> None:
    alias = ("--config", "alias.pq=probe -q --limit 2")
    r = amg(*alias, "pq", "x", "-I", "p")
    assert (r.rc, r.stdout) == (0, "probe x\n")
    assert fake["opts"]["limit"] == 2 and fake["opts"]["include"] == ["p"]


def test_alias_chains_and_self_reference(amg, fake) -> None:
    r = amg("--config", "alias.a=b -n", "--config", "alias.b=probe -q",
            "--config", "alias.probe=probe --limit 5", "a", "x")
    assert r.stdout == "probe x\n"
    assert (fake["opts"]["dry_run"], fake["opts"]["limit"]) == (True, 5)


@pytest.mark.parametrize("definition, message", [
    ("probe 'unclosed", "No closing quotation"),
    ("", "it must start with a command name"),
    ("!echo hi", "shell aliases are not supported"),
    ("probe --cwd /tmp", "--cwd may only be given on the command line"),
])
def test_bad_alias_definitions(amg, fake, definition: str, message: str) -> None:
    r = amg("--config", f"alias.bad={definition}", "bad", "x")
    assert r.rc == 255
    assert r.stderr.startswith(f"abort: error in definition for alias 'bad': {message}")


def test_unknown_key_in_known_section_warns_with_its_source(amg, tmp_path, isolated_env):
    config = tmp_path / "_home" / ".config" / "amalgam" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[ui]\ncolr = \"never\"\n")
    r = amg("version", "-q")
    assert r.rc == 0
    assert r.stderr == (f"warning: unknown config key 'ui.colr' in {config}:2"
                        " (did you mean 'ui.color'?)\n")

