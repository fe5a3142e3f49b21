"""Argument checks of the pure platform helpers: a value of the wrong type is an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter, never a
``TypeError`` or ``AttributeError`` from deep inside."""

from __future__ import annotations

import math
from typing import Any, TypeVar

from smmkit.exceptions import InvalidInputError

__all__ = ["require", "require_number"]

T = TypeVar("T")


def require(value: Any, field: str, kind: type[T] | tuple[type, ...], what: str) -> T:
    """``value`` when it is an instance of ``kind``; ``what`` names the type in the error.

    Example:
        >>> require(3, "post", str, "a PlatformPost")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: post: must be a PlatformPost (got 'int')
    """
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise InvalidInputError.single(field, f"must be {what}", type(value).__name__)
    return value  # type: ignore[return-value]


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def require_number(value: Any, field: str) -> float:
    """``value`` as a float when it is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError.single(field, "must be a number", type(value).__name__)
    try:
        number = float(value)
    except OverflowError:
        raise InvalidInputError.single(field, "is too large", value) from None
    if not math.isfinite(number):
        raise InvalidInputError.single(field, "must be finite", value)
    return number
