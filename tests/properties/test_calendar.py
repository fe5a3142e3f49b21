"""smmkit.content.calendar: dates, lunar conversion, recurrence, hours and the calendar.

Every datetime a result holds is aware; conversions round-trip; a calendar operation
given odd or wrong-typed arguments returns a calendar or refuses with a typed error.
Years outside what the holiday functions compute, and years of the wrong type, must be
refused; iCalendar documents mutated line by line (and smmkit's ``X-SMMKIT-*`` JSON
mutated value by value) are read or refused with a typed error naming the line.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
    model_kwargs,
    odd_text,
    outcome,
    probe_params,
    run_probe,
)

from smmkit.content.calendar import (
    CalendarEntry,
    ContentCalendar,
    PostingWindow,
    PostPerformance,
    RecurringSeries,
    best_posting_hours,
    chinese_festivals,
    expand_recurrence,
    from_lunar,
    occasions,
    tea_brand_plan,
    to_lunar,
)
from smmkit.content.calendar._ical import escape_text, unescape_text, unfold
from smmkit.exceptions import InvalidInputError
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


def _outside(first: int, last: int) -> Any:
    """``bad`` of a function of one year computed for ``first..last``: a year of the
    wrong type (``True``, ``2026.0``, ``"2026"``, ``None``) or outside the range."""

    def bad(year: Any, *args: Any, **kwargs: Any) -> bool:
        if isinstance(year, bool) or not isinstance(year, int):
            return True
        return not first <= year <= last

    return bad


def _bad_lead(*args: Any, **kwargs: Any) -> bool:
    lead = kwargs.get("lead_days", 7)
    return isinstance(lead, bool) or not isinstance(lead, int) or lead < 0


CALENDAR: dict[str, Probe] = {
    "smmkit.content.calendar.chinese_festivals": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: all(o.day.year in (year, year + 1) for o in result),
        bad=_outside(1901, 2099),
        regressions=(((2100,), {}), ((2026.0,), {}), ((True,), {}), (("2026",), {})),
    ),
    "smmkit.content.calendar.commerce_dates": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) == 4,
        bad=_outside(1, 9999),
    ),
    "smmkit.content.calendar.western_holidays": Probe(
        args=st.tuples(st.tuples(st.one_of(st.integers(1, 9999), years)), st.just({})),
        bad=_outside(1583, 9999),
    ),
    "smmkit.content.calendar.gaokao": Probe(
        args=st.tuples(st.tuples(years), st.just({})), bad=_outside(1979, 9999)
    ),
    "smmkit.content.calendar.easter": Probe(
        args=st.tuples(st.tuples(st.one_of(st.integers(1, 9999), years)), st.just({})),
        check=lambda result, year: result.weekday() == 6 and result.month in (3, 4),
        bad=_outside(1583, 9999),
    ),
    "smmkit.content.calendar.lunar_months": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) in (12, 13),
        bad=_outside(1901, 2099),
    ),
    "smmkit.content.calendar.solar_terms": Probe(
        args=st.tuples(st.tuples(years), st.just({})),
        check=lambda result, year: len(result) == 24 and all(_aware(t.at) for t in result),
        bad=_outside(1900, 2100),
        regressions=(((1899,), {}), ((2101,), {}), ((None,), {})),
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
        bad=lambda year, kinds: (
            _outside(1, 9999)(year) or (kinds is None and _outside(1901, 2099)(year))
        ),
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
        bad=_bad_lead,
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
    # wrong Python types at the models' fields: typed errors naming the field
    "smmkit.content.calendar.CalendarEntry": Probe(
        args=st.tuples(st.just(()), model_kwargs(CalendarEntry)),
        check=lambda result, **k: _aware(result.at),
    ),
    "smmkit.content.calendar.RecurringSeries": Probe(
        args=st.tuples(st.just(()), model_kwargs(RecurringSeries))
    ),
    "smmkit.content.calendar.PostingWindow": Probe(
        args=st.tuples(st.just(()), model_kwargs(PostingWindow))
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


# -- malformed iCalendar ---------------------------------------------------------------

_NOW = datetime(2026, 5, 1, tzinfo=timezone.utc)
_SH = ZoneInfo("Asia/Shanghai")


def _sample_ics() -> str:
    """A document with every kind of VEVENT smmkit writes: series, override, entries
    (with smmkit's JSON), an all-day entry and a blackout."""
    plan = tea_brand_plan(_NOW, weeks=1, tz="Asia/Shanghai").add_recurring(
        "live", "douyin", "FREQ=WEEKLY;COUNT=3", dtstart=datetime(2026, 6, 1, 20, tzinfo=_SH)
    )
    series = plan.series[-1]
    moved = series.entry_id(series.occurrences()[1])
    plan = plan.update(moved, title="moved").add(
        CalendarEntry(
            id="day", piece_id="p", platform="x", at=datetime(2026, 6, 3, tzinfo=_SH), all_day=True
        )
    )
    blackout = Blackout(id="b", start=datetime(2026, 7, 1, tzinfo=_SH), reason="crisis")
    return plan.freeze(blackout).calendar.to_ical(now=_NOW)


_FIXTURES = Path(__file__).resolve().parents[1] / "content" / "calendar" / "fixtures"
DOCUMENTS = [
    _sample_ics(),
    *(p.read_text(encoding="utf-8") for p in sorted(_FIXTURES.glob("*.ics"))),
]

# What a hostile or broken file puts in a value, a parameter or a line of its own.
VALUES = [
    "",
    '"',
    "P99999999999W",
    "PT9999999999999H",
    "-P1W",
    "P" + "9" * 5000 + "D",
    "20261301T000000",
    "20260230T000000Z",
    "99991231T235959Z",
    "00010101T000000",
    "2026061",
    "Mars/Olympus",
    "{",
    "[]",
    "null",
    "[" * 5000,
    '{"a":' * 2000,
    "9" * 5000,
    "1e999999",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;COUNT=99999999999999999999",
    "FREQ=DAILY;UNTIL=99991231",
    "+9999",
    "VEVENT",
    "\ud800",
    "x" * 1_000_000,
]
PARAMS = [
    ';TZID="Asia/Shanghai',
    ";TZID=",
    ";VALUE=DATE",
    ";TZID=Mars/Olympus",
    ";X-SMMKIT-TZID=America/New_York",
    ";X-SMMKIT-FOLD=1",
    ";=",
    ";A",
    ';TZID="a"b',
    ";TZID=China Standard Time",
]
LINES = [
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:X",
    "END:VCALENDAR",
    "DURATION:P99999999999W",
    "X-SMMKIT-KIND:blackout",
    "RRULE:FREQ=DAILY;INTERVAL=0;COUNT=3",
    "RECURRENCE-ID:20260504T070000Z",
    "EXDATE;VALUE=DATE:20261340",
    "X-WR-TIMEZONE:Nowhere/City",
    " continued",
    "no colon",
]

_MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0)),
    st.tuples(st.just("repeat"), st.integers(0)),
    st.tuples(st.just("cut"), st.integers(0), st.integers(0, 80)),
    st.tuples(st.just("value"), st.integers(0), st.sampled_from(VALUES)),
    st.tuples(st.just("param"), st.integers(0), st.sampled_from(PARAMS)),
    st.tuples(st.just("insert"), st.integers(0), st.sampled_from(LINES)),
    st.tuples(
        st.just("char"), st.integers(0), st.integers(0, 80), st.sampled_from('";:\\,=ZT\x00')
    ),
    st.tuples(st.just("swap"), st.integers(0), st.integers(0)),
)


def _mutated(text: str, mutations: list[tuple[Any, ...]]) -> str:
    lines = unfold(text)
    for kind, at, *more in mutations:
        i = at % len(lines)
        line = lines[i]
        name, colon, _ = line.partition(":")
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, line)
        elif kind == "cut":
            lines[i] = line[: more[0]]
        elif kind == "value" and colon:
            lines[i] = f"{name}:{more[0]}"
        elif kind == "param" and colon:
            lines[i] = f"{name}{more[0]}:{line.partition(':')[2]}"
        elif kind == "insert":
            lines.insert(i, more[0])
        elif kind == "char":
            lines[i] = line[: more[0]] + more[1] + line[more[0] :]
        elif kind == "swap":
            j = more[0] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    return "\r\n".join(lines) + "\r\n"


def _names_a_line(exc: InvalidInputError) -> bool:
    """Whether every problem says where: a line, or a field of the call (tz, platform)
    or the document as a whole."""
    return all(
        re.search(r"line \d+", f"{p.field} {p.problem}") or p.field in ("document", "tz")
        for p in exc.problems
    )


def _read_or_refuse(text: str, options: dict[str, Any]) -> None:
    """Read ``text``; a refusal must be an InvalidInputError naming its fields and line
    (any other exception propagates and fails the property)."""
    refused: InvalidInputError | None = None
    try:
        found = ContentCalendar.from_ical(text, **options)
    except InvalidInputError as exc:
        refused = exc
    if refused is not None:
        assert refused.problems and all(p.field for p in refused.problems)
        assert _names_a_line(refused), f"no line named: {refused}"
        return
    assert all(_aware(e.at) for e in found.entries)


@fast(60)
@given(
    st.sampled_from(DOCUMENTS),
    st.lists(_MUTATIONS, min_size=1, max_size=4),
    st.sampled_from([{}, {"tz": "Asia/Shanghai"}, {"platform": "weibo"}]),
)
@covers("smmkit.content.calendar.ContentCalendar")
def test_mutated_ical_is_read_or_refused_naming_the_line(
    text: str, mutations: list[tuple[Any, ...]], options: dict[str, Any]
) -> None:
    _read_or_refuse(_mutated(text, mutations), options)


_JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([10**30, -(10**30), 10**300]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "P1D", "2026-06-01T09:00:00+08:00", "9999-12-31T23:59:59-14:00"]),
        st.sampled_from(["0001-01-01T00:00:00+14:00", "2026-06-01T09:00:00", "myspace", "weibo"]),
        odd_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(odd_text, inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = ["id", "piece_id", "platform", "duration", "requested_at", "series", "rule", "start", "end"]
_KEYS += ["reason", "workflow", "piece", "all_day", "title", "nope"]


@fast(60)
@given(
    st.integers(0),
    st.lists(st.tuples(st.sampled_from(_KEYS), _JSON_VALUES), min_size=1, max_size=3),
    st.one_of(st.none(), st.sampled_from(['"x"', "[1]", "[" * 3000, "9" * 5000, "{"])),
)
@covers("smmkit.content.calendar.ContentCalendar")
def test_mutated_smmkit_json_is_read_or_refused_naming_the_line(
    which: int, changes: list[tuple[str, Any]], raw: str | None
) -> None:
    lines = unfold(DOCUMENTS[0])
    props = [i for i, line in enumerate(lines) if line.startswith("X-SMMKIT-") and ":{" in line]
    i = props[which % len(props)]
    name, _, value = lines[i].partition(":")
    if raw is None:
        data = json.loads(unescape_text(value))
        data.update(changes)
        raw = json.dumps(data)
    lines[i] = f"{name}:{escape_text(raw)}"
    _read_or_refuse("\r\n".join(lines) + "\r\n", {})
