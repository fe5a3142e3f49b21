"""Wrong Python types at the calendar's public entry points are typed errors naming the
field: never a TypeError, AttributeError, OverflowError or a hang."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smmkit.content.calendar import (
    CalendarEntry,
    CampaignScenario,
    ContentCalendar,
    PostingHourStats,
    PostingWindow,
    PostPerformance,
    RecurringSeries,
    SpacingRule,
    TimeRange,
    best_posting_hours,
    chinese_festivals,
    expand_recurrence,
    festival_scenario,
    tea_brand_plan,
)
from smmkit.exceptions import InvalidInputError, SmmkitError
from smmkit.models import Blackout

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 6, 1, 9, tzinfo=SH)


class _Opaque:
    pass


JUNK: list[object] = [
    None,
    b"x",
    {},
    {"a": 1},
    [],
    [None],
    set(),
    _Opaque(),
    1.5,
    True,
    Decimal("NaN"),
    2026.0,
    "2026",
    date(2026, 1, 1),
    timedelta(days=-1),
    timedelta(days=999_999_999),
    datetime(2026, 1, 1),
    math.nan,
    math.inf,
    -1,
    0,
    10**400,
    "",
    "\ud800",
    datetime(1, 1, 1, tzinfo=timezone.utc),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
    time(9, tzinfo=SH),
]

ENTRY = CalendarEntry(id="e", piece_id="p", platform="weibo", at=AT)
PLAN = tea_brand_plan(datetime(2026, 5, 1, tzinfo=timezone.utc), tz="Asia/Shanghai").add(ENTRY)
WINDOW = PostingWindow(
    platform="weibo", tz="Asia/Shanghai", ranges=(TimeRange(start=time(9), end=time(10)),)
)
SCENARIO = CampaignScenario(id="c", kind="product", name="n", start=AT, end=AT + timedelta(days=1))
STATS = PostingHourStats(tz="Asia/Shanghai", now=AT)
PERF = PostPerformance(platform="weibo", published_at=AT, engagements=3, impressions=10)

# (name, callable, valid keyword arguments): each argument in turn gets every JUNK value
ENTRY_POINTS: list[tuple[str, Callable[..., object], dict[str, Any]]] = [
    ("CalendarEntry", CalendarEntry, {"id": "e", "piece_id": "p", "platform": "weibo", "at": AT}),
    (
        "RecurringSeries",
        RecurringSeries,
        {
            "id": "s",
            "piece_id": "p",
            "platform": "weibo",
            "rule": "FREQ=DAILY;COUNT=2",
            "dtstart": AT,
        },
    ),
    ("TimeRange", TimeRange, {"start": time(9), "end": time(10)}),
    (
        "PostingWindow",
        PostingWindow,
        {"platform": "weibo", "tz": "Asia/Shanghai", "ranges": WINDOW.ranges},
    ),
    (
        "PostingWindow.from_hours",
        PostingWindow.from_hours,
        {"platform": "weibo", "hours": [9], "tz": "UTC"},
    ),
    (
        "SpacingRule",
        SpacingRule,
        {"platform": "weibo", "min_gap": timedelta(minutes=5), "max_per_day": 3, "day_tz": "UTC"},
    ),
    (
        "expand_recurrence",
        expand_recurrence,
        {
            "rule": "FREQ=DAILY;COUNT=3",
            "dtstart": AT,
            "tz": "UTC",
            "end": None,
            "max_occurrences": 9,
        },
    ),
    (
        "best_posting_hours",
        best_posting_hours,
        {
            "history": [PERF],
            "platform": "weibo",
            "now": AT,
            "tz": "UTC",
            "top": 3,
            "prior_weight": 1.0,
        },
    ),
    (
        "add_recurring",
        PLAN.add_recurring,
        {
            "piece_id": "p",
            "platform": "weibo",
            "rule": "FREQ=DAILY",
            "dtstart": AT,
            "until": AT + timedelta(days=2),
            "tz": "UTC",
            "account": "default",
            "duration": timedelta(hours=1),
            "title": "t",
            "series_id": "s1",
        },
    ),
    (
        "add_on_days",
        PLAN.add_on_days,
        {
            "piece_id": "p",
            "platform": "weibo",
            "days": [date(2026, 6, 1)],
            "at": time(9),
            "tz": "UTC",
        },
    ),
    (
        "add_solar_term_posts",
        PLAN.add_solar_term_posts,
        {"piece_id": "p", "platform": "weibo", "start": AT, "end": AT + timedelta(days=20)},
    ),
    ("attach", PLAN.attach, {"scenario": SCENARIO, "entry_ids": ["e"]}),
    ("advance", PLAN.advance, {"entry_id": "e", "target": "in_review", "actor": "lin", "at": AT}),
    ("with_window", PLAN.with_window, {"window": WINDOW}),
    (
        "place",
        PLAN.place,
        {
            "entry": ENTRY.model_copy(update={"id": "new"}),
            "step": timedelta(minutes=5),
            "horizon": timedelta(days=2),
        },
    ),
    ("freeze", PLAN.freeze, {"blackout": Blackout(id="b", start=AT, reason="r")}),
    ("between", PLAN.between, {"start": AT, "end": AT + timedelta(days=3)}),
    ("due", PLAN.due, {"now": AT}),
    ("in_zone", PLAN.in_zone, {"tz": "UTC"}),
    ("to_ical", PLAN.to_ical, {"now": AT, "name": "plan"}),
    (
        "from_ical",
        ContentCalendar.from_ical,
        {"text": PLAN.to_ical(now=AT), "tz": "UTC", "platform": "weibo"},
    ),
    (
        "festival_scenario",
        festival_scenario,
        {"occasion": chinese_festivals(2026)[0], "lead_days": 3, "tz": "UTC"},
    ),
    ("tea_brand_plan", tea_brand_plan, {"now": AT, "weeks": 1, "tz": "UTC"}),
    (
        "PostingHourStats",
        PostingHourStats,
        {"tz": "UTC", "now": AT, "half_life": timedelta(days=3)},
    ),
    ("PostingHourStats.add", STATS.add, {"records": [PERF], "platform": "weibo"}),
    ("PostingHourStats.merge", STATS.merge, {"other": STATS}),
    ("PostingHourStats.ranking", STATS.ranking, {"prior_weight": 1.0}),
    ("CampaignScenario.covers", SCENARIO.covers, {"moment": AT}),
]


@pytest.mark.parametrize(("name", "fn", "valid"), ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_every_argument_of_the_wrong_type_is_a_typed_error(
    name: str, fn: Callable[..., object], valid: dict[str, Any]
) -> None:
    fn(**valid)  # the valid call works
    refused: list[InvalidInputError] = []
    for key in valid:
        for junk in JUNK:
            try:
                fn(**{**valid, key: junk})
            except InvalidInputError as exc:
                refused.append(exc)
            except SmmkitError:
                pass
    assert all(exc.problems and all(p.field for p in exc.problems) for exc in refused)


def _field(call: Callable[[], object]) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        call()
    return info.value.fields


def test_the_errors_name_the_field() -> None:
    assert _field(lambda: TimeRange(start=time(9, tzinfo=SH), end=time(10))) == ("start",)
    assert _field(lambda: TimeRange(start=1.5, end=time(10))) == ("start",)
    series_id: Any = {"a": 1}
    assert _field(
        lambda: PLAN.add_recurring(
            "p", "weibo", "FREQ=DAILY;COUNT=2", dtstart=AT, series_id=series_id
        )
    ) == ("series_id",)
    assert _field(lambda: PLAN.attach(SCENARIO, entry_ids=_Opaque())) == ("entry_ids",)  # type: ignore[arg-type]
    assert _field(lambda: PLAN.attach(SCENARIO, entry_ids="e")) == ("entry_ids",)
    assert _field(lambda: PLAN.attach(SCENARIO, entry_ids=[5])) == ("entry_ids.0",)  # type: ignore[list-item]
    assert _field(lambda: PLAN.place(ENTRY, step=None)) == ("step",)  # type: ignore[arg-type]
    assert _field(lambda: PLAN.place(ENTRY, horizon=7)) == ("horizon",)  # type: ignore[arg-type]
    assert _field(lambda: STATS.ranking(prior_weight=None)) == ("prior_weight",)  # type: ignore[arg-type]
    assert _field(lambda: STATS.ranking(prior_weight=math.nan)) == ("prior_weight",)
    assert _field(lambda: STATS.merge(None)) == ("other",)  # type: ignore[arg-type]
    assert _field(lambda: STATS.add(None)) == ("records",)  # type: ignore[arg-type]
    assert _field(lambda: STATS.add(["x"])) == ("records.0",)  # type: ignore[list-item]
    late = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))
    assert _field(lambda: SCENARIO.covers(late)) == ("moment",)


def test_placing_with_a_tiny_step_stops() -> None:
    night = CalendarEntry(
        id="n", piece_id="p", platform="wecom", at=datetime(2026, 6, 1, 3, tzinfo=SH)
    )
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().place(night, step=timedelta(microseconds=1))
    assert info.value.fields == ("step",) and "100000 steps" in str(info.value)
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().place(
            night, step=timedelta(days=10**8), horizon=timedelta(days=999_999_999)
        )
    assert info.value.fields == ("entry.at",)
