"""Metric formulas: interaction counts, ratios, follower growth, repurchase rate.

Re-exported by :mod:`smmkit.analytics.metrics`. Ratios come back as :class:`Ratio`
values: a zero denominator yields ``value=None`` with the reason, never a
``ZeroDivisionError`` or a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from smmkit.analytics._checks import require_items, require_mapping, require_str
from smmkit.analytics._exact import checked_fsum, is_number
from smmkit.analytics._metric_vocabulary import Metric, platform_metrics
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel, as_utc, require_aware

__all__ = [
    "FollowerGrowth",
    "Ratio",
    "RepurchaseRate",
    "brand_favourability",
    "conversion_rate",
    "count_interactions",
    "favourability_from_sentiment",
    "follower_growth",
    "interaction_rate_by_followers",
    "interaction_rate_by_reach",
    "repurchase_rate",
    "share_of_voice",
]


def count_interactions(platform: str, reported: Mapping[str, float]) -> float:
    """Sum the interaction fields ``platform`` reports (other keys are ignored).

    Example:
        >>> count_interactions("x", {"like_count": 10, "reply_count": 2, "impression_count": 900})
        12.0
    """
    spec = platform_metrics(platform)
    counts = require_mapping(reported, "reported", "field name -> count")
    total = []
    for name in spec.interaction_fields:
        value = counts.get(name)
        if value is not None:
            total.append(_non_negative(name, value))
    return checked_fsum(total, "reported")


class Ratio(SmmkitModel):
    """A ratio with its parts; ``value`` is ``None`` (with ``reason``) when undefined.

    Example:
        >>> interaction_rate_by_reach(5, 0).reason
        'reach is zero'
    """

    metric: str
    numerator: float
    denominator: float
    value: float | None
    reason: str | None = None

    @property
    def percent(self) -> float | None:
        """``value`` in percent, or ``None``.

        Example:
            >>> conversion_rate(3, 200).percent
            1.5
        """
        return None if self.value is None else self.value * 100


def _non_negative(field: str, value: float) -> float:
    # Any real number (numpy scalars, Fraction) or Decimal, as the accumulators take.
    if not is_number(value):
        raise InvalidInputError.single(field, "must be a number", value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except ValueError:  # a signalling Decimal NaN refuses to convert
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError.single(field, "must be a finite number >= 0", value)
    return number


def _ratio(metric: str, num_name: str, num: float, den_name: str, den: float) -> Ratio:
    n = _non_negative(num_name, num)
    d = _non_negative(den_name, den)
    if d == 0:
        return Ratio(
            metric=metric, numerator=n, denominator=d, value=None, reason=f"{den_name} is zero"
        )
    return Ratio(metric=metric, numerator=n, denominator=d, value=n / d)


def interaction_rate_by_reach(interactions: float, reach: float) -> Ratio:
    """``interactions / reach``.

    Example:
        >>> interaction_rate_by_reach(30, 1000).value
        0.03
    """
    return _ratio(
        Metric.INTERACTION_RATE_BY_REACH.value, "interactions", interactions, "reach", reach
    )


def interaction_rate_by_followers(interactions: float, followers: float) -> Ratio:
    """``interactions / followers``.

    Example:
        >>> interaction_rate_by_followers(30, 600).value
        0.05
    """
    return _ratio(
        Metric.INTERACTION_RATE_BY_FOLLOWERS.value,
        "interactions",
        interactions,
        "followers",
        followers,
    )


def conversion_rate(conversions: float, base: float, *, base_name: str = "base") -> Ratio:
    """``conversions / base``; name the base (clicks, leads, visits) in ``base_name``.

    Example:
        >>> conversion_rate(12, 40, base_name="leads").value
        0.3
    """
    name = require_str(base_name, "base_name", empty=False)
    return _ratio(Metric.CONVERSION_RATE.value, "conversions", conversions, name, base)


def share_of_voice(brand: str, mentions: Mapping[str, float]) -> Ratio:
    """The brand's share of the mentions of all tracked brands (``brand`` included).

    Example:
        >>> share_of_voice("us", {"us": 30, "rival": 70}).value
        0.3
    """
    require_str(brand, "brand")
    mentions = require_mapping(mentions, "mentions", "brand -> mention count")
    if brand not in mentions:
        raise InvalidInputError.single("brand", "must be one of the mentions' keys", brand)
    total = checked_fsum(
        (_non_negative(f"mentions.{k}", v) for k, v in mentions.items()), "mentions"
    )
    return _ratio(
        Metric.SHARE_OF_VOICE.value, f"mentions.{brand}", mentions[brand], "all mentions", total
    )


def brand_favourability(positive: float, negative: float, neutral: float = 0) -> Ratio:
    """Net sentiment: ``(positive - negative) / (positive + negative + neutral)``, in -1..1.

    Feed it the per-label counts from the crisis module's sentiment analysis.

    Example:
        >>> brand_favourability(60, 20, 20).value
        0.4
    """
    p = _non_negative("positive", positive)
    n = _non_negative("negative", negative)
    z = _non_negative("neutral", neutral)
    total = p + n + z
    if total == 0:
        return Ratio(
            metric=Metric.BRAND_FAVOURABILITY.value,
            numerator=0.0,
            denominator=0.0,
            value=None,
            reason="no mentions",
        )
    return Ratio(
        metric=Metric.BRAND_FAVOURABILITY.value,
        numerator=p - n,
        denominator=total,
        value=(p - n) / total,
    )


def favourability_from_sentiment(scores: Iterable[object]) -> Ratio:
    """Brand favourability from the crisis module's sentiment results.

    Takes :class:`smmkit.crisis.sentiment.SentimentScore` values (anything with a
    ``label``), :class:`~smmkit.crisis.sentiment.SentimentLabel` members or the label
    strings ``"positive"``, ``"negative"``, ``"neutral"``, and counts them into
    :func:`brand_favourability`.

    Example:
        >>> favourability_from_sentiment(["positive", "positive", "negative", "neutral"]).value
        0.25
    """
    tally = {"positive": 0, "negative": 0, "neutral": 0}
    for index, item in enumerate(require_items(scores, "scores", "sentiment scores or labels")):
        label = getattr(item, "label", item)
        name = getattr(label, "value", label)
        if not isinstance(name, str) or name not in tally:
            raise InvalidInputError.single(
                f"scores.{index}", "must be a sentiment score or label", item
            )
        tally[str(name)] += 1
    return brand_favourability(tally["positive"], tally["negative"], tally["neutral"])


class FollowerGrowth(SmmkitModel):
    """Net follower change and its rate; ``rate`` is ``None`` when starting from zero.

    Example:
        >>> g = follower_growth(2000, 2300)
        >>> g.net, g.rate
        (300.0, 0.15)
    """

    start: float
    end: float
    net: float
    rate: float | None
    reason: str | None = None


def follower_growth(start: float, end: float) -> FollowerGrowth:
    """Follower growth from ``start`` to ``end`` followers.

    Example:
        >>> follower_growth(0, 50).reason
        'no followers at the start'
    """
    s = _non_negative("start", start)
    e = _non_negative("end", end)
    if s == 0:
        return FollowerGrowth(
            start=s, end=e, net=e - s, rate=None, reason="no followers at the start"
        )
    return FollowerGrowth(start=s, end=e, net=e - s, rate=(e - s) / s)


class RepurchaseRate(SmmkitModel):
    """Share of customers who ordered again within ``window`` of their first order.

    Only customers whose first order is at least ``window`` before ``as_of`` count
    (``eligible_customers``): for the others it is too early to tell.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> r = repurchase_rate([("a", t), ("a", t + timedelta(days=10)), ("b", t)],
        ...                     window=timedelta(days=30), as_of=t + timedelta(days=60))
        >>> r.value, r.window.days
        (0.5, 30)
    """

    value: float | None
    window: timedelta
    as_of: AwareDatetime
    customers: int
    eligible_customers: int
    repeat_customers: int


def repurchase_rate(
    orders: Iterable[tuple[str, datetime]], *, window: timedelta, as_of: datetime
) -> RepurchaseRate:
    """Repurchase rate over ``(customer_id, order_time)`` pairs, with a stated window.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> repurchase_rate([("a", t)], window=timedelta(days=90), as_of=t).value is None
        True
    """
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise InvalidInputError.single("window", "must be a positive timedelta", window)
    cutoff = as_utc(require_aware(as_of, "as_of", "must be timezone-aware"))
    by_customer: dict[str, list[datetime]] = {}
    for index, order in enumerate(require_items(orders, "orders", "(customer_id, time) pairs")):
        if not isinstance(order, (tuple, list)) or len(order) != 2:
            raise InvalidInputError.single(
                f"orders.{index}", "must be a (customer_id, order time) pair", order
            )
        customer, at = order
        require_str(customer, f"orders.{index}.0")
        moment = as_utc(require_aware(at, f"orders.{index}", "order time must be timezone-aware"))
        if moment <= cutoff:
            by_customer.setdefault(customer, []).append(moment)
    eligible = 0
    repeat = 0
    for times in by_customer.values():
        times.sort()
        first = times[0]
        # Differences, not ``first + window``: a window of centuries cannot overflow a date.
        if cutoff - first < window:
            continue
        eligible += 1
        if any(timedelta(0) < t - first <= window for t in times[1:]):
            repeat += 1
    return RepurchaseRate(
        value=repeat / eligible if eligible else None,
        window=window,
        as_of=as_of,
        customers=len(by_customer),
        eligible_customers=eligible,
        repeat_customers=repeat,
    )
