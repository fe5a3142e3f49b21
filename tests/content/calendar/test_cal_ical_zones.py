"""iCalendar import honours the document's zones: VTIMEZONE, Windows names, all-day dates.

The fixtures are written the way Outlook (Windows zone names, VTIMEZONEs from 1601,
quoted TZIDs) and Google Calendar (X-WR-TIMEZONE, X-LIC-LOCATION, no CATEGORIES)
export. A TZID is resolved, never guessed; one nobody defines is an error naming it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.calendar import ContentCalendar
from smmkit.content.calendar._ical import parse_components
from smmkit.content.calendar._ical_zones import VTimezone, iana_or_windows, vtimezone
from smmkit.content.calendar._windows_zones import WINDOWS_ZONES
from smmkit.exceptions import InvalidInputError, UnknownPlatformError

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UTC = timezone.utc
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def _doc(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR"]) + "\r\n"


def _event(*lines: str, uid: str = "a") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"]


# ------------------------------------------------------------------ Outlook


def test_outlook_windows_zone_names_map_to_iana_zones() -> None:
    plan = ContentCalendar.from_ical(_fixture("outlook_tea_brand.ics"), tz="Asia/Shanghai")
    (live,) = plan.series
    assert live.platform == "douyin"  # the first category that is a platform id
    assert live.dtstart == datetime(2026, 6, 1, 15, tzinfo=SH)
    assert live.dtstart.tzinfo is SH  # a real IANA zone: the plan re-exports by name
    lives = [e for e in plan.entries if e.series == live.id]
    assert [e.at.strftime("%m-%d %H:%M") for e in lives] == [
        "06-01 15:00",
        "06-02 15:00",
        "06-04 15:00",  # 06-03 is an EXDATE
        "06-05 15:00",
        "06-08 15:00",
        "06-09 15:00",
        "06-10 15:00",
        "06-11 15:00",
        "06-12 15:00",
    ]
    assert {e.duration for e in lives} == {timedelta(hours=1)}  # from DTEND
    assert lives[0].title == "下午三点茶歇直播"
    brief = next(e for e in plan.entries if e.platform == "linkedin")
    # 08:00 on the day New York springs forward is 08:00 EDT, 12:00 UTC.
    assert brief.at.tzinfo is NY
    assert brief.at.astimezone(UTC) == datetime(2026, 3, 8, 12, tzinfo=UTC)
    assert brief.duration == timedelta(minutes=30)


def test_outlook_all_day_events_are_days_of_the_given_zone() -> None:
    text = _fixture("outlook_tea_brand.ics")
    plan = ContentCalendar.from_ical(text, tz="Asia/Shanghai")
    sale = next(e for e in plan.entries if e.platform == "weibo")
    assert sale.all_day
    assert sale.at == datetime(2026, 6, 18, tzinfo=SH)
    assert sale.duration == timedelta(days=1)
    # Outlook writes no zone for a date: without tz= the reader refuses, never guesses.
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(text)
    (field,) = info.value.fields
    assert field.endswith(".DTSTART") and "tz=" in str(info.value)


def test_a_customised_zone_is_taken_from_its_vtimezone() -> None:
    plan = ContentCalendar.from_ical(_fixture("outlook_custom_zone.ics"))
    (digest,) = plan.series
    assert isinstance(digest.dtstart.tzinfo, VTimezone)
    instants = [e.at.astimezone(UTC) for e in plan.entries if e.series == digest.id]
    # +05:30 in winter, +06:30 between the last Sundays of March and October.
    assert instants[0] == datetime(2026, 1, 5, 3, 30, tzinfo=UTC)
    assert instants[5] == datetime(2026, 6, 5, 2, 30, tzinfo=UTC)
    assert instants[10] == datetime(2026, 11, 5, 3, 30, tzinfo=UTC)
    overlap = plan.get("custom-zone-overlap")
    # 02:30 on the fall-back night is the first of the two (RFC 5545 §3.3.5).
    assert overlap.at.astimezone(UTC) == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    # The export writes the definition back, and reads back to the same instants.
    text = plan.to_ical(now=NOW)
    assert "TZID:Customized Time Zone" in text.splitlines()
    assert 'DTSTART;TZID="Customized Time Zone":20260105T090000' not in text  # no quotes needed
    assert "DTSTART;TZID=Customized Time Zone:20260105T090000" in text.splitlines()
    back = ContentCalendar.from_ical(text)
    assert [e.at.astimezone(UTC) for e in back.entries] == [
        e.at.astimezone(UTC) for e in plan.entries
    ]
    parsed = icalendar.Calendar.from_ical(text)
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Customized Time Zone"]


def test_a_vtimezone_that_disagrees_with_its_name_wins() -> None:
    # "Eastern Standard Time" with the pre-2007 US rule (DST from April): the document
    # says 20 March is still EST, so 08:00 there is 13:00 UTC, not 12:00.
    old_rules = [
        "BEGIN:VTIMEZONE",
        "TZID:Eastern Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16011028T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010401T020000",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    event = _event('DTSTART;TZID="Eastern Standard Time":20260320T080000', "CATEGORIES:x")
    plan = ContentCalendar.from_ical(_doc(*old_rules, *event))
    assert plan.entries[0].at.astimezone(UTC) == datetime(2026, 3, 20, 13, tzinfo=UTC)
    assert isinstance(plan.entries[0].at.tzinfo, VTimezone)
    # Without the definition, the Windows name means America/New_York (EDT by then).
    bare = ContentCalendar.from_ical(_doc(*event))
    assert bare.entries[0].at.astimezone(UTC) == datetime(2026, 3, 20, 12, tzinfo=UTC)


def test_an_iana_tzid_is_the_iana_zone_whatever_its_copy_says() -> None:
    # smmkit's own export copies the database only for the plan's years (here 2026);
    # an event added later in 2027 still gets New York's summer time.
    plan = ContentCalendar.from_ical(
        _doc(*_event("DTSTART;TZID=America/New_York:20260110T090000", "CATEGORIES:x"))
    )
    lines = plan.to_ical(now=NOW).splitlines()
    vtimezone_2026 = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:America/New_York" in vtimezone_2026
    summer = _event("DTSTART;TZID=America/New_York:20270710T090000", "CATEGORIES:x", uid="b")
    later = ContentCalendar.from_ical(_doc(*vtimezone_2026, *summer))
    assert later.entries[0].at.tzinfo is NY
    assert later.entries[0].at.astimezone(UTC) == datetime(2027, 7, 10, 13, tzinfo=UTC)


# ------------------------------------------------------------------ Google


def test_google_export_with_x_wr_timezone_and_no_categories() -> None:
    text = _fixture("google_content_plan.ics")
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(text)
    assert info.value.fields == ("VEVENT[5o2s0dcs8kq0rpdj1m3u1qgq3b@google.com].CATEGORIES",)
    plan = ContentCalendar.from_ical(text, platform="linkedin")
    tips = [e for e in plan.entries if e.series == "5o2s0dcs8kq0rpdj1m3u1qgq3b@google.com"]
    assert [e.at.strftime("%m-%d %H:%M %Z") for e in tips] == [
        "03-02 08:00 EST",
        "03-09 08:00 EDT",  # the week after the spring-forward change
        "03-23 08:00 EDT",  # 03-16 is an EXDATE
    ]
    assert {e.at.tzinfo for e in tips} == {NY}
    weekend = plan.get("1a2b3c4d5e6f7g8h9i0j@google.com")
    assert weekend.all_day and weekend.at == datetime(2026, 7, 4, tzinfo=NY)
    assert weekend.duration == timedelta(days=3)
    themes = [e for e in plan.entries if e.series == "weekly-all-day@google.com"]
    assert [(e.at, e.all_day) for e in themes] == [
        (datetime(2026, 6, d, tzinfo=NY), True) for d in (1, 8, 15)
    ]
    launch = plan.get("utc-launch@google.com")
    assert launch.at == datetime(2026, 6, 10, 13, tzinfo=UTC)
    # tz= overrides X-WR-TIMEZONE for the dates (and only them).
    shanghai = ContentCalendar.from_ical(text, platform="linkedin", tz="Asia/Shanghai")
    assert shanghai.get("1a2b3c4d5e6f7g8h9i0j@google.com").at == datetime(2026, 7, 4, tzinfo=SH)
    assert shanghai.get("utc-launch@google.com").at == launch.at


def test_all_day_entries_and_series_round_trip_as_dates() -> None:
    plan = ContentCalendar.from_ical(_fixture("google_content_plan.ics"), platform="linkedin")
    text = plan.to_ical(now=NOW)
    lines = text.splitlines()
    assert "DTSTART;VALUE=DATE;X-SMMKIT-TZID=America/New_York:20260704" in lines
    assert "DTSTART;VALUE=DATE;X-SMMKIT-TZID=America/New_York:20260601" in lines
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260615;BYDAY=MO" in lines  # a DATE UNTIL with a DATE
    assert ContentCalendar.from_ical(text) == plan
    parsed = icalendar.Calendar.from_ical(text)
    starts = {str(ev["UID"]): ev.decoded("DTSTART") for ev in parsed.walk("VEVENT")}
    assert starts["1a2b3c4d5e6f7g8h9i0j@google.com"] == date(2026, 7, 4)
    moved = plan.update("1a2b3c4d5e6f7g8h9i0j@google.com", duration=timedelta(days=2))
    assert ContentCalendar.from_ical(moved.to_ical(now=NOW)).get(
        "1a2b3c4d5e6f7g8h9i0j@google.com"
    ).duration == timedelta(days=2)
    with pytest.raises(InvalidInputError):
        plan.update("1a2b3c4d5e6f7g8h9i0j@google.com", duration=timedelta(hours=5))
    # A changed and a removed day of an all-day series: RECURRENCE-ID and EXDATE as dates.
    themes = [e for e in plan.entries if e.series == "weekly-all-day@google.com"]
    edited = plan.update(themes[1].id, title="Tea week").remove(themes[2].id)
    lines = edited.to_ical(now=NOW).splitlines()
    assert "RECURRENCE-ID;VALUE=DATE;X-SMMKIT-TZID=America/New_York:20260608" in lines
    assert "EXDATE;VALUE=DATE;X-SMMKIT-TZID=America/New_York:20260615" in lines
    assert ContentCalendar.from_ical("\r\n".join(lines) + "\r\n") == edited
    # An all-day entry keeps its zone: its day is a day of New York.
    assert plan.in_zone("Asia/Shanghai").get("1a2b3c4d5e6f7g8h9i0j@google.com").at.tzinfo is NY


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("doc", "field", "named"),
    [
        (
            _doc(*_event("DTSTART;TZID=Nowhere/City:20260101T090000", "CATEGORIES:x")),
            "VEVENT[a].DTSTART",
            "Nowhere/City",
        ),
        (
            _doc(*_event('DTSTART;TZID="Atlantis Standard Time":20260101T090000', "CATEGORIES:x")),
            "VEVENT[a].DTSTART",
            "Atlantis Standard Time",
        ),
        (
            _doc("X-WR-TIMEZONE:Mars/Olympus", *_event("DTSTART:20260101T090000", "CATEGORIES:x")),
            "X-WR-TIMEZONE",
            "Mars/Olympus",
        ),
        (
            _doc(
                "BEGIN:VTIMEZONE",
                "TZID:Broken",
                "BEGIN:STANDARD",
                "DTSTART:16010101T000000",
                "TZOFFSETFROM:+0800",
                "END:STANDARD",
                "END:VTIMEZONE",
                *_event("DTSTART;TZID=Broken:20260101T090000", "CATEGORIES:x"),
            ),
            "VTIMEZONE[Broken].STANDARD.TZOFFSETTO",
            "+0800",
        ),
        (
            _doc(*_event("DTSTART;VALUE=DATE:20260101", "CATEGORIES:x")),
            "VEVENT[a].DTSTART",
            "tz=",
        ),
        (
            _doc(*_event("DTSTART:20260101T090000", "CATEGORIES:x")),
            "VEVENT[a].DTSTART",
            "tz=",
        ),
    ],
)
def test_unknown_zones_are_errors_that_name_them(doc: str, field: str, named: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(doc)
    assert info.value.fields == (field,)
    assert named in str(info.value) or named == "+0800"


def test_floating_times_and_unknown_platforms() -> None:
    floating = _doc(*_event("DTSTART:20260601T090000", "CATEGORIES:x"))
    plan = ContentCalendar.from_ical(floating, tz="America/New_York")
    assert plan.entries[0].at == datetime(2026, 6, 1, 9, tzinfo=NY)
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(floating, tz="Mars/Base")
    assert info.value.fields == ("tz",)
    other = _doc(*_event("DTSTART:20260601T090000Z", "CATEGORIES:Work,Personal"))
    with pytest.raises(UnknownPlatformError) as unknown:
        ContentCalendar.from_ical(other)
    assert unknown.value.fields == ("VEVENT[a].CATEGORIES",)
    assert ContentCalendar.from_ical(other, platform="weibo").entries[0].platform == "weibo"
    with pytest.raises(UnknownPlatformError):
        ContentCalendar.from_ical(other, platform="myspace")


# ------------------------------------------------------------------ the zone itself

GOOGLE_NY = "\n".join(
    [
        "BEGIN:VTIMEZONE",
        "TZID:America/New_York",
        "X-LIC-LOCATION:America/New_York",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "TZNAME:EDT",
        "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "TZNAME:EST",
        "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
)
DEFINED_NY = vtimezone(parse_components(GOOGLE_NY)[0], "America/New_York")


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2007, 1, 1), max_value=datetime(2060, 12, 31)))
def test_a_vtimezone_matches_the_iana_zone_it_describes(instant: datetime) -> None:
    utc = instant.replace(tzinfo=UTC)
    mine, theirs = utc.astimezone(DEFINED_NY), utc.astimezone(NY)
    assert mine.replace(tzinfo=None) == theirs.replace(tzinfo=None)
    assert (mine.fold, mine.utcoffset(), mine.dst(), mine.tzname()) == (
        theirs.fold,
        theirs.utcoffset(),
        theirs.dst(),
        theirs.tzname(),
    )
    for fold in (0, 1):  # wall time -> instant, gaps and overlaps included (PEP 495)
        wall = instant.replace(fold=fold)
        assert wall.replace(tzinfo=DEFINED_NY).astimezone(UTC) == wall.replace(
            tzinfo=NY
        ).astimezone(UTC)


def test_windows_zone_table() -> None:
    assert iana_or_windows("China Standard Time") == SH
    assert iana_or_windows("Eastern Standard Time") == NY
    assert iana_or_windows("china standard time") == SH
    assert iana_or_windows("/America/New_York") == NY
    assert iana_or_windows("Nowhere Standard Time") is None
    assert len(WINDOWS_ZONES) > 130
    for name, key in WINDOWS_ZONES.items():
        assert ZoneInfo(key).key == key, name  # every target loads


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_windows_zones", ROOT / "scripts" / "gen_windows_zones.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_windows_zone_table_is_what_the_script_generates() -> None:
    if not (ROOT / "scripts" / "gen_windows_zones.py").exists():
        pytest.skip("scripts/ is not part of this checkout")
    try:
        version = importlib.metadata.version("babel")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the table's source, Babel 2.19.0, is not installed")
    if version != _generator().SOURCE_VERSION:
        pytest.skip(f"the table comes from Babel {_generator().SOURCE_VERSION}, not {version}")
    checked_in = (ROOT / "src/smmkit/content/calendar/_windows_zones.py").read_text("utf-8")
    assert _generator().render() == checked_in, "run: python scripts/gen_windows_zones.py"
