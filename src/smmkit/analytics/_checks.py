"""Argument checks of the public analytics callables: a value of the wrong type or shape is
an :class:`~smmkit.exceptions.InvalidInputError` naming the parameter (and the item), never
a ``TypeError``, ``AttributeError``, ``KeyError`` or ``MemoryError`` from deep inside.

The checks look at a container once (its type), not at every element in the loops that
already check elements or where a per-element check would cost; callables that take
elements of unchecked types check them one by one (cheap next to the work per element).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from smmkit.analytics._exact import is_number
from smmkit.exceptions import InvalidInputError

__all__ = [
    "require_bool",
    "require_callable",
    "require_choice",
    "require_int",
    "require_items",
    "require_mapping",
    "require_number",
    "require_str",
    "require_str_items",
    "require_timedelta",
    "optional_mapping",
    "optional_str",
]

T = TypeVar("T")

#: containers that iterate but are not a list of items: text, raw bytes, a mapping's keys
_NOT_A_LIST = (str, bytes, bytearray, memoryview, Mapping)


def require_items(value: object, field: str, what: str) -> Iterable[Any]:
    """``value`` unchanged if it is an iterable of items (not text, bytes or a mapping).

    Only the container is checked (it is not consumed): a generator stays lazy.

    Example:
        >>> require_items([1, 2], "data", "journeys")
        [1, 2]
        >>> require_items(None, "data", "journeys")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: data: must be an iterable of journeys (got 'NoneType')
    """
    if isinstance(value, _NOT_A_LIST) or not isinstance(value, Iterable):
        raise InvalidInputError.single(
            field, f"must be an iterable of {what}", type(value).__name__
        )
    return value


def require_str_items(value: object, field: str, *, empty: bool = True) -> tuple[str, ...]:
    """``value`` as a tuple of ``str`` (each checked; ``empty=False`` refuses ``""`` items).

    Example:
        >>> require_str_items(["a", "b"], "path")
        ('a', 'b')
        >>> require_str_items(["a", 3], "path")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: path.1: must be a str (got 'int')
    """
    items = tuple(require_items(value, field, "str"))
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidInputError.single(f"{field}.{index}", "must be a str", type(item).__name__)
        if not empty and not item:
            raise InvalidInputError.single(f"{field}.{index}", "must be a non-empty str", item)
    return items


def require_mapping(value: object, field: str, what: str = "") -> Mapping[Any, Any]:
    """``value`` unchanged if it is a mapping.

    Example:
        >>> require_mapping(b"x", "reported", "field -> count")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: reported: must be a mapping (field -> count) ...
    """
    if not isinstance(value, Mapping):
        shape = f" ({what})" if what else ""
        raise InvalidInputError.single(field, f"must be a mapping{shape}", type(value).__name__)
    return value


def optional_mapping(value: object, field: str, what: str = "") -> Mapping[Any, Any] | None:
    """``value`` if it is ``None`` or a mapping."""
    return None if value is None else require_mapping(value, field, what)


def require_str(value: object, field: str, *, empty: bool = True) -> str:
    """``value`` if it is a ``str`` (``empty=False``: with a non-blank character).

    Example:
        >>> require_str("", "base_name", empty=False)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: base_name: must be a non-blank str (got '')
    """
    if not isinstance(value, str):
        raise InvalidInputError.single(field, "must be a str", type(value).__name__)
    if not empty and not value.strip():
        raise InvalidInputError.single(field, "must be a non-blank str", value)
    return value


def optional_str(value: object, field: str) -> str | None:
    """``value`` if it is ``None`` or a ``str``."""
    return None if value is None else require_str(value, field)


def require_bool(value: object, field: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (not a number or a string that reads as one)."""
    if not isinstance(value, bool):
        raise InvalidInputError.single(field, "must be True or False", type(value).__name__)
    return value


def require_int(
    value: object, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) in ``minimum..maximum``.

    Example:
        >>> require_int(2**40, "n", minimum=1, maximum=1_000_000)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: n: must be an integer from 1 to 1000000 ...
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError.single(field, "must be an integer", type(value).__name__)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            problem = f"must be an integer >= {minimum}"
        elif minimum is None:
            problem = f"must be an integer <= {maximum}"
        else:
            problem = f"must be an integer from {minimum} to {maximum}"
        raise InvalidInputError.single(field, problem, value)
    return value


def require_number(
    value: object,
    field: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
) -> float:
    """``value`` as a finite float (any real or Decimal, not a bool), within the bounds.

    ``minimum``/``maximum`` are inclusive, ``above`` is exclusive.

    Example:
        >>> require_number(float("nan"), "stall_rate")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: stall_rate: must be a finite number (got nan)
        >>> require_number(1, "budget_ratio", above=1)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: budget_ratio: must be greater than 1 (got 1)
    """
    if not is_number(value):
        raise InvalidInputError.single(field, "must be a number", type(value).__name__)
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int or Fraction too large for a float
        number = math.inf
    except ValueError:  # a signalling Decimal NaN
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInputError.single(field, "must be a finite number", value)
    if above is not None and not number > above:
        raise InvalidInputError.single(field, f"must be greater than {above:g}", value)
    if minimum is not None and number < minimum:
        raise InvalidInputError.single(field, f"must be >= {minimum:g}", value)
    if maximum is not None and number > maximum:
        raise InvalidInputError.single(field, f"must be <= {maximum:g}", value)
    return number


def require_timedelta(value: object, field: str, *, positive: bool = False) -> timedelta:
    """``value`` if it is a ``timedelta`` that is >= 0 (``positive=True``: > 0)."""
    if not isinstance(value, timedelta):
        raise InvalidInputError.single(field, "must be a timedelta", type(value).__name__)
    if value < timedelta(0) or (positive and not value):
        raise InvalidInputError.single(
            field, "must be a positive timedelta" if positive else "must be >= 0", value
        )
    return value


def require_choice(value: object, field: str, choices: tuple[T, ...]) -> T:
    """``value`` if it is one of ``choices`` (compared by equality, never hashed)."""
    for choice in choices:
        if isinstance(value, type(choice)) and value == choice:
            return choice
    known = ", ".join(repr(c) for c in choices)
    raise InvalidInputError.single(field, f"must be one of {known}", value)


def require_callable(value: object, field: str) -> Any:
    """``value`` if it can be called."""
    if not callable(value):
        raise InvalidInputError.single(field, "must be callable", type(value).__name__)
    return value
