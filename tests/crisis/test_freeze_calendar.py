"""The crisis freeze hook plugs straight into the content calendar."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smmkit.content.calendar import ContentCalendar, tea_brand_plan
from smmkit.crisis import freeze_window
from smmkit.models import Crisis, CrisisEvent, Severity

NOW = datetime(2026, 11, 30, 1, tzinfo=timezone.utc)


def test_major_crisis_pauses_what_is_scheduled_inside_the_window() -> None:
    plan: ContentCalendar = tea_brand_plan(NOW)
    major_at = NOW + timedelta(days=2)
    crisis = Crisis(
        id="c1",
        topic="食品安全",
        severity=Severity.MAJOR,
        detected_at=NOW + timedelta(days=1),
        timeline=(CrisisEvent(at=major_at, what="escalated", severity=Severity.MAJOR),),
    )
    blackout = freeze_window(crisis)
    assert blackout is not None
    result = plan.freeze(blackout)
    assert blackout.end is not None
    inside = [e for e in plan.entries if blackout.start <= e.at < blackout.end]
    assert inside, "the test needs posts inside the freeze"
    assert {e.id for e in result.paused} == {e.id for e in inside}


def test_minor_crisis_freezes_nothing() -> None:
    crisis = Crisis(id="c2", topic="食品安全", severity=Severity.MINOR, detected_at=NOW)
    assert freeze_window(crisis) is None
