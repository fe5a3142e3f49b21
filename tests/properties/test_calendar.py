"""smmkit.content.calendar: dates, lunar conversion, recurrence, hours and the calendar.

Every datetime a result holds is aware; conversions round-trip; a calendar operation
given odd or wrong-typed arguments returns a calendar or refuses with a typed error.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    anything,
    attempt,
    aware_datetimes,
    covers,
    datetimes,
    extreme_ints,
    fast,
    junk,
    odd_text,
    outcome,
    probe_params,
    run_probe,
)

from smmkit.content.calendar import (
    CalendarEntry,
    ContentCalendar,
    PostPerformance,
    best_posting_hours,
    chinese_festivals,
    expand_recurrence,
    from_lunar,
    occasions,
    to_lunar,
)
from smmkit.models import Blackout

years = st.one_of(st.integers(1890, 2110), extreme_ints, junk)
zones = st.one_of(
    st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC", "Europe/London"]),
    st.sampled_from(["Mars/Olympus", "", "../etc/passwd", "China Standard Time"]),
    odd_text,
    junk,
)


def _aware(value: Any) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


CALENDAR: dict[str, Probe] = {
    "smmkit.content.calendar.chinese_festivals": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: all(o.day.year in (year, year + 1) for o in result),
    ),
    "smmkit.content.calendar.commerce_dates": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) == 4,
    ),
    "smmkit.content.calendar.western_holidays": Probe(
        args=st.tuples(st.tuples(years), st.just({}))
    ),
    "smmkit.content.calendar.gaokao": Probe(args=st.tuples(st.tuples(years), st.just({}))),
    "smmkit.content.calendar.easter": Probe(
        args=st.tuples(st.tuples(st.one_of(st.integers(1, 9999), years)), st.just({})),
        check=lambda result, year: result.weekday() == 6 and result.month in (3, 4),
    ),
    "smmkit.content.calendar.lunar_months": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) in (12, 13),
    ),
    "smmkit.content.calendar.solar_terms": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) == 24 and all(_aware(t.at) for t in result),
    ),
    "smmkit.content.calendar.occasions": Probe(
        args=st.tuples(
            st.tuples(
                years,
                st.one_of(
                    st.none(),
                    st.lists(
                        st.sampled_from(["commerce", "chinese_festival", "exam", "nope"]),
                        max_size=3,
                    ),
                    junk,
                ),
            ),
            st.just({}),
        ),
        check=lambda result, *a: [o.day for o in result] == sorted(o.day for o in result),
    ),
    "smmkit.content.calendar.occasions_between": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(st.dates(date(1900, 1, 1), date(2110, 1, 1)), datetimes, junk),
                st.one_of(st.dates(date(1900, 1, 1), date(2110, 1, 1)), datetimes, junk),
            ),
            st.just({}),
        ),
        check=lambda result, start, end: all(start <= o.day < end for o in result),
    ),
    "smmkit.content.calendar.solar_terms_between": Probe(
        args=st.tuples(st.tuples(datetimes, datetimes), st.just({})),
        check=lambda result, start, end: all(start <= t.at < end for t in result),
    ),
    "smmkit.content.calendar.festival_scenario": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.sampled_from(chinese_festivals(2026) + occasions(2026, ["commerce"])),
                    junk,
                )
            ),
            st.fixed_dictionaries(
                {},
                optional={
                    "lead_days": st.one_of(st.integers(-3, 10**6), extreme_ints, junk),
                    "tz": zones,
                    "name": st.one_of(st.none(), odd_text, junk),
                    "topic": st.one_of(st.none(), odd_text, junk),
                },
            ),
        ),
        check=lambda result, *a, **k: result.start < result.end,
    ),
    "smmkit.content.calendar.tea_brand_plan": Probe(
        args=st.tuples(
            st.tuples(st.one_of(aware_datetimes, datetimes, junk)),
            st.fixed_dictionaries(
                {},
                optional={"weeks": st.one_of(st.integers(-2, 60), extreme_ints, junk), "tz": zones},
            ),
        ),
        check=lambda result, *a, **k: all(_aware(e.at) for e in result.entries),
    ),
}


@pytest.mark.parametrize("name", probe_params(CALENDAR))
@fast(25)
@given(data=st.data())
@covers(*CALENDAR)
def test_calendar_functions(name: str, data: st.DataObject) -> None:
    run_probe(name, CALENDAR[name], data)


@fast(40)
@given(st.one_of(st.dates(date(1901, 2, 20), date(2099, 12, 31)), st.dates(), datetimes, junk))
@covers("smmkit.content.calendar.to_lunar", "smmkit.content.calendar.from_lunar")
def test_lunar_dates_round_trip(day: Any) -> None:
    lunar = outcome(to_lunar, day, bad=not isinstance(day, date))
    if lunar is REFUSED:
        return
    if isinstance(day, datetime):  # an aware datetime counts as its China Standard Time day
        day = day.astimezone(timezone(timedelta(hours=8))).date()
    assert from_lunar(lunar.year, lunar.month, lunar.day, leap=lunar.leap) == day


@fast(30)
@given(
    years,
    st.one_of(st.integers(-1, 14), junk),
    st.one_of(st.integers(-1, 32), junk),
    st.one_of(st.booleans(), junk),
)
@covers("smmkit.content.calendar.from_lunar")
def test_from_lunar_refuses_dates_that_do_not_exist(
    year: Any, month: Any, day: Any, leap: Any
) -> None:
    found = attempt(from_lunar, year, month, day, leap=leap)
    if found is not REFUSED:
        back = to_lunar(found)
        assert (back.year, back.month, back.day, back.leap) == (year, month, day, bool(leap))


RULES = [
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;BYDAY=MO,WE",
    "RRULE:FREQ=HOURLY;INTERVAL=7",
    "FREQ=MINUTELY",
]


@fast(30)
@given(
    st.one_of(st.sampled_from(RULES), odd_text, junk),
    st.one_of(st.none(), datetimes, junk),
    st.one_of(st.none(), zones),
    st.one_of(st.none(), datetimes, junk),
)
@covers("smmkit.content.calendar.expand_recurrence")
def test_recurrence_expands_to_aware_ordered_times(
    rule: Any, start: Any, tz: Any, end: Any
) -> None:
    found = attempt(expand_recurrence, rule, dtstart=start, tz=tz, end=end)
    if found is REFUSED:
        return
    assert all(_aware(t) for t in found)
    assert list(found) == sorted(found)
    if _aware(start):
        assert all(t >= start for t in found)


performances = st.builds(
    lambda plat, at, eng, imp: attempt(
        PostPerformance, platform=plat, published_at=at, engagements=eng, impressions=imp
    ),
    st.sampled_from(["weibo", "x", "myspace"]),
    datetimes,
    st.one_of(st.floats(0, 1e6), extreme_ints),
    st.one_of(st.none(), st.floats(0.1, 1e7)),
)


@fast(30)
@given(
    st.one_of(st.lists(performances, max_size=8), junk),
    st.one_of(st.sampled_from(["weibo", "x"]), odd_text, junk),
    st.one_of(aware_datetimes, datetimes, junk),
    st.one_of(zones, st.none()),
    st.one_of(st.none(), st.integers(-1, 30), junk),
)
@covers("smmkit.content.calendar.best_posting_hours")
def test_best_posting_hours_carry_their_zone(
    history: Any, plat: Any, now: Any, tz: Any, top: Any
) -> None:
    if isinstance(history, list):
        history = [p for p in history if p is not REFUSED]
    found = attempt(best_posting_hours, history, plat, now=now, tz=tz, top=top)
    if found is REFUSED:
        return
    assert all(0 <= h.hour <= 23 and h.tz == tz for h in found)
    if isinstance(top, int):
        assert len(found) <= top


def _entry(i: int, plat: str, at: datetime) -> Any:
    return attempt(CalendarEntry, id=f"e{i}", piece_id="p", platform=plat, at=at)


entries = st.builds(
    _entry, st.integers(0, 4), st.sampled_from(["x", "weibo", "mastodon"]), aware_datetimes
)

OPERATIONS = st.one_of(
    st.tuples(st.just("add"), st.one_of(entries, junk)),
    st.tuples(st.just("remove"), st.one_of(st.sampled_from(["e0", "e1", "nope"]), junk)),
    st.tuples(st.just("update"), st.one_of(st.sampled_from(["e0", "e1"]), junk), anything),
    st.tuples(
        st.just("add_recurring"),
        st.one_of(st.sampled_from(["x", "myspace"]), junk),
        st.one_of(st.sampled_from(RULES), odd_text, junk),
        st.one_of(datetimes, junk),
        st.one_of(st.none(), aware_datetimes),
        zones,
    ),
    st.tuples(
        st.just("add_on_days"),
        st.lists(st.one_of(st.dates(), junk), max_size=3),
        st.one_of(st.just(time(9)), junk),
        zones,
    ),
    st.tuples(
        st.just("advance"),
        st.sampled_from(["e0", "e1"]),
        st.one_of(st.sampled_from(["in_review", "approved", "published"]), junk),
        st.one_of(aware_datetimes, datetimes, junk),
    ),
    st.tuples(st.just("between"), datetimes, datetimes),
    st.tuples(st.just("due"), st.one_of(datetimes, junk)),
    st.tuples(st.just("in_zone"), zones),
    st.tuples(
        st.just("freeze"), st.one_of(aware_datetimes, junk), st.one_of(st.none(), aware_datetimes)
    ),
    st.tuples(st.just("place"), st.one_of(entries, junk)),
    st.tuples(st.just("ical"), st.one_of(aware_datetimes, datetimes, junk)),
)


def _apply(cal: ContentCalendar, op: tuple[Any, ...]) -> Any:
    kind, *args = op
    if kind == "add":
        return cal.add(*args)
    if kind == "remove":
        return cal.remove(*args)
    if kind == "update":
        return cal.update(args[0], title=args[1])
    if kind == "add_recurring":
        plat, rule, start, until, tz = args
        return cal.add_recurring("p", plat, rule, dtstart=start, until=until, tz=tz)
    if kind == "add_on_days":
        days, at, tz = args
        return cal.add_on_days("p", "x", days, at=at, tz=tz)
    if kind == "advance":
        return cal.advance(args[0], args[1], actor="lin", at=args[2])
    if kind == "between":
        found = cal.between(*args)
        assert all(args[0] <= e.at < args[1] for e in found)
        return cal
    if kind == "due":
        found = cal.due(*args)
        assert all(e.at <= args[0] for e in found)
        return cal
    if kind == "in_zone":
        return cal.in_zone(*args)
    if kind == "freeze":
        blackout = Blackout(id="b", start=args[0], end=args[1], reason="crisis")
        return cal.freeze(blackout).calendar
    if kind == "place":
        return cal.place(*args)
    text = cal.to_ical(now=args[0])
    again = ContentCalendar.from_ical(text)
    assert {e.id for e in again.entries} >= {e.id for e in cal.entries if e.series is None}
    return cal


@fast(40)
@given(st.lists(OPERATIONS, min_size=1, max_size=6))
@covers("smmkit.content.calendar.ContentCalendar")
def test_calendar_operations_keep_a_valid_calendar(operations: list[tuple[Any, ...]]) -> None:
    cal = ContentCalendar()
    for op in operations:
        if any(v is REFUSED for v in op):
            continue
        new = attempt(_apply, cal, op)
        if new is not REFUSED:
            assert isinstance(new, ContentCalendar)
            assert all(_aware(e.at) for e in new.entries)
            assert len({e.id for e in new.entries}) == len(new.entries)
            cal = new
