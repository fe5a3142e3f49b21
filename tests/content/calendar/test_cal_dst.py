"""DST edge cases: spring-forward gaps, fall-back overlaps and foreign tzinfo objects.

Each test pins a defect found in review: the plan in memory, its iCalendar export and
the re-imported plan must all mean the same instants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.calendar import (
    Blackout,
    CalendarEntry,
    ContentCalendar,
    SpacingRule,
    expand_recurrence,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import as_utc

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = ContentCalendar().without_window("x")


def _round_trip(cal: ContentCalendar) -> ContentCalendar:
    return ContentCalendar.from_ical(cal.to_ical(now=NOW), base=BASE)


def _instants(cal: ContentCalendar) -> list[tuple[str, datetime]]:
    return sorted((e.id, as_utc(e.at)) for e in cal.entries)


def _lines(ics: str, *prefixes: str) -> list[str]:
    return [line for line in ics.splitlines() if line.startswith(prefixes)]


# ------------------------------------------------- 1. series starting in a gap


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/New_York", datetime(2026, 3, 8)),
        ("Europe/Berlin", datetime(2026, 3, 29)),
        ("Australia/Sydney", datetime(2026, 10, 4)),
    ],
)
def test_series_starting_in_a_spring_forward_gap_round_trips(zone: str, day: datetime) -> None:
    local = ZoneInfo(zone)
    start = day.replace(hour=2, minute=30, tzinfo=local)  # does not exist that day
    cal = BASE.add_recurring("tips", "x", "FREQ=DAILY;COUNT=4", dtstart=start)
    # The gap time resolves forward an hour on day one; later days keep 02:30.
    assert [e.at.hour for e in cal.entries] == [3, 2, 2, 2]
    # The series keeps the wall clock its rule runs on, not the resolved 03:30.
    assert (cal.series[0].dtstart.hour, cal.series[0].dtstart.minute) == (2, 30)
    ics = cal.to_ical(now=NOW)
    assert _lines(ics, "EXDATE") == []
    back = _round_trip(cal)
    assert len(back.entries) == 4
    assert _instants(back) == _instants(cal)
    assert back == cal


# ------------------------------------------------- 2. duplicate instants


def test_spring_forward_duplicate_instants_are_dropped() -> None:
    start = datetime(2026, 3, 8, 1, tzinfo=NY)
    occ = expand_recurrence("FREQ=DAILY;BYHOUR=1,2,3;COUNT=6", dtstart=start)
    instants = [as_utc(o) for o in occ]
    assert len(set(instants)) == len(instants)
    # 02:00 does not exist on 8 March and resolves to 03:00, which the rule also names.
    assert instants == sorted(instants)
    assert [o.hour for o in occ] == [1, 3, 1, 2, 3]
    cal = BASE.with_spacing(SpacingRule(platform="*")).add_recurring(
        "tips", "x", "FREQ=DAILY;BYHOUR=1,2,3;COUNT=6", dtstart=start
    )
    assert _instants(cal) == sorted((cal.series[0].entry_id(o), as_utc(o)) for o in occ)
    assert _instants(ContentCalendar.from_ical(cal.to_ical(now=NOW), base=cal)) == _instants(cal)


# ------------------------------------------------- 3. ids in UID lines


@pytest.mark.parametrize(
    "ident", ["line\nbreak", "cr\r\nlf", "semi;colon,comma\\back", "trail\n", "tab\there"]
)
def test_ids_with_special_characters_round_trip_through_uid(ident: str) -> None:
    at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    cal = (
        BASE.add(CalendarEntry(id=ident, piece_id="p", platform="x", at=at))
        .add_recurring("s", "x", "FREQ=DAILY;COUNT=2", dtstart=at, series_id=ident + "-s")
        .freeze(Blackout(id=ident, start=at + timedelta(days=5), reason="r"))
        .calendar
    )
    ics = cal.to_ical(now=NOW)
    body = ics.encode("utf-8").split(b"\r\n")
    assert body[-1] == b""
    for line in body[:-1]:
        assert b"\r" not in line and b"\n" not in line, line
    assert _lines(ics, "BEGIN:VCALENDAR")  # still a document line by line
    parsed = icalendar.Calendar.from_ical(ics)
    assert len(list(parsed.walk("VEVENT"))) == 3
    back = _round_trip(cal)
    assert sorted(e.id for e in back.entries) == sorted(e.id for e in cal.entries)
    assert [s.id for s in back.series] == [ident + "-s"]
    assert [b.id for b in back.blackouts] == [ident]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda at: BASE.add(CalendarEntry(id="a\x00b", piece_id="p", platform="x", at=at)),
            "entries[0].id",
        ),
        (
            lambda at: BASE.add_recurring(
                "p", "x", "FREQ=DAILY;COUNT=1", dtstart=at, series_id="s\x1b"
            ),
            "series[0].id",
        ),
        (
            lambda at: BASE.freeze(Blackout(id="b\x7f", start=at, reason="r")).calendar,
            "blackouts[0].id",
        ),
    ],
)
def test_ids_with_control_characters_are_refused_naming_the_field(
    build: Callable[[datetime], ContentCalendar], field: str
) -> None:
    cal = build(datetime(2026, 6, 1, 12, tzinfo=UTC))
    with pytest.raises(InvalidInputError) as info:
        cal.to_ical(now=NOW)
    assert info.value.fields == (field,)


# ------------------------------------------------- 4. place across fall-back


def test_place_never_moves_a_post_earlier_across_a_fall_back_overlap() -> None:
    def u(hour: int, minute: int) -> datetime:
        return datetime(2026, 11, 1, hour, minute, tzinfo=UTC).astimezone(NY)

    a = CalendarEntry(id="a", piece_id="p", platform="x", at=u(6, 30))  # 01:30 EST
    b = CalendarEntry(id="b", piece_id="q", platform="x", at=u(6, 10))  # 01:10 EST, fold=1
    got = BASE.add(a).place(b).get("b")
    assert as_utc(got.requested_at) == as_utc(b.at)  # type: ignore[arg-type]
    # One hour (the default gap) after a, never back into the first 01:xx.
    assert as_utc(got.at) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert got.at.tzinfo is NY


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(min_value=0, max_value=240),
    second=st.integers(min_value=0, max_value=240),
)
def test_place_only_moves_forward_around_fall_back(first: int, second: int) -> None:
    night = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT; the overlap is 05:00-07:00Z
    a = CalendarEntry(
        id="a", piece_id="p", platform="x", at=(night + timedelta(minutes=first)).astimezone(NY)
    )
    b = CalendarEntry(
        id="b", piece_id="q", platform="x", at=(night + timedelta(minutes=second)).astimezone(NY)
    )
    got = BASE.add(a).place(b).get("b")
    assert as_utc(got.at) >= as_utc(b.at)
    assert abs(as_utc(got.at) - as_utc(a.at)) >= timedelta(hours=1)


# ------------------------------------------------- 5. fold survives export


def test_second_of_two_identical_wall_times_exports_as_utc_and_round_trips() -> None:
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC).astimezone(NY)  # 01:30 EST, fold=1
    assert second.fold == 1
    cal = BASE.add(CalendarEntry(id="a", piece_id="p", platform="x", at=second))
    ics = cal.to_ical(now=NOW)
    assert _lines(ics, "DTSTART;X-SMMKIT-TZID") == [
        "DTSTART;X-SMMKIT-TZID=America/New_York:20261101T063000Z"
    ]
    event = next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))
    assert as_utc(event.decoded("DTSTART")) == as_utc(second)
    back = _round_trip(cal)
    assert back == cal
    assert as_utc(back.entries[0].at) == as_utc(second)
    assert back.entries[0].at.tzinfo == NY and back.entries[0].at.fold == 1


def test_series_starting_at_the_second_ambiguous_time_keeps_its_fold() -> None:
    start = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    occ = expand_recurrence("FREQ=DAILY;COUNT=3", dtstart=start)
    assert as_utc(occ[0]) == as_utc(start) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    cal = BASE.add_recurring("t", "x", "FREQ=DAILY;COUNT=3", dtstart=start)
    moved = cal.update(
        cal.entries[1].id, at=datetime(2026, 11, 1, 6, 45, tzinfo=UTC).astimezone(NY)
    )
    back = _round_trip(moved)
    assert back == moved
    assert _instants(back) == _instants(moved)
    assert back.series[0].dtstart.fold == 1


# ------------------------------------------------- 6. foreign tzinfo objects


def test_dateutil_zone_is_exported_under_its_iana_name() -> None:
    gettz = dateutil_tz.gettz("America/New_York")
    assert gettz is not None and not isinstance(gettz, ZoneInfo)
    cal = BASE.add_recurring(
        "tips", "x", "FREQ=WEEKLY;COUNT=3", dtstart=datetime(2026, 10, 26, 9, tzinfo=gettz)
    )
    ics = cal.to_ical(now=NOW)
    assert "DTSTART;TZID=America/New_York:20261026T090000" in _lines(ics, "DTSTART")
    back = _round_trip(cal)
    assert _instants(back) == _instants(cal)
    assert [e.at.astimezone(NY).hour for e in back.entries] == [9, 9, 9]


def test_fixed_offset_series_is_exported_as_an_etc_zone() -> None:
    plus8 = timezone(timedelta(hours=8))
    start = datetime(2026, 6, 1, 7, tzinfo=plus8)  # Monday 07:00 = Sunday 23:00 UTC
    cal = BASE.add_recurring("t", "x", "FREQ=WEEKLY;BYDAY=MO;COUNT=2", dtstart=start)
    ics = cal.to_ical(now=NOW)
    assert "DTSTART;TZID=Etc/GMT-8:20260601T070000" in _lines(ics, "DTSTART")
    assert _instants(_round_trip(cal)) == _instants(cal)


@pytest.mark.parametrize(
    "zone", [dateutil_tz.tzstr("EST5EDT,M3.2.0,M11.1.0"), timezone(timedelta(hours=5, minutes=45))]
)
def test_series_in_a_zone_without_an_iana_name_is_refused(zone: tzinfo) -> None:
    cal = BASE.add_recurring(
        "t", "x", "FREQ=WEEKLY;COUNT=2", dtstart=datetime(2026, 10, 26, 9, tzinfo=zone)
    )
    with pytest.raises(InvalidInputError) as info:
        cal.to_ical(now=NOW)
    assert info.value.fields == ("series[0].dtstart",)
