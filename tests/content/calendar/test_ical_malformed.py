"""Malformed iCalendar documents are typed errors that name the line and the property.

Every class of malformed input the hardening audit found (issue 16, item 6): broken
content lines (unterminated quotes, no ':', bad folding, bad names), huge durations,
dates outside the calendar's years, unknown zones, bad VTIMEZONE offsets, smmkit's own
``X-SMMKIT-*`` JSON (invalid, wrong shape, deep nesting, huge numbers), unbalanced
BEGIN/END, no VCALENDAR. Nothing escapes as a RecursionError, OverflowError, bare
ValueError, KeyError or TypeError.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from smmkit.cli import main
from smmkit.content.calendar import CalendarEntry, ContentCalendar
from smmkit.content.calendar._ical import parse_line
from smmkit.exceptions import InvalidInputError

NOW = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _doc(*lines: str, before: tuple[str, ...] = ()) -> str:
    """A calendar of one event (UID ``a``): ``before`` go in VCALENDAR, ``lines`` in
    the VEVENT, which starts on line ``2 + len(before)``."""
    body = ["BEGIN:VCALENDAR", *before, "BEGIN:VEVENT", "UID:a", *lines, "END:VEVENT"]
    return "\r\n".join([*body, "END:VCALENDAR"]) + "\r\n"


def _refused(text: str, **options: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar.from_ical(text, **options)
    return info.value


def _line_of(error: InvalidInputError) -> int:
    """The line the (first) problem names, in its field or its text."""
    problem = error.problems[0]
    found = re.search(r"line (\d+)", f"{problem.field} {problem.problem}")
    assert found, f"no line named in {error}"
    return int(found.group(1))


START = "DTSTART:20260601T090000Z"

# (lines of the event, field, line number, words of the problem); the event's own
# lines start on line 4.
EVENT_CASES = [
    (['DTSTART;TZID="Asia/Shanghai:20260601T090000'], "line 4", 4, "unterminated quoted"),
    (['DTSTART;TZID="Asia/Shanghai"x:20260601T090000'], "line 4", 4, "stray character"),
    (["DTSTART;TZID:20260601T090000"], "line 4", 4, "malformed parameter"),
    (["DTSTART;=x:20260601T090000"], "line 4", 4, "malformed parameter"),
    (["DTSTART 20260601T090000"], "line 4", 4, "needs ':'"),
    (["DT START:20260601T090000"], "line 4", 4, "property name"),
    ([START, "DURATION:P99999999999W"], "VEVENT[a].DURATION", 5, "longer than"),
    ([START, "DURATION:PT9999999999999H"], "VEVENT[a].DURATION", 5, "longer than"),
    ([START, "DURATION:P" + "9" * 5000 + "D"], "VEVENT[a].DURATION", 5, "longer than"),
    ([START, "DURATION:P36526D"], "VEVENT[a].DURATION", 5, "36525 days"),
    ([START, "DURATION:P1Y"], "VEVENT[a].DURATION", 5, "not an iCalendar DURATION"),
    (["DTSTART:20261301T090000Z"], "VEVENT[a].DTSTART", 4, "DATE-TIME"),
    (["DTSTART:20260230T090000Z"], "VEVENT[a].DTSTART", 4, "DATE-TIME"),
    (["DTSTART:2026-06-01T09:00:00Z"], "VEVENT[a].DTSTART", 4, "DATE-TIME"),
    (["DTSTART;VALUE=DATE:2026061"], "VEVENT[a].DTSTART", 4, "DATE"),
    (["DTSTART:99991231T230000Z"], "VEVENT[a].DTSTART", 4, "1000..8999"),
    (["DTSTART;TZID=America/New_York:99991231T230000"], "VEVENT[a].DTSTART", 4, "1000..8999"),
    (["DTSTART;X-SMMKIT-TZID=America/New_York:00010101T000000Z"], "VEVENT[a].DTSTART", 4, ""),
    (["DTSTART;TZID=Mars/Olympus:20260601T090000"], "VEVENT[a].DTSTART", 4, "Mars/Olympus"),
    (["DTSTART;TZID=../../etc/passwd:20260601T090000"], "VEVENT[a].DTSTART", 4, "unknown time"),
    ([START, "RRULE:FREQ=DAILY;INTERVAL=0;COUNT=3"], "VEVENT[a].RRULE", 5, "INTERVAL"),
    ([START, "RRULE:FREQ=DAILY;INTERVAL=-4;COUNT=3"], "VEVENT[a].RRULE", 5, "INTERVAL"),
    ([START, "RRULE:FREQ=DAILY;COUNT=99999999999999999999"], "VEVENT[a].RRULE", 5, "COUNT"),
    ([START, "RRULE:FREQ=DAILY;COUNT=-1"], "VEVENT[a].RRULE", 5, "COUNT"),
    ([START, "RRULE:FREQ=DAILY;UNTIL=20261301"], "VEVENT[a].RRULE", 5, "UNTIL"),
    ([START, "RRULE:FREQ=DAILY;UNTIL=99991231T235959Z"], "VEVENT[a].RRULE", 5, "10000"),
    (
        ["DTSTART;TZID=America/New_York:20260601T090000", "RRULE:FREQ=DAILY;UNTIL=99991231"],
        "VEVENT[a].RRULE",
        5,
        "10000",
    ),
    ([START, "RRULE:FREQ=DAILY;INTERVAL=99999999999999999999;COUNT=2"], "", 5, ""),
    ([START, "EXDATE:2026060"], "VEVENT[a].EXDATE", 0, "DATE"),
]


@pytest.mark.parametrize(("lines", "field", "line", "words"), EVENT_CASES)
def test_malformed_event_lines_name_their_line_and_property(
    lines: list[str], field: str, line: int, words: str
) -> None:
    text = _doc(*lines, "CATEGORIES:x")
    if field == "":  # a rule that can never repeat is fine: nothing to refuse
        plan = ContentCalendar.from_ical(text)
        assert len(plan.entries) == 1
        return
    if field == "VEVENT[a].EXDATE":  # EXDATEs are read with the series' RRULE
        text = _doc(START, "RRULE:FREQ=DAILY;COUNT=2", *lines[1:], "CATEGORIES:x")
        line = 6
    error = _refused(text, tz="UTC")  # all-day dates are read in UTC
    assert error.fields == (field,)
    assert _line_of(error) == line
    assert words in str(error)


def test_a_quoted_parameter_is_read_whole() -> None:
    prop = parse_line('DTSTART;TZID="America/New_York";X-A="a;b:c","d":20260601T090000', 9)
    assert prop.params == {"TZID": "America/New_York", "X-A": "a;b:c,d"}
    assert prop.value == "20260601T090000" and prop.line == 9
    plan = ContentCalendar.from_ical(
        _doc('DTSTART;TZID="Asia/Shanghai":20260601T090000', "CATEGORIES:x")
    )
    assert plan.entries[0].at.hour == 9


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("", "document", "no VCALENDAR"),
        ("BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n", "document", "no VCALENDAR"),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
            "document",
            "missing END:VCALENDAR (BEGIN on line 1)",
        ),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\n", "line 3", "BEGIN:VEVENT on line 2"),
        ("END:VCALENDAR\r\n", "line 1", "unbalanced END"),
        ("BEGIN:\r\nEND:\r\n", "line 1", "component name"),
        ("BEGIN:VCALENDAR\r\nUID:a\r\nEND:VCALENDAR\r\nX:1\r\n", "line 4", "outside"),
        (" BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "line 1", "folded continuation"),
        ("BEGIN:VCALENDAR\r\n" + "BEGIN:X\r\n" * 10_000, "line 9", "nest more than"),
        ("BEGIN:VCALENDAR\r\n\r\nX-A:\ud800\r\nEND:VCALENDAR\r\n", "line 3", "lone surrogate"),
        ("BEGIN:VCALENDAR\rVERSION:2.0\rbroken\rEND:VCALENDAR\r", "line 3", "needs ':'"),
    ],
)
def test_malformed_documents_name_the_line(text: str, field: str, words: str) -> None:
    error = _refused(text)
    assert error.fields == (field,)
    assert words in str(error)


def test_folding_and_a_byte_order_mark_are_read() -> None:
    folded = _doc("DTST", " ART:20260601T", "\t090000Z", "CATEGORIES:x")
    assert ContentCalendar.from_ical("\ufeff" + folded).entries[0].at.hour == 9
    # a fold inside the property name still gives a property name (RFC 5545 §3.1)
    plan = ContentCalendar.from_ical(_doc("DTSTART:20260601T", " 090000Z", "CATEGORIES:x"))
    assert plan.entries[0].at.hour == 9


# ---------------------------------------------------------------- smmkit's JSON


def _entry_json(value: str) -> str:
    return _doc(START, "CATEGORIES:x", "X-SMMKIT-KIND:entry", f"X-SMMKIT-ENTRY:{value}")


BASE = '{"id":"a"\\,"piece_id":"p"\\,"platform":"x"'


@pytest.mark.parametrize(
    ("value", "field", "words"),
    [
        ('{"id":', "VEVENT[a].X-SMMKIT-ENTRY", "not valid JSON"),
        ("{'id': 'a'}", "VEVENT[a].X-SMMKIT-ENTRY", "not valid JSON"),
        ("[1\\,2]", "VEVENT[a].X-SMMKIT-ENTRY", "must be a JSON object"),
        ('"entry"', "VEVENT[a].X-SMMKIT-ENTRY", "must be a JSON object"),
        ("null", "VEVENT[a].X-SMMKIT-ENTRY", "must be a JSON object"),
        ("[" * 100_000, "VEVENT[a].X-SMMKIT-ENTRY", "nested more than 32"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "VEVENT[a].X-SMMKIT-ENTRY", "nested more than"),
        ('{"id":' + "9" * 5_000 + "}", "VEVENT[a].X-SMMKIT-ENTRY", "not valid JSON"),
        (BASE + '\\,"duration":1e999}', "VEVENT[a].X-SMMKIT-ENTRY.duration", "timedelta"),
        (BASE + '\\,"duration":' + "9" * 300 + "}", "VEVENT[a].X-SMMKIT-ENTRY.duration", ""),
        (BASE + '\\,"duration":-60}', "VEVENT[a].X-SMMKIT-ENTRY.duration", "positive"),
        (BASE + '\\,"requested_at":5}', "VEVENT[a].X-SMMKIT-ENTRY.requested_at", ""),
        (BASE + '\\,"requested_at":"soon"}', "VEVENT[a].X-SMMKIT-ENTRY.requested_at", ""),
        (
            BASE + '\\,"requested_at":"9999-12-31T23:59:59-14:00"}',
            "VEVENT[a].X-SMMKIT-ENTRY.requested_at",
            "",
        ),
        (
            BASE + '\\,"requested_at":"2026-06-01T09:00:00"}',
            "VEVENT[a].X-SMMKIT-ENTRY.requested_at",
            "",
        ),
        (BASE + '\\,"nope":1}', "VEVENT[a].X-SMMKIT-ENTRY.nope", ""),
        (BASE + '\\,"platform":"myspace"}', "VEVENT[a].X-SMMKIT-ENTRY.platform", "myspace"),
    ],
)
def test_bad_smmkit_json_names_the_property_and_its_line(
    value: str, field: str, words: str
) -> None:
    error = _refused(_entry_json(value))
    assert error.fields[0] == field
    assert _line_of(error) == 7
    assert words in str(error)


def test_bad_series_and_blackout_json() -> None:
    series = _doc(START, "RRULE:FREQ=DAILY;COUNT=2", "CATEGORIES:x", 'X-SMMKIT-SERIES:{"rule":5}')
    error = _refused(series)
    assert error.fields[0].startswith("VEVENT[a].X-SMMKIT-SERIES") and _line_of(error) == 7
    blackout = _doc(START, "X-SMMKIT-KIND:blackout", "X-SMMKIT-BLACKOUT:[]")
    error = _refused(blackout)
    assert error.fields == ("VEVENT[a].X-SMMKIT-BLACKOUT",) and _line_of(error) == 6
    no_reason = _doc(START, "X-SMMKIT-KIND:blackout", 'X-SMMKIT-BLACKOUT:{"id":"b"}')
    error = _refused(no_reason)
    assert error.fields == ("VEVENT[a].X-SMMKIT-BLACKOUT.reason",) and _line_of(error) == 6


def test_duplicate_and_dangling_series_name_their_lines() -> None:
    event = ["BEGIN:VEVENT", "UID:a", START, "RRULE:FREQ=DAILY;COUNT=2", "CATEGORIES:x"]
    twice = "\r\n".join(
        ["BEGIN:VCALENDAR", *event, "END:VEVENT", *event, "END:VEVENT", "END:VCALENDAR"]
    )
    error = _refused(twice)
    assert error.fields == ("VEVENT[a].UID",) and "first on line 2" in str(error)
    ghost = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            *event,
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:a",
            "RECURRENCE-ID:20260601T090000Z",
            START,
            'X-SMMKIT-ENTRY:{"id":"a@x"\\,"piece_id":"p"\\,"platform":"x"\\,"series":"ghost"}',
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )
    error = _refused(ghost)
    assert error.fields == ("VEVENT[a].X-SMMKIT-ENTRY",) and _line_of(error) == 12
    assert "ghost" in str(error)
    orphan = _doc(START, "RECURRENCE-ID:20260601T090000Z", "CATEGORIES:x")
    error = _refused(orphan)
    assert error.fields == ("VEVENT[a].RECURRENCE-ID",) and _line_of(error) == 5


# ---------------------------------------------------------------- zones


def _zone(*lines: str) -> tuple[str, ...]:
    return (
        "BEGIN:VTIMEZONE",
        "TZID:Custom",
        "BEGIN:STANDARD",
        *lines,
        "END:STANDARD",
        "END:VTIMEZONE",
    )


@pytest.mark.parametrize(
    ("lines", "field", "line", "words"),
    [
        (
            ("DTSTART:16010101T000000", "TZOFFSETFROM:+9900", "TZOFFSETTO:+0800"),
            "VTIMEZONE[Custom].STANDARD.TZOFFSETFROM",
            6,
            "-2359..+2359",
        ),
        (
            ("DTSTART:16010101T000000", "TZOFFSETFROM:+0800", "TZOFFSETTO:+0890"),
            "VTIMEZONE[Custom].STANDARD.TZOFFSETTO",
            7,
            "-2359..+2359",
        ),
        (
            ("DTSTART:16010101T000000", "TZOFFSETFROM:+0800"),
            "VTIMEZONE[Custom].STANDARD.TZOFFSETTO",
            4,
            "UTC offset",
        ),
        (
            ("DTSTART:1601", "TZOFFSETFROM:+0800", "TZOFFSETTO:+0800"),
            "VTIMEZONE[Custom].STANDARD.DTSTART",
            5,
            "local DATE-TIME",
        ),
        (
            ("TZOFFSETFROM:+0800", "TZOFFSETTO:+0800"),
            "VTIMEZONE[Custom].STANDARD.DTSTART",
            4,
            "is required",
        ),
        (
            (
                "DTSTART:16010101T000000",
                "RRULE:FREQ=YEARLY;INTERVAL=0",
                "TZOFFSETFROM:+0800",
                "TZOFFSETTO:+0800",
            ),
            "VTIMEZONE[Custom].STANDARD.RRULE",
            6,
            "INTERVAL",
        ),
        (
            (
                "DTSTART:16010101T000000",
                "RDATE;VALUE=DATE:20260101",
                "TZOFFSETFROM:+0800",
                "TZOFFSETTO:+0800",
            ),
            "VTIMEZONE[Custom].STANDARD.RDATE",
            6,
            "DATE-TIME",
        ),
    ],
)
def test_bad_vtimezones_name_their_line(
    lines: tuple[str, ...], field: str, line: int, words: str
) -> None:
    text = _doc("DTSTART;TZID=Custom:20260601T090000", "CATEGORIES:x", before=_zone(*lines))
    error = _refused(text)
    assert error.fields == (field,)
    assert _line_of(error) == line
    assert words in str(error)


def test_a_vtimezone_rule_until_the_end_of_time_is_read() -> None:
    zone = _zone(
        "DTSTART:16010101T000000",
        "RRULE:FREQ=YEARLY;UNTIL=99991231T235959Z",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0100",
    )
    plan = ContentCalendar.from_ical(
        _doc("DTSTART;TZID=Custom:20260601T090000", "CATEGORIES:x", before=zone)
    )
    assert plan.entries[0].at.utcoffset() == timedelta(hours=1)


def test_unknown_floating_zone_names_its_line() -> None:
    error = _refused(_doc(START, "CATEGORIES:x", before=("X-WR-TIMEZONE:Nowhere/City",)))
    assert error.fields == ("X-WR-TIMEZONE",) and _line_of(error) == 2


# ---------------------------------------------------------------- export and CLI


def test_export_refuses_a_name_that_is_not_text() -> None:
    entry = CalendarEntry(id="a", piece_id="p", platform="x", at=NOW)
    plan = ContentCalendar().add(entry)
    for name in (b"tea", 5, {"a": 1}, "\ud800"):
        with pytest.raises(InvalidInputError) as info:
            plan.to_ical(now=NOW, name=name)  # type: ignore[arg-type]
        assert info.value.fields == ("name",)


@pytest.mark.parametrize(
    "text",
    [
        _doc('DTSTART;TZID="Asia/Shanghai:20260601T090000'),
        _doc(START, "DURATION:P99999999999W", "CATEGORIES:x"),
        _entry_json("[" * 5_000),
    ],
)
def test_the_cli_reports_a_malformed_file_in_one_line(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "bad.ics"
    ics.write_text(text, encoding="utf-8", newline="")
    assert main(["ical", "--import", str(ics)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("smmkit: error: ") and "line " in err
    assert "Traceback" not in err
