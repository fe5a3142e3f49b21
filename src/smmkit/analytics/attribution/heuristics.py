"""Rule-based attribution: first touch, last touch, linear, time decay, position based.

Each rule gives every touch of a converting path a weight; weights of one path sum to
one and split that path's conversions and value. Repeated channels keep one weight per
touch (``a > a > b`` under the linear rule gives ``a`` two thirds), exactly as
ChannelAttribution's ``heuristic_models`` does.

The public functions check their arguments (a path has 1 to :data:`MAX_TOUCHES` touches:
a larger ``n`` would allocate that many weights, so it is refused with an
:class:`~smmkit.exceptions.InvalidInputError` instead of exhausting memory);
:func:`~smmkit.analytics.attribute` calls the unchecked ``_`` versions on its own rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from smmkit.analytics._checks import require_int, require_items, require_number
from smmkit.analytics.attribution._paths import Row
from smmkit.exceptions import InvalidInputError

__all__ = [
    "MAX_TOUCHES",
    "first_touch_weights",
    "last_touch_weights",
    "linear_weights",
    "position_based_weights",
    "time_decay_weights",
]

Weights = Callable[[Row], Sequence[float]]

MAX_TOUCHES = 1_000_000
"""The most touches one path may have in the public weight functions (``n``, ``ages``)."""


def _touches(n: object) -> int:
    return require_int(n, "n", minimum=1, maximum=MAX_TOUCHES)


def first_touch_weights(n: int) -> tuple[float, ...]:
    """All credit to the first touch.

    Example:
        >>> first_touch_weights(3)
        (1.0, 0.0, 0.0)
    """
    return _first_touch(_touches(n))


def _first_touch(n: int) -> tuple[float, ...]:
    return (1.0,) + (0.0,) * (n - 1)


def last_touch_weights(n: int) -> tuple[float, ...]:
    """All credit to the last touch.

    Example:
        >>> last_touch_weights(3)
        (0.0, 0.0, 1.0)
    """
    return _last_touch(_touches(n))


def _last_touch(n: int) -> tuple[float, ...]:
    return (0.0,) * (n - 1) + (1.0,)


def linear_weights(n: int) -> tuple[float, ...]:
    """Equal credit to every touch.

    Example:
        >>> linear_weights(4)
        (0.25, 0.25, 0.25, 0.25)
    """
    return _linear(_touches(n))


def _linear(n: int) -> tuple[float, ...]:
    return (1.0 / n,) * n


def position_based_weights(n: int, first: float = 0.4, last: float = 0.4) -> tuple[float, ...]:
    """``first`` to the first touch, ``last`` to the last, the rest split over the middle.

    One touch takes everything; two touches split in the ratio ``first : last`` (so
    50/50 with the default 40/20/40).

    Example:
        >>> [round(w, 12) for w in position_based_weights(4)]
        [0.4, 0.1, 0.1, 0.4]
        >>> position_based_weights(2)
        (0.5, 0.5)
    """
    return _position_based(_touches(n), *_position_weights(first, last, "first", "last"))


def _position_weights(
    first: object, last: object, first_name: str, last_name: str
) -> tuple[float, float]:
    """``(first, last)`` as floats if each is in 0..1 and their sum in (0, 1]."""
    a = require_number(first, first_name, minimum=0.0, maximum=1.0)
    b = require_number(last, last_name, minimum=0.0, maximum=1.0)
    if a + b > 1.0 + 1e-12 or a + b <= 0.0:
        raise InvalidInputError.single(
            last_name, f"{first_name} + {last_name} must be in (0, 1]", last
        )
    return a, b


def _position_based(n: int, first: float, last: float) -> tuple[float, ...]:
    if n == 1:
        return (1.0,)
    if n == 2:
        return (first / (first + last), last / (first + last))
    middle = (1.0 - first - last) / (n - 2)
    return (first,) + (middle,) * (n - 2) + (last,)


def time_decay_weights(ages: Sequence[float], half_life: float) -> tuple[float, ...]:
    """Credit halves for every ``half_life`` a touch lies before the conversion.

    ``ages`` are the touches' distances from the conversion (seconds for journeys, steps
    from the last touch for path summaries), in the same unit as ``half_life``.

    Example:
        >>> time_decay_weights([2.0, 1.0, 0.0], half_life=1.0)
        (0.14285714285714285, 0.2857142857142857, 0.5714285714285714)
    """
    scale = require_number(half_life, "half_life", above=0.0)
    items = tuple(require_items(ages, "ages", "numbers"))
    if not items:
        raise InvalidInputError.single("ages", "must hold at least one touch's age")
    if len(items) > MAX_TOUCHES:
        raise InvalidInputError.single("ages", f"must hold at most {MAX_TOUCHES} ages", len(items))
    return _time_decay([require_number(a, f"ages.{i}") for i, a in enumerate(items)], scale)


def _time_decay(ages: Sequence[float], half_life: float) -> tuple[float, ...]:
    newest = min(ages)
    # Measured from the newest touch, so very old journeys do not underflow to zero weight.
    raw = [math.pow(2.0, -(age - newest) / half_life) for age in ages]
    total = math.fsum(raw)
    return tuple(w / total for w in raw)
