"""Turning journeys, path summaries or a :class:`PathCounts` into weighted paths."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, NamedTuple

from smmkit.analytics.accumulators import PathCounts
from smmkit.analytics.attribution._types import PathSummary
from smmkit.exceptions import InvalidInputError
from smmkit.models.metrics import Journey, Touchpoint

__all__ = ["GroupBy", "Row", "collect_rows"]

GroupBy = Literal["channel", "content_type", "channel_content_type"]


class Row(NamedTuple):
    """One path with its outcome; ``ages`` are seconds from each touch to the conversion."""

    path: tuple[str, ...]
    conversions: float
    value: float
    nulls: float
    ages: tuple[float, ...] | None


def _label(touch: Touchpoint, by: GroupBy) -> str:
    if by == "channel":
        return touch.channel
    kind = touch.content_type or "unknown"
    if by == "content_type":
        return kind
    return f"{touch.channel}/{kind}"


def _journey_rows(
    journey: Journey, by: GroupBy, kind: str | None
) -> tuple[list[Row], float, float]:
    rows: list[Row] = []
    lost_conv = 0.0
    lost_value = 0.0
    touches = list(journey.touchpoints)
    start = 0
    wanted = [c for c in journey.conversions if kind is None or c.kind == kind]
    for conversion in sorted(wanted, key=lambda c: c.at):
        end = start
        while end < len(touches) and touches[end].at <= conversion.at:
            end += 1
        window = touches[start:end]
        if window:
            rows.append(
                Row(
                    path=tuple(_label(t, by) for t in window),
                    conversions=1.0,
                    value=float(conversion.value),
                    nulls=0.0,
                    ages=tuple((conversion.at - t.at).total_seconds() for t in window),
                )
            )
        else:
            lost_conv += 1.0
            lost_value += float(conversion.value)
        start = end
    rest = touches[start:]
    if rest:
        rows.append(Row(tuple(_label(t, by) for t in rest), 0.0, 0.0, 1.0, None))
    return rows, lost_conv, lost_value


def _check_not_after(journey: Journey, index: int, now: datetime) -> None:
    """Refuse a journey with a touch or conversion after ``now`` (aware)."""
    times = [(f"touchpoints.{j}.at", t.at) for j, t in enumerate(journey.touchpoints)]
    times += [(f"conversions.{j}.at", c.at) for j, c in enumerate(journey.conversions)]
    for field, at in times:
        if at > now:
            raise InvalidInputError.single(
                f"data.{index}.{field}",
                f"lies after now ({now.isoformat()}) and cannot have happened yet",
                at,
            )


def collect_rows(
    data: PathCounts | Iterable[PathSummary | Journey],
    by: GroupBy,
    conversion_kind: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Row], float, float, bool]:
    """Rows, unattributed conversions and value, and whether touch times are known.

    A journey's conversion is credited to the touches since the journey's previous
    conversion up to (and including) its own time; touches after the last conversion
    form a non-converting (null) path. With ``conversion_kind``, only conversions of that
    kind count (the others are ignored, as if they had not happened). With ``now`` (aware),
    a journey with a time after it is refused.
    """
    if not isinstance(by, str) or by not in ("channel", "content_type", "channel_content_type"):
        raise InvalidInputError.single(
            "by", "must be 'channel', 'content_type' or 'channel_content_type'", by
        )
    if isinstance(data, PathCounts):
        rows = [Row(p, c, v, n, None) for p, c, v, n in data.items()]
        return rows, 0.0, 0.0, False
    rows = []
    lost_conv = 0.0
    lost_value = 0.0
    kinds: set[str] = set()
    for index, item in enumerate(data):
        if isinstance(item, PathSummary):
            kinds.add("path")
            rows.append(Row(item.path, item.conversions, item.value, item.nulls, None))
        elif isinstance(item, Journey):
            kinds.add("journey")
            if now is not None:
                _check_not_after(item, index, now)
            journey_rows, conv, value = _journey_rows(item, by, conversion_kind)
            rows.extend(journey_rows)
            lost_conv += conv
            lost_value += value
        else:
            raise InvalidInputError.single(
                f"data.{index}", "must be a PathSummary or a Journey", type(item).__name__
            )
    if len(kinds) > 1:
        raise InvalidInputError.single("data", "mixes PathSummary and Journey items")
    if "path" in kinds and conversion_kind is not None:
        raise InvalidInputError.single(
            "conversion_kind", "path summaries do not record conversion kinds", conversion_kind
        )
    if "path" in kinds and by != "channel":
        raise InvalidInputError.single(
            "by", "path summaries only know channels; pass journeys to group by content", by
        )
    return rows, lost_conv, lost_value, "journey" in kinds
