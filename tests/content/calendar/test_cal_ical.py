"""iCalendar export/import: parses with the ``icalendar`` package and round-trips."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.calendar import (
    Blackout,
    CalendarEntry,
    CampaignScenario,
    ContentCalendar,
    tea_brand_plan,
)
from smmkit.content.calendar._ical import escape_text, fold, unescape_text, unfold
from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _rich_calendar() -> ContentCalendar:
    plan = tea_brand_plan(NOW)
    plan = plan.add_recurring(
        "weekly-brief",
        "linkedin",
        "FREQ=WEEKLY;BYDAY=MO;COUNT=30",
        dtstart=datetime(2026, 2, 2, 9, tzinfo=NY),
        duration=timedelta(minutes=45),
    )
    first_live = next(e for e in plan.entries if e.piece_id == "tea-time-live")
    plan = plan.advance(first_live.id, "in_review", actor="li.na", at=NOW)
    plan = plan.advance(
        first_live.id, "changes_requested", actor="wang", at=NOW, reason="价格, 要核对; 再发"
    )
    second = [e for e in plan.entries if e.piece_id == "tea-time-live"][1]
    plan = plan.remove(second.id)
    piece = ContentPiece(
        id="ugc-1", body="我的办公室茶仪式\n第二行, 带逗号; 分号 \\ 反斜杠", tags=("办公室茶",)
    )
    plan = plan.add(
        CalendarEntry(
            id="ugc-repost",
            piece_id="ugc-1",
            platform="xiaohongshu",
            at=datetime(2026, 5, 9, 12, tzinfo=SH),
            piece=piece,
            scenario=CampaignScenario(id="ritual", kind="product", name="My office tea ritual"),
            notes="long " * 40,
        ),
        CalendarEntry(
            id="utc-post", piece_id="p", platform="x", at=datetime(2026, 5, 3, 13, tzinfo=UTC)
        ),
    )
    return plan.freeze(
        Blackout(
            id="storm",
            start=datetime(2026, 5, 20, tzinfo=SH),
            end=datetime(2026, 5, 22, tzinfo=SH),
            reason="typhoon; all hands",
        )
    ).calendar


def test_round_trip_is_lossless() -> None:
    plan = _rich_calendar()
    text = plan.to_ical(now=NOW, name="健康茶 · plan")
    back = ContentCalendar.from_ical(text)
    assert back == plan
    # Zones survive, not just instants.
    for a, b in zip(plan.entries, back.entries, strict=True):
        assert str(a.at.tzinfo) == str(b.at.tzinfo)
    assert back.to_ical(now=NOW, name="健康茶 · plan") == text


def test_output_parses_with_icalendar_and_means_the_same_instants() -> None:
    plan = _rich_calendar()
    parsed = icalendar.Calendar.from_ical(plan.to_ical(now=NOW))
    assert parsed["PRODID"] == "-//smmkit//content calendar//EN"
    events = parsed.walk("VEVENT")
    assert {tz["TZID"] for tz in parsed.walk("VTIMEZONE")} == {"Asia/Shanghai", "America/New_York"}
    instants: set[datetime] = set()
    masters = {}
    overrides = {}
    for ev in events:
        if ev.get("X-SMMKIT-KIND") == "blackout":
            continue
        start = ev.decoded("DTSTART")
        assert start.tzinfo is not None
        if "RRULE" in ev:
            masters[str(ev["UID"])] = ev
        elif "RECURRENCE-ID" in ev:
            overrides[(str(ev["UID"]), ev.decoded("RECURRENCE-ID"))] = start
        else:
            instants.add(start)
    for uid, ev in masters.items():
        raw = ev["RRULE"].to_ical()
        rule = raw.decode() if isinstance(raw, bytes) else str(raw)
        dtstart = ev.decoded("DTSTART")
        excluded = set()
        for ex in (
            ev.get("EXDATE", []) if isinstance(ev.get("EXDATE"), list) else [ev.get("EXDATE")]
        ):
            if ex is not None:
                excluded |= {d.dt for d in ex.dts}
        for occ in rrulestr(rule, dtstart=dtstart):
            if occ in excluded:
                continue
            instants.add(overrides.get((uid, occ), occ))
    assert instants == {e.at for e in plan.entries}


def test_lines_are_folded_at_75_octets_and_never_split_a_character() -> None:
    text = _rich_calendar().to_ical(now=NOW)
    assert text.endswith("\r\n")
    raw_lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in raw_lines)
    assert any(line.startswith(" ") for line in raw_lines)
    for line in raw_lines:
        line.encode("utf-8").decode("utf-8")  # every physical line is valid UTF-8 by itself


@settings(max_examples=200)
@given(st.text(min_size=0, max_size=300))
def test_escape_fold_unfold_unescape_round_trips(value: str) -> None:
    value = value.replace("\r", "")
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    (unfolded,) = unfold(folded + "\r\n") or [""]
    assert unescape_text(unfolded[len("DESCRIPTION:") :]) == value


def test_import_of_a_calendar_written_by_another_program() -> None:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Other app//EN")
    cal.add("version", "2.0")
    ev = icalendar.Event()
    ev.add("uid", "launch-1")
    ev.add("dtstamp", NOW)
    ev.add("dtstart", datetime(2026, 6, 1, 20, tzinfo=SH))
    ev.add("summary", "Launch, day one")
    ev.add("categories", ["Weibo", "launch"])
    cal.add_component(ev)
    weekly = icalendar.Event()
    weekly.add("uid", "tips")
    weekly.add("dtstamp", NOW)
    weekly.add("dtstart", datetime(2026, 3, 2, 9, tzinfo=NY))
    weekly.add("duration", timedelta(minutes=30))
    weekly.add("rrule", {"freq": "weekly", "count": 4})
    weekly.add("exdate", datetime(2026, 3, 9, 9, tzinfo=NY))
    weekly.add("categories", ["linkedin"])
    cal.add_component(weekly)
    plan = ContentCalendar.from_ical(cal.to_ical().decode())
    launch = plan.get("launch-1")
    assert (launch.platform, launch.title, launch.at) == (
        "weibo",
        "Launch, day one",
        datetime(2026, 6, 1, 20, tzinfo=SH),
    )
    tips = [e for e in plan.entries if e.series == "tips"]
    assert [e.at.astimezone(NY).strftime("%m-%d %H:%M") for e in tips] == [
        "03-02 09:00",
        "03-16 09:00",
        "03-23 09:00",
    ]
    assert {e.duration for e in tips} == {timedelta(minutes=30)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n", "document"),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000\r\n"
            "CATEGORIES:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "VEVENT[a].DTSTART",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260101\r\n"
            "CATEGORIES:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "VEVENT[a].DTSTART",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Nowhere/City:20260101T000000\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "VEVENT[a].DTSTART",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "VEVENT[a].CATEGORIES",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\n"
            "RRULE:FREQ=DAILY\r\nCATEGORIES:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "VEVENT[a].RRULE",
        ),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VCALENDAR\r\n", "line 4"),
        ("BEGIN:VCALENDAR\r\nnonsense\r\nEND:VCALENDAR\r\n", "line 2"),
    ],
)
def test_bad_documents_name_the_problem(body: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(body)
    assert info.value.fields == (field,)


def test_export_needs_an_aware_now_and_keeps_config_from_base() -> None:
    plan = ContentCalendar(windows=()).add_on_days(
        "p", "weibo", [datetime(2026, 6, 1).date()], at=time(3), tz="Asia/Shanghai"
    )
    with pytest.raises(InvalidInputError):
        plan.to_ical(now=datetime(2026, 1, 1))
    back = ContentCalendar.from_ical(plan.to_ical(now=NOW), base=ContentCalendar(windows=()))
    assert back == plan
    assert ContentCalendar.from_ical(plan.to_ical(now=NOW)).conflicts() != ()
