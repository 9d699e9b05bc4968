"""The hg-style option parser: kinds by default type, spellings, errors."""
from __future__ import annotations

import pytest

from amalgam import error
from amalgam.cli.options import OptionError, Parser

OPTS = [
    ("a", "all", False, "all files"),
    ("m", "modified", False, "modified files"),
    ("r", "rev", [], "revisions", "REV"),
    ("l", "limit", 0, "limit", "NUM"),
    ("T", "template", "", "template", "TEMPLATE"),
    ("", "removed", False, "removed"),
    ("", "cwd", "", "directory"),
]


def parse(*args: str, **kw):
    return Parser(OPTS, noabbrev=("cwd",)).parse(list(args), **kw)


def test_defaults_follow_declared_types() -> None:
    defaults = Parser(OPTS).defaults()
    assert defaults == {"all": False, "modified": False, "rev": [], "limit": 0,
                        "template": "", "removed": False, "cwd": ""}
    # Lists are fresh copies: appending must not change the declaration.
    defaults["rev"].append("x")
    assert OPTS[2][2] == []


@pytest.mark.parametrize("args, values, rest", [
    (["-a", "x"], {"all": True}, ["x"]),
    (["--all", "x", "--modified"], {"all": True, "modified": True}, ["x"]),
    (["-am"], {"all": True, "modified": True}, []),
    (["-amr5"], {"all": True, "modified": True, "rev": ["5"]}, []),
    (["-r", "1", "--rev=2", "--rev", "3"], {"rev": ["1", "2", "3"]}, []),
    (["-l10"], {"limit": 10}, []),
    (["--limit", "-3"], {"limit": -3}, []),
    (["--template="], {"template": ""}, []),
    (["--temp", "{node}"], {"template": "{node}"}, []),
    (["--no-all"], {"all": False}, []),
    (["--", "-a", "--all"], {}, ["-a", "--all"]),
    (["-", "x"], {}, ["-", "x"]),
    (["--rem"], {"removed": True}, []),
])
def test_spellings(args: list[str], values: dict, rest: list[str]) -> None:
    assert parse(*args) == (values, rest)


def test_non_gnu_stops_at_first_positional() -> None:
    assert parse("-a", "cmd", "-m", gnu=False) == ({"all": True}, ["cmd", "-m"])


@pytest.mark.parametrize("args, message", [
    (["--foo"], "option --foo not recognized"),
    (["-z"], "option -z not recognized"),
    (["-az"], "option -z not recognized"),
    (["-r"], "option -r requires argument"),
    (["--rev"], "option --rev requires argument"),
    (["--limit", "ten"], "invalid value 'ten' for option --limit, expected an integer"),
    (["--all=yes"], "option --all takes no value"),
    (["--re"], "option --re is ambiguous (--removed, --rev)"),
    (["--cw", "/tmp"], "option --cwd may not be abbreviated"),
    (["--no-rev"], "option --no-rev not recognized"),
])
def test_errors_are_input_errors(args: list[str], message: str) -> None:
    with pytest.raises(OptionError) as info:
        parse(*args)
    assert info.value.message == message
    assert isinstance(info.value, error.InputError)


def test_keep_unknown_leaves_foreign_options_in_place() -> None:
    values, rest = parse("-x", "--foo=1", "-a", "--rem", "-ax", "--cwd", "d",
                         "name", keep_unknown=True)
    # Only exact, fully known options are taken; no prefixes in this mode.
    assert values == {"all": True, "cwd": "d"}
    assert rest == ["-x", "--foo=1", "--rem", "-ax", "name"]


def test_keep_unknown_tolerates_a_missing_value() -> None:
    assert parse("-r", keep_unknown=True) == ({}, ["-r"])


def test_first_declaration_wins() -> None:
    parser = Parser([("v", "verify", False, ""), ("v", "verbose", False, "")])
    assert parser.parse(["-v"]) == ({"verify": True}, [])
    assert parser.parse(["--verbose"]) == ({"verbose": True}, [])


def test_synonyms_are_exact_extra_spellings() -> None:
    parser = Parser(OPTS, noabbrev=("cwd",), synonyms={"dir": "cwd"})
    assert parser.parse(["--dir", "x"]) == ({"cwd": "x"}, [])
    assert parser.parse(["--dir", "x"], keep_unknown=True) == ({"cwd": "x"}, [])
    with pytest.raises(OptionError):
        parser.parse(["--di", "x"])
