"""The one date module: ``-d`` dates, date specifications, printing.

hg is the oracle: its date functions are called in-process (cheap, and
exact at the span boundaries), and ``hg log -d`` / ``amg log -d`` are
compared on a small repository.
"""
from __future__ import annotations

import calendar
import time

import pytest

from amalgam import dates, error

# -d dates both hg and amg must read the same way.
FORMS = [
    "0 0", "1500000000 -7200", "1165411109 0", "2020-01-01", "2020-01-01 10:00:05",
    "Jan 5 2020", "2020-01-01 10:00 +0530", "2020-01-01T10:00:00Z", "2023-05-06T10:00Z",
    "12/25/2019", "Wed Jan 01 10:00:00 2020 +0000", "2019-06-30 23:59:59 -0700",
    "Dec 31 1999 UTC", "Dec 6 13:18 -0600", "Dec 6 13:18 UTC", "Dec 6", "13:18", "3:39",
    "3:39pm", "2006-12-6 13:18", "2006-12-6", "12-6", "12/6", "12/6/2006",
    "Wed, 6 Dec 2006 13:18:29", "Wed Dec 6 13:18:29 2006", "2006-12-06 1318",
    "2023-05-06T10:00+02:00", "2023-05-06 10:00+02:00", "2023-05-06 10:00+0200",
    "2023-05-06 10:00Z", "2023-05-06 10:00UTC", "2023-05-06 10:00 GMT",
    "2023-05-06T10:00-0100", "today", "yesterday",
]
BAD_FORMS = ["bad", "2020-13-45", "1234", "99999999999 0", "0 99999999", "2023/05/06",
             "6 Dec 2006", "2023-05-06 10:00 +02:00", "2023", "2023-05", "May 2023",
             "13 months", "2006-12-06 13:18:29.5",
             "2023-05-06T10:00 +02:00", "2023-05-06 10:00 Z", "2023-05-06 10:00 utc",
             "2023-05-06 10:00 +2", "2023-05-06 10:00 +020", "UTC", "Z"]
# Date specifications (log -d, date()): every form above, and spans.
SPECS = [f for f in FORMS if f not in ("today", "yesterday")] + [
    "2023", "2023-02", "2024-02", "May 2023", "May", "Dec", "<2023-05", ">2023-05-04",
    "2023-01-02 to 2023-01-03", "2022 to 2023-02", "<Dec 6 13:18 -0600",
    ">2020-01-01 10:00 +0530", "<86400 0",
]
BAD_SPECS = ["", "  ", "<", ">", "-x", "--3", "-1-", "tomorrowish", "2023-13-45",
             "2023-05-06 to", "2023/05/06", "1165411109 99999"]
ZONES = ["UTC", "Asia/Kolkata", "America/New_York"]


@pytest.fixture(params=ZONES)
def zone(request, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def hgdates():
    pytest.importorskip("mercurial")
    from mercurial.utils import dateutil  # oracle only

    return dateutil


def ts(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


# -- parsing -d dates ---------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_dates_parse_as_hg(hgdates, zone, form: str) -> None:
    when, offset = hgdates.parsedate(form.encode())
    assert dates.parse_date(form) == (float(when), offset)


@pytest.mark.parametrize("form", BAD_FORMS)
def test_bad_dates_are_refused_as_hg(hgdates, form: str) -> None:
    with pytest.raises(Exception) as theirs:
        hgdates.parsedate(form.encode())
    with pytest.raises(error.ParseError) as ours:
        dates.parse_date(form)
    assert ours.value.message == "parse error: " + theirs.value.args[0].decode()


def test_now_is_now(zone) -> None:
    before = int(time.time())
    when, offset = dates.parse_date("now")
    assert before <= when <= time.time()
    assert offset == -time.localtime(when).tm_gmtoff


def test_empty_date_is_refused() -> None:
    with pytest.raises(error.ParseError, match="invalid date: ''"):
        dates.parse_date("   ")


# -- date specifications --------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_spec_boundaries_match_hg(hgdates, zone, spec: str) -> None:
    theirs = hgdates.matchdate(spec.encode())
    ours = dates.matcher(spec)
    probes = {0.0, 86400.0, ts(2023, 5, 4, 12, 0, 0), ts(2023, 6, 1, 0, 0, 0)}
    # Our span's edges, and one second either side, decide exactness.
    if spec[0] not in "<>" and " to " not in spec:
        low, high = dates.span(spec)
        probes |= {low - 1, low, high, high + 1}
    elif " to " in spec:
        left, _, right = spec.partition(" to ")
        probes |= {dates.span(left)[0] - 1, dates.span(left)[0],
                   dates.span(right)[1], dates.span(right)[1] + 1}
    else:
        low, high = dates.span(spec[1:])
        probes |= {low - 1, low, high, high + 1}
    for when in sorted(probes):
        assert ours(when) == theirs(int(when)), (spec, when)


@pytest.mark.parametrize("spec", BAD_SPECS)
def test_bad_specs_are_refused_as_hg(hgdates, spec: str) -> None:
    with pytest.raises(Exception) as theirs:
        hgdates.matchdate(spec.encode())
    with pytest.raises(error.InputError) as ours:
        dates.matcher(spec)
    message = theirs.value.args[0].decode().replace("'hg ", "'amg ")
    if isinstance(ours.value, error.ParseError):
        message = "parse error: " + message
    assert ours.value.message == message


def test_a_day_covers_the_whole_day(utc) -> None:
    match = dates.matcher("2023-05-04")
    assert match(ts(2023, 5, 4, 0, 0, 0)) and match(ts(2023, 5, 4, 23, 59, 59))
    assert not match(ts(2023, 5, 5, 0, 0, 0)) and not match(ts(2023, 5, 3, 23, 59, 59))


def test_month_and_year_spans(utc) -> None:
    assert dates.span("2023-02") == (ts(2023, 2, 1, 0, 0, 0), ts(2023, 2, 28, 23, 59, 59))
    assert dates.span("2024-02")[1] == ts(2024, 2, 29, 23, 59, 59)
    assert dates.span("2023") == (ts(2023, 1, 1, 0, 0, 0), ts(2023, 12, 31, 23, 59, 59))
    assert dates.span("1970-01-02 +0100") == (86400 - 3600, 2 * 86400 - 3601)
    assert dates.span("86400 0") == (86400, 86400)


def test_last_n_days() -> None:
    now = ts(2024, 1, 10, 0, 0, 0)
    match = dates.matcher("-3", now=now)
    assert match(now - 2 * 86400) and match(now - 3 * 86400)
    assert not match(now - 3 * 86400 - 1)


def test_old_import_names_still_work() -> None:
    from amalgam.display import dates as display
    from amalgam.revset import dates as revset
    from amalgam.wc import dates as wc

    assert display.matcher is revset.matcher is dates.matcher
    assert wc.parse_date is dates.parse_date
    assert display.datestr is dates.datestr


# -- printing -------------------------------------------------------------------


def test_datestr_uses_the_committers_offset() -> None:
    assert dates.datestr((0.0, 0)) == "Thu Jan 01 00:00:00 1970 +0000"
    assert dates.datestr((86400.0, -3600)) == "Fri Jan 02 01:00:00 1970 +0100"
    assert dates.datestr((100000.0, 7200)) == "Fri Jan 02 01:46:40 1970 -0200"
    assert dates.datestr((86400.0, -19800), "%Y-%m-%d %H:%M %z") == "1970-01-02 05:30 +0530"
    assert dates.tzstr(-19800) == "+0530" and dates.tzstr(19800, ":") == "-05:30"
    assert dates.shortdate((86400.0, 0)) == "1970-01-02"
    assert dates.shortdate((86399.0, -3600)) == "1970-01-02"


@pytest.mark.parametrize("date", [(0.0, 0), (1165411109.0, 21600), (1500000000.0, -19800)])
def test_datestr_prints_as_hg(hgdates, date) -> None:
    assert dates.datestr(date) == hgdates.datestr((int(date[0]), date[1])).decode()
    assert dates.shortdate(date) == hgdates.shortdate((int(date[0]), date[1])).decode()


@pytest.mark.parametrize("ago", [0, 1, 59, 90, 3600, 7199, 7200, 5 * 3600, 86400 * 3,
                                 86400 * 13, 86400 * 45, 86400 * 400, 86400 * 800,
                                 -5, -3 * 86400, -86400 * 800])
def test_age_says_what_hg_says(ago: int) -> None:
    pytest.importorskip("mercurial")
    from mercurial import templatefilters  # oracle only

    now = 1_700_000_000.0
    real_time = time.time
    try:
        time.time = lambda: now  # hg's age reads the clock itself
        theirs = templatefilters.age((now - ago, 0)).decode()
    finally:
        time.time = real_time
    assert dates.age((now - ago, 0), now=now) == theirs


def test_log_date_specs_select_what_hg_selects(amg, hg, tmp_path) -> None:
    repo = tmp_path / "repo"
    hg("init", str(repo))
    stamps = ["2022-12-31 23:59:59 +0000", "2023-01-01 00:00:00 +0000",
              "2023-05-04 12:00:00 +0200", "2023-05-31 23:59:59 +0000",
              "2023-06-01 00:00:00 -0100"]
    for number, stamp in enumerate(stamps):
        (repo / "f").write_text(f"{number}\n")
        hg("commit", "-A", "-q", "-m", f"c{number}", "-d", stamp, cwd=repo)
    for spec in ["2023", "2023-05", "<2023-05", ">2023-05-04", "2022 to 2023-01",
                 "May 2023", "2023-05-04 +0200", "<2023-01-01 00:00:00 +0000"]:
        want = hg("log", "-d", spec, "-T", "{rev} ", cwd=repo).stdout
        got = amg("log", "-d", spec, "-T", "{rev} ", cwd=repo)
        assert got.rc == 0, got.stderr
        assert got.stdout == want, spec
