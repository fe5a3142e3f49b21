"""A scripted incident to replay: what the demo and the acceptance test run.

A cosmetics brand ("Glowa", 格洛娃) gets one allergy complaint on Xiaohongshu on a
Monday morning; others pile on, it reaches Weibo, then Douyin. Replaying it hour by
hour through a :class:`~smmkit.crisis.CrisisMonitor` shows the tier at each moment and
the deadlines it sets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from smmkit.crisis.monitor import CrisisMonitor
from smmkit.crisis.watchlist import Watchlist, term_text
from smmkit.exceptions import InvalidInputError
from smmkit.models import Crisis, Mention, Severity, SlaDeadline
from smmkit.models._base import AwareDatetime, SmmkitModel

__all__ = ["INCIDENT_START", "ReplayStep", "incident_mentions", "replay_incident"]

INCIDENT_START = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
"""Monday 09:00 UTC, the hour of the first complaint."""

_CALM = ("Glowa精华很好用，保湿不错", "Glowa serum is nice, love the texture")
# (hour offset, platform, count, texts to cycle)
_SCRIPT: tuple[tuple[int, str, int, tuple[str, ...]], ...] = (
    (0, "xiaohongshu", 1, ("用了Glowa精华第二天就过敏，脸又红又痒，太失望了",)),
    (1, "xiaohongshu", 3, ("我也是！Glowa用完过敏了😭", "同款过敏，已经停用，太差了")),
    (2, "xiaohongshu", 6, ("Glowa过敏的姐妹集合，客服还不理人", "过敏+1，脸都肿了，坑人")),
    (2, "weibo", 3, ("#Glowa过敏# 小红书好多人说用了过敏，品牌不回应？", "Glowa精华致过敏，恶心")),
    (3, "weibo", 8, ("Glowa过敏事件发酵了，要求道歉", "过敏了还不给退款，差评")),
    (3, "douyin", 4, ("实测Glowa精华，好几个人过敏，大家避雷", "Glowa allergy is real, terrible")),
    (3, "xiaohongshu", 5, ("Glowa过敏还在扩散，失望",)),
)


def incident_mentions() -> tuple[Mention, ...]:
    """The incident's mentions plus a calm week before it (the weekly baseline).

    Example:
        >>> ms = incident_mentions()
        >>> sorted({m.platform for m in ms})
        ['douyin', 'weibo', 'xiaohongshu']
    """
    out: list[Mention] = []
    week_ago = INCIDENT_START - timedelta(days=7)
    for hour in range(5):
        for i, text in enumerate(_CALM):
            out.append(
                Mention(
                    id=f"calm-{hour}-{i}",
                    platform="xiaohongshu",
                    text=text,
                    at=week_ago + timedelta(hours=hour, minutes=10 + 20 * i),
                )
            )
    for hour, platform, count, texts in _SCRIPT:
        for i in range(count):
            out.append(
                Mention(
                    id=f"{platform}-{hour}-{i}",
                    platform=platform,
                    text=texts[i % len(texts)],
                    at=INCIDENT_START + timedelta(hours=hour, minutes=5 + 50 * i // max(count, 1)),
                    reach=100 * (i + 1),
                )
            )
    return tuple(sorted(out, key=lambda m: (m.at, m.id)))


class ReplayStep(SmmkitModel):
    """The state after one hour of the replay.

    Example:
        >>> replay_incident()[2].escalated
        True
    """

    at: AwareDatetime
    mentions: int
    new_alerts: tuple[str, ...]
    severity: Severity | None
    escalated: bool
    reasons: tuple[str, ...]
    deadlines: tuple[SlaDeadline, ...]


def replay_incident(
    *,
    topic: str = "过敏",
    echo: Callable[[str], object] | None = None,
) -> tuple[ReplayStep, ...]:
    """Replay the scripted incident hour by hour; ``echo`` (e.g. ``print``) gets a log.

    Example:
        >>> steps = replay_incident()
        >>> [(s.at.hour, s.severity.value if s.severity else None) for s in steps]
        [(10, 'minor'), (11, 'minor'), (12, 'major'), (13, 'major')]
    """
    term_text(topic, "topic")
    if echo is not None and not callable(echo):
        raise InvalidInputError.single("echo", "must be callable (e.g. print) or None", echo)
    watchlist = Watchlist.for_brand("Glowa", aliases=("格洛娃",), industries=("cosmetics",))
    monitor = CrisisMonitor(watchlist)
    mentions = incident_mentions()
    monitor.feed(m for m in mentions if m.at < INCIDENT_START)
    crisis: Crisis | None = None
    steps: list[ReplayStep] = []
    for hour in range(4):
        start = INCIDENT_START + timedelta(hours=hour)
        end = start + timedelta(hours=1)
        batch = [m for m in mentions if start <= m.at < end]
        alerts = monitor.feed(batch)
        before = crisis.severity if crisis else None
        crisis = monitor.crisis(topic, now=end, previous=crisis) or crisis
        severity = crisis.severity if crisis else None
        step = ReplayStep(
            at=end,
            mentions=len(batch),
            new_alerts=tuple(f"{a.kind.value}: {a.description}" for a in alerts),
            severity=severity,
            escalated=severity is not None and severity is not before,
            reasons=crisis.reasons if crisis else (),
            deadlines=crisis.deadlines if crisis else (),
        )
        steps.append(step)
        if echo is not None:
            _log(step, echo)
    return tuple(steps)


def _log(step: ReplayStep, echo: Callable[[str], object]) -> None:
    tier = step.severity.value if step.severity else "-"
    mark = "  ESCALATED" if step.escalated else ""
    echo(f"{step.at:%a %H:%M} UTC  +{step.mentions} mentions  tier={tier}{mark}")
    for alert in step.new_alerts:
        echo(f"    alert  {alert}")
    if step.escalated:
        for d in step.deadlines:
            echo(f"    due    {d.due:%a %H:%M}  {d.action}")
