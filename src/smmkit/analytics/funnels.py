"""Funnels: exposure → interaction → click → lead → order, per platform and content type.

Counting alone ranks content by interaction; the playbook's point is that the content
people interact with most is not always the content that brings good leads (technical
articles: little interaction, leads that buy; lab behind-the-scenes: the reverse). The
funnel report puts both side by side and flags segments where they diverge, so the
content mix can be rebalanced on value rather than applause.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from enum import Enum
from itertools import pairwise
from typing import Any, Literal

from smmkit.analytics._checks import require_bool, require_items
from smmkit.analytics._exact import checked_fsum
from smmkit.analytics.metrics import ExposureBasis
from smmkit.catalog import require_known_platform
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel
from smmkit.models._metric_names import METRIC_ALIASES, canonical_metric_name
from smmkit.models.metrics import MetricObservation

__all__ = [
    "Funnel",
    "FunnelAnomaly",
    "FunnelInsight",
    "FunnelInsightKind",
    "FunnelReport",
    "FunnelStage",
    "STAGE_METRICS",
    "StageRate",
    "build_funnels",
]


class FunnelStage(str, Enum):
    """The five stages, in order.

    Example:
        >>> [s.value for s in FunnelStage]
        ['exposure', 'interaction', 'click', 'lead', 'order']
    """

    EXPOSURE = "exposure"
    INTERACTION = "interaction"
    CLICK = "click"
    LEAD = "lead"
    ORDER = "order"


STAGE_METRICS: Mapping[FunnelStage, tuple[str, ...]] = {
    FunnelStage.EXPOSURE: (*(b.value for b in ExposureBasis), "exposure"),
    FunnelStage.INTERACTION: ("interactions",),
    FunnelStage.CLICK: ("clicks",),
    FunnelStage.LEAD: ("leads",),
    FunnelStage.ORDER: ("orders",),
}
"""Which ``MetricObservation.metric`` names feed each stage.

A segment's exposure uses the first basis it has data for, in the order impressions,
reach, views, exposure; bases are never added together. The aliases of
:data:`~smmkit.analytics.METRIC_ALIASES` (``lead``, ``click``, ``reads``...) count as
their canonical names; :func:`build_funnels` refuses any other name unless told to
ignore it.
"""

_FUNNEL_NAMES = frozenset(name for names in STAGE_METRICS.values() for name in names)


class FunnelAnomaly(SmmkitModel):
    """A stage that counts more than an earlier stage of the same funnel.

    In a funnel every stage is a subset of the one before, so a later count above an
    earlier one (more clicks than interactions, more orders than leads) means the counts
    do not nest: different periods or exposure bases, clicks or orders counted from
    another source, double counting. Its stage-to-stage rate is above 100 % and is not a
    conversion rate. The funnel is still built; the anomaly says where to look.

    Example:
        >>> a = FunnelAnomaly(platform="zhihu", content_type=None, stage="order",
        ...                   earlier_stage="lead", count=12, earlier_count=10,
        ...                   message="order (12) exceeds lead (10)")
        >>> a.stage.value, a.ratio
        ('order', 1.2)
    """

    platform: str | None
    content_type: str | None
    stage: FunnelStage
    earlier_stage: FunnelStage
    count: float
    earlier_count: float
    message: str

    @property
    def ratio(self) -> float | None:
        """``count / earlier_count`` (``None`` when the earlier count is 0)."""
        return None if self.earlier_count == 0 else self.count / self.earlier_count


class StageRate(SmmkitModel):
    """Conversion from one stage to the next (``None`` when the earlier stage is 0 or absent).

    Example:
        >>> StageRate(from_stage="lead", to_stage="order", rate=0.5).rate
        0.5
    """

    from_stage: FunnelStage
    to_stage: FunnelStage
    rate: float | None


class Funnel(SmmkitModel):
    """One segment's funnel: stage counts, stage-to-stage rates and two headline ratios.

    ``exposure_basis`` names the metric the exposure count came from (``"views"``...);
    it is ``"mixed"`` (and the exposure count ``None``) when a pooled segment's parts
    report different bases, because impressions and views do not add up.
    ``incomplete_stages`` lists the stages that only some of a pooled segment's parts
    report: their counts are ``None`` rather than a partial sum, since an untracked stage
    is unknown, not zero (pooling leads from two content types with orders from one would
    understate lead quality).
    ``interaction_rate`` is interactions / exposure; ``lead_quality`` is orders / leads
    (the share of leads that buy).

    Example:
        >>> f = Funnel(platform="zhihu", content_type="article", exposure_basis="views",
        ...            counts=((FunnelStage.EXPOSURE, 1000.0), (FunnelStage.LEAD, 10.0)),
        ...            rates=(), interaction_rate=None, lead_quality=None)
        >>> f.count(FunnelStage.LEAD), f.count(FunnelStage.ORDER)
        (10.0, None)
    """

    platform: str | None
    content_type: str | None
    exposure_basis: str | None
    counts: tuple[tuple[FunnelStage, float | None], ...]
    rates: tuple[StageRate, ...]
    interaction_rate: float | None
    lead_quality: float | None
    incomplete_stages: tuple[FunnelStage, ...] = ()
    anomalies: tuple[FunnelAnomaly, ...] = ()

    def count(self, stage: FunnelStage | str) -> float | None:
        """The count at ``stage`` (``None`` when not reported)."""
        wanted = _stage("stage", stage)
        for found, value in self.counts:
            if found is wanted:
                return value
        return None

    def rate(self, from_stage: FunnelStage | str, to_stage: FunnelStage | str) -> float | None:
        """The conversion rate between two adjacent stages."""
        a, b = _stage("from_stage", from_stage), _stage("to_stage", to_stage)
        for r in self.rates:
            if r.from_stage is a and r.to_stage is b:
                return r.rate
        return None


class FunnelInsightKind(str, Enum):
    """How a segment's interaction and lead quality diverge.

    Example:
        >>> FunnelInsightKind.LOW_INTERACTION_HIGH_LEAD_QUALITY.value
        'low_interaction_high_lead_quality'
    """

    LOW_INTERACTION_HIGH_LEAD_QUALITY = "low_interaction_high_lead_quality"
    HIGH_INTERACTION_LOW_LEAD_QUALITY = "high_interaction_low_lead_quality"


class FunnelInsight(SmmkitModel):
    """A segment whose interaction rate and lead quality point in opposite directions.

    Example:
        >>> FunnelInsightKind("low_interaction_high_lead_quality").name
        'LOW_INTERACTION_HIGH_LEAD_QUALITY'
    """

    kind: FunnelInsightKind
    platform: str | None
    content_type: str | None
    interaction_rate: float
    lead_quality: float
    median_interaction_rate: float
    median_lead_quality: float
    message: str


class FunnelReport(SmmkitModel):
    """Funnels for every segment, plus the divergence insights and the anomalies.

    ``anomalies`` lists every segment's :class:`FunnelAnomaly` (a later stage counting
    more than an earlier one), so a report whose counts do not nest cannot pass as clean.

    Example:
        >>> print(FunnelReport(funnels=(), insights=()).table())
        segment | exposure | interaction | click | lead | order | interaction rate | lead quality
    """

    funnels: tuple[Funnel, ...]
    insights: tuple[FunnelInsight, ...]

    @property
    def anomalies(self) -> tuple[FunnelAnomaly, ...]:
        """Every funnel's anomalies, in segment order."""
        return tuple(a for f in self.funnels for a in f.anomalies)

    def funnel(self, platform: str | None = None, content_type: str | None = None) -> Funnel:
        """The funnel of one segment (:class:`InvalidInputError` if there is none).

        An unknown platform id raises :class:`~smmkit.exceptions.UnknownPlatformError`.
        """
        if platform is not None:
            require_known_platform(platform)
        for f in self.funnels:
            if f.platform == platform and f.content_type == content_type:
                return f
        raise InvalidInputError.single(
            "segment", "no funnel for this platform and content type", (platform, content_type)
        )

    def to_frame(self) -> Any:
        """One row per segment: stage counts, interaction rate, lead quality (pandas extra).

        Example:
            >>> report = build_funnels([])
            >>> list(report.to_frame().columns)[:3]
            ['platform', 'content_type', 'exposure']
        """
        from smmkit._frames import records_frame

        stages = [s.value for s in FunnelStage]
        columns = ["platform", "content_type", *stages, "interaction_rate", "lead_quality"]
        rows = []
        for f in self.funnels:
            row: dict[str, Any] = {"platform": f.platform, "content_type": f.content_type}
            row.update({stage.value: value for stage, value in f.counts})
            row.update(interaction_rate=f.interaction_rate, lead_quality=f.lead_quality)
            rows.append(row)
        return records_frame(rows, columns)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(self.table())}</pre>"

    def table(self) -> str:
        """A plain-text table, one line per segment."""
        head = ["segment", *(s.value for s in FunnelStage), "interaction rate", "lead quality"]
        rows = [head]
        for f in self.funnels:
            segment = "/".join(p for p in (f.platform, f.content_type) if p) or "all"
            cells = [segment]
            cells += ["-" if f.count(s) is None else f"{f.count(s):g}" for s in FunnelStage]
            cells += [_pct(f.interaction_rate), _pct(f.lead_quality)]
            rows.append(cells)
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        return "\n".join(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        )


def _stage(field: str, value: FunnelStage | str) -> FunnelStage:
    try:
        return FunnelStage(value)
    except ValueError:
        known = ", ".join(s.value for s in FunnelStage)
        raise InvalidInputError.single(field, f"must be one of {known}", value) from None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def build_funnels(
    observations: Iterable[MetricObservation],
    *,
    by_platform: bool = True,
    by_content_type: bool = True,
    other_metrics: Literal["refuse", "ignore"] = "refuse",
) -> FunnelReport:
    """Build per-segment funnels from metric observations, and flag divergent segments.

    Segments are (platform, content type) by default; switch either off to pool over it.
    A segment is flagged when its interaction rate is below the median of all segments
    while its lead quality is above it (or the reverse); at least two segments with both
    ratios are needed for a median to mean anything.

    Every observation's metric must feed a stage (:data:`STAGE_METRICS`, or one of their
    aliases such as ``lead``): any other name raises
    :class:`~smmkit.exceptions.InvalidInputError` naming the observation and listing the
    accepted names, since a misspelt stage would otherwise just be missing. Pass
    ``other_metrics="ignore"`` to build funnels from a list that also holds other
    metrics (followers, spend, a platform's own ``likes``). A later stage counting more
    than an earlier one is kept but reported in ``Funnel.anomalies`` (and
    ``FunnelReport.anomalies``).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import MetricObservation
        >>> t0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
        >>> t1 = datetime(2026, 6, 1, tzinfo=timezone.utc)
        >>> def m(kind, metric, v):
        ...     return MetricObservation(metric=metric, value=v, platform="zhihu",
        ...         content_type=kind, period_start=t0, period_end=t1)
        >>> tech, lab = "tech_article", "lab_behind_scenes"
        >>> data = [m(tech, "views", 10000), m(tech, "interactions", 200),
        ...         m(tech, "leads", 40), m(tech, "orders", 12),
        ...         m(lab, "views", 10000), m(lab, "interactions", 900),
        ...         m(lab, "leads", 45), m(lab, "orders", 3)]
        >>> for insight in build_funnels(data).insights:
        ...     print(insight.content_type, insight.kind.value)
        lab_behind_scenes high_interaction_low_lead_quality
        tech_article low_interaction_high_lead_quality
    """
    # Stage counts per finest segment first: each (platform, content type) picks its own
    # exposure basis, so pooling never adds impressions on one platform to views on another.
    if not isinstance(other_metrics, str) or other_metrics not in ("refuse", "ignore"):
        raise InvalidInputError.single(
            "other_metrics", "must be 'refuse' or 'ignore'", other_metrics
        )
    require_bool(by_platform, "by_platform")
    require_bool(by_content_type, "by_content_type")
    fine: dict[tuple[str, str | None], dict[str, list[float]]] = {}
    for index, obs in enumerate(require_items(observations, "observations", "MetricObservation")):
        if not isinstance(obs, MetricObservation):
            raise InvalidInputError.single(
                f"observations.{index}", "must be a MetricObservation", type(obs).__name__
            )
        metric = canonical_metric_name(obs.metric)
        if metric not in _FUNNEL_NAMES:
            if other_metrics == "ignore":
                continue
            raise InvalidInputError.single(
                f"observations.{index}.metric", _not_a_stage_message(), obs.metric
            )
        fine.setdefault((obs.platform, obs.content_type), {}).setdefault(metric, []).append(
            obs.value
        )
    pooled: dict[tuple[str | None, str | None], list[dict[FunnelStage, tuple[str, float]]]] = {}
    for (source_platform, source_type), metrics in fine.items():
        stage_values: dict[FunnelStage, tuple[str, float]] = {}
        for stage in FunnelStage:
            for name in STAGE_METRICS[stage]:
                if name in metrics:
                    stage_values[stage] = (name, checked_fsum(metrics[name], "observations"))
                    break
        key = (
            source_platform if by_platform else None,
            source_type if by_content_type else None,
        )
        pooled.setdefault(key, []).append(stage_values)

    funnels = []
    for (platform, content_type), parts in sorted(
        pooled.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")
    ):
        counts: list[tuple[FunnelStage, float | None]] = []
        incomplete: list[FunnelStage] = []
        basis: str | None = None
        for stage in FunnelStage:
            found = [part[stage] for part in parts if stage in part]
            value: float | None = (
                checked_fsum((v for _, v in found), "observations") if found else None
            )
            if found and len(found) < len(parts):
                # Some parts do not track this stage: a partial sum would read as a drop.
                incomplete.append(stage)
                value = None
            if stage is FunnelStage.EXPOSURE and found:
                names = {name for name, _ in found}
                if len(names) > 1:
                    basis, value = "mixed", None
                else:
                    basis = names.pop()
            counts.append((stage, value))
        stages = list(FunnelStage)
        by_stage = dict(counts)
        rates = tuple(
            StageRate(from_stage=a, to_stage=b, rate=_div(by_stage[b], by_stage[a]))
            for a, b in pairwise(stages)
        )
        funnels.append(
            Funnel(
                platform=platform,
                content_type=content_type,
                exposure_basis=basis,
                counts=tuple(counts),
                rates=rates,
                interaction_rate=_div(
                    by_stage[FunnelStage.INTERACTION], by_stage[FunnelStage.EXPOSURE]
                ),
                lead_quality=_div(by_stage[FunnelStage.ORDER], by_stage[FunnelStage.LEAD]),
                incomplete_stages=tuple(incomplete),
                anomalies=_anomalies(platform, content_type, counts),
            )
        )
    return FunnelReport(funnels=tuple(funnels), insights=_insights(funnels))


def _not_a_stage_message() -> str:
    accepted = ", ".join(name for names in STAGE_METRICS.values() for name in names)
    aliases = ", ".join(
        f"{alias}={name}" for alias, name in METRIC_ALIASES.items() if name in _FUNNEL_NAMES
    )
    return (
        f"no funnel stage reads this metric; accepted: {accepted} (aliases: {aliases}); "
        "pass other_metrics='ignore' to skip metrics that are not funnel stages"
    )


def _anomalies(
    platform: str | None,
    content_type: str | None,
    counts: list[tuple[FunnelStage, float | None]],
) -> tuple[FunnelAnomaly, ...]:
    """Each stage above the nearest earlier stage that has a count."""
    out = []
    earlier: tuple[FunnelStage, float] | None = None
    for stage, value in counts:
        if value is None:
            continue
        if earlier is not None and value > earlier[1]:
            segment = "/".join(p for p in (platform, content_type) if p) or "all"
            out.append(
                FunnelAnomaly(
                    platform=platform,
                    content_type=content_type,
                    stage=stage,
                    earlier_stage=earlier[0],
                    count=value,
                    earlier_count=earlier[1],
                    message=(
                        f"{segment}: {stage.value} ({value:g}) exceeds {earlier[0].value} "
                        f"({earlier[1]:g}), so the stages do not nest; check periods, "
                        "exposure bases and where each count comes from"
                    ),
                )
            )
        earlier = (stage, value)
    return tuple(out)


def _insights(funnels: list[Funnel]) -> tuple[FunnelInsight, ...]:
    pairs = [
        (f, f.interaction_rate, f.lead_quality)
        for f in funnels
        if f.interaction_rate is not None and f.lead_quality is not None
    ]
    if len(pairs) < 2:
        return ()
    med_ir = statistics.median(ir for _, ir, _ in pairs)
    med_lq = statistics.median(lq for _, _, lq in pairs)
    out = []
    for f, ir, lq in pairs:
        segment = "/".join(p for p in (f.platform, f.content_type) if p) or "all"
        if ir < med_ir and lq > med_lq:
            kind = FunnelInsightKind.LOW_INTERACTION_HIGH_LEAD_QUALITY
            message = (
                f"{segment}: interaction {ir:.1%} is below the median {med_ir:.1%}, but "
                f"{lq:.0%} of its leads order (median {med_lq:.0%}): worth more than its "
                "applause suggests; keep or grow it in the mix."
            )
        elif ir > med_ir and lq < med_lq:
            kind = FunnelInsightKind.HIGH_INTERACTION_LOW_LEAD_QUALITY
            message = (
                f"{segment}: interaction {ir:.1%} is above the median {med_ir:.1%}, but only "
                f"{lq:.0%} of its leads order (median {med_lq:.0%}): popular, yet weak on "
                "value; rebalance the mix toward higher-quality content."
            )
        else:
            continue
        out.append(
            FunnelInsight(
                kind=kind,
                platform=f.platform,
                content_type=f.content_type,
                interaction_rate=ir,
                lead_quality=lq,
                median_interaction_rate=float(med_ir),
                median_lead_quality=float(med_lq),
                message=message,
            )
        )
    return tuple(out)
