"""hg date rendering and ``log -d`` specifications."""
from __future__ import annotations

import pytest

from amalgam import error
from amalgam.display.dates import datestr, matcher, shortdate, tzstr


def test_datestr_uses_the_committers_offset() -> None:
    assert datestr((0.0, 0)) == "Thu Jan 01 00:00:00 1970 +0000"
    assert datestr((86400.0, -3600)) == "Fri Jan 02 01:00:00 1970 +0100"
    assert datestr((100000.0, 7200)) == "Fri Jan 02 01:46:40 1970 -0200"
    assert tzstr(-19800) == "+0530"
    assert shortdate((86400.0, 0)) == "1970-01-02"


def test_specs_cover_whole_spans() -> None:
    day = matcher("1970-01-02 00:00:00 +0000 to 1970-01-02 23:59:59 +0000")
    assert day(86400) and day(86400 * 2 - 1) and not day(86400 * 2)
    assert matcher("<1970-01-02 +0000")(86400 + 100)
    assert not matcher(">1970-01-03 +0000")(86400)
    assert matcher("86400 0")(86400)


@pytest.mark.parametrize("spec", ["", "   ", "garbage", "-x"])
def test_bad_specs_are_input_errors(spec: str) -> None:
    with pytest.raises(error.InputError):
        matcher(spec)
