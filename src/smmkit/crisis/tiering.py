"""Tiering: from signals to a :class:`~smmkit.models.Crisis` with a severity and reasons.

The playbook's two tiers, made testable:

* **minor**: a single negative comment or small doubts (``complaint`` or ``negativity``
  signals, or a risk term surging on one platform);
* **major**: the issue is *fermenting* (a volume spike together with negativity or a
  surging risk term) or *spreading across platforms* (``cross_platform_spread``);
* **critical** (smmkit's third tier, for what the playbook's car-recall example shows):
  spread to ``critical_platforms`` or more platforms, or a spike of ``critical_ratio``
  times the baseline, or a product/food-safety risk term that is both surging and spreading.

Every rule that fires adds a sentence to ``Crisis.reasons``, so a tier can be explained.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import Field

from smmkit.crisis.response import response_plan
from smmkit.exceptions import InvalidInputError
from smmkit.models import Crisis, CrisisEvent, CrisisSignal, CrisisStatus, Severity, SignalKind
from smmkit.models._base import SmmkitModel

__all__ = ["TieringRules", "assess"]

_RANK = {Severity.MINOR: 0, Severity.MAJOR: 1, Severity.CRITICAL: 2}


class TieringRules(SmmkitModel):
    """Thresholds of the tiering rules.

    ``safety_topics`` are risk terms whose surge-and-spread is critical at once
    (people may be hurt). Example:
        >>> TieringRules().critical_platforms
        4
    """

    critical_platforms: int = Field(default=4, ge=2)
    critical_ratio: float = Field(default=10.0, gt=1)
    safety_topics: tuple[str, ...] = (
        "食物中毒",
        "安全隐患",
        "起火",
        "爆炸",
        "刹车失灵",
        "受伤",
        "致癌",
        "毁容",
    )


def assess(
    signals: Iterable[CrisisSignal],
    *,
    topic: str | None = None,
    previous: Crisis | None = None,
    now: datetime | None = None,
    rules: TieringRules | None = None,
) -> Crisis:
    """Tier a set of signals about one issue, explaining every step up.

    ``topic`` names the crisis (default: the most frequent risk topic among the signals).
    Given ``previous`` (the crisis as assessed before), the id, detection time and
    timeline carry over, severity never drops (de-escalation is a human decision) and
    a timeline event records each escalation at ``now`` (default: the latest signal).
    ``deadlines`` are the tier's checklist (:func:`~smmkit.crisis.response_plan`), due
    from the moment the tier was reached.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import CrisisSignal, SignalKind
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> c = assess([CrisisSignal(kind=SignalKind.COMPLAINT, at=at, topic="过敏",
        ...                          platforms=("xiaohongshu",), count=1)])
        >>> c.severity.value, c.reasons[0]
        ('minor', "minor: 1 complaint(s) about '过敏' (a single complaint or small doubts)")
    """
    rules = rules or TieringRules()
    sigs = tuple(sorted(signals, key=lambda s: (s.at, s.kind.value, s.topic)))
    if not sigs:
        raise InvalidInputError.single("signals", "need at least one signal to assess")
    if topic is None:
        topic = _main_topic(sigs)
    platforms = tuple(sorted({p for s in sigs for p in s.platforms}))
    severity = Severity.MINOR
    reasons: list[str] = []

    def raise_to(level: Severity, why: str) -> None:
        nonlocal severity
        reasons.append(f"{level.value}: {why}")
        if _RANK[level] > _RANK[severity]:
            severity = level

    by_kind: dict[SignalKind, list[CrisisSignal]] = {}
    for s in sigs:
        by_kind.setdefault(s.kind, []).append(s)
    complaints = sum(s.count for s in by_kind.get(SignalKind.COMPLAINT, ()))
    if complaints:
        raise_to(
            Severity.MINOR,
            f"{complaints} complaint(s) about {topic!r} (a single complaint or small doubts)",
        )
    for s in by_kind.get(SignalKind.NEGATIVITY, ()):
        raise_to(Severity.MINOR, f"negative tendency: {s.description}")
    spikes = by_kind.get(SignalKind.VOLUME_SPIKE, [])
    surges = by_kind.get(SignalKind.RISK_TERM_SURGE, [])
    negative = bool(by_kind.get(SignalKind.NEGATIVITY)) or complaints > 0
    for s in surges:
        raise_to(Severity.MINOR, f"trace it: {s.description}")
    if spikes and (negative or surges):
        worst = max(spikes, key=lambda s: s.score)
        raise_to(Severity.MAJOR, f"fermenting: {worst.description} while negative")
    spreads = by_kind.get(SignalKind.CROSS_PLATFORM_SPREAD, [])
    if spreads:
        widest = max(spreads, key=lambda s: (len(s.platforms), s.at))
        raise_to(Severity.MAJOR, f"spreading across platforms: {widest.description}")
        if len(widest.platforms) >= rules.critical_platforms:
            raise_to(
                Severity.CRITICAL,
                f"on {len(widest.platforms)} platforms (>= {rules.critical_platforms})",
            )
        if surges and any(s.topic in rules.safety_topics for s in spreads):
            raise_to(Severity.CRITICAL, "a safety risk term is surging and spreading")
    for s in spikes:
        if s.score >= rules.critical_ratio:
            raise_to(Severity.CRITICAL, f"{s.description} (>= {rules.critical_ratio:g}x)")
            break
    if not reasons:
        reasons.append("minor: signals without a complaint; keep watching")
    when = now or sigs[-1].at
    if previous is not None:
        if _RANK[previous.severity] > _RANK[severity]:
            severity = previous.severity
        timeline = list(previous.timeline)
        if severity is not previous.severity:
            timeline.append(
                CrisisEvent(
                    at=when,
                    what=f"escalated {previous.severity.value} -> {severity.value}",
                    severity=severity,
                )
            )
        deadlines = previous.deadlines
        if severity is not previous.severity or not deadlines:
            deadlines = response_plan(
                previous.model_copy(update={"severity": severity}), now=when
            ).deadlines
        return previous.model_copy(
            update={
                "deadlines": deadlines,
                "severity": severity,
                "signals": sigs,
                "platforms": tuple(sorted(set(platforms) | set(previous.platforms))),
                "reasons": tuple(reasons),
                "timeline": tuple(timeline),
            }
        )
    detected = sigs[0].at
    crisis = Crisis(
        id=f"{topic}@{detected.strftime('%Y%m%dT%H%M%z')}",
        topic=topic,
        severity=severity,
        status=CrisisStatus.DETECTED,
        detected_at=detected,
        signals=sigs,
        platforms=platforms,
        reasons=tuple(reasons),
        timeline=(
            CrisisEvent(
                at=when,
                what=f"detected as {severity.value}",
                severity=severity,
                status=CrisisStatus.DETECTED,
            ),
        ),
    )
    return crisis.model_copy(update={"deadlines": response_plan(crisis, now=when).deadlines})


def _main_topic(signals: tuple[CrisisSignal, ...]) -> str:
    weights: dict[str, int] = {}
    for s in signals:
        if s.topic != "*":
            weights[s.topic] = weights.get(s.topic, 0) + max(s.count, 1)
    if not weights:
        return "*"
    return min(weights, key=lambda t: (-weights[t], t))
