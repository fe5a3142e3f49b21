"""Crisis facts that hold: platforms, the complaint-burst tier rule, strict input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from smmkit.crisis import (
    ActionRecord,
    CrisisMonitor,
    ResponseAction,
    TermKind,
    TieringRules,
    Watchlist,
    WatchTerm,
    WindowStats,
    assess,
    freeze_window,
    incident_mentions,
    recovery_status,
    response_plan,
    sla_status,
)
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import CrisisSignal, Mention, Severity, SignalKind

T0 = datetime(2026, 3, 9, 9, tzinfo=timezone.utc)  # a Monday
NAIVE = datetime(2026, 3, 9, 9)
WL = Watchlist(
    [WatchTerm(name="Glowa", kind=TermKind.BRAND), WatchTerm(name="过敏", kind=TermKind.RISK)],
    accelerator="python",
)
COMPLAINT = "Glowa客服太差了，失望"  # negative, names the brand only
CALM = "今天天气不错"  # neutral, names nothing


def batch(
    n: int, text: str, *, at: datetime = T0, platform: str = "weibo", tag: str = "m"
) -> list[Mention]:
    return [
        Mention(
            id=f"{tag}-{platform}-{at:%m%d%H}-{i}",
            platform=platform,
            text=text,
            at=at + timedelta(seconds=i * 3599 // max(n, 1)),
        )
        for i in range(n)
    ]


def complaint(count: int, baseline: float | None, *, at: datetime = T0) -> CrisisSignal:
    return CrisisSignal(
        kind=SignalKind.COMPLAINT,
        at=at,
        topic="Glowa",
        platforms=("weibo",),
        count=count,
        score=1.0,
        baseline=baseline,
    )


# -- crisis(term).platforms -------------------------------------------------------------


def test_platforms_are_only_where_the_term_occurred() -> None:
    # 过敏 on Weibo only; the same hour Douyin and Zhihu fill up with unrelated anger,
    # which raises overall negativity and a volume spike on every platform.
    mon = CrisisMonitor(WL)
    mon.feed(
        batch(6, "用完过敏了，太差了")
        + batch(20, "物流太慢了，差评", platform="douyin")
        + batch(10, "排队太久，烦死了", platform="zhihu")
    )
    star = [s for s in mon.alerts() if s.topic == "*"]
    assert {"douyin", "zhihu"} <= {p for s in star for p in s.platforms}  # they do count
    crisis = mon.crisis("过敏", now=T0 + timedelta(hours=1))
    assert crisis is not None
    assert crisis.platforms == ("weibo",)
    assert any(s.topic == "*" for s in crisis.signals)  # ...towards the tier only


def test_platforms_grow_with_the_term_not_with_the_stream() -> None:
    mon = CrisisMonitor(WL)
    mon.feed(incident_mentions())
    end = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)
    crisis = mon.crisis("过敏", now=end)
    assert crisis is not None
    assert crisis.platforms == ("douyin", "weibo", "xiaohongshu")
    early = mon.crisis("过敏", now=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    assert early is not None and early.platforms == ("xiaohongshu",)


# -- the complaint-burst rule: boundaries ------------------------------------------------


@pytest.mark.parametrize(
    ("count", "baseline", "tier"),
    [
        (25, 1.0, Severity.MAJOR),  # the case: 25 in an hour at 25x, one platform
        (25, None, Severity.MAJOR),  # no history: measured against burst_floor (1)
        (25, 0.2, Severity.MAJOR),  # a quiet baseline counts as the floor
        (20, None, Severity.MAJOR),  # exactly burst_complaints
        (19, None, Severity.MINOR),  # one short
        (20, 4.0, Severity.MAJOR),  # exactly burst_ratio (5x)
        (20, 4.01, Severity.MINOR),  # just under 5x
        (100, 25.0, Severity.MINOR),  # volume without speed: 4x a busy baseline
        (200, 20.0, Severity.CRITICAL),  # critical_burst_complaints at critical_ratio
        (199, 10.0, Severity.MAJOR),  # one short of critical
        (200, 20.01, Severity.MAJOR),  # just under 10x
    ],
)
def test_burst_boundaries(count: int, baseline: float | None, tier: Severity) -> None:
    crisis = assess([complaint(count, baseline)])
    assert crisis.severity is tier
    if tier is not Severity.MINOR:
        assert any(r.startswith(f"{tier.value}: complaint burst") for r in crisis.reasons)
    else:
        assert not any("burst" in r for r in crisis.reasons)


def test_burst_is_per_window() -> None:
    # 30 complaints spread over two hours, 15 each: two small windows, not one burst.
    spread = [complaint(15, None), complaint(15, None, at=T0 + timedelta(hours=1))]
    assert assess(spread).severity is Severity.MINOR


def test_burst_rule_is_configurable() -> None:
    rules = TieringRules(burst_complaints=5, burst_ratio=3.0, burst_floor=2.0)
    assert assess([complaint(5, None)], rules=rules).severity is Severity.MINOR  # 2.5x of 2
    assert assess([complaint(6, 0.5)], rules=rules).severity is Severity.MAJOR  # 3x of 2
    assert assess([complaint(9, 3.0)], rules=rules).severity is Severity.MAJOR  # 3x of 3
    assert assess([complaint(4, 0.0)], rules=rules).severity is Severity.MINOR  # too few
    assert rules.burst_ratio_of(complaint(10, 0.5)) == 5.0
    with pytest.raises(InvalidInputError, match="critical_burst_complaints"):
        TieringRules(burst_complaints=50, critical_burst_complaints=40)
    with pytest.raises(InvalidInputError, match="burst_ratio"):
        TieringRules(burst_ratio=0.5)


def test_monitor_tiers_an_hour_of_25_complaints_at_25x_as_not_minor() -> None:
    # The two previous weeks at this hour: 100 calm mentions, and last week 1 complaint.
    # Now: the same 100 calm ones and 25 complaints, all on Weibo. No volume spike (1.2x),
    # no overall negativity (20%), no spread: only the burst rule can lift it above minor.
    week_ago = T0 - timedelta(weeks=1)
    history = batch(100, CALM, at=T0 - timedelta(weeks=2), tag="c")
    history += batch(100, CALM, at=week_ago, tag="c") + batch(1, COMPLAINT, at=week_ago)
    mon = CrisisMonitor(WL)
    mon.feed(history)
    mon.feed(batch(100, CALM, tag="c") + batch(25, COMPLAINT))
    crisis = mon.crisis("Glowa", now=T0 + timedelta(hours=1))
    assert crisis is not None
    assert {s.kind for s in crisis.signals} == {SignalKind.COMPLAINT}
    assert crisis.severity is Severity.MAJOR
    assert crisis.platforms == ("weibo",)
    burst = next(r for r in crisis.reasons if "burst" in r)
    assert "25 complaints" in burst and "25.0x" in burst
    complaint_signal = next(s for s in crisis.signals if s.at == T0)
    assert complaint_signal.baseline == 0.5  # one complaint in two weeks at this hour
    # ...and four complaints where one is usual stay small doubts.
    small = CrisisMonitor(WL)
    small.feed(history)
    small.feed(batch(100, CALM, tag="c") + batch(4, COMPLAINT))
    tier = small.crisis("Glowa", now=T0 + timedelta(hours=1))
    assert tier is not None and tier.severity is Severity.MINOR


# -- strict input -------------------------------------------------------------------------


def test_naive_now_is_refused_everywhere() -> None:
    mon = CrisisMonitor(WL)
    mon.feed(batch(3, "用完过敏了，太差了"))
    crisis = mon.crisis("过敏", now=T0 + timedelta(hours=1))
    assert crisis is not None
    plan = response_plan(crisis, now=T0)
    calls: list[Callable[[], object]] = [
        lambda: mon.crisis("过敏", now=NAIVE),
        lambda: mon.recovery(crisis, now=NAIVE),
        lambda: sla_status(plan, [], now=NAIVE),
        lambda: sla_status(crisis, [], now=NAIVE),
        lambda: response_plan(crisis, now=NAIVE),
        lambda: assess(crisis.signals, now=NAIVE),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError) as info:
            call()
        assert info.value.fields == ("now",)
    with pytest.raises(InvalidInputError, match="at"):
        mon.baseline_negativity(NAIVE)
    with pytest.raises(InvalidInputError, match="at"):
        ActionRecord(action=ResponseAction.FIRST_REPLY, at=NAIVE)
    with pytest.raises(InvalidInputError, match="start"):
        WindowStats(start=NAIVE, topic="*", volume=1, negative=0)


@pytest.mark.parametrize(
    ("fed", "field"),
    [
        ("Glowa用完过敏了", "mentions"),  # a plain string is not read as its characters
        (b"bytes", "mentions"),
        (3, "mentions"),
        (["Glowa用完过敏了"], "mentions.0"),
        ([{"id": "1", "platform": "weibo", "text": "x"}], "mentions.0"),
    ],
)
def test_feed_refuses_what_is_not_mentions(fed: Any, field: str) -> None:
    mon = CrisisMonitor(WL)
    with pytest.raises(InvalidInputError) as info:
        mon.feed(fed)
    assert info.value.fields == (field,)
    assert mon.window_stats() == ()  # nothing counted


def test_feed_refuses_a_lone_mention_and_unknown_platforms() -> None:
    mon = CrisisMonitor(WL)
    (one,) = batch(1, COMPLAINT)
    with pytest.raises(InvalidInputError, match="wrap a single Mention"):
        mon.feed(one)  # type: ignore[arg-type]
    good = batch(2, COMPLAINT)
    bad = batch(1, COMPLAINT, platform="myspace")
    with pytest.raises(UnknownPlatformError) as info:
        mon.feed(good + bad)
    assert info.value.fields == ("mentions.2.platform",)
    assert "weibo" in info.value.known
    assert mon.window_stats() == ()  # the whole batch was refused
    assert mon.feed(good)  # known platforms go through


def test_a_registered_platform_is_known() -> None:
    from smmkit.catalog import register_platform_id

    register_platform_id("crisis_test_forum")
    mon = CrisisMonitor(WL)
    assert mon.feed(batch(1, COMPLAINT, platform="crisis_test_forum"))


def test_other_entry_points_refuse_wrong_types() -> None:
    mon = CrisisMonitor(WL)
    mon.feed(batch(3, "用完过敏了，太差了"))
    crisis = mon.crisis("过敏", now=T0 + timedelta(hours=1))
    assert crisis is not None
    text: Any = "not the right type"
    rules: Any = {"burst_ratio": 2}
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: assess(text), "signals"),
        (lambda: assess([text]), "signals.0"),
        (lambda: assess(crisis.signals, rules=rules), "rules"),
        (lambda: assess(crisis.signals, previous=text), "previous"),
        (lambda: sla_status(text, [], now=T0), "crisis"),
        (lambda: sla_status(crisis, [text], now=T0), "actions.0"),
        (lambda: response_plan(text, now=T0), "crisis"),
        (lambda: freeze_window(text), "crisis"),
        (lambda: recovery_status([text], baseline=0.1), "stats.0"),
        (lambda: mon.crisis("过敏", now=T0, previous=text), "previous"),
        (lambda: mon.recovery(text, now=T0), "crisis"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidInputError) as info:
            call()
        assert info.value.fields == (field,)


def test_models_of_the_crisis_package_refuse_unknown_platforms() -> None:
    from smmkit.crisis import RecoveryKind, RecoverySuggestion

    with pytest.raises(UnknownPlatformError) as info:
        WindowStats(start=T0, topic="*", volume=1, negative=0, platforms=("weibo", "myspace"))
    assert info.value.fields == ("platforms.1",)
    with pytest.raises(UnknownPlatformError):
        RecoverySuggestion(
            kind=RecoveryKind.CONTENT, title="t", description="d", platforms=("myspace",)
        )


def test_functions_refuse_malformed_arguments_with_typed_errors() -> None:
    from smmkit.crisis import (
        DetectionConfig,
        WindowTable,
        default_analyzer,
        detect_signals,
        fold,
        label_for,
        recovery_suggestions,
        replay_incident,
        risk_pack,
    )

    junk: Any = None
    raw: Any = b"bytes"
    analyzer = default_analyzer()
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: fold(junk), "text"),
        (lambda: label_for(junk), "polarity"),
        (lambda: label_for(0.5, neutral_band=raw), "neutral_band"),
        (lambda: risk_pack(raw), "name"),
        (lambda: recovery_suggestions(raw), "category"),
        (lambda: recovery_status([], baseline=junk), "baseline"),
        (lambda: recovery_status([], baseline=0.1, windows=2.5), "windows"),  # type: ignore[arg-type]
        (lambda: recovery_status([], baseline=float("nan")), "baseline"),
        (lambda: replay_incident(echo=raw), "echo"),
        (lambda: replay_incident(topic=junk), "topic"),
        (lambda: detect_signals(junk, 0), "table"),
        (lambda: detect_signals(WindowTable(DetectionConfig()), junk), "window"),
        (lambda: WindowTable(junk), "config"),
        (lambda: analyzer.score(junk), "text"),
        (lambda: analyzer.score_many(["ok", junk]), "texts.1"),
        (lambda: analyzer.polarity_many("a plain string"), "texts"),
        (lambda: WL.scan(junk), "text"),
        (lambda: Watchlist(["过敏"]), "terms.0"),  # type: ignore[list-item]
        (lambda: CrisisMonitor(junk), "watchlist"),
        (lambda: CrisisMonitor(WL, analyzer=raw), "analyzer"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidInputError) as info:
            call()
        assert info.value.fields == (field,), field
