"""Nothing loops forever: every recurrence expansion returns or raises, and quickly.

dateutil expands a rule period by period and looks at UNTIL or COUNT only when a period
yields something, so ``INTERVAL=0`` used to hang ``expand_recurrence``, ``add_recurring``
and a 9-line .ics file, and a rule whose BY parts never match was searched up to the year
9999. Each case here runs in a daemon thread with a generous time limit, so a regression
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import DAILY, rrule

from smmkit.content.calendar import ContentCalendar, RecurringSeries, expand_recurrence
from smmkit.content.calendar._rrule_limits import (
    MAX_OCCURRENCES,
    MAX_RULE_LENGTH,
    MAX_SETPOS,
    MAX_SPAN,
)
from smmkit.exceptions import InvalidInputError

T = TypeVar("T")

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
START = datetime(2026, 1, 5, 9, tzinfo=NY)
#: Generous: the slowest case measured takes about 1 s on a busy 2-core machine.
LIMIT = 30.0


def within(call: Callable[[], T], seconds: float = LIMIT) -> T:
    """``call()``'s result (or its exception), or a test failure if it runs past
    ``seconds``: the daemon thread is left behind, the suite goes on."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as exc:  # handed over to the test's thread
            errors.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still running after {seconds} s: it would never return")
    if errors:
        raise errors[0]
    return results[0]


def refused(call: Callable[[], object], *fields: str) -> str:
    """The message of the ``InvalidInputError`` that ``call`` raises within the limit."""
    with pytest.raises(InvalidInputError) as info:
        within(call)
    assert info.value.fields == (fields or ("rule",))
    return info.value.problems[0].problem


# ------------------------------------------------------------------ INTERVAL=0


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=0;UNTIL=20260201T000000Z",
        "FREQ=WEEKLY;INTERVAL=0;COUNT=3",
        "FREQ=YEARLY;INTERVAL=0;BYMONTH=2;BYMONTHDAY=30;COUNT=1",  # never yields either
        "FREQ=MONTHLY;INTERVAL=-1;COUNT=2",
        "FREQ=DAILY;INTERVAL=+0;COUNT=2",
        "RRULE:freq=daily;interval=0;count=2",
    ],
)
def test_a_zero_or_negative_interval_is_refused(rule: str) -> None:
    problem = refused(lambda: expand_recurrence(rule, dtstart=START))
    assert "INTERVAL must be a positive integer" in problem


def test_a_dateutil_rule_with_interval_zero_is_refused() -> None:
    rule = rrule(DAILY, interval=0, dtstart=datetime(2026, 1, 5, 9))
    assert "INTERVAL" in refused(lambda: expand_recurrence(rule, dtstart=START))


def test_add_recurring_refuses_interval_zero() -> None:
    problem = refused(
        lambda: ContentCalendar().add_recurring(
            "tips", "x", "FREQ=DAILY;INTERVAL=0", dtstart=START, until=START + timedelta(days=9)
        )
    )
    assert "INTERVAL" in problem


def test_a_series_with_interval_zero_is_refused_when_expanded() -> None:
    series = RecurringSeries(
        id="s", piece_id="p", platform="x", rule="FREQ=DAILY;INTERVAL=0;COUNT=4", dtstart=START
    )
    assert "INTERVAL" in refused(series.occurrences)


NINE_LINES = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:a\r\n"
    "DTSTART:20260101T090000Z\r\n"
    "RRULE:FREQ=DAILY;INTERVAL=0;UNTIL=20260201T000000Z\r\n"
    "CATEGORIES:x\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    "rrule_line",
    [
        "RRULE:FREQ=DAILY;INTERVAL=0;UNTIL=20260201T000000Z",
        "RRULE:FREQ=DAILY;INTERVAL=0;COUNT=3",
        "RRULE:FREQ=MINUTELY;UNTIL=99991231T000000Z",
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=89991231T000000Z",
    ],
)
def test_a_nine_line_ics_file_returns(rrule_line: str) -> None:
    text = NINE_LINES.replace("RRULE:FREQ=DAILY;INTERVAL=0;UNTIL=20260201T000000Z", rrule_line)
    assert len(text.splitlines()) == 9
    if "BYMONTHDAY=30" in rrule_line:  # never matches: read as a series without entries
        parts = within(lambda: ContentCalendar.from_ical(text))
        assert parts.entries == () and len(parts.series) == 1
        return
    refused(lambda: ContentCalendar.from_ical(text), "VEVENT[a].RRULE")


def test_a_vtimezone_rule_with_interval_zero_is_refused() -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "BEGIN:VTIMEZONE",
            "TZID:Somewhere",
            "BEGIN:STANDARD",
            "DTSTART:16011028T020000",
            "RRULE:FREQ=YEARLY;INTERVAL=0;BYMONTH=2;BYMONTHDAY=30",
            "TZOFFSETFROM:-0400",
            "TZOFFSETTO:-0500",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "UID:a",
            "DTSTART;TZID=Somewhere:20260110T090000",
            "CATEGORIES:x",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    with pytest.raises(InvalidInputError) as info:
        within(lambda: ContentCalendar.from_ical(text))
    assert info.value.fields[0].endswith(".RRULE")
    assert "INTERVAL" in info.value.problems[0].problem


# ------------------------------------------------------------------ hard caps


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_sub_daily_frequencies_are_refused(freq: str) -> None:
    problem = refused(lambda: expand_recurrence(f"FREQ={freq}", dtstart=START))
    assert f"FREQ={freq} is not supported" in problem and "BYHOUR" in problem


def test_an_open_daily_rule_stops_at_max_occurrences() -> None:
    problem = refused(lambda: expand_recurrence("FREQ=DAILY", dtstart=START))
    assert f"more than {MAX_OCCURRENCES} occurrences" in problem
    far = "FREQ=DAILY;UNTIL=89991231T000000Z"
    assert "occurrences" in refused(lambda: expand_recurrence(far, dtstart=START))


def test_an_open_yearly_rule_stops_at_max_span() -> None:
    problem = refused(lambda: expand_recurrence("FREQ=YEARLY", dtstart=START))
    assert f"more than {MAX_SPAN.days} days after dtstart" in problem
    # A COUNT within max_occurrences is still bounded by the span: never cut silently.
    sparse = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=10"
    assert "days after dtstart" in refused(lambda: expand_recurrence(sparse, dtstart=START))


def test_a_huge_count_is_refused_before_expanding() -> None:
    for count in (MAX_OCCURRENCES + 1, 10**100):
        rule = f"FREQ=DAILY;COUNT={count}"
        problem = refused(partial(expand_recurrence, rule, dtstart=START))
        assert f"more than max_occurrences ({MAX_OCCURRENCES})" in problem
    assert len(expand_recurrence(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}", dtstart=START)) == (
        MAX_OCCURRENCES
    )


def test_the_caps_are_keywords() -> None:
    rule = "FREQ=DAILY;COUNT=5"
    assert len(expand_recurrence(rule, dtstart=START, max_occurrences=5)) == 5
    assert "max_occurrences (4)" in refused(
        lambda: expand_recurrence(rule, dtstart=START, max_occurrences=4)
    )
    end = START + timedelta(days=30)
    assert "more than 3 occurrences" in refused(
        lambda: expand_recurrence("FREQ=DAILY", dtstart=START, end=end, max_occurrences=3)
    )
    assert "more than 2 days" in refused(
        lambda: expand_recurrence(rule, dtstart=START, max_span=timedelta(days=2))
    )
    assert len(expand_recurrence(rule, dtstart=START, max_span=timedelta(days=4))) == 5
    yearly = expand_recurrence(
        "FREQ=YEARLY;COUNT=150", dtstart=START, max_span=timedelta(days=366 * 150)
    )
    assert len(yearly) == 150


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("max_occurrences", 0),
        ("max_occurrences", True),
        ("max_occurrences", 2.5),
        ("max_span", timedelta(0)),
        ("max_span", timedelta(days=-1)),
        ("max_span", 100),
    ],
)
def test_bad_caps_are_refused(keyword: str, value: object) -> None:
    refused(
        lambda: expand_recurrence("FREQ=DAILY;COUNT=2", dtstart=START, **{keyword: value}),  # type: ignore[arg-type]
        keyword,
    )


# ------------------------------------------------------------------ impossible rules


@pytest.mark.parametrize("freq", ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"])
@pytest.mark.parametrize("year", [1000, 2026, 8999])
@pytest.mark.parametrize(
    "bounds",
    ["COUNT=3", "UNTIL=20300101T000000Z", ""],
)
def test_a_rule_that_never_matches_yields_nothing_at_once(
    freq: str, year: int, bounds: str
) -> None:
    rule = f"FREQ={freq};BYMONTH=2;BYMONTHDAY=30" + (f";{bounds}" if bounds else "")
    start = START.replace(year=year)
    assert within(lambda: expand_recurrence(rule, dtstart=start)) == ()


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=2",  # every 7 days from a Monday
        "FREQ=YEARLY;INTERVAL=400;BYMONTH=2;BYMONTHDAY=29;COUNT=2",  # 2026 + 400k: no leap
        "FREQ=DAILY;BYYEARDAY=366;BYMONTH=1;COUNT=2",
        "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6;COUNT=2",
        "FREQ=DAILY;BYSETPOS=1;BYMONTH=4;BYMONTHDAY=31;COUNT=2",
        "FREQ=DAILY;BYHOUR=1,2,3,4;BYSETPOS=1,2,3,-4;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2;COUNT=2",  # only ever the 29th
    ],
)
def test_impossible_rules_are_recognised_quickly(rule: str) -> None:
    assert within(lambda: expand_recurrence(rule, dtstart=START)) == ()


def test_rare_rules_still_expand() -> None:
    found = within(
        lambda: expand_recurrence(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=3",
            dtstart=START,
            max_span=timedelta(days=366 * 90),
        )
    )
    # 2100 is no leap year: a Monday 29 February comes 40 years after 2072.
    assert [t.date().isoformat() for t in found] == ["2044-02-29", "2072-02-29", "2112-02-29"]


# ------------------------------------------------------------------ rule parts


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=DAILY;INTERVAL=1;INTERVAL=0;COUNT=2", "INTERVAL is given twice"),
        ("FREQ=YEARLY;BYEASTER=0;COUNT=2", "BYEASTER is not an RFC 5545 rule part"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be a positive integer"),
        ("FREQ=DAILY;COUNT=x", "COUNT must be an integer"),
        ("FREQ=FORTNIGHTLY;COUNT=2", "FREQ must be one of"),
        ("FREQ=DAILY;COUNT=2;", "is not a NAME=VALUE part"),
        ("FREQ=MONTHLY;BYDAY=1MO,53MO;COUNT=2", "BYDAY ordinal must lie within -5..5"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=SU(+6);COUNT=2", "within -5..5"),
        ("FREQ=YEARLY;BYDAY=54MO;COUNT=2", "within -53..53"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,2,3,4,5;COUNT=2", f"more than {MAX_SETPOS} values"),
        ("FREQ=DAILY;BYSETPOS=2;COUNT=2", "BYSETPOS=2 never selects"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=-8;COUNT=2", "at most 7 candidates"),
        ("FREQ=DAILY;COUNT=2;BYMONTHDAY=" + ",".join(["1"] * 600), "longer than"),
    ],
)
def test_rule_parts_that_could_explode_are_refused(rule: str, problem: str) -> None:
    assert len(rule) <= MAX_RULE_LENGTH or problem == "longer than"
    assert problem in refused(lambda: expand_recurrence(rule, dtstart=START))


def test_ordinary_rules_are_unchanged() -> None:
    weekdays = expand_recurrence(
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3", dtstart=START
    )
    assert [t.date().isoformat() for t in weekdays] == ["2026-01-30", "2026-02-27", "2026-03-31"]
    yearly = expand_recurrence("FREQ=YEARLY;BYDAY=53MO,-53SU;COUNT=2", dtstart=START)
    assert len(yearly) == 2
    slots = expand_recurrence("FREQ=DAILY;BYHOUR=9,18;COUNT=4", dtstart=START)
    assert [t.hour for t in slots] == [9, 18, 9, 18]


def test_random_rules_return_or_raise_within_the_limit() -> None:
    rnd = random.Random(16)
    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    def some(low: int, high: int, negative: bool = True) -> str:
        values = [rnd.randint(low, high) for _ in range(rnd.randint(1, 3))]
        return ",".join(str(-v if negative and rnd.random() < 0.3 else v) for v in values)

    for _ in range(40):
        parts = [f"FREQ={rnd.choice(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'])}"]
        if rnd.random() < 0.5:
            parts.append(f"INTERVAL={rnd.choice([0, 1, 2, 7, 400])}")
        if rnd.random() < 0.4:
            parts.append("BYMONTH=" + some(1, 12, negative=False))
        if rnd.random() < 0.4:
            parts.append("BYMONTHDAY=" + some(1, 31))
        if rnd.random() < 0.3:
            parts.append("BYYEARDAY=" + some(1, 366))
        if rnd.random() < 0.3:
            parts.append("BYWEEKNO=" + some(1, 53))
        if rnd.random() < 0.4:
            parts.append("BYDAY=" + ",".join(rnd.sample(days, rnd.randint(1, 3))))
        if rnd.random() < 0.2:
            parts.append("BYSETPOS=" + some(1, 3))
        parts.append(rnd.choice(["COUNT=5", "UNTIL=20400101T000000Z", "COUNT=400"]))
        rnd.shuffle(parts)
        rule = ";".join(parts)
        start = START.replace(year=rnd.choice([1000, 2026, 8999]))
        try:
            found = within(partial(expand_recurrence, rule, dtstart=start))
        except InvalidInputError:
            continue
        assert list(found) == sorted(found) and all(t >= start for t in found)
