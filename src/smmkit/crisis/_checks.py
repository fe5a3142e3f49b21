"""Input checks shared by the crisis functions: the same typed errors as the models."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

from smmkit.exceptions import InvalidInputError

__all__ = ["instance_of", "integer", "items_of", "optional_str", "real"]

T = TypeVar("T")


def _shown(value: object) -> object:
    return value if isinstance(value, (str, bytes, int, float)) else type(value).__name__


def instance_of(value: object, cls: type[T], field: str) -> T:
    """``value`` when it is a ``cls``, else an ``InvalidInputError`` naming ``field``.

    Example:
        >>> instance_of(3, int, "n")
        3
    """
    if not isinstance(value, cls):
        raise InvalidInputError.single(
            field,
            f"must be a {cls.__name__}, not of type {type(value).__name__}",
            _shown(value),
        )
    return value


def items_of(values: object, cls: type[T], field: str) -> list[T]:
    """``values`` as a list of ``cls``; a string, a lone ``cls`` or a non-iterable is
    refused (naming ``field``), and so is any other item (naming ``field.<index>``).

    Example:
        >>> items_of((1, 2), int, "counts")
        [1, 2]
        >>> try:
        ...     items_of("12", int, "counts")
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('counts',)
    """
    if isinstance(values, (str, bytes, cls)) or not isinstance(values, Iterable):
        kind = type(values).__name__
        raise InvalidInputError.single(
            field,
            f"must be an iterable of {cls.__name__} values, not of type {kind}"
            f" (wrap a single {cls.__name__} in a list)",
            _shown(values),
        )
    out = list(values)
    for i, item in enumerate(out):
        instance_of(item, cls, f"{field}.{i}")
    return out


def real(value: object, field: str, *, finite: bool = True) -> float:
    """``value`` as a float when it is a real number (not a bool; finite unless told).

    Example:
        >>> real(2, "ratio")
        2.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError.single(field, "must be a number", _shown(value))
    if finite and not math.isfinite(value):
        raise InvalidInputError.single(field, "must be a finite number", value)
    return float(value)


def integer(value: object, field: str) -> int:
    """``value`` when it is an int (not a bool).

    Example:
        >>> integer(3, "windows")
        3
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError.single(field, "must be an integer", _shown(value))
    return value


def optional_str(value: object, field: str) -> str | None:
    """``value`` when it is a str or ``None``.

    Example:
        >>> optional_str(None, "category") is None
        True
    """
    if value is not None and not isinstance(value, str):
        raise InvalidInputError.single(
            field, f"must be a str or None, not of type {type(value).__name__}", _shown(value)
        )
    return value
