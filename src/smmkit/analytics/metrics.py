"""The metric vocabulary: what each number means, how it is computed, who reports it.

Platforms call different things "exposure": X and LinkedIn count *impressions* (times a
post was shown), Facebook and Instagram also report *reach* (distinct accounts), video
platforms count *views* (plays), WeChat counts *reads*. Comparing them as one number is
the commonest dashboard mistake, so every exposure figure in smmkit names its basis
(:class:`ExposureBasis`) and :data:`PLATFORM_METRICS` records what each platform in the
catalog actually reports, with how sure we are.

Ratios come back as :class:`Ratio` values: a zero denominator yields ``value=None`` with
the reason, never a ``ZeroDivisionError`` or a silent NaN.
"""

from __future__ import annotations

from smmkit.analytics._metric_formulas import (
    FollowerGrowth,
    Ratio,
    RepurchaseRate,
    brand_favourability,
    conversion_rate,
    count_interactions,
    favourability_from_sentiment,
    follower_growth,
    interaction_rate_by_followers,
    interaction_rate_by_reach,
    repurchase_rate,
    share_of_voice,
)
from smmkit.analytics._metric_vocabulary import (
    METRIC_ALIASES,
    METRICS,
    PLATFORM_METRICS,
    ExposureBasis,
    Metric,
    MetricDefinition,
    MetricKind,
    PlatformMetrics,
    metric_definition,
    platform_metrics,
)

__all__ = [
    "ExposureBasis",
    "FollowerGrowth",
    "METRICS",
    "METRIC_ALIASES",
    "Metric",
    "MetricDefinition",
    "MetricKind",
    "PLATFORM_METRICS",
    "PlatformMetrics",
    "Ratio",
    "RepurchaseRate",
    "brand_favourability",
    "conversion_rate",
    "count_interactions",
    "favourability_from_sentiment",
    "follower_growth",
    "interaction_rate_by_followers",
    "interaction_rate_by_reach",
    "metric_definition",
    "platform_metrics",
    "repurchase_rate",
    "share_of_voice",
]
