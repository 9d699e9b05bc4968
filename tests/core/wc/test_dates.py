"""-d dates parse as hg parses them (hg debugdate is the oracle)."""
from __future__ import annotations

import pytest

from amalgam import error
from amalgam.wc.dates import parse_date
from amalgam.wc.similar import score

FORMS = ["0 0", "1500000000 -7200", "2020-01-01", "2020-01-01 10:00:05", "Jan 5 2020",
         "2020-01-01 10:00 +0530", "2020-01-01T10:00:00Z", "12/25/2019",
         "Wed Jan 01 10:00:00 2020 +0000", "2019-06-30 23:59:59 -0700", "Dec 31 1999 UTC"]


def test_dates_match_hg(hg, tmp_path):
    for form in FORMS:
        out = hg("debugdate", form, cwd=tmp_path).stdout.splitlines()[0]
        when, offset = out.split(": ", 1)[1].split()
        assert parse_date(form) == (float(when), int(offset)), form


@pytest.mark.parametrize("bad", ["bad", "2020-13-45", "1234", "", "99999999999 0", "0 99999999"])
def test_bad_dates(bad):
    with pytest.raises(error.ParseError):
        parse_date(bad)


def test_similarity_score():
    assert score(b"a\nb\nc\nd\n", b"a\nb\nc\nd\n") == 1.0
    assert score(b"a\nb\nc\nd\n", b"a\nb\nc\nX\n") == pytest.approx(0.75)
    assert score(b"one\n", b"two\n") == 0.0
