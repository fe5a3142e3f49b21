"""Growth: period-over-period and baseline comparisons that survive zeros and gaps.

"Xiaohongshu note exposure +200% in three months" is a comparison of the last period
with a baseline period. Two things break naive code: a baseline of zero (the relative
change is undefined, not infinite and not NaN) and a missing period (comparing across
a gap would call two months' growth one month's). Every comparison here returns a
:class:`Change` whose ``status`` says which case applies; ``relative`` is only set when
it means something.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from itertools import pairwise

from smmkit.analytics._checks import optional_str, require_items
from smmkit.analytics._exact import checked_fsum, is_number
from smmkit.catalog import require_known_platform
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel, require_aware
from smmkit.models._metric_names import canonical_metric_name
from smmkit.models.metrics import MetricObservation

__all__ = [
    "Change",
    "ChangeStatus",
    "PeriodValue",
    "compare",
    "compare_to_baseline",
    "period_over_period",
    "period_values",
]


class ChangeStatus(str, Enum):
    """Why a :class:`Change` has (or lacks) a relative value.

    Example:
        >>> compare(0, 10).status is ChangeStatus.ZERO_BASELINE
        True
    """

    OK = "ok"
    ZERO_BASELINE = "zero_baseline"  # baseline 0 (or too tiny to divide by): absolute only
    MISSING_BASELINE = "missing_baseline"  # no data for the baseline period
    MISSING_CURRENT = "missing_current"  # no data for the current period


class PeriodValue(SmmkitModel):
    """One period's total of a metric (``None`` where the period has no data).

    Example:
        >>> from datetime import datetime, timezone
        >>> PeriodValue(start=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...             end=datetime(2026, 2, 1, tzinfo=timezone.utc), value=None).value is None
        True
    """

    start: AwareDatetime
    end: AwareDatetime
    value: float | None


class Change(SmmkitModel):
    """The change of a metric from a baseline to a current value.

    ``relative`` is ``(current - baseline) / |baseline|`` (so +2.0 is "+200%"), set only
    when ``status`` is ``ok``.

    Example:
        >>> c = compare(300, 900, metric="xiaohongshu impressions")
        >>> c.relative, c.describe()
        (2.0, 'xiaohongshu impressions +200% (300 → 900)')
    """

    metric: str = ""
    baseline: float | None
    current: float | None
    absolute: float | None
    relative: float | None
    status: ChangeStatus
    baseline_period: PeriodValue | None = None
    current_period: PeriodValue | None = None

    @property
    def percent(self) -> float | None:
        """``relative`` in percent, or ``None``.

        Example:
            >>> compare(200, 150).percent
            -25.0
        """
        return None if self.relative is None else self.relative * 100

    def describe(self) -> str:
        """A one-line human summary.

        Example:
            >>> compare(0, 40, metric="leads").describe()
            'leads +40 from a zero baseline (relative change undefined)'
        """
        name = self.metric or "value"
        if self.status is ChangeStatus.MISSING_BASELINE:
            return f"{name}: no baseline data"
        if self.status is ChangeStatus.MISSING_CURRENT:
            return f"{name}: no current data"
        if self.status is ChangeStatus.ZERO_BASELINE:
            return f"{name} {self.absolute:+g} from a zero baseline (relative change undefined)"
        assert self.relative is not None  # status OK
        return f"{name} {self.relative * 100:+.0f}% ({self.baseline:g} → {self.current:g})"


def _number(field: str, value: float | None) -> float | None:
    if value is None:
        return None
    # Any real number (numpy scalars, Fraction) or Decimal, as the accumulators take.
    if not is_number(value):
        raise InvalidInputError.single(field, "must be a number or None", value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except ValueError:  # a signalling Decimal NaN refuses to convert
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInputError.single(field, "must be finite (use None for missing)", value)
    return number


def compare(
    baseline: float | None,
    current: float | None,
    *,
    metric: str = "",
    baseline_period: PeriodValue | None = None,
    current_period: PeriodValue | None = None,
) -> Change:
    """Compare two values; ``None`` means the value is missing.

    Example:
        >>> compare(None, 5).status.value
        'missing_baseline'
        >>> compare(0, 0).absolute, compare(0, 0).relative
        (0.0, None)
    """
    base = _number("baseline", baseline)
    cur = _number("current", current)
    if base is None:
        status, absolute, relative = ChangeStatus.MISSING_BASELINE, None, None
    elif cur is None:
        status, absolute, relative = ChangeStatus.MISSING_CURRENT, None, None
    else:
        absolute = cur - base
        if not math.isfinite(absolute):
            raise InvalidInputError.single("current", "difference to baseline overflows", current)
        # A baseline so close to zero that the ratio overflows is treated as zero.
        ratio = absolute / abs(base) if base != 0 else math.inf
        if math.isfinite(ratio):
            status, relative = ChangeStatus.OK, ratio
        else:
            status, relative = ChangeStatus.ZERO_BASELINE, None
    return Change(
        metric=metric,
        baseline=base,
        current=cur,
        absolute=absolute,
        relative=relative,
        status=status,
        baseline_period=baseline_period,
        current_period=current_period,
    )


def period_values(
    observations: Iterable[MetricObservation],
    *,
    metric: str,
    platform: str | None = None,
    content_type: str | None = None,
) -> tuple[PeriodValue, ...]:
    """Totals of ``metric`` per period, in time order, with gaps filled by ``None``.

    Observations for the same period (several posts, several content types) are summed.
    A gap is a stretch between one period's end and the next period's start; it becomes
    one ``PeriodValue`` with ``value=None`` so comparisons cannot skip over it.

    ``metric`` may be an alias (``"lead"`` selects ``leads``, see
    :data:`~smmkit.analytics.METRIC_ALIASES`); ``platform``, when given, must be a known
    platform id (:class:`~smmkit.exceptions.UnknownPlatformError` otherwise), since a
    misspelt filter would silently select nothing.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import MetricObservation
        >>> def m(month, v):
        ...     return MetricObservation(metric="views", value=v, platform="douyin",
        ...         period_start=datetime(2026, month, 1, tzinfo=timezone.utc),
        ...         period_end=datetime(2026, month + 1, 1, tzinfo=timezone.utc))
        >>> [p.value for p in period_values([m(1, 10), m(3, 30)], metric="views")]
        [10.0, None, 30.0]
    """
    metric = _metric_name(metric)
    if platform is not None:
        require_known_platform(platform)
    optional_str(content_type, "content_type")
    totals: dict[tuple[datetime, datetime], list[float]] = {}
    for index, obs in enumerate(require_items(observations, "observations", "MetricObservation")):
        if not isinstance(obs, MetricObservation):
            raise InvalidInputError.single(
                f"observations.{index}", "must be a MetricObservation", type(obs).__name__
            )
        if obs.metric != metric:
            continue
        if platform is not None and obs.platform != platform:
            continue
        if content_type is not None and obs.content_type != content_type:
            continue
        totals.setdefault((obs.period_start, obs.period_end), []).append(obs.value)
    ordered = sorted(totals)
    out: list[PeriodValue] = []
    for start, end in ordered:
        if out and out[-1].end < start:
            out.append(PeriodValue(start=out[-1].end, end=start, value=None))
        if out and start < out[-1].end:
            raise InvalidInputError.single(
                "observations",
                f"periods overlap for {metric!r}: {out[-1].start}..{out[-1].end}"
                f" and {start}..{end}",
            )
        total = checked_fsum(totals[(start, end)], "observations")
        out.append(PeriodValue(start=start, end=end, value=total))
    return tuple(out)


def period_over_period(
    observations: Iterable[MetricObservation],
    *,
    metric: str,
    platform: str | None = None,
    content_type: str | None = None,
) -> tuple[Change, ...]:
    """Each period compared with the one just before it (gaps give missing statuses).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import MetricObservation
        >>> def m(month, v):
        ...     return MetricObservation(metric="views", value=v, platform="douyin",
        ...         period_start=datetime(2026, month, 1, tzinfo=timezone.utc),
        ...         period_end=datetime(2026, month + 1, 1, tzinfo=timezone.utc))
        >>> [c.status.value for c in period_over_period([m(1, 0), m(2, 5), m(4, 6)],
        ...                                             metric="views")]
        ['zero_baseline', 'missing_current', 'missing_baseline']
    """
    values = period_values(
        observations, metric=metric, platform=platform, content_type=content_type
    )
    label = _label(metric, platform, content_type)
    return tuple(
        compare(prev.value, cur.value, metric=label, baseline_period=prev, current_period=cur)
        for prev, cur in pairwise(values)
    )


def compare_to_baseline(
    observations: Iterable[MetricObservation],
    *,
    metric: str,
    platform: str | None = None,
    content_type: str | None = None,
    baseline_start: datetime | None = None,
) -> tuple[Change, ...]:
    """Every later period compared with one baseline period (default: the first).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import MetricObservation
        >>> def m(month, v):
        ...     return MetricObservation(metric="impressions", value=v, platform="xiaohongshu",
        ...         period_start=datetime(2026, month, 1, tzinfo=timezone.utc),
        ...         period_end=datetime(2026, month + 1, 1, tzinfo=timezone.utc))
        >>> changes = compare_to_baseline([m(m_, v) for m_, v in [(6, 100), (7, 150), (8, 210),
        ...                                (9, 300)]], metric="impressions")
        >>> changes[-1].describe()
        'impressions +200% (100 → 300)'
    """
    values = period_values(
        observations, metric=metric, platform=platform, content_type=content_type
    )
    if baseline_start is not None:
        require_aware(baseline_start, "baseline_start")
    if not values:
        return ()
    if baseline_start is None:
        base_index = 0
    else:
        matches = [i for i, p in enumerate(values) if p.start == baseline_start]
        if not matches:
            raise InvalidInputError.single(
                "baseline_start", "no period of this metric starts then", baseline_start
            )
        base_index = matches[0]
    base = values[base_index]
    label = _label(metric, platform, content_type)
    return tuple(
        compare(base.value, cur.value, metric=label, baseline_period=base, current_period=cur)
        for cur in values[base_index + 1 :]
    )


def _metric_name(metric: object) -> str:
    if not isinstance(metric, str) or not metric.strip():
        raise InvalidInputError.single("metric", "must be a metric name", metric)
    return canonical_metric_name(metric)


def _label(metric: str, platform: str | None, content_type: str | None) -> str:
    return " ".join(p for p in (platform, content_type, metric) if p)
