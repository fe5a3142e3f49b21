from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smmkit.crisis import (
    ActionRecord,
    ResponseAction,
    SlaState,
    TieringRules,
    WindowStats,
    assess,
    freeze_window,
    recovery_status,
    recovery_suggestions,
    response_plan,
    sla_status,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import CrisisSignal, CrisisStatus, Severity, SignalKind

AT = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def sig(
    kind: SignalKind,
    *,
    platforms: tuple[str, ...] = ("weibo",),
    score: float = 1.0,
    count: int = 1,
    topic: str = "过敏",
    at: datetime = AT,
) -> CrisisSignal:
    return CrisisSignal(
        kind=kind, at=at, topic=topic, platforms=platforms, score=score, count=count
    )


C, N, V, R, S = (
    SignalKind.COMPLAINT,
    SignalKind.NEGATIVITY,
    SignalKind.VOLUME_SPIKE,
    SignalKind.RISK_TERM_SURGE,
    SignalKind.CROSS_PLATFORM_SPREAD,
)

TIERS = [
    ("single complaint", [sig(C)], Severity.MINOR),
    ("negativity only", [sig(N, topic="*")], Severity.MINOR),
    ("surge alone is traced, minor", [sig(R, score=5)], Severity.MINOR),
    ("spike without negativity", [sig(V, topic="*", score=4)], Severity.MINOR),
    ("fermenting: spike + complaints", [sig(C), sig(V, topic="*", score=4)], Severity.MAJOR),
    ("fermenting: spike + surge", [sig(R, score=4), sig(V, topic="*", score=4)], Severity.MAJOR),
    ("spread", [sig(C), sig(S, platforms=("weibo", "douyin"))], Severity.MAJOR),
    (
        "spread to four platforms",
        [sig(S, platforms=("weibo", "douyin", "xiaohongshu", "zhihu"))],
        Severity.CRITICAL,
    ),
    ("huge spike", [sig(C), sig(V, topic="*", score=12)], Severity.CRITICAL),
    (
        "safety term surging and spreading",
        [sig(R, topic="爆炸"), sig(S, topic="爆炸", platforms=("weibo", "douyin"))],
        Severity.CRITICAL,
    ),
]


@pytest.mark.parametrize(("name", "signals", "tier"), TIERS, ids=[t[0] for t in TIERS])
def test_tiers(name: str, signals: list[CrisisSignal], tier: Severity) -> None:
    crisis = assess(signals)
    assert crisis.severity is tier
    assert any(r.startswith(tier.value) for r in crisis.reasons)


def test_assess_never_deescalates_and_logs() -> None:
    major = assess([sig(C), sig(S, platforms=("weibo", "douyin"))])
    later = assess([sig(C)], previous=major, now=AT + timedelta(hours=5))
    assert later.severity is Severity.MAJOR and later.id == major.id
    minor = assess([sig(C)])
    up = assess([sig(C), sig(S, platforms=("a", "b"))], previous=minor, now=AT + timedelta(hours=2))
    assert up.timeline[-1].what == "escalated minor -> major"
    assert up.deadlines[0].due == AT + timedelta(hours=2)


def test_assess_needs_signals() -> None:
    with pytest.raises(InvalidInputError, match="signals"):
        assess([])


def test_custom_rules() -> None:
    crisis = assess([sig(S, platforms=("a", "b", "c"))], rules=TieringRules(critical_platforms=3))
    assert crisis.severity is Severity.CRITICAL


def test_minor_plan_one_hour() -> None:
    plan = response_plan(assess([sig(C)]), now=AT)
    assert [(s.action, s.due - AT) for s in plan.steps] == [
        (ResponseAction.FIRST_REPLY, timedelta(hours=1)),
        (ResponseAction.PRIVATE_APOLOGY_AND_FIX, timedelta(hours=1)),
        (ResponseAction.PUBLISH_OUTCOME, timedelta(hours=1)),
    ]
    assert not plan.steps[1].public and plan.steps[2].public


def test_major_plan_checklist() -> None:
    crisis = assess([sig(C), sig(S, platforms=("weibo", "douyin"))])
    actions = {s.action for s in response_plan(crisis, now=AT).steps}
    assert {
        ResponseAction.SINCERE_APOLOGY,
        ResponseAction.CONCRETE_ACTION,
        ResponseAction.THIRD_PARTY_ENDORSEMENT,
        ResponseAction.EXECUTIVE_STATEMENT,
        ResponseAction.COMPENSATION_AND_FIX_PLAN,
        ResponseAction.INDUSTRY_OVERSIGHT,
    } <= actions


def test_critical_is_tighter() -> None:
    major = response_plan(assess([sig(S, platforms=("a", "b"))]), now=AT)
    critical = response_plan(assess([sig(S, platforms=("a", "b", "c", "d"))]), now=AT)
    due = {s.action: s.due for s in major.steps}
    for step in critical.steps:
        if step.action in due:
            assert step.due <= due[step.action]
    assert ResponseAction.REGULATOR_LIAISON in {s.action for s in critical.steps}


def test_sla_states() -> None:
    crisis = assess([sig(C)])
    done = [
        ActionRecord(action=ResponseAction.FIRST_REPLY, at=AT + timedelta(minutes=30)),
        ActionRecord(action=ResponseAction.PRIVATE_APOLOGY_AND_FIX, at=AT + timedelta(minutes=90)),
    ]
    early = sla_status(crisis, done[:1], now=AT + timedelta(minutes=40))
    assert [i.state for i in early.items] == [SlaState.DONE, SlaState.PENDING, SlaState.PENDING]
    assert early.ok
    late = sla_status(crisis, done, now=AT + timedelta(hours=3))
    assert [i.state for i in late.items] == [SlaState.DONE, SlaState.DONE_LATE, SlaState.BREACHED]
    assert late.breaches[0].overdue_by == timedelta(minutes=30)
    assert late.breaches[1].overdue_by == timedelta(hours=2)


def test_freeze_window() -> None:
    minor = assess([sig(C)])
    assert freeze_window(minor) is None
    major = assess(
        [sig(C), sig(S, platforms=("a", "b"))], previous=minor, now=AT + timedelta(hours=3)
    )
    blackout = freeze_window(major)
    assert blackout is not None
    assert blackout.start == AT + timedelta(hours=3)
    assert blackout.covers(AT + timedelta(hours=50))
    assert not blackout.covers(AT + timedelta(hours=2))
    recovered = major.model_copy(update={"status": CrisisStatus.RECOVERED})
    assert freeze_window(recovered) is None


def test_recovery() -> None:
    rows = [
        WindowStats(start=AT + timedelta(hours=h), topic="*", volume=20, negative=n)
        for h, n in enumerate([15, 10, 2, 9, 2, 2, 1])
    ]
    status = recovery_status(rows, baseline=0.1)
    assert status.recovered and status.since == AT + timedelta(hours=4)
    assert status.peak == pytest.approx(0.75)
    assert not recovery_status(rows[:5], baseline=0.1).recovered
    assert {s.kind.value for s in status.suggestions} == {"content", "interaction"}
    titles = " ".join(s.title for s in recovery_suggestions("cosmetics"))
    assert "live stream" in titles and "documentary" in titles.lower()
    with pytest.raises(InvalidInputError, match="baseline"):
        recovery_status(rows, baseline=2)
