"""One time zone end to end, and strict input at the calendar's entry points (issue 15).

No public function or model field of the calendar falls back to a zone silently; the
few about China's calendar default to China time and say so. Naive datetimes and
unknown platform ids are refused with typed errors naming the field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smmkit.content.calendar as calendar_pkg
from smmkit.catalog import Catalog, register_platform_id
from smmkit.content.calendar import (
    Blackout,
    CalendarEntry,
    CampaignScenario,
    ConflictKind,
    ContentCalendar,
    HourScore,
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
    occasions_between,
    solar_terms_between,
    tea_brand_plan,
    to_lunar,
    western_holidays,
)
from smmkit.exceptions import InvalidInputError, UnknownPlatformError

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, tzinfo=NY)
NAIVE = datetime(2026, 6, 1, 9)


# ------------------------------------------------------------- no silent default zone

# The only defaults to China time left: functions about China's calendar, documented.
CHINA_DEFAULTS = {("ContentCalendar.add_solar_term_posts", "tz"), ("tea_brand_plan", "tz")}


def _callables() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in calendar_pkg.__all__:
        obj = getattr(calendar_pkg, name)
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                func = (
                    member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                )
                if inspect.isfunction(func) and not attr.startswith("_"):
                    found.append((f"{name}.{attr}", func))
    return found


def _is_china(value: object) -> bool:
    return (
        value in ("Asia/Shanghai", "Asia/Chongqing", "PRC")
        or value is calendar_pkg.CHINA_STANDARD_TIME
    )


def test_no_public_function_defaults_to_china_time_silently() -> None:
    defaults = {
        (name, param.name)
        for name, func in _callables()
        for param in inspect.signature(func).parameters.values()
        if _is_china(param.default)
    }
    assert defaults == CHINA_DEFAULTS
    for name, _ in CHINA_DEFAULTS:
        owner, _, attr = name.partition(".")
        func = getattr(getattr(calendar_pkg, owner), attr) if attr else getattr(calendar_pkg, owner)
        assert "China" in (func.__doc__ or ""), f"{name} must say it defaults to China time"


def test_no_model_field_defaults_to_a_zone() -> None:
    for name in calendar_pkg.__all__:
        model = getattr(calendar_pkg, name)
        fields = getattr(model, "model_fields", None)
        if not isinstance(fields, dict):
            continue
        for field_name, info in fields.items():
            assert not _is_china(info.default), f"{name}.{field_name}"
    assert PostingWindow.model_fields["tz"].is_required()
    assert PostingHourStats.model_fields["tz"].is_required()
    assert HourScore.model_fields["tz"].is_required()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: PostingWindow(platform="x", ranges=(TimeRange(start=time(8), end=time(9)),)),  # type: ignore[call-arg]
            "tz",
        ),
        (lambda: PostingHourStats(now=NOW), "tz"),  # type: ignore[call-arg]
        (lambda: HourScore(hour=8, score=1.0, weight=1.0, posts=1), "tz"),  # type: ignore[call-arg]
        (lambda: SpacingRule(platform="wechat_oa", max_per_day=1), "day_tz"),
        (lambda: PostingWindow.from_hours("x", [8, 9]), "tz"),
        (lambda: best_posting_hours([], "x", now=NOW), "tz"),
        (lambda: ContentCalendar().add_on_days("p", "x", [date(2026, 6, 1)], at=time(9)), "tz"),
        (lambda: festival_scenario(western_holidays(2026)[-1]), "tz"),
    ],
)
def test_a_missing_zone_is_an_input_error_naming_it(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()
    assert info.value.fields == (field,)


def test_china_calendar_functions_default_to_china_time_where_documented() -> None:
    mid_autumn = next(o for o in chinese_festivals(2026) if o.key == "mid_autumn")
    assert festival_scenario(mid_autumn).start == datetime(2026, 9, 18, tzinfo=SH)
    christmas = western_holidays(2026)[-1]
    assert festival_scenario(christmas, tz="America/New_York").end == datetime(
        2026, 12, 26, tzinfo=NY
    )
    plan = ContentCalendar(windows=()).add_solar_term_posts(
        "recipe",
        "wecom",
        start=datetime(2026, 5, 1, tzinfo=UTC),
        end=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert {e.at.utcoffset() for e in plan.entries} == {timedelta(hours=8)}
    elsewhere = ContentCalendar(windows=()).add_solar_term_posts(
        "recipe",
        "wecom",
        start=datetime(2026, 5, 1, tzinfo=UTC),
        end=datetime(2026, 6, 1, tzinfo=UTC),
        tz="America/New_York",
    )
    assert [e.at.strftime("%m-%d %H:%M %Z") for e in elsewhere.entries] == [
        "05-05 10:00 EDT",
        "05-21 10:00 EDT",
    ]
    moved = tea_brand_plan(datetime(2026, 5, 1, tzinfo=UTC), tz="America/New_York")
    assert {e.at.astimezone(NY).hour for e in moved.entries if e.piece_id == "tea-time-live"} == {
        15
    }


# ------------------------------------------------- New York hours, New York window


def _ny_post(day: date, hour: int, engagements: float) -> PostPerformance:
    return PostPerformance(
        platform="linkedin",
        published_at=datetime.combine(day, time(hour), NY),
        engagements=engagements,
    )


def _ny_history() -> list[PostPerformance]:
    # 08:00 New York wins, on both sides of both DST changes (EST in Jan/Feb and Nov,
    # EDT from March to October): in UTC these are 13:00 and 12:00.
    days = [date(2026, 2, 2) + timedelta(weeks=w) for w in range(40)]
    posts = [_ny_post(d, 8, 300) for d in days]
    posts += [_ny_post(d, 15, 40) for d in days[::2]]
    posts += [_ny_post(d, 20, 90) for d in days[1::3]]
    return posts


def test_a_window_learned_in_new_york_accepts_new_york_posts_across_dst() -> None:
    best = best_posting_hours(_ny_history(), "linkedin", now=NOW, tz="America/New_York", top=1)
    assert [(s.hour, s.tz) for s in best] == [(8, "America/New_York")]
    window = PostingWindow.from_hours("linkedin", best)
    assert window.tz == "America/New_York"
    plan = ContentCalendar().with_window(window)
    # Winter, the spring-forward day, summer, the fall-back day.
    for day in (date(2026, 1, 12), date(2026, 3, 8), date(2026, 7, 1), date(2026, 11, 1)):
        post = datetime.combine(day, time(8), NY)
        assert window.contains(post), day
        assert window.contains(post.astimezone(SH))  # the instant counts, not its zone
        assert not window.contains(datetime.combine(day, time(7, 59), NY))
        assert not window.contains(datetime.combine(day, time(9), NY))
        entry = CalendarEntry(id=f"brief-{day}", piece_id="brief", platform="linkedin", at=post)
        assert plan.fits(entry)
        kinds = {c.kind for c in plan.add(entry).conflicts()}
        assert ConflictKind.OUTSIDE_WINDOW not in kinds


def test_learned_hours_and_a_different_zone_do_not_mix() -> None:
    best = best_posting_hours(_ny_history(), "linkedin", now=NOW, tz="America/New_York")
    assert (
        PostingWindow.from_hours("linkedin", best, tz="America/New_York").tz == "America/New_York"
    )
    with pytest.raises(InvalidInputError) as info:
        PostingWindow.from_hours("linkedin", best, tz="Asia/Shanghai")
    assert info.value.fields == ("tz",)
    shanghai = best_posting_hours(_ny_history(), "linkedin", now=NOW, tz="Asia/Shanghai")
    with pytest.raises(InvalidInputError) as info:
        PostingWindow.from_hours("linkedin", [*best, *shanghai])
    assert info.value.fields == ("hours",)
    with pytest.raises(InvalidInputError) as info:
        PostingWindow.from_hours("linkedin", [8, "9"])  # type: ignore[list-item]
    assert info.value.fields == ("hours.1",)


@settings(max_examples=60, deadline=None)
@given(
    zone_name=st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]),
    hour=st.integers(min_value=0, max_value=23),
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
)
def test_the_learned_hour_is_in_the_window_every_day(zone_name: str, hour: int, day: date) -> None:
    tz = ZoneInfo(zone_name)
    now = datetime(2028, 1, 1, tzinfo=tz)
    history = [
        PostPerformance(
            platform="x",
            published_at=datetime.combine(date(2025, 1, 1) + timedelta(days=d), time(hour), tz),
            engagements=100,
        )
        for d in range(0, 1000, 37)
    ]
    best = best_posting_hours(history, "x", now=now, tz=zone_name, top=1)
    window = PostingWindow.from_hours("x", best)
    moment = datetime.combine(day, time(hour), tz)
    if moment.astimezone(UTC).astimezone(tz).hour == hour:  # not in a spring-forward gap
        assert window.contains(moment)


# ------------------------------------------------------------- naive datetimes


def _entry(at: datetime = datetime(2026, 6, 1, 9, tzinfo=SH), **more: Any) -> CalendarEntry:
    fields: dict[str, Any] = {"id": "a", "piece_id": "p", "platform": "weibo", "at": at}
    fields.update(more)
    return CalendarEntry(**fields)


AWARE = datetime(2026, 6, 1, 9, tzinfo=SH)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: _entry(NAIVE), "at"),
        (lambda: _entry(requested_at=NAIVE), "requested_at"),
        (
            lambda: ContentCalendar().add_recurring("p", "x", "FREQ=DAILY;COUNT=2", dtstart=NAIVE),
            "dtstart",
        ),
        (
            lambda: ContentCalendar().add_recurring(
                "p", "x", "FREQ=DAILY", dtstart=AWARE, until=NAIVE
            ),
            "until",
        ),
        (lambda: ContentCalendar().between(NAIVE, AWARE), "start"),
        (lambda: ContentCalendar().between(AWARE, NAIVE), "end"),
        (lambda: ContentCalendar().due(NAIVE), "now"),
        (lambda: ContentCalendar().to_ical(now=NAIVE), "now"),
        (
            lambda: ContentCalendar().add(_entry()).advance("a", "in_review", actor="li", at=NAIVE),
            "at",
        ),
        (
            lambda: ContentCalendar().add_solar_term_posts("p", "wecom", start=NAIVE, end=AWARE),
            "start",
        ),
        (lambda: best_posting_hours([], "x", now=NAIVE, tz="UTC"), "now"),
        (lambda: PostingHourStats(tz="UTC", now=NAIVE), "now"),
        (lambda: PostPerformance(platform="x", published_at=NAIVE, engagements=1), "published_at"),
        (lambda: ContentCalendar().window_for("linkedin").contains(NAIVE), "moment"),  # type: ignore[union-attr]
        (lambda: CampaignScenario(id="c", kind="product", name="C").covers(NAIVE), "moment"),
        (
            lambda: RecurringSeries(
                id="s", piece_id="p", platform="x", rule="FREQ=DAILY;COUNT=1", dtstart=AWARE
            ).entry_id(NAIVE),
            "occurrence",
        ),
        (lambda: expand_recurrence("FREQ=DAILY", dtstart=AWARE, end=NAIVE), "end"),
        (lambda: solar_terms_between(NAIVE, AWARE), "start"),
        (lambda: to_lunar(NAIVE), "day"),
        (lambda: occasions_between(NAIVE, date(2026, 7, 1)), "start"),
        (lambda: ContentCalendar().add_on_days("p", "x", [NAIVE], at=time(9), tz="UTC"), "days.0"),
        (lambda: TimeRange(start=time(8), end=time(9)).contains(NAIVE), "moment"),  # type: ignore[arg-type]
    ],
)
def test_naive_datetimes_are_refused_naming_the_field(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields == (field,)


def test_aware_datetimes_are_taken_as_the_instants_they_are() -> None:
    assert to_lunar(datetime(2024, 2, 9, 17, tzinfo=UTC)).day == 1  # 01:00 CST on 10 Feb
    at_noon_sh = time(12, tzinfo=SH)
    plan = ContentCalendar(windows=()).add_on_days("p", "weibo", [date(2026, 6, 1)], at=at_noon_sh)
    assert plan.entries[0].at == datetime(2026, 6, 1, 12, tzinfo=SH)
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().add_on_days("p", "weibo", [date(2026, 6, 1)], at=at_noon_sh, tz="UTC")
    assert info.value.fields == ("tz",)


# ------------------------------------------------------------- platform ids


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: _entry(platform="myspace"), "platform"),
        (
            lambda: ContentCalendar().add_recurring(
                "p", "myspace", "FREQ=DAILY;COUNT=2", dtstart=AWARE
            ),
            "platform",
        ),
        (
            lambda: ContentCalendar().add_on_days("p", "myspace", [], at=time(9), tz="UTC"),
            "platform",
        ),
        (
            lambda: ContentCalendar().add_solar_term_posts(
                "p", "myspace", start=AWARE, end=AWARE + timedelta(days=40)
            ),
            "platform",
        ),
        (lambda: ContentCalendar().window_for("myspace"), "platform"),
        (lambda: ContentCalendar().without_window("myspace"), "platform"),
        (lambda: ContentCalendar().rule_for("myspace", "default"), "platform"),
        (
            lambda: PostingWindow(
                platform="myspace", ranges=(TimeRange(start=time(8), end=time(9)),), tz="UTC"
            ),
            "platform",
        ),
        (lambda: SpacingRule(platform="myspace"), "platform"),
        (
            lambda: PostPerformance(platform="myspace", published_at=AWARE, engagements=1),
            "platform",
        ),
        (lambda: best_posting_hours([], "myspace", now=AWARE, tz="UTC"), "platform"),
        (lambda: PostingHourStats(tz="UTC", now=AWARE).add([], platform="myspace"), "platform"),
        (
            lambda: RecurringSeries(
                id="s", piece_id="p", platform="myspace", rule="FREQ=DAILY;COUNT=1", dtstart=AWARE
            ),
            "platform",
        ),
        (
            lambda: ContentCalendar().freeze(
                Blackout(id="b", start=AWARE, reason="r", platforms=("weibo", "myspace"))
            ),
            "blackout.platforms.1",
        ),
        (
            lambda: ContentCalendar.model_validate(
                {"entries": [{"id": "a", "piece_id": "p", "platform": "myspace", "at": AWARE}]}
            ),
            "entries.0.platform",
        ),
        (lambda: ContentCalendar().add(_entry()).update("a", platform="myspace"), "platform"),
    ],
)
def test_unknown_platform_ids_are_refused_listing_the_known(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(UnknownPlatformError) as info:
        call()
    assert info.value.fields == (field,)
    assert info.value.platform_id == "myspace"
    assert {"weibo", "x", "linkedin"} <= set(info.value.known)


def test_plugin_and_custom_catalog_ids_are_known() -> None:
    assert SpacingRule(platform="*").platform == "*"
    assert ContentCalendar().rule_for("*", "default") is not None
    register_platform_id("calendar_test_forum")  # what a registered plugin does
    assert _entry(platform="calendar_test_forum").platform == "calendar_test_forum"
    catalog = Catalog.default()
    mine = catalog["mastodon"].model_copy(update={"id": "calendar_test_instance"})
    catalog.with_spec(mine)
    plan = ContentCalendar().add_recurring(
        "p", "calendar_test_instance", "FREQ=DAILY;COUNT=2", dtstart=AWARE
    )
    assert {e.platform for e in plan.entries} == {"calendar_test_instance"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda cal: cal.with_window("linkedin"), "window"),
        (lambda cal: cal.with_spacing({"platform": "x"}), "rule"),
        (lambda cal: cal.fits("entry"), "entry"),
        (lambda cal: cal.place(None), "entry"),
        (lambda cal: cal.freeze("recall"), "blackout"),
        (lambda cal: cal.attach("gaokao"), "scenario"),
        (
            lambda cal: ContentCalendar.from_ical("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", base=1),  # type: ignore[arg-type]
            "base",
        ),
        (lambda cal: ContentCalendar.from_ical(b"BEGIN:VCALENDAR"), "text"),  # type: ignore[arg-type]
    ],
)
def test_objects_of_the_wrong_type_are_input_errors(
    call: Callable[[ContentCalendar], object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        call(ContentCalendar())
    assert info.value.fields == (field,)
