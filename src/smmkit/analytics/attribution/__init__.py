"""Multi-touch attribution: which channels (or content types) earned the conversions.

:func:`attribute` takes individual journeys (:class:`smmkit.models.Journey`), aggregated
paths (:class:`PathSummary`, the form ChannelAttribution reads) or a
:class:`~smmkit.analytics.accumulators.PathCounts` built over partitions, and one of
seven models: first touch, last touch, linear, time decay, position based (40/20/40),
Markov removal effect (order 1..k, solved exactly) and Shapley value. Per-channel
conversions and value always add up to the totals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from smmkit.analytics._checks import optional_str, require_items
from smmkit.analytics._exact import checked_fsum
from smmkit.analytics.accumulators import PathCounts
from smmkit.analytics.attribution._paths import GroupBy, Row, collect_rows
from smmkit.analytics.attribution._types import (
    Attribution,
    AttributionModel,
    ChannelCredit,
    PathSummary,
    build_attribution,
)
from smmkit.analytics.attribution.heuristics import (
    _first_touch,
    _last_touch,
    _linear,
    _position_based,
    _position_weights,
    _time_decay,
)
from smmkit.analytics.attribution.markov import _build_chain
from smmkit.analytics.attribution.shapley import _shapley_weights
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import as_utc, require_aware
from smmkit.models.metrics import Journey

__all__ = ["Attribution", "AttributionModel", "ChannelCredit", "PathSummary", "attribute"]

_DEFAULT_HALF_LIFE = timedelta(days=7)


def _accumulate(
    rows: list[Row], weigh: Callable[[Row], Sequence[float]]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    conv: dict[str, list[float]] = {}
    value: dict[str, list[float]] = {}
    for row in rows:
        if row.conversions <= 0 and row.value <= 0:
            continue
        weights = weigh(row)
        for channel, w in zip(row.path, weights, strict=True):
            if w == 0.0:
                conv.setdefault(channel, [])
                value.setdefault(channel, [])
                continue
            conv.setdefault(channel, []).append(row.conversions * w)
            value.setdefault(channel, []).append(row.value * w)
    return conv, value


def _half_life_in(half_life: timedelta | float | None, timed: bool) -> float:
    if half_life is None:
        return _DEFAULT_HALF_LIFE.total_seconds() if timed else 1.0
    if isinstance(half_life, timedelta):
        if not timed:
            raise InvalidInputError.single(
                "half_life", "path summaries have no times: give a number of touches", half_life
            )
        seconds = half_life.total_seconds()
    elif isinstance(half_life, (int, float)) and not isinstance(half_life, bool):
        seconds = float(half_life)
        if timed:
            raise InvalidInputError.single(
                "half_life", "journeys have times: give a timedelta", half_life
            )
    else:
        raise InvalidInputError.single("half_life", "must be a timedelta or a number", half_life)
    if not (seconds > 0 and math.isfinite(seconds)):
        raise InvalidInputError.single("half_life", "must be positive", half_life)
    return seconds


def attribute(
    data: PathCounts | Iterable[PathSummary | Journey],
    *,
    model: AttributionModel | str,
    by: GroupBy = "channel",
    conversion_kind: str | None = None,
    order: int = 1,
    half_life: timedelta | float | None = None,
    first_weight: float = 0.4,
    last_weight: float = 0.4,
    now: datetime | None = None,
) -> Attribution:
    """Credit conversions and their value to channels under one attribution ``model``.

    Args:
        data: journeys, path summaries, or a :class:`PathCounts` table.
        model: one of :class:`AttributionModel` (or its string value).
        by: what a touch is credited to, for journeys: ``"channel"``, ``"content_type"``
            or ``"channel_content_type"`` (``"weibo/video"``).
        conversion_kind: for journeys, count only conversions of this ``Conversion.kind``
            (``"lead"``, ``"order"``); default: all.
        order: Markov order (1 to 4); consecutive repeated channels are collapsed.
        half_life: time decay: credit halves every ``half_life`` before the conversion;
            a ``timedelta`` for journeys (default 7 days), a number of touches for paths
            (default 1).
        first_weight: position based: the first touch's share (default 0.4; with
            ``last_weight``'s 0.4 the middle touches split the remaining 20 %).
        last_weight: position based: the last touch's share (default 0.4).
        now: for journeys, an aware datetime: a touch or conversion after it is refused
            (:class:`~smmkit.exceptions.InvalidInputError` naming it) as a clock or
            time-zone slip. Default: no check.

    Example:
        >>> from smmkit.analytics import attribute, PathSummary
        >>> paths = [PathSummary(path=("weibo", "zhihu"), conversions=10, value=1000, nulls=5),
        ...          PathSummary(path=("weibo",), conversions=0, nulls=85)]
        >>> attribute(paths, model="last_touch").as_dict()
        {'zhihu': 10.0, 'weibo': 0.0}
        >>> round(attribute(paths, model="markov").credit("zhihu").conversions, 6)
        5.0
    """
    try:
        chosen = AttributionModel(model)
    except ValueError:
        known = ", ".join(m.value for m in AttributionModel)
        raise InvalidInputError.single("model", f"must be one of {known}", model) from None
    if not isinstance(data, PathCounts):
        require_items(data, "data", "PathSummary or Journey items, or a PathCounts")
    optional_str(conversion_kind, "conversion_kind")
    cutoff = None if now is None else as_utc(require_aware(now, "now"))
    rows, lost_conv, lost_value, timed = collect_rows(data, by, conversion_kind, cutoff)
    total_conv = checked_fsum((r.conversions for r in rows), "data")
    total_value = checked_fsum((r.value for r in rows), "data")
    unattributed = (lost_conv, lost_value)
    params: tuple[tuple[str, str], ...] = (("by", by),)
    if conversion_kind is not None:
        params += (("conversion_kind", conversion_kind),)

    if chosen is AttributionModel.MARKOV:
        if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 4:
            raise InvalidInputError.single("order", "must be an integer from 1 to 4", order)
        # A path with value but no journeys (conversions + nulls == 0) adds no transition
        # to the chain, so no removal effect can reach its value: report it as
        # unattributed instead of counting it in a total no channel receives.
        checked_fsum((r.conversions + r.nulls for r in rows), "data")  # the journeys
        orphan_value = checked_fsum(
            (r.value for r in rows if r.conversions + r.nulls <= 0 and r.value > 0), "data"
        )
        if orphan_value > 0:
            total_value = checked_fsum(
                (r.value for r in rows if r.conversions + r.nulls > 0), "data"
            )
            unattributed = (lost_conv, checked_fsum((lost_value, orphan_value), "data"))
        chain = _build_chain(rows, order)
        base_p, _, effects = chain.removal_effects()
        sum_conv = math.fsum(e[0] for e in effects.values())
        sum_value = math.fsum(e[1] for e in effects.values())
        conv_credit = {
            c: (total_conv * e[0] / sum_conv if sum_conv > 0 else 0.0) for c, e in effects.items()
        }
        value_credit = {
            c: (total_value * e[1] / sum_value if sum_value > 0 else 0.0)
            for c, e in effects.items()
        }
        for row in rows:  # channels only on empty paths still get a (zero) line
            for channel in row.path:
                conv_credit.setdefault(channel, 0.0)
                value_credit.setdefault(channel, 0.0)
                effects.setdefault(channel, (0.0, 0.0))
        return build_attribution(
            chosen,
            conv_credit,
            value_credit,
            total_conversions=total_conv,
            total_value=total_value,
            unattributed=unattributed,
            removal=effects,
            order=order,
            conversion_probability=base_p,
            parameters=params,
        )

    if chosen is AttributionModel.SHAPLEY:
        conv_parts: dict[str, list[float]] = {}
        value_parts: dict[str, list[float]] = {}
        for row in rows:
            for channel, w in _shapley_weights(row.path).items():
                conv_parts.setdefault(channel, []).append(row.conversions * w)
                value_parts.setdefault(channel, []).append(row.value * w)
    else:
        if chosen is AttributionModel.FIRST_TOUCH:

            def weigh(row: Row) -> tuple[float, ...]:
                return _first_touch(len(row.path))

        elif chosen is AttributionModel.LAST_TOUCH:

            def weigh(row: Row) -> tuple[float, ...]:
                return _last_touch(len(row.path))

        elif chosen is AttributionModel.LINEAR:

            def weigh(row: Row) -> tuple[float, ...]:
                return _linear(len(row.path))

        elif chosen is AttributionModel.POSITION_BASED:
            first, last = _position_weights(
                first_weight, last_weight, "first_weight", "last_weight"
            )
            params += (("first_weight", repr(first_weight)), ("last_weight", repr(last_weight)))

            def weigh(row: Row) -> tuple[float, ...]:
                return _position_based(len(row.path), first, last)

        else:
            scale = _half_life_in(half_life, timed)
            params += (("half_life", repr(half_life if half_life is not None else scale)),)

            def weigh(row: Row) -> tuple[float, ...]:
                n = len(row.path)
                ages = (
                    row.ages if row.ages is not None else tuple(float(n - 1 - i) for i in range(n))
                )
                return _time_decay(ages, scale)

        conv_parts, value_parts = _accumulate(rows, weigh)

    for row in rows:  # channels that only appear on null paths still get a (zero) line
        for channel in row.path:
            conv_parts.setdefault(channel, [])
            value_parts.setdefault(channel, [])
    return build_attribution(
        chosen,
        {c: math.fsum(parts) for c, parts in conv_parts.items()},
        {c: math.fsum(parts) for c, parts in value_parts.items()},
        total_conversions=total_conv,
        total_value=total_value,
        unattributed=unattributed,
        parameters=params,
    )
