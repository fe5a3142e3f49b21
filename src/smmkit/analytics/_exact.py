"""Exact, order-independent addition of floats.

Every finite double is an integer multiple of ``2**-1074``, so scaling by ``2**1074``
turns it into a Python ``int`` without loss. Integer addition is associative and
commutative, so sums built from any partition of the data, merged in any order, are
identical; the final ``int / int`` division is correctly rounded by Python.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from decimal import Decimal

from smmkit.exceptions import InvalidInputError

__all__ = [
    "FIXED_ONE",
    "FIXED_SHIFT",
    "check_finite",
    "checked_fsum",
    "from_fixed",
    "is_number",
    "to_fixed",
]

FIXED_SHIFT = 1074
_SHIFT = FIXED_SHIFT
FIXED_ONE = 1 << _SHIFT


def is_number(value: object) -> bool:
    """Whether smmkit takes ``value`` as a number: any real (int, float, Fraction, numpy
    scalars) or Decimal, but not ``bool`` (a flag is not a count) and not ``str``."""
    return not isinstance(value, bool) and isinstance(value, (numbers.Real, Decimal))


def check_finite(field: str, value: float) -> float:
    """Return ``value`` as a float, or raise if it is NaN or infinite."""
    if not is_number(value):
        raise InvalidInputError.single(field, "must be a number", value)
    try:
        number = float(value)
    except OverflowError:  # an int or Fraction too large for a float
        number = math.inf
    except ValueError:  # a signalling Decimal NaN refuses to convert
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInputError.single(field, "must be a finite number", value)
    return number


def checked_fsum(values: Iterable[float], field: str) -> float:
    """``math.fsum(values)``; a sum past the largest float is refused naming ``field``.

    ``math.fsum`` raises ``OverflowError`` when the finite values add up past about
    ``1.8e308`` (two counts of ``1e308``): that is an input no float can total.

    Example:
        >>> checked_fsum([0.1] * 10, "values")
        1.0
        >>> checked_fsum([1e308, 1e308], "observations")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: observations: add up past the largest float ...
    """
    try:
        total = math.fsum(values)
    except (OverflowError, ValueError):  # past the largest float; or inf - inf
        total = math.inf
    if not math.isfinite(total):
        raise InvalidInputError.single(
            field, "add up past the largest float (about 1.8e308); check the units"
        )
    return total


def to_fixed(value: float) -> int:
    """``value * 2**1074`` as an exact integer (``value`` must be finite)."""
    if isinstance(value, int):
        return value << _SHIFT
    numerator, denominator = float(value).as_integer_ratio()
    return numerator << (_SHIFT - denominator.bit_length() + 1)


def from_fixed(value: int) -> float:
    """The float nearest to ``value / 2**1074``."""
    return value / FIXED_ONE
