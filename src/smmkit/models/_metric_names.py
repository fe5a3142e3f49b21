"""Metric names and the values each may take: the table ``MetricObservation`` checks.

The canonical names are :class:`smmkit.analytics.Metric`'s values (a test keeps the two
in step; this module sits beneath the analytics package so the model can use it). Each
name has a value rule:

* **counts** (impressions, leads, followers...): whole numbers >= 0;
* **signed counts** (``follower_growth_net``): whole numbers, negative allowed;
* **rates** (interaction rates, ``conversion_rate``...): fractions >= 0, some at most 1;
* **signed rates** (``follower_growth_rate`` >= -1, ``brand_favourability`` in -1..1);
* **money** (``spend``): any amount >= 0.

Names outside the vocabulary (a platform's own ``likes`` or ``favourites_count``) are
kept as given and must be finite and >= 0. Never NaN or infinite, whatever the name.

:data:`METRIC_ALIASES` maps the spellings people use (``lead``, ``Leads``, ``reads``) to
the canonical name; ``MetricObservation`` stores the canonical one, so ``build_funnels``,
``period_values`` and the advice rules all find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "FUNNEL_ONLY_NAMES",
    "METRIC_ALIASES",
    "METRIC_RULES",
    "ValueRule",
    "canonical_metric_name",
    "value_problem",
]


@dataclass(frozen=True)
class ValueRule:
    """What values one metric may take."""

    whole: bool = False
    low: float | None = 0.0
    high: float | None = None

    def describe(self) -> str:
        """The rule in words, for error messages."""
        kind = "a whole number" if self.whole else "a number"
        if self.low is not None and self.high is not None:
            return f"{kind} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{kind} >= {self.low:g}"
        return kind


_COUNT = ValueRule(whole=True)
_SIGNED_COUNT = ValueRule(whole=True, low=None)
_RATE = ValueRule()
_SHARE = ValueRule(high=1.0)
_MONEY = ValueRule()
_UNKNOWN = ValueRule()

METRIC_RULES: Mapping[str, ValueRule] = {
    "impressions": _COUNT,
    "reach": _COUNT,
    "views": _COUNT,
    "interactions": _COUNT,
    "interaction_rate_by_reach": _RATE,
    "interaction_rate_by_followers": _RATE,
    "followers": _COUNT,
    "follower_growth_net": _SIGNED_COUNT,
    "follower_growth_rate": ValueRule(low=-1.0),
    "clicks": _COUNT,
    "leads": _COUNT,
    "orders": _COUNT,
    "conversion_rate": _SHARE,
    "repurchase_rate": _SHARE,
    "brand_favourability": ValueRule(low=-1.0, high=1.0),
    "share_of_voice": _SHARE,
    "participants": _COUNT,
    "spend": _MONEY,
    # Not a Metric: the funnel's own name for an exposure figure of unstated basis.
    "exposure": _COUNT,
}
"""The value rule of every canonical metric name (see the module docs)."""

FUNNEL_ONLY_NAMES = frozenset({"exposure"})
"""Canonical names the funnel reads that are not :class:`~smmkit.analytics.Metric` values."""

METRIC_ALIASES: Mapping[str, str] = {
    # exposure
    "impression": "impressions",
    "view": "views",
    "play": "views",
    "plays": "views",
    "read": "views",
    "reads": "views",
    # interaction
    "interaction": "interactions",
    # click, lead, order
    "click": "clicks",
    "lead": "leads",
    "order": "orders",
    # others
    "follower": "followers",
    "participant": "participants",
}
"""Accepted spellings and the canonical metric name each stands for.

Matching ignores case and surrounding spaces (``" Leads"`` is ``leads``); canonical
names match the same way. "Engagement" is deliberately not an alias: it means an
interaction count to some and an interaction rate (by reach or by followers) to others."""


def canonical_metric_name(name: str) -> str:
    """The canonical name for ``name`` (an alias or a vocabulary name), else ``name``.

    Example:
        >>> canonical_metric_name("Lead"), canonical_metric_name("likes")
        ('leads', 'likes')
    """
    folded = name.strip().lower()
    if folded in METRIC_RULES:
        return folded
    return METRIC_ALIASES.get(folded, name)


def value_problem(metric: str, value: float) -> str | None:
    """Why ``value`` cannot be an observation of ``metric`` (canonical), or ``None``.

    Example:
        >>> value_problem("leads", -1)
        'leads must be a whole number >= 0'
        >>> value_problem("follower_growth_net", -12) is None
        True
    """
    value = float(value)
    if not math.isfinite(value):
        return "must be a finite number (not NaN or infinite)"
    rule = METRIC_RULES.get(metric, _UNKNOWN)
    bad = (
        (rule.whole and not value.is_integer())
        or (rule.low is not None and value < rule.low)
        or (rule.high is not None and value > rule.high)
    )
    if not bad:
        return None
    if metric in METRIC_RULES:
        return f"{metric} must be {rule.describe()}"
    return f"must be {rule.describe()} (a count or amount reported by the platform)"
