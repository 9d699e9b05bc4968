"""Changelog entry text: hg's exact bytes, parsed back losslessly."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from amalgam import error
from amalgam.node import hex
from amalgam.storage.changelog import (
    decode_extra, encode_extra, format_entry, parse_entry, strip_description,
)

MANIFEST = bytes(range(20))

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def test_layout_without_files_or_extra():
    text = format_entry(MANIFEST, " Ann <a@b> ", (1700000000.9, -3600), [], "msg")
    assert text == hex(MANIFEST).encode() + b"\nAnn <a@b>\n1700000000 -3600\n\nmsg"


def test_files_are_sorted_and_branch_is_an_extra():
    text = format_entry(MANIFEST, "u", (0, 0), [b"b", b"a/c", b"B"], "d",
                        extra={"z": "1"}, branch="stable")
    lines = text.split(b"\n")
    assert lines[2] == b"0 0 branch:stable\0z:1"
    assert lines[3:6] == [b"B", b"a/c", b"b"]


def test_default_branch_is_not_stored():
    text = format_entry(MANIFEST, "u", (0, 0), [], "d", extra={"branch": "default"})
    assert text.split(b"\n")[2] == b"0 0"
    assert parse_entry(text).branch == "default"


def test_description_is_stripped_like_hg():
    assert strip_description("\n\n  a  \r\nb \n\n") == "  a\nb"


@pytest.mark.parametrize("user", ["", "   ", "a\nb"])
def test_bad_user_is_an_input_error(user):
    with pytest.raises(error.InputError):
        format_entry(MANIFEST, user, (0, 0), [], "d")


@settings(deadline=None)  # a loaded machine must not fail a format test
@given(st.dictionaries(texts.filter(lambda k: ":" not in k and k), texts, max_size=5))
def test_extra_round_trips(extra):
    assert decode_extra(encode_extra(extra)) == extra


def test_extra_escapes():
    assert encode_extra({"k": "a\\b\nc\rd\0e"}) == b"k:a\\\\b\\nc\\rd\\0e"
    # \0 followed by digits stays a NUL, never an octal escape.
    assert decode_extra(b"k:\\012") == {"k": "\x0012"}
    assert decode_extra(b"k:\\x41\\t") == {"k": "A\t"}


@settings(deadline=None)  # a loaded machine must not fail a format test
@given(files=st.lists(st.binary(min_size=1, max_size=8).filter(
           lambda p: b"\n" not in p and b"\r" not in p), max_size=5),
       desc=texts, when=st.integers(0, 2**31), tz=st.integers(-50000, 50000))
def test_parse_round_trip(files, desc, when, tz):
    text = format_entry(MANIFEST, "u <e>", (when, tz), files, desc, branch="br")
    entry = parse_entry(text)
    assert entry.manifest == MANIFEST
    assert entry.files == tuple(sorted(set(files)))
    assert entry.date == (float(when), tz)
    assert entry.description == strip_description(desc)
    assert entry.branch == "br"
    assert format_entry(entry.manifest, entry.user, entry.date, entry.files,
                        entry.description, entry.extra, entry.branch) == text


@pytest.mark.parametrize("text", [b"", b"abc", b"zz" * 20 + b"\nu\nnot-a-date 0\n\nd",
                                  hex(MANIFEST).encode() + b"\nu\n0 0\nfile-without-end"])
def test_malformed_entry_is_a_storage_error(text):
    with pytest.raises(error.StorageError):
        parse_entry(text)


def test_matches_hg_changelog_bytes(hg, tmp_path):
    hg("init", "r", cwd=tmp_path)
    repo = tmp_path / "r"
    (repo / "f").write_text("x")
    hg("commit", "-Aq", "-m", "  first  \n\n second\n\n", "-u", "Bob <b@c>",
       "-d", "1700000000 -7200", "--config", "extra.zz=a\\b", cwd=repo)
    hg("branch", "-q", "other", cwd=repo)
    hg("commit", "-q", "-m", "branch", "-u", "Bob", "-d", "1700000100 3600",
       "--config", "ui.allowemptycommit=1", cwd=repo)
    for rev in ("0", "1"):
        raw = hg("debugdata", "-c", rev, cwd=repo).out
        entry = parse_entry(raw)
        assert format_entry(entry.manifest, entry.user, entry.date, entry.files,
                            entry.description, entry.extra, entry.branch) == raw
    assert parse_entry(hg("debugdata", "-c", "1", cwd=repo).out).branch == "other"
