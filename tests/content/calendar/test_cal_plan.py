"""ContentCalendar: recurrence across DST, zones, windows, spacing, blackouts, workflow."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import FR, MO, TH, TU, WE, WEEKLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.calendar import (
    Blackout,
    CalendarEntry,
    CampaignScenario,
    ConflictKind,
    ContentCalendar,
    PostingWindow,
    SpacingRule,
    TimeRange,
    expand_recurrence,
    tea_brand_plan,
)
from smmkit.content.workflow import PostState
from smmkit.exceptions import IllegalTransitionError, InvalidInputError
from smmkit.models import ContentPiece, NoteSeverity

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


def _entry(entry_id: str, at: datetime, platform: str = "weibo", **more: object) -> CalendarEntry:
    return CalendarEntry(
        id=entry_id, piece_id=f"piece-{entry_id}", platform=platform, at=at, **more
    )


# ------------------------------------------------------------------ recurrence


def test_weekly_0900_new_york_survives_both_dst_changes() -> None:
    cal = ContentCalendar().add_recurring(
        "weekly-brief",
        "linkedin",
        "FREQ=WEEKLY;BYDAY=MO",
        dtstart=datetime(2026, 1, 5, 9, tzinfo=NY),
        until=datetime(2026, 12, 31, tzinfo=NY),
    )
    local = [e.at.astimezone(NY) for e in cal.entries]
    assert len(local) == 52
    assert {(t.hour, t.minute) for t in local} == {(9, 0)}
    utc_hours = [e.at.astimezone(UTC).hour for e in cal.entries]
    # EST (UTC-5) before 2026-03-08, EDT (UTC-4) until 2026-11-01, EST again after.
    assert utc_hours[:9] == [14] * 9
    assert set(utc_hours[9:43]) == {13}
    assert set(utc_hours[43:]) == {14}


def test_plan_built_in_shanghai_reads_correctly_in_utc() -> None:
    cal = ContentCalendar().add_recurring(
        "tea-time-live",
        "douyin",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        dtstart=datetime(2026, 6, 1, 15, tzinfo=SH),
        until=datetime(2026, 6, 30, tzinfo=SH),
    )
    in_utc = cal.in_zone("UTC")
    assert [e.at for e in in_utc.entries] == [e.at for e in cal.entries]  # same instants
    assert {(e.at.hour, e.at.utcoffset()) for e in in_utc.entries} == {(7, timedelta(0))}
    assert {e.at.weekday() for e in in_utc.entries} == {0, 1, 2, 3, 4}
    back = in_utc.in_zone("Asia/Shanghai")
    assert {e.at.hour for e in back.entries} == {15}


def test_dateutil_rrule_object_is_accepted() -> None:
    rule = rrule(
        WEEKLY,
        byweekday=(MO, TU, WE, TH, FR),
        dtstart=datetime(2026, 6, 1, 15, tzinfo=SH),
        until=datetime(2026, 6, 12, 23, tzinfo=SH),
    )
    cal = ContentCalendar().add_recurring("tea-time-live", "douyin", rule)
    assert len(cal.entries) == 10
    assert cal.series[0].rule.startswith("FREQ=WEEKLY")
    assert "UNTIL=20260612T150000Z" in cal.series[0].rule


def test_nonexistent_wall_time_moves_forward_by_the_gap() -> None:
    slots = expand_recurrence("FREQ=DAILY;COUNT=3", dtstart=datetime(2026, 3, 7, 2, 30, tzinfo=NY))
    assert [(s.day, s.hour, s.minute) for s in slots] == [(7, 2, 30), (8, 3, 30), (9, 2, 30)]
    assert slots[1].astimezone(UTC).hour == 7


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Shanghai"]),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
)
def test_weekly_rule_keeps_wall_clock(tz: str, hour: int, minute: int, start: date) -> None:
    zone = ZoneInfo(tz)
    first = datetime.combine(start, time(hour, minute), zone)
    slots = expand_recurrence("FREQ=WEEKLY;COUNT=60", dtstart=first)
    assert len(slots) == 60
    for k, slot in enumerate(slots):
        wanted = datetime.combine(start + timedelta(weeks=k), time(hour, minute), zone)
        exists = wanted.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wanted.replace(
            tzinfo=None
        )
        shown = slot.astimezone(zone)
        assert shown.date() == wanted.date()
        # The wall time itself, unless that time does not exist that day (DST gap).
        assert (shown.hour, shown.minute) == (hour, minute) or not exists


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ("FREQ=SOMETIMES", "rule"),
        ("BYDAY=MO", "rule"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "rule"),
        ("FREQ=DAILY;UNTIL=notadate", "rule"),
    ],
)
def test_bad_rules_name_the_field(rule: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        expand_recurrence(rule, dtstart=datetime(2026, 1, 1, tzinfo=UTC))
    assert info.value.fields == (field,)


def test_open_rule_needs_until_and_naive_start_is_refused() -> None:
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().add_recurring(
            "p", "x", "FREQ=DAILY", dtstart=datetime(2026, 1, 1, tzinfo=UTC)
        )
    assert info.value.fields == ("until",)
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().add_recurring(
            "p", "x", "FREQ=DAILY;COUNT=2", dtstart=datetime(2026, 1, 1)
        )
    assert info.value.fields == ("dtstart",)
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar().add_recurring(
            "p",
            "x",
            "FREQ=DAILY;COUNT=2",
            dtstart=datetime(2026, 1, 1, tzinfo=UTC),
            until=datetime(2026, 2, 1, tzinfo=UTC),
        )
    assert info.value.fields == ("until",)


def test_tz_argument_moves_the_rule_into_that_zone() -> None:
    cal = ContentCalendar().add_recurring(
        "p",
        "x",
        "FREQ=WEEKLY;COUNT=20",
        dtstart=datetime(2026, 2, 2, 14, tzinfo=UTC),
        tz="America/New_York",
    )
    assert {e.at.astimezone(NY).hour for e in cal.entries} == {9}


# ------------------------------------------------------------------ entries


def test_entries_are_sorted_values_and_methods_return_new_calendars() -> None:
    base = ContentCalendar()
    late = _entry("late", datetime(2026, 1, 2, tzinfo=UTC))
    early = _entry("early", datetime(2026, 1, 1, 20, tzinfo=SH))
    cal = base.add(late, early)
    assert base.entries == ()
    assert [e.id for e in cal.entries] == ["early", "late"]
    assert cal.remove("early").entries == (late,)
    assert cal.update("late", title="T").get("late").title == "T"
    with pytest.raises(InvalidInputError) as info:
        cal.get("nope")
    assert info.value.fields == ("entry_id",)
    with pytest.raises(InvalidInputError):
        cal.add(late)  # duplicate id
    with pytest.raises(InvalidInputError):
        cal.update("late", at=datetime(2026, 1, 1))  # naive


def test_calendar_survives_json_and_pickle() -> None:
    import pickle

    plan = tea_brand_plan(datetime(2026, 5, 1, tzinfo=UTC))
    plan = plan.advance(
        plan.entries[0].id, "in_review", actor="li", at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    assert ContentCalendar.model_validate_json(plan.model_dump_json()) == plan
    assert pickle.loads(pickle.dumps(plan)) == plan


def test_entry_checks_piece_and_post_consistency() -> None:
    piece = ContentPiece(id="tea-001", body="下午三点，给自己泡一杯。")
    at = datetime(2026, 6, 1, 12, tzinfo=SH)
    ok = CalendarEntry(id="e", piece_id="tea-001", platform="xiaohongshu", at=at, piece=piece)
    assert ok.piece == piece
    with pytest.raises(InvalidInputError):
        CalendarEntry(id="e", piece_id="other", platform="xiaohongshu", at=at, piece=piece)


def test_between_and_due() -> None:
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    cal = ContentCalendar().add(_entry("a", t), _entry("b", t + timedelta(hours=3)))
    assert [e.id for e in cal.between(t, t + timedelta(hours=3))] == ["a"]
    cal = cal.advance("a", "in_review", actor="li", at=t - timedelta(days=1))
    cal = cal.advance("a", "approved", actor="wang", at=t - timedelta(days=1))
    assert cal.due(t) == ()
    cal = cal.advance("a", "scheduled", actor="wang", at=t - timedelta(days=1))
    assert [e.id for e in cal.due(t)] == ["a"]
    assert cal.due(t - timedelta(minutes=1)) == ()
    with pytest.raises(IllegalTransitionError):
        cal.advance("b", "published", actor="bot", at=t)


def test_attach_scenario_by_run_or_by_ids() -> None:
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    cal = ContentCalendar().add(_entry("a", t), _entry("b", t + timedelta(days=10)))
    gaokao = CampaignScenario(
        id="gaokao-memories",
        kind="hot_topic",
        name="Gaokao memories",
        start=t - timedelta(days=1),
        end=t + timedelta(days=8),
    )
    by_run = cal.attach(gaokao)
    assert by_run.get("a").scenario == gaokao and by_run.get("b").scenario is None
    by_id = cal.attach(gaokao, entry_ids=["b"])
    assert by_id.get("b").scenario == gaokao and by_id.get("a").scenario is None
    with pytest.raises(InvalidInputError):
        cal.attach(gaokao, entry_ids=["zzz"])


# ------------------------------------------------------------------ spacing


def _no_windows() -> ContentCalendar:
    return ContentCalendar(windows=())


@pytest.mark.parametrize(
    ("rule", "offsets_min", "expected"),
    [
        (SpacingRule(platform="*", min_gap=timedelta(hours=1)), [0, 30, 120], [("min_gap", "e1")]),
        (SpacingRule(platform="*", min_gap=timedelta(hours=1)), [0, 60, 120], []),
        (
            SpacingRule(platform="weibo", max_per_day=2, day_tz="Asia/Shanghai"),
            [0, 10, 20, 30],
            [("max_per_day", "e2"), ("max_per_day", "e3")],
        ),
        (
            SpacingRule(platform="weibo", quota=2, quota_period=timedelta(hours=1)),
            [0, 20, 40, 90],
            [("quota", "e2")],
        ),
        (SpacingRule(platform="weibo", account="other", min_gap=timedelta(hours=5)), [0, 10], []),
    ],
)
def test_spacing_rules_report_conflicts_per_item(
    rule: SpacingRule, offsets_min: list[int], expected: list[tuple[str, str]]
) -> None:
    t = datetime(2026, 6, 1, 9, tzinfo=SH)
    cal = ContentCalendar(windows=(), spacing=(rule,))
    cal = cal.add(*(_entry(f"e{i}", t + timedelta(minutes=m)) for i, m in enumerate(offsets_min)))
    assert [(c.kind.value, c.entry_id) for c in cal.conflicts()] == expected


def test_conflict_names_the_entries_it_collides_with() -> None:
    t = datetime(2026, 6, 1, 9, tzinfo=SH)
    cal = _no_windows().with_spacing(
        SpacingRule(platform="wechat_oa", max_per_day=1, day_tz="Asia/Shanghai")
    )
    cal = cal.add(_entry("a", t, "wechat_oa"), _entry("b", t + timedelta(hours=5), "wechat_oa"))
    (conflict,) = cal.conflicts()
    assert conflict.kind is ConflictKind.MAX_PER_DAY
    assert (conflict.entry_id, conflict.others) == ("b", ("a",))
    assert conflict.severity is NoteSeverity.ERROR


def test_gaps_are_measured_in_real_time_across_dst() -> None:
    # Wall clocks say 3 h 30 min apart; the spring-forward night makes it 2 h 30 min.
    a = _entry("a", datetime(2026, 3, 7, 23, 30, tzinfo=NY), "x")
    b = _entry("b", datetime(2026, 3, 8, 3, 0, tzinfo=NY), "x")
    rule = SpacingRule(platform="x", min_gap=timedelta(hours=3))
    cal = ContentCalendar(windows=(), spacing=(rule,)).add(a, b)
    assert [(c.kind, c.entry_id) for c in cal.conflicts()] == [(ConflictKind.MIN_GAP, "b")]
    assert not cal.remove("b").fits(b)


def test_per_day_counts_in_the_rules_zone() -> None:
    # 23:30 and 00:30 Shanghai are two days there but one UTC day.
    rule = SpacingRule(platform="wechat_oa", max_per_day=1, day_tz="Asia/Shanghai")
    a = _entry("a", datetime(2026, 6, 1, 23, 30, tzinfo=SH), "wechat_oa")
    b = _entry("b", datetime(2026, 6, 2, 0, 30, tzinfo=SH), "wechat_oa")
    cal = ContentCalendar(windows=(), spacing=(rule,)).add(a, b)
    assert cal.conflicts() == ()
    utc_rule = rule.model_copy(update={"day_tz": "UTC"})
    assert len(ContentCalendar(windows=(), spacing=(utc_rule,)).add(a, b).conflicts()) == 1


def test_accounts_are_spaced_separately_and_specific_rules_win() -> None:
    t = datetime(2026, 6, 1, 9, tzinfo=SH)
    cal = _no_windows().add(
        _entry("a", t, account="brand"), _entry("b", t + timedelta(minutes=5), account="ceo")
    )
    assert cal.conflicts() == ()
    relaxed = cal.with_spacing(SpacingRule(platform="weibo", min_gap=timedelta(minutes=1)))
    assert relaxed.rule_for("weibo", "brand").min_gap == timedelta(minutes=1)  # type: ignore[union-attr]
    assert relaxed.rule_for("x", "brand").min_gap == timedelta(hours=1)  # type: ignore[union-attr]


def test_posting_window_warnings_and_configuration() -> None:
    night = datetime(2026, 6, 1, 3, tzinfo=SH)
    cal = ContentCalendar().add(_entry("a", night, "xiaohongshu"))
    (warning,) = cal.conflicts()
    assert warning.kind is ConflictKind.OUTSIDE_WINDOW
    assert warning.severity is NoteSeverity.WARNING
    night_owls = PostingWindow(
        platform="xiaohongshu", ranges=(TimeRange(start=time(2), end=time(4)),), tz="Asia/Shanghai"
    )
    assert cal.with_window(night_owls).conflicts() == ()
    assert cal.without_window("xiaohongshu").conflicts() == ()
    linkedin = cal.window_for("linkedin")
    assert linkedin is not None
    assert not linkedin.contains(datetime(2026, 6, 6, 9, tzinfo=NY))  # a Saturday
    with pytest.raises(InvalidInputError):
        TimeRange(start=time(10), end=time(9))
    with pytest.raises(InvalidInputError):
        PostingWindow(platform="x", ranges=(TimeRange(start=time(1), end=time(2)),), tz="Mars/Base")


def test_place_moves_to_the_first_slot_that_fits() -> None:
    t = datetime(2026, 6, 1, 10, tzinfo=SH)
    cal = ContentCalendar().place(_entry("a", t, "wecom"))
    cal = cal.place(_entry("b", t + timedelta(minutes=20), "wecom"))
    moved = cal.get("b")
    assert moved.at == t + timedelta(hours=1)
    assert moved.requested_at == t + timedelta(minutes=20)
    # 11:30 would be outside nothing, but WeCom's window closes at 12:00: c lands at 14:00.
    cal = cal.place(_entry("c", t + timedelta(minutes=70), "wecom"))
    assert cal.get("c").at == datetime(2026, 6, 1, 14, tzinfo=SH)
    assert cal.conflicts() == ()
    with pytest.raises(InvalidInputError) as info:
        ContentCalendar(
            spacing=(SpacingRule(platform="*", max_per_day=1, day_tz="UTC"),), windows=()
        ).place(_entry("z", t), horizon=timedelta(hours=2)).place(
            _entry("y", t), horizon=timedelta(hours=2)
        )
    assert info.value.fields == ("entry.at",)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=72 * 60), min_size=1, max_size=10))
def test_placing_never_creates_conflicts(offsets: list[int]) -> None:
    t = datetime(2026, 6, 1, 0, tzinfo=SH)
    cal = ContentCalendar().with_spacing(
        SpacingRule(
            platform="weibo", min_gap=timedelta(minutes=90), max_per_day=4, day_tz="Asia/Shanghai"
        )
    )
    for i, minutes in enumerate(offsets):
        cal = cal.place(_entry(f"e{i}", t + timedelta(minutes=minutes)), horizon=timedelta(days=30))
    assert cal.conflicts() == ()
    assert all(e.at >= (e.requested_at or e.at) for e in cal.entries)


# ------------------------------------------------------------------ blackouts


def _workflow_to(cal: ContentCalendar, entry_id: str, state: str, t: datetime) -> ContentCalendar:
    path = ["in_review", "approved", "scheduled", "publishing", "published"]
    for step in path[: path.index(state) + 1]:
        cal = cal.advance(entry_id, step, actor="ops", at=t)
    return cal


def test_crisis_freeze_pauses_everything_not_yet_published() -> None:
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    cal = ContentCalendar(windows=()).add(
        _entry("past", t - timedelta(hours=3)),
        _entry("done", t + timedelta(hours=1)),
        _entry("flying", t + timedelta(hours=2), "douyin"),
        _entry("queued", t + timedelta(hours=3), "xiaohongshu"),
        _entry("draft", t + timedelta(days=3), "wecom"),
    )
    cal = _workflow_to(cal, "done", "published", t - timedelta(days=1))
    cal = _workflow_to(cal, "flying", "publishing", t - timedelta(days=1))
    cal = _workflow_to(cal, "queued", "scheduled", t - timedelta(days=1))
    result = cal.freeze(Blackout(id="recall", start=t, reason="product recall", declared_by="ceo"))
    assert [e.id for e in result.paused] == ["queued", "draft"]
    assert [e.id for e in result.in_flight] == ["flying"]
    frozen = result.calendar
    assert frozen.get("queued").paused_by == "recall"
    assert not frozen.get("past").paused and not frozen.get("done").paused
    assert frozen.due(t + timedelta(days=5)) == ()
    # Paused entries are not conflicts; the one in flight is, until a person looks at it.
    assert [(c.kind, c.entry_id) for c in frozen.conflicts()] == [
        (ConflictKind.IN_BLACKOUT, "flying")
    ]
    with pytest.raises(InvalidInputError):
        frozen.freeze(Blackout(id="recall", start=t, reason="again"))
    lifted = frozen.lift("recall")
    assert lifted.blackouts == () and not lifted.get("queued").paused
    assert [e.id for e in lifted.due(t + timedelta(days=5))] == ["queued"]
    with pytest.raises(InvalidInputError):
        lifted.lift("recall")


def test_blackout_limited_to_platforms_and_end() -> None:
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    cal = ContentCalendar(windows=()).add(
        _entry("w", t, "weibo"), _entry("d", t, "douyin"), _entry("later", t + timedelta(days=2))
    )
    blackout = Blackout(
        id="mourning",
        start=t - timedelta(hours=1),
        end=t + timedelta(days=1),
        reason="national day of mourning",
        platforms=("weibo",),
    )
    result = cal.freeze(blackout)
    assert [e.id for e in result.paused] == ["w"]
    # Entries added during a blackout are flagged, and place() avoids the blackout.
    added = result.calendar.add(_entry("new", t + timedelta(hours=2)))
    assert [c.kind for c in added.conflicts()] == [ConflictKind.IN_BLACKOUT]
    placed = result.calendar.place(_entry("new", t + timedelta(hours=2)))
    assert placed.get("new").at == blackout.end


# ------------------------------------------------------------------ the tea brand


def test_tea_brand_next_four_weeks() -> None:
    now = datetime(2026, 4, 29, 18, tzinfo=SH)
    plan = tea_brand_plan(now)
    lives = [e for e in plan.entries if e.piece_id == "tea-time-live"]
    assert len(lives) == 20
    assert {(e.at.astimezone(SH).weekday() < 5, e.at.astimezone(SH).hour) for e in lives} == {
        (True, 15)
    }
    assert lives[0].at.date() >= date(2026, 4, 30)
    assert all(e.at < now + timedelta(weeks=4, days=1) for e in plan.entries)
    recipes = [e for e in plan.entries if e.piece_id == "solar-term-recipe"]
    assert [e.title for e in recipes] == ["立夏", "小满"]
    assert plan.conflicts() == ()
    assert {e.platform for e in recipes} == {"wecom"}
    assert all(e.state is PostState.DRAFT for e in plan.entries)
