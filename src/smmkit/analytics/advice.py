"""Iteration advice: the playbook's three iteration rules plus budget shifts, with evidence.

* **Content**: a content type's interaction rate keeps falling for ``periods`` periods
  in a row → change the format (short product reviews → sketch + review). The rate is
  total interactions / total exposure when both are reported, else the per-period mean
  of the reported ``interaction_rate_by_reach`` values (rates are never summed).
* **Platform**: follower growth on a platform stalls for ``periods`` periods → check
  whether the audience moved to a platform that is still growing, shift resources there.
* **Interaction mechanics**: campaign participation (check-ins) keeps dropping → add a
  leaderboard and physical rewards.
* **Budget**: one platform's leads convert to orders ``budget_ratio`` times better than
  another's (Zhihu vs Weibo), or attributed conversions per unit of spend differ that
  much → move budget from the weaker to the stronger.

Every :class:`Recommendation` carries the numbers that triggered it, so a person can
check the reasoning before acting. The function is pure: ``now`` decides which periods
are complete; nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum
from itertools import pairwise
from typing import Literal

from smmkit.analytics._checks import require_items, require_number, require_timedelta
from smmkit.analytics._exact import checked_fsum
from smmkit.analytics.attribution import Attribution
from smmkit.analytics.growth import PeriodValue, period_values
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel, as_utc, require_aware
from smmkit.models.metrics import MetricObservation

__all__ = ["Evidence", "Recommendation", "RecommendationKind", "suggest_iterations"]


class RecommendationKind(str, Enum):
    """What a recommendation asks for.

    Example:
        >>> RecommendationKind("shift_budget").name
        'SHIFT_BUDGET'
    """

    CHANGE_CONTENT_FORMAT = "change_content_format"
    SHIFT_PLATFORM_RESOURCES = "shift_platform_resources"
    ADD_LEADERBOARD_AND_REWARDS = "add_leaderboard_and_rewards"
    SHIFT_BUDGET = "shift_budget"


class Evidence(SmmkitModel):
    """The series behind a recommendation.

    Example:
        >>> Evidence(metric="followers", platform="xiaohongshu", points=(),
        ...          summary="flat").summary
        'flat'
    """

    metric: str
    platform: str | None = None
    content_type: str | None = None
    campaign: str | None = None
    points: tuple[PeriodValue, ...] = ()
    summary: str


class Recommendation(SmmkitModel):
    """One suggested change, why, and the evidence.

    ``platform`` is where the problem is; ``target_platform`` is where to move resources
    (budget and platform shifts).

    Example:
        >>> Recommendation(kind="shift_budget", action="move budget", rationale="r",
        ...                rule="5.2 platform attribution").kind.value
        'shift_budget'
    """

    kind: RecommendationKind
    action: str
    rationale: str
    rule: str
    platform: str | None = None
    target_platform: str | None = None
    content_type: str | None = None
    campaign: str | None = None
    evidence: tuple[Evidence, ...] = ()


_EXPOSURE = ("impressions", "reach", "views", "exposure")
_PARTICIPATION = ("participants", "checkin_participants", "participation")
_RATE = "interaction_rate_by_reach"


def _falling(values: list[float | None], periods: int) -> list[float] | None:
    """The last ``periods + 1`` values if present and strictly falling, else None."""
    if len(values) < periods + 1:
        return None
    tail = values[-(periods + 1) :]
    if any(v is None for v in tail):
        return None
    numbers = [float(v) for v in tail if v is not None]
    if all(b < a for a, b in pairwise(numbers)):
        return numbers
    return None


def _rate_points(
    num: tuple[PeriodValue, ...], den: tuple[PeriodValue, ...]
) -> tuple[PeriodValue, ...]:
    by_period = {(p.start, p.end): p.value for p in den}
    out = []
    for p in num:
        d = by_period.get((p.start, p.end))
        value = None if p.value is None or not d else p.value / d
        out.append(PeriodValue(start=p.start, end=p.end, value=value))
    return tuple(out)


def _period_means(
    obs: list[MetricObservation], metric: str, platform: str, content_type: str
) -> tuple[PeriodValue, ...]:
    """Per-period mean of ``metric``: several posts' rates in one period average, never add."""
    counts: dict[tuple[datetime, datetime], int] = {}
    for o in obs:
        if o.metric == metric and o.platform == platform and o.content_type == content_type:
            key = (o.period_start, o.period_end)
            counts[key] = counts.get(key, 0) + 1
    totals = period_values(obs, metric=metric, platform=platform, content_type=content_type)
    return tuple(
        PeriodValue(
            start=p.start,
            end=p.end,
            value=None if p.value is None else p.value / counts[(p.start, p.end)],
        )
        for p in totals
    )


def _interaction_rate_points(
    obs: list[MetricObservation], platform: str, content_type: str
) -> tuple[tuple[PeriodValue, ...], str]:
    """A segment's interaction rate per period, and where it came from.

    Counts are preferred: total interactions / total exposure weighs each post by its
    reach. Without counts, the reported ``interaction_rate_by_reach`` values of a period
    are averaged (summing them would make four posts at 5 % read as 20 %).
    """
    interactions = period_values(
        obs, metric="interactions", platform=platform, content_type=content_type
    )
    if interactions:
        for name in _EXPOSURE:
            exposure = period_values(obs, metric=name, platform=platform, content_type=content_type)
            if exposure:
                return _rate_points(interactions, exposure), f"interactions / {name}"
    direct = _period_means(obs, _RATE, platform, content_type)
    if direct:
        return direct, _RATE
    return (), ""


def _content_rule(obs: list[MetricObservation], periods: int) -> list[Recommendation]:
    out = []
    segments = sorted(
        {
            (o.platform, o.content_type)
            for o in obs
            if o.content_type and o.metric in ("interactions", _RATE)
        }
    )
    for platform, content_type in segments:
        points, label = _interaction_rate_points(obs, platform, content_type)
        falling = _falling([p.value for p in points], periods)
        if falling is None:
            continue
        summary = f"{label} fell {periods} periods in a row: " + " → ".join(
            f"{v:.2%}" for v in falling
        )
        out.append(
            Recommendation(
                kind=RecommendationKind.CHANGE_CONTENT_FORMAT,
                platform=platform,
                content_type=content_type,
                rule="5.3 iteration: content",
                action=(
                    f"Try a new format for {content_type} on {platform} (the playbook's "
                    "example: short product reviews → sketch + review)."
                ),
                rationale=f"Interaction rate of {content_type} on {platform} keeps falling.",
                evidence=(
                    Evidence(
                        metric=label,
                        platform=platform,
                        content_type=content_type,
                        points=points[-(periods + 1) :],
                        summary=summary,
                    ),
                ),
            )
        )
    return out


def _growth_series(obs: list[MetricObservation], platform: str) -> tuple[PeriodValue, ...]:
    direct = period_values(obs, metric="follower_growth_rate", platform=platform)
    if direct:
        return direct
    followers = period_values(obs, metric="followers", platform=platform)
    out = []
    for prev, cur in pairwise(followers):
        rate = None
        if prev.value and cur.value is not None:
            rate = (cur.value - prev.value) / prev.value
        out.append(PeriodValue(start=cur.start, end=cur.end, value=rate))
    return tuple(out)


def _platform_rule(
    obs: list[MetricObservation], periods: int, stall_rate: float
) -> list[Recommendation]:
    platforms = sorted(
        {o.platform for o in obs if o.metric in ("followers", "follower_growth_rate")}
    )
    series = {p: _growth_series(obs, p) for p in platforms}
    recent: dict[str, list[float]] = {}
    for p, points in series.items():
        tail = [pt.value for pt in points[-periods:]]
        if len(tail) == periods and all(v is not None for v in tail):
            recent[p] = [float(v) for v in tail if v is not None]
    stalled = sorted(p for p, rates in recent.items() if all(r < stall_rate for r in rates))
    means = {p: checked_fsum(rates, "history") / len(rates) for p, rates in recent.items()}
    growing = {p: m for p, m in means.items() if p not in stalled and m >= stall_rate}
    out = []
    for platform in stalled:
        target = max(sorted(growing), key=lambda p: growing[p]) if growing else None
        rates = recent[platform]
        evidence = [
            Evidence(
                metric="follower_growth_rate",
                platform=platform,
                points=series[platform][-periods:],
                summary=f"follower growth below {stall_rate:.1%} for {periods} periods: "
                + ", ".join(f"{r:+.2%}" for r in rates),
            )
        ]
        if target is not None:
            evidence.append(
                Evidence(
                    metric="follower_growth_rate",
                    platform=target,
                    points=series[target][-periods:],
                    summary=f"{target} grew {growing[target]:+.2%} per period on average",
                )
            )
            action = (
                f"Check whether the {platform} audience moved to {target}; shift content and "
                f"resources from {platform} to {target} if it did."
            )
        else:
            action = (
                f"Check where the {platform} audience went (no tracked platform is growing); "
                "review the positioning before adding resources."
            )
        out.append(
            Recommendation(
                kind=RecommendationKind.SHIFT_PLATFORM_RESOURCES,
                platform=platform,
                target_platform=target,
                rule="5.3 iteration: platform",
                action=action,
                rationale=f"Follower growth on {platform} has stalled.",
                evidence=tuple(evidence),
            )
        )
    return out


def _interaction_rule(obs: list[MetricObservation], periods: int) -> list[Recommendation]:
    groups = sorted(
        {(o.platform, o.campaign or "", o.metric) for o in obs if o.metric in _PARTICIPATION}
    )
    out = []
    for platform, campaign, metric in groups:
        subset = [o for o in obs if (o.campaign or "") == campaign]
        points = period_values(subset, metric=metric, platform=platform)
        falling = _falling([p.value for p in points], periods)
        if falling is None:
            continue
        name = campaign or "the campaign"
        out.append(
            Recommendation(
                kind=RecommendationKind.ADD_LEADERBOARD_AND_REWARDS,
                platform=platform,
                campaign=campaign or None,
                rule="5.3 iteration: interaction",
                action=f"Add a leaderboard and physical rewards to {name} on {platform}.",
                rationale=f"Participation in {name} keeps dropping.",
                evidence=(
                    Evidence(
                        metric=metric,
                        platform=platform,
                        campaign=campaign or None,
                        points=points[-(periods + 1) :],
                        summary=f"{metric} fell {periods} periods in a row: "
                        + " → ".join(f"{v:g}" for v in falling),
                    ),
                ),
            )
        )
    return out


def _sum_metric(obs: list[MetricObservation], metric: str) -> dict[str, float]:
    totals: dict[str, list[float]] = {}
    for o in obs:
        if o.metric == metric:
            totals.setdefault(o.platform, []).append(o.value)
    return {p: checked_fsum(v, "history") for p, v in totals.items()}


def _best_and_worst(rates: dict[str, float], budget_ratio: float) -> tuple[str, str] | None:
    # Ties break by platform name so the advice does not depend on input order.
    if len(rates) < 2:
        return None
    best = max(sorted(rates), key=lambda p: rates[p])
    worst = min(sorted(rates), key=lambda p: rates[p])
    if rates[best] > 0 and (rates[worst] == 0 or rates[best] / rates[worst] >= budget_ratio):
        return best, worst
    return None


def _budget_rule(
    obs: list[MetricObservation],
    attribution: Attribution | None,
    budget_ratio: float,
    min_leads: float,
) -> list[Recommendation]:
    out = []
    leads = _sum_metric(obs, "leads")
    orders = _sum_metric(obs, "orders")
    rates = {p: orders.get(p, 0.0) / n for p, n in leads.items() if n >= min_leads}
    pair = _best_and_worst(rates, budget_ratio)
    if pair is not None:
        best, worst = pair
        factor = "infinitely" if rates[worst] == 0 else f"{rates[best] / rates[worst]:.1f}x"
        out.append(
            _shift_budget(
                best,
                worst,
                f"{best} leads convert to orders {factor} as well as {worst}'s "
                f"({rates[best]:.1%} vs {rates[worst]:.1%}).",
                "orders / leads",
                {
                    p: f"{orders.get(p, 0.0):g} orders from {leads[p]:g} leads = {rates[p]:.1%}"
                    for p in (best, worst)
                },
            )
        )
    spend = _sum_metric(obs, "spend")
    if attribution is not None and spend:
        per_cost = {
            c.channel: c.conversions / spend[c.channel]
            for c in attribution.channels
            if spend.get(c.channel, 0.0) > 0
        }
        pair = _best_and_worst(per_cost, budget_ratio)
        if pair is not None:
            best, worst = pair
            out.append(
                _shift_budget(
                    best,
                    worst,
                    f"Under {attribution.model.value} attribution {best} earns "
                    f"{per_cost[best] * 1000:.2f} conversions per 1000 spent, "
                    f"{worst} {per_cost[worst] * 1000:.2f}.",
                    "attributed conversions / spend",
                    {
                        p: f"{attribution.credit(p).conversions:.1f} conversions"
                        f" for {spend[p]:g} spent"
                        for p in (best, worst)
                    },
                )
            )
    return out


def _shift_budget(
    best: str, worst: str, rationale: str, metric: str, summaries: dict[str, str]
) -> Recommendation:
    """Move budget from ``worst`` to ``best`` (playbook 5.2), with one evidence line each."""
    return Recommendation(
        kind=RecommendationKind.SHIFT_BUDGET,
        platform=worst,
        target_platform=best,
        rule="5.2 attribution: platform",
        action=f"Move budget from {worst} to {best}.",
        rationale=rationale,
        evidence=tuple(
            Evidence(metric=metric, platform=p, summary=summary) for p, summary in summaries.items()
        ),
    )


def suggest_iterations(
    history: Iterable[MetricObservation],
    *,
    now: datetime,
    attribution: Attribution | None = None,
    periods: int = 3,
    stall_rate: float = 0.01,
    budget_ratio: float = 1.5,
    min_leads: float = 20,
    lookback: timedelta = timedelta(days=90),
    future: Literal["refuse", "ignore"] = "refuse",
) -> tuple[Recommendation, ...]:
    """Recommendations drawn from metric history (and optionally an attribution).

    Only periods that ended by ``now`` count (one still running is left out). Trend rules
    look at the last ``periods`` steps; budget rules sum leads, orders and spend over the
    ``lookback`` before ``now`` and need at least ``min_leads`` leads on a platform before
    judging it. An observation whose period starts after ``now`` cannot have been
    observed yet and raises :class:`~smmkit.exceptions.InvalidInputError` naming it, unless
    ``future="ignore"`` (advice as of a past date over a longer history).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import MetricObservation
        >>> t0 = datetime(2026, 8, 1, tzinfo=timezone.utc)
        >>> t1 = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> def m(platform, metric, v):
        ...     return MetricObservation(metric=metric, value=v, platform=platform,
        ...                              period_start=t0, period_end=t1)
        >>> recs = suggest_iterations([m("zhihu", "leads", 100), m("zhihu", "orders", 30),
        ...                            m("weibo", "leads", 200), m("weibo", "orders", 10)],
        ...                           now=datetime(2026, 9, 2, tzinfo=timezone.utc))
        >>> recs[0].action
        'Move budget from weibo to zhihu.'
    """
    cutoff = as_utc(require_aware(now, "now"))
    if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
        raise InvalidInputError.single("periods", "must be an integer >= 1", periods)
    budget_ratio = require_number(budget_ratio, "budget_ratio", above=1.0)
    stall_rate = require_number(stall_rate, "stall_rate")
    min_leads = require_number(min_leads, "min_leads", minimum=0.0)
    require_timedelta(lookback, "lookback")
    if attribution is not None and not isinstance(attribution, Attribution):
        raise InvalidInputError.single(
            "attribution", "must be an Attribution or None", type(attribution).__name__
        )
    if not isinstance(future, str) or future not in ("refuse", "ignore"):
        raise InvalidInputError.single("future", "must be 'refuse' or 'ignore'", future)
    observations = list(require_items(history, "history", "MetricObservation"))
    for index, o in enumerate(observations):
        if not isinstance(o, MetricObservation):
            raise InvalidInputError.single(
                f"history.{index}", "must be a MetricObservation", type(o).__name__
            )
        if future == "refuse" and o.period_start > cutoff:
            raise InvalidInputError.single(
                f"history.{index}.period_start",
                f"lies after now ({cutoff.isoformat()}): a period that has not begun cannot "
                "have been observed; pass future='ignore' for advice as of a past date",
                o.period_start,
            )
    done = [o for o in observations if o.period_end <= cutoff]
    # A difference, not ``cutoff - lookback``: a lookback of centuries cannot overflow.
    recent = [o for o in done if cutoff - o.period_start <= lookback]
    recommendations = (
        _content_rule(done, periods)
        + _platform_rule(done, periods, stall_rate)
        + _interaction_rule(done, periods)
        + _budget_rule(recent, attribution, budget_ratio, min_leads)
    )
    return tuple(recommendations)
