"""Tiering: from signals to a :class:`~smmkit.models.Crisis` with a severity and reasons.

The playbook's two tiers, made testable:

* **minor**: a single negative comment or small doubts (``complaint`` or ``negativity``
  signals, or a risk term surging on one platform);
* **major**: the issue is *fermenting* (a volume spike together with negativity or a
  surging risk term), *spreading across platforms* (``cross_platform_spread``), or a
  **complaint burst**: in one window (an hour by default), at least ``burst_complaints``
  complaints about the topic, at least ``burst_ratio`` times its weekly baseline of
  complaints in that window (a baseline under ``burst_floor``, or none, counts as
  ``burst_floor``). One platform is enough: 25 complaints in an hour where one is usual
  is not "a single complaint";
* **critical** (smmkit's third tier, for what the playbook's car-recall example shows):
  spread to ``critical_platforms`` or more platforms, or a spike of ``critical_ratio``
  times the baseline, or a complaint burst of ``critical_burst_complaints`` at
  ``critical_ratio`` times the baseline, or a product/food-safety risk term that is both
  surging and spreading.

Every rule that fires adds a sentence to ``Crisis.reasons``, so a tier can be explained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from smmkit.crisis._checks import instance_of, items_of
from smmkit.crisis.response import response_plan
from smmkit.crisis.watchlist import _term_problem, term_text
from smmkit.exceptions import InvalidInputError
from smmkit.models import Crisis, CrisisEvent, CrisisSignal, CrisisStatus, Severity, SignalKind
from smmkit.models._base import FieldValueError, SmmkitModel, require_aware

__all__ = ["TieringRules", "assess"]

_RANK = {Severity.MINOR: 0, Severity.MAJOR: 1, Severity.CRITICAL: 2}


class TieringRules(SmmkitModel):
    """Thresholds of the tiering rules (see the module docstring for the rules).

    * ``burst_complaints``, ``burst_ratio``: a window with at least this many complaints
      about the topic, at least this many times its weekly baseline of complaints in
      the same window, is major (volume *and* speed: a brand that always gets 50
      complaints an hour is not in a crisis at 50, and 3 where 0.2 is usual is still
      small doubts);
    * ``burst_floor``: the least baseline a burst is measured against (a topic never
      complained about before counts as this many complaints per window);
    * ``critical_burst_complaints``: the same rule at ``critical_ratio`` is critical;
    * ``critical_platforms``, ``critical_ratio``: spread and spike sizes that are critical;
    * ``safety_topics``: risk terms whose surge-and-spread is critical at once (people
      may be hurt).

    Example:
        >>> rules = TieringRules()
        >>> rules.burst_complaints, rules.burst_ratio, rules.critical_platforms
        (20, 5.0, 4)
    """

    burst_complaints: int = Field(default=20, ge=1)
    burst_ratio: float = Field(default=5.0, ge=1)
    burst_floor: float = Field(default=1.0, gt=0)
    critical_burst_complaints: int = Field(default=200, ge=1)
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

    @field_validator("safety_topics")
    @classmethod
    def _matchable_topics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, topic in enumerate(value):
            problem = _term_problem(topic)
            if problem is not None:
                raise FieldValueError(str(index), problem, topic)
        return value

    @field_validator("critical_burst_complaints")
    @classmethod
    def _critical_burst_is_bigger(cls, value: int, info: ValidationInfo) -> int:
        least = info.data.get("burst_complaints")
        if least is not None and value < least:
            raise ValueError(f"must be at least burst_complaints ({least})")
        return value

    def burst_ratio_of(self, signal: CrisisSignal) -> float:
        """How many times its baseline a complaint signal's count is (``burst_floor`` at least).

        Example:
            >>> from datetime import datetime, timezone
            >>> s = CrisisSignal(kind=SignalKind.COMPLAINT, count=25, baseline=0.5, topic="t",
            ...                  at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
            >>> TieringRules().burst_ratio_of(s)
            25.0
        """
        return signal.count / max(signal.baseline or 0.0, self.burst_floor)


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
    rules = TieringRules() if rules is None else instance_of(rules, TieringRules, "rules")
    if now is not None:
        require_aware(now, "now")
    if previous is not None:
        instance_of(previous, Crisis, "previous")
    if topic is not None and topic != "*":
        term_text(topic, "topic")
    items = items_of(signals, CrisisSignal, "signals")
    sigs = tuple(sorted(items, key=lambda s: (s.at, s.kind.value, s.topic)))
    if not sigs:
        raise InvalidInputError.single("signals", "need at least one signal to assess")
    if topic is None:
        topic = _main_topic(sigs)
    # Only the topic's own signals say where it occurred: overall negativity and spikes
    # (topic "*") list every platform of the window.
    own = [s for s in sigs if s.topic == topic] or sigs
    platforms = tuple(sorted({p for s in own for p in s.platforms}))
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
    _bursts(by_kind.get(SignalKind.COMPLAINT, []), rules, raise_to)
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


def _bursts(
    complaints: list[CrisisSignal],
    rules: TieringRules,
    raise_to: Callable[[Severity, str], None],
) -> None:
    """The complaint-burst rule: one reason per tier it reaches, from the largest burst."""
    levels = (
        (Severity.MAJOR, rules.burst_complaints, rules.burst_ratio),
        (Severity.CRITICAL, rules.critical_burst_complaints, rules.critical_ratio),
    )
    for level, least, ratio in levels:
        hits = [s for s in complaints if s.count >= least and rules.burst_ratio_of(s) >= ratio]
        if not hits:
            continue
        worst = max(hits, key=lambda s: (s.count, rules.burst_ratio_of(s), s.at))
        usual = max(worst.baseline or 0.0, rules.burst_floor)
        raise_to(
            level,
            f"complaint burst: {worst.count} complaints about {worst.topic!r} in one window"
            f" at {worst.at:%Y-%m-%d %H:%M %Z}, {rules.burst_ratio_of(worst):.1f}x the"
            f" weekly baseline of {usual:g} (>= {least} at >= {ratio:g}x)",
        )


def _main_topic(signals: tuple[CrisisSignal, ...]) -> str:
    weights: dict[str, int] = {}
    for s in signals:
        if s.topic != "*":
            weights[s.topic] = weights.get(s.topic, 0) + max(s.count, 1)
    if not weights:
        return "*"
    return min(weights, key=lambda t: (-weights[t], t))
