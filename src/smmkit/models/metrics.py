"""Observed metrics, and the touchpoints and journeys that attribution reads."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, ValidationInfo, field_validator

from smmkit.models._base import EventDatetime, PlatformId, SmmkitModel
from smmkit.models._metric_names import canonical_metric_name, value_problem

__all__ = ["Conversion", "Journey", "MetricObservation", "Touchpoint"]


class MetricObservation(SmmkitModel):
    """One number a platform reported for one period.

    ``metric`` is stored under its canonical name: the vocabulary of
    :class:`smmkit.analytics.Metric` (``impressions``, ``leads``...) with its documented
    aliases resolved (``lead`` and ``Leads`` become ``leads``, see
    :data:`smmkit.analytics.METRIC_ALIASES`); a platform's own names (``likes``,
    ``favourites_count``) are kept as given.

    ``value`` is checked against the metric: counts are whole numbers >= 0, rates may be
    fractions (shares at most 1), ``follower_growth_net``, ``follower_growth_rate`` and
    ``brand_favourability`` may be negative; NaN and infinities never pass. ``platform``
    must be a known platform id (:func:`smmkit.catalog.is_known_platform`), else
    :class:`~smmkit.exceptions.UnknownPlatformError`. Period ends are aware datetimes
    (not epoch numbers), the end after the start.

    Example:
        >>> from datetime import datetime, timezone
        >>> obs = MetricObservation(metric="Impression", value=1200, platform="xiaohongshu",
        ...     period_start=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...     period_end=datetime(2026, 2, 1, tzinfo=timezone.utc))
        >>> obs.metric, obs.value
        ('impressions', 1200.0)
    """

    metric: str = Field(min_length=1)
    value: float
    platform: PlatformId
    period_start: EventDatetime
    period_end: EventDatetime
    content_id: str | None = None
    content_type: str | None = None
    campaign: str | None = None

    @field_validator("metric")
    @classmethod
    def _canonical(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return canonical_metric_name(value)

    @field_validator("value", mode="before")
    @classmethod
    def _not_a_bool(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number, not a bool")
        return value

    @field_validator("value")
    @classmethod
    def _fits_metric(cls, value: float, info: ValidationInfo) -> float:
        metric = info.data.get("metric", "")
        problem = value_problem(metric, value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("period_end")
    @classmethod
    def _ordered(cls, value: EventDatetime, info: ValidationInfo) -> EventDatetime:
        start = info.data.get("period_start")
        if start is not None and value <= start:
            raise ValueError(f"must be after period_start ({start.isoformat()})")
        return value


class Touchpoint(SmmkitModel):
    """One contact between a user and the brand on a channel.

    ``channel`` is free text (a platform id, ``"email"``, ``"store"``); ``at`` an aware
    datetime, never an epoch number.
    """

    channel: str = Field(min_length=1)
    at: EventDatetime
    content_type: str | None = None
    campaign: str | None = None


class Conversion(SmmkitModel):
    """A conversion (lead, order) with its value."""

    at: EventDatetime
    value: Decimal = Field(default=Decimal("0"), ge=0, allow_inf_nan=False)
    kind: str = "order"
    id: str | None = None


class Journey(SmmkitModel):
    """One user's touchpoints and conversions; touchpoints must be in time order.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.exceptions import InvalidInputError
        >>> t = [Touchpoint(channel=c, at=datetime(2026, 1, d, tzinfo=timezone.utc))
        ...      for c, d in (("weibo", 2), ("zhihu", 1))]
        >>> try:
        ...     Journey(user_id="u1", touchpoints=t)
        ... except InvalidInputError as exc:
        ...     exc.fields
        ('touchpoints',)
    """

    user_id: str = Field(min_length=1)
    touchpoints: tuple[Touchpoint, ...] = ()
    conversions: tuple[Conversion, ...] = ()

    @field_validator("touchpoints")
    @classmethod
    def _sorted(cls, value: tuple[Touchpoint, ...]) -> tuple[Touchpoint, ...]:
        for i in range(1, len(value)):
            if value[i].at < value[i - 1].at:
                raise ValueError(
                    f"must be in time order: touchpoints.{i}.at ({value[i].at.isoformat()}) "
                    f"is before touchpoints.{i - 1}.at ({value[i - 1].at.isoformat()})"
                )
        return value
