from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.crisis import (
    CrisisMonitor,
    DetectionConfig,
    Watchlist,
    incident_mentions,
    replay_incident,
)
from smmkit.models import Mention, Severity

WL = Watchlist.for_brand(
    "Glowa", aliases=("格洛娃",), industries=("cosmetics",), accelerator="python"
)
T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
TEXTS = [
    "Glowa用完过敏，太差了",
    "Glowa很好用",
    "烂脸了😭",
    "今天天气好",
    "allergy to Glowa, awful",
]

mention_st = st.builds(
    lambda i, p, t, h: Mention(id=f"m{i}", platform=p, text=t, at=T0 + timedelta(minutes=h)),
    st.integers(0, 10**6),
    st.sampled_from(["weibo", "douyin", "xiaohongshu"]),
    st.sampled_from(TEXTS),
    # Two weeks, a few hours a day: windows collide and weekly baselines come into play.
    st.builds(
        lambda w, h, m: w * 7 * 24 * 60 + h * 60 + m,
        st.integers(0, 2),
        st.integers(8, 10),
        st.integers(0, 59),
    ),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(mention_st, max_size=60), st.lists(mention_st, max_size=60))
def test_merge_equals_single_pass(a: list[Mention], b: list[Mention]) -> None:
    # Low thresholds so that small samples exercise every rule.
    cfg = DetectionConfig(
        spike_min_count=3, surge_min_count=2, negativity_min_count=2, spread_min_count=1
    )
    ma, mb, single = (CrisisMonitor(WL, config=cfg) for _ in range(3))
    ma.feed(a)
    mb.feed(b)
    single.feed(a + b)
    merged = ma.merge(mb)
    assert merged.alerts() == single.alerts()
    assert mb.merge(ma).alerts() == single.alerts()
    assert merged.window_stats() == single.window_stats()


@settings(max_examples=20, deadline=None)
@given(
    st.lists(mention_st, max_size=30),
    st.lists(mention_st, max_size=30),
    st.lists(mention_st, max_size=30),
)
def test_merge_associative(a: list[Mention], b: list[Mention], c: list[Mention]) -> None:
    ms: list[CrisisMonitor] = []
    for part in (a, b, c):
        m = CrisisMonitor(WL)
        m.feed(part)
        ms.append(m)
    assert ms[0].merge(ms[1]).merge(ms[2]) == ms[0].merge(ms[1].merge(ms[2]))


@settings(max_examples=20, deadline=None)
@given(st.lists(mention_st, max_size=40))
def test_json_round_trip(ms: list[Mention]) -> None:
    mon = CrisisMonitor(WL)
    mon.feed(ms)
    again = CrisisMonitor.from_json(mon.to_json(), watchlist=WL)
    assert again == mon
    assert again.alerts() == mon.alerts()
    assert pickle.loads(pickle.dumps(mon.watchlist)).scan("过敏") == WL.scan("过敏")


def test_monitor_pickles() -> None:
    mon = CrisisMonitor(WL)
    mon.feed(incident_mentions())
    again = pickle.loads(pickle.dumps(mon))
    assert again == mon and again.alerts() == mon.alerts()


def test_feed_reports_each_alert_once() -> None:
    mon = CrisisMonitor(WL)
    ms = incident_mentions()
    first = mon.feed(ms)
    assert first
    assert mon.feed([]) == ()
    assert set(first) == set(mon.alerts())


def test_incident_replay_escalates_at_the_right_moments() -> None:
    steps = replay_incident()
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    assert [s.severity for s in steps] == [
        Severity.MINOR,
        Severity.MINOR,
        Severity.MAJOR,
        Severity.MAJOR,
    ]
    assert [s.escalated for s in steps] == [True, False, True, False]
    minor = steps[0]
    assert minor.at == start + timedelta(hours=1)
    assert {d.action: d.due for d in minor.deadlines} == {
        "first_reply": start + timedelta(hours=2),
        "private_apology_and_fix": start + timedelta(hours=2),
        "publish_outcome": start + timedelta(hours=2),
    }
    major = steps[2]
    assert any("spreading across platforms" in r for r in major.reasons)
    due = {d.action: d.due for d in major.deadlines}
    assert due["freeze_marketing"] == start + timedelta(hours=3)
    assert due["sincere_apology"] == start + timedelta(hours=7)
    assert due["executive_statement"] == start + timedelta(hours=27)
    # Douyin joining widens the spread without a new tier: the deadlines stay put.
    assert steps[3].deadlines == major.deadlines
    assert any("douyin" in a for a in steps[3].new_alerts)


def test_replay_echo() -> None:
    lines: list[str] = []
    replay_incident(echo=lines.append)
    assert any("ESCALATED" in line and "major" in line for line in lines)


def test_recovery_after_the_incident() -> None:
    from datetime import timedelta

    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    mon = CrisisMonitor(WL)
    mon.feed(incident_mentions())
    crisis = mon.crisis("过敏", now=start + timedelta(hours=4))
    assert crisis is not None
    assert not mon.recovery(crisis, now=start + timedelta(hours=4)).recovered
    calm = [
        Mention(
            id=f"calm{h}{i}",
            platform="xiaohongshu",
            text="Glowa精华很好用，保湿不错",
            at=start + timedelta(hours=h, minutes=i),
        )
        for h in range(6, 10)
        for i in range(5)
    ]
    mon.feed(calm)
    status = mon.recovery(crisis, now=start + timedelta(hours=10))
    assert status.recovered
    assert status.since == start + timedelta(hours=6)
    assert status.baseline == 0.0
    assert any("Dermatologist" in s.title for s in status.suggestions)
