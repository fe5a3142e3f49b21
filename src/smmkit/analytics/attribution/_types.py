"""Values that attribution takes and returns."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

from pydantic import Field, field_validator

from smmkit.models._base import SmmkitModel

__all__ = ["Attribution", "AttributionModel", "ChannelCredit", "PathSummary"]


class AttributionModel(str, Enum):
    """The attribution models :func:`~smmkit.analytics.attribute` knows.

    Example:
        >>> AttributionModel("markov") is AttributionModel.MARKOV
        True
    """

    FIRST_TOUCH = "first_touch"
    LAST_TOUCH = "last_touch"
    LINEAR = "linear"
    TIME_DECAY = "time_decay"
    POSITION_BASED = "position_based"
    MARKOV = "markov"
    SHAPLEY = "shapley"


class PathSummary(SmmkitModel):
    """Journeys that share one channel path, aggregated (ChannelAttribution's input form).

    ``conversions`` and ``value`` are what the journeys on this path converted; ``nulls``
    counts the journeys on this path that ended without converting (only the Markov model
    reads them).

    Example:
        >>> PathSummary(path=("weibo", "zhihu"), conversions=3, value=297, nulls=40).nulls
        40.0
    """

    path: tuple[str, ...] = Field(min_length=1)
    conversions: float = Field(ge=0, allow_inf_nan=False)
    value: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    nulls: float = Field(default=0.0, ge=0, allow_inf_nan=False)

    @field_validator("path")
    @classmethod
    def _channels_named(cls, path: tuple[str, ...]) -> tuple[str, ...]:
        if any(not channel for channel in path):
            raise ValueError("channel names must be non-empty")
        return path


class ChannelCredit(SmmkitModel):
    """What one channel is credited with.

    ``share`` is the channel's fraction of the attributed conversions. For the Markov
    model ``removal_effect`` is the relative drop in conversion probability when the
    channel is removed (``None`` for the other models).

    Example:
        >>> ChannelCredit(channel="zhihu", conversions=2.5, value=250.0, share=0.5).share
        0.5
    """

    channel: str
    conversions: float = Field(ge=0)
    value: float = Field(ge=0)
    share: float = Field(ge=0, le=1)
    removal_effect: float | None = None
    value_removal_effect: float | None = None


class Attribution(SmmkitModel):
    """The result of :func:`~smmkit.analytics.attribute`: credit per channel.

    Channel conversions sum to ``total_conversions`` and channel values to
    ``total_value`` (up to float rounding); ``unattributed_conversions`` counts
    conversions that had no touchpoint before them and so cannot be credited to any
    channel (they are not part of the totals). Under the Markov model
    ``unattributed_value`` also holds the value of paths with no journeys
    (``conversions`` and ``nulls`` both 0), which add no step to the chain.

    Example:
        >>> from smmkit.analytics import attribute, PathSummary
        >>> a = attribute([PathSummary(path=("weibo", "zhihu"), conversions=2)],
        ...               model="linear")
        >>> a.credit("zhihu").conversions, a.ranking()
        (1.0, ('weibo', 'zhihu'))
    """

    model: AttributionModel
    channels: tuple[ChannelCredit, ...]
    total_conversions: float
    total_value: float
    unattributed_conversions: float = 0.0
    unattributed_value: float = 0.0
    order: int | None = None
    conversion_probability: float | None = None
    parameters: tuple[tuple[str, str], ...] = ()

    def to_frame(self) -> Any:
        """One row per channel: conversions, value, share and removal effects (pandas extra).

        Example:
            >>> from smmkit.analytics import PathSummary, attribute
            >>> att = attribute([PathSummary(path=("a", "b"), conversions=2, value=10)],
            ...                 model="linear")
            >>> att.to_frame()["conversions"].tolist()
            [1.0, 1.0]
        """
        from smmkit._frames import records_frame

        columns = ("channel", "conversions", "value", "share", "removal_effect")
        return records_frame((c.model_dump(include=set(columns)) for c in self.channels), columns)

    def _repr_html_(self) -> str:
        from smmkit._frames import html_table

        return html_table(
            f"{self.model.value} attribution: {self.total_conversions:g} conversions",
            ["channel", "conversions", "value", "share"],
            [
                [c.channel, f"{c.conversions:.2f}", f"{c.value:.2f}", f"{c.share:.1%}"]
                for c in self.channels
            ],
        )

    def credit(self, channel: str) -> ChannelCredit:
        """The credit of ``channel`` (zero credit for a channel never seen).

        Example:
            >>> from smmkit.analytics import attribute, PathSummary
            >>> attribute([PathSummary(path=("x",), conversions=1)],
            ...           model="last_touch").credit("y").conversions
            0.0
        """
        for item in self.channels:
            if item.channel == channel:
                return item
        return ChannelCredit(channel=channel, conversions=0.0, value=0.0, share=0.0)

    def ranking(self) -> tuple[str, ...]:
        """Channels from most to least credited conversions (ties by name).

        Example:
            >>> from smmkit.analytics import attribute, PathSummary
            >>> attribute([PathSummary(path=("a", "b"), conversions=1)],
            ...           model="first_touch").ranking()
            ('a', 'b')
        """
        ordered = sorted(self.channels, key=lambda c: (-c.conversions, c.channel))
        return tuple(c.channel for c in ordered)

    def as_dict(self) -> dict[str, float]:
        """``{channel: conversions}``, handy for printing and comparisons.

        Example:
            >>> from smmkit.analytics import attribute, PathSummary
            >>> attribute([PathSummary(path=("a",), conversions=3)], model="linear").as_dict()
            {'a': 3.0}
        """
        return {c.channel: c.conversions for c in self.channels}


def _share(part: float, total: float) -> float:
    if total <= 0:
        return 0.0
    return min(1.0, max(0.0, part / total))


def build_attribution(
    model: AttributionModel,
    conversions: dict[str, float],
    values: dict[str, float],
    *,
    total_conversions: float,
    total_value: float,
    unattributed: tuple[float, float] = (0.0, 0.0),
    removal: dict[str, tuple[float, float]] | None = None,
    order: int | None = None,
    conversion_probability: float | None = None,
    parameters: tuple[tuple[str, str], ...] = (),
) -> Attribution:
    """Assemble an :class:`Attribution`, clamping float dust below zero to zero."""
    channels = []
    for channel in sorted(conversions, key=lambda c: (-conversions[c], c)):
        conv = max(0.0, conversions[channel])
        val = max(0.0, values.get(channel, 0.0))
        re = removal.get(channel) if removal else None
        channels.append(
            ChannelCredit(
                channel=channel,
                conversions=conv if math.isfinite(conv) else 0.0,
                value=val,
                share=_share(conv, total_conversions),
                removal_effect=None if re is None else re[0],
                value_removal_effect=None if re is None else re[1],
            )
        )
    return Attribution(
        model=model,
        channels=tuple(channels),
        total_conversions=total_conversions,
        total_value=total_value,
        unattributed_conversions=unattributed[0],
        unattributed_value=unattributed[1],
        order=order,
        conversion_probability=conversion_probability,
        parameters=parameters,
    )
