"""Observed metrics, and the touchpoints and journeys that attribution reads."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from smmkit.models._base import AwareDatetime, SmmkitModel

__all__ = ["Conversion", "Journey", "MetricObservation", "Touchpoint"]


class MetricObservation(SmmkitModel):
    """One number a platform reported for one period.

    Example:
        >>> from datetime import datetime, timezone
        >>> MetricObservation(metric="impressions", value=1200, platform="xiaohongshu",
        ...     period_start=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...     period_end=datetime(2026, 2, 1, tzinfo=timezone.utc)).value
        1200.0
    """

    metric: str = Field(min_length=1)
    value: float
    platform: str
    period_start: AwareDatetime
    period_end: AwareDatetime
    content_id: str | None = None
    content_type: str | None = None
    campaign: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MetricObservation:
        if self.period_end <= self.period_start:
            raise ValueError("period_end must be after period_start")
        return self


class Touchpoint(SmmkitModel):
    """One contact between a user and the brand on a channel."""

    channel: str = Field(min_length=1)
    at: AwareDatetime
    content_type: str | None = None
    campaign: str | None = None


class Conversion(SmmkitModel):
    """A conversion (lead, order) with its value."""

    at: AwareDatetime
    value: Decimal = Field(default=Decimal("0"), ge=0)
    kind: str = "order"
    id: str | None = None


class Journey(SmmkitModel):
    """One user's touchpoints and conversions; touchpoints are kept in time order."""

    user_id: str = Field(min_length=1)
    touchpoints: tuple[Touchpoint, ...] = ()
    conversions: tuple[Conversion, ...] = ()

    @model_validator(mode="after")
    def _sorted(self) -> Journey:
        times = [t.at for t in self.touchpoints]
        if times != sorted(times):
            raise ValueError("touchpoints must be in time order")
        return self
