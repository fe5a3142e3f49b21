"""Input checks shared by the crisis functions: the same typed errors as the models."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TypeVar

from smmkit.exceptions import InvalidInputError

__all__ = [
    "band",
    "instance_of",
    "integer",
    "items_of",
    "optional_str",
    "real",
    "weights",
]

T = TypeVar("T")


def _shown(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        # repr() of a huge int is long, and past 4300 digits it raises ValueError.
        return f"an int of about {int(value.bit_length() * math.log10(2)) + 1} digits"
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
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range (about 1.8e308)
        raise InvalidInputError.single(
            field, "is too large: must be within the float range (about 1.8e308)", _shown(value)
        ) from None
    if finite and not math.isfinite(number):
        raise InvalidInputError.single(field, "must be a finite number", number)
    return number


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


def band(value: object, field: str = "neutral_band") -> float:
    """A neutral band: a finite number in [0, 1].

    Example:
        >>> band(0.05)
        0.05
    """
    number = real(value, field)
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError.single(field, "must be between 0 and 1", number)
    return number


def weights(value: object, field: str) -> dict[str, float]:
    """``value`` as a ``{word: weight}`` dict: a mapping of non-blank str keys to finite
    numbers (``None`` is empty); a problem names ``field`` or ``field.<key>``.

    Example:
        >>> weights({"LABEL_0": -1}, "labels")
        {'LABEL_0': -1.0}
        >>> try:
        ...     weights({"ok": "x"}, "extra")
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('extra.ok',)
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError.single(
            field,
            f"must be a mapping of str to numbers, not of type {type(value).__name__}",
            _shown(value),
        )
    out: dict[str, float] = {}
    for key, weight in value.items():
        if not isinstance(key, str):
            raise InvalidInputError.single(
                f"{field}.{_short_key(key)}",
                f"keys must be str, not of type {type(key).__name__}",
                _shown(key),
            )
        if not key.strip():
            raise InvalidInputError.single(field, "keys must not be blank", key)
        out[key] = real(weight, f"{field}.{_short_key(key)}")
    return out


def _short_key(key: object) -> str:
    text = key if isinstance(key, str) else type(key).__name__
    return text if len(text) <= 40 else text[:37] + "..."
