"""hg-style date specifications."""
from __future__ import annotations

import calendar
import time

import pytest

from amalgam import error
from amalgam.revset import dates


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def ts(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


def test_a_day_covers_the_whole_day() -> None:
    match = dates.matcher("2023-05-04")
    assert match(ts(2023, 5, 4, 0, 0, 0)) and match(ts(2023, 5, 4, 23, 59, 59))
    assert not match(ts(2023, 5, 5, 0, 0, 0)) and not match(ts(2023, 5, 3, 23, 59, 59))


def test_month_and_year_periods() -> None:
    assert dates.matcher("2023-02")(ts(2023, 2, 28, 12, 0, 0))
    assert not dates.matcher("2023-02")(ts(2023, 3, 1, 0, 0, 0))
    assert dates.matcher("2023")(ts(2023, 12, 31, 23, 0, 0))


def test_before_after_and_ranges() -> None:
    assert dates.matcher("<2023-05")(ts(2023, 5, 31, 23, 59, 59))
    assert not dates.matcher("<2023-05")(ts(2023, 6, 1, 0, 0, 0))
    assert dates.matcher(">2023-05-04")(ts(2023, 5, 4, 0, 0, 0))
    assert not dates.matcher(">2023-05-04")(ts(2023, 5, 3, 23, 0, 0))
    between = dates.matcher("2023-01-02 to 2023-01-03")
    assert between(ts(2023, 1, 3, 23, 0, 0)) and not between(ts(2023, 1, 4, 0, 0, 0))


def test_last_n_days() -> None:
    now = ts(2024, 1, 10, 0, 0, 0)
    match = dates.matcher("-3", now=now)
    assert match(now - 2 * 86400) and not match(now - 4 * 86400)


@pytest.mark.parametrize("spec", ["", "  ", "<", ">", "-x", "-1-", "tomorrowish", "2023-13-45"])
def test_bad_specs_are_input_errors(spec: str) -> None:
    with pytest.raises(error.InputError):
        dates.matcher(spec)
