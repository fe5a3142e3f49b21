"""Analytics: from counting to value attribution (the playbook's fifth chapter).

* :mod:`~smmkit.analytics.metrics`: the metric vocabulary, formulas, and what each
  platform reports;
* :mod:`~smmkit.analytics.growth`: period-over-period and baseline comparisons;
* :mod:`~smmkit.analytics.utm`: UTM tagging and parsing of landing-page links;
* :mod:`~smmkit.analytics.funnels`: exposure → interaction → click → lead → order;
* :mod:`~smmkit.analytics.attribution`: seven attribution models, Markov solved exactly;
* :mod:`~smmkit.analytics.accumulators`: mergeable counters and sketches for partitions;
* :mod:`~smmkit.analytics.advice`: iteration recommendations with evidence.

Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

from smmkit import _public
from smmkit._frames import observations_frame
from smmkit.analytics.accumulators import (
    Counts,
    HyperLogLog,
    PathCounts,
    QuantileSketch,
    Rate,
    Sum,
)
from smmkit.analytics.advice import (
    Evidence,
    Recommendation,
    RecommendationKind,
    suggest_iterations,
)
from smmkit.analytics.attribution import (
    Attribution,
    AttributionModel,
    ChannelCredit,
    PathSummary,
    attribute,
)
from smmkit.analytics.funnels import (
    Funnel,
    FunnelAnomaly,
    FunnelInsight,
    FunnelInsightKind,
    FunnelReport,
    FunnelStage,
    StageRate,
    build_funnels,
)
from smmkit.analytics.growth import (
    Change,
    ChangeStatus,
    PeriodValue,
    compare,
    compare_to_baseline,
    period_over_period,
    period_values,
)
from smmkit.analytics.metrics import (
    METRIC_ALIASES,
    METRICS,
    PLATFORM_METRICS,
    ExposureBasis,
    FollowerGrowth,
    Metric,
    MetricDefinition,
    MetricKind,
    PlatformMetrics,
    Ratio,
    RepurchaseRate,
    brand_favourability,
    conversion_rate,
    count_interactions,
    favourability_from_sentiment,
    follower_growth,
    interaction_rate_by_followers,
    interaction_rate_by_reach,
    metric_definition,
    platform_metrics,
    repurchase_rate,
    share_of_voice,
)
from smmkit.analytics.utm import UTM_KEYS, UtmParams, build_utm_url, parse_utm

__all__ = [
    "Attribution",
    "AttributionModel",
    "Change",
    "ChangeStatus",
    "ChannelCredit",
    "Counts",
    "Evidence",
    "ExposureBasis",
    "FollowerGrowth",
    "Funnel",
    "FunnelAnomaly",
    "FunnelInsight",
    "FunnelInsightKind",
    "FunnelReport",
    "FunnelStage",
    "HyperLogLog",
    "METRICS",
    "METRIC_ALIASES",
    "Metric",
    "MetricDefinition",
    "MetricKind",
    "PLATFORM_METRICS",
    "PathCounts",
    "PathSummary",
    "PeriodValue",
    "PlatformMetrics",
    "QuantileSketch",
    "Rate",
    "Ratio",
    "Recommendation",
    "RecommendationKind",
    "RepurchaseRate",
    "StageRate",
    "Sum",
    "UTM_KEYS",
    "UtmParams",
    "attribute",
    "brand_favourability",
    "build_funnels",
    "build_utm_url",
    "compare",
    "compare_to_baseline",
    "conversion_rate",
    "count_interactions",
    "favourability_from_sentiment",
    "follower_growth",
    "interaction_rate_by_followers",
    "interaction_rate_by_reach",
    "metric_definition",
    "observations_frame",
    "parse_utm",
    "period_over_period",
    "period_values",
    "platform_metrics",
    "repurchase_rate",
    "share_of_voice",
    "suggest_iterations",
]

_public.set_public_module(globals(), __all__, __name__)
