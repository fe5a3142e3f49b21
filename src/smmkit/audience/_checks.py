"""Argument checks of the audience and strategy entry points.

A value of the wrong Python type is an :class:`~smmkit.exceptions.InvalidInputError`
naming the parameter (and the item: ``stages.1``), never a ``TypeError``,
``AttributeError`` or bare ``ValueError`` from deep inside. Containers are checked once,
not per element, where the element checks belong to a hot path (the segmentation
engines check their columns themselves, in C-level passes).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Set
from enum import Enum
from typing import Any, TypeVar

from smmkit.exceptions import InvalidInputError

__all__ = [
    "column",
    "enum_member",
    "enum_members",
    "instance_of",
    "integer",
    "items_of",
    "iterable",
    "optional_mapping",
    "optional_text",
    "shown",
    "text",
]

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

_NOT_A_COLLECTION = (str, bytes, bytearray, memoryview, Mapping)


def shown(value: object) -> object:
    """``value`` when it is a short scalar worth echoing, else its type's name."""
    return value if isinstance(value, (str, int, float)) else type(value).__name__


def _kind(value: object) -> str:
    return type(value).__name__


def instance_of(value: object, cls: type[T], field: str, what: str | None = None) -> T:
    """``value`` when it is a ``cls``, else an error naming ``field``.

    Example:
        >>> instance_of(3, int, "limit")
        3
        >>> instance_of({}, int, "limit")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: limit: must be an int, not of type dict (got 'dict')
    """
    if not isinstance(value, cls):
        name = what or _article(cls.__name__)
        raise InvalidInputError.single(
            field, f"must be {name}, not of type {_kind(value)}", shown(value)
        )
    return value


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def iterable(values: object, field: str, what: str) -> Iterable[Any]:
    """``values`` when it is an iterable of items (not a string, bytes or a mapping).

    The items are not looked at and the iterable is not consumed: a stream stays a stream.

    Example:
        >>> iterable([1, 2], "users", "users")
        [1, 2]
        >>> iterable("u1", "users", "users")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: users: must be an iterable of users, not ... str ...
    """
    if isinstance(values, _NOT_A_COLLECTION) or not isinstance(values, Iterable):
        hint = " (wrap a single one in a list)" if not isinstance(values, Mapping) else ""
        raise InvalidInputError.single(
            field,
            f"must be an iterable of {what}, not of type {_kind(values)}{hint}",
            shown(values),
        )
    return values


def items_of(values: object, cls: type[T], field: str, what: str | None = None) -> list[T]:
    """``values`` as a list of ``cls``: the container is checked, then each item
    (``field.<index>`` names the first wrong one).

    Example:
        >>> items_of((1, 2), int, "weights")
        [1, 2]
        >>> try:
        ...     items_of([1, "2"], int, "weights")
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('weights.1',)
    """
    name = what or f"{cls.__name__} values"
    out = list(iterable(values, field, name))
    for i, item in enumerate(out):
        instance_of(item, cls, f"{field}.{i}")
    return out


def column(values: object, field: str) -> Any:
    """``values`` when it can be a column: sized, ordered, one-dimensional.

    Lists, tuples, ranges and NumPy arrays are; a string, bytes, a mapping, a set (no
    order to align with the other columns) or a 2-D array is not. Elements are not
    looked at.

    Example:
        >>> column(["u1", "u2"], "user_ids")
        ['u1', 'u2']
        >>> column("u1", "user_ids")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: user_ids: must be a column ... not of type str ...
    """
    ok = (
        not isinstance(values, (*_NOT_A_COLLECTION, Set))
        and isinstance(values, Iterable)
        and hasattr(values, "__len__")
    )
    if ok:
        ndim = getattr(values, "ndim", 1)
        if ndim != 1:
            raise InvalidInputError.single(field, "must be a one-dimensional column", ndim)
        return values
    raise InvalidInputError.single(
        field,
        f"must be a column (a list, tuple or 1-D array of values), not of type {_kind(values)}",
        shown(values),
    )


def integer(value: object, field: str, *, minimum: int | None = None) -> int:
    """``value`` as an int (ints and NumPy integers; not a bool, a float or a str).

    Example:
        >>> integer(3, "limit", minimum=1)
        3
        >>> integer(0, "limit", minimum=1)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: limit: must be at least 1 (got 0)
    """
    if isinstance(value, bool):
        raise InvalidInputError.single(field, "must be an integer, not a bool", value)
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidInputError.single(
            field, f"must be an integer, not of type {_kind(value)}", shown(value)
        ) from None
    if minimum is not None and number < minimum:
        raise InvalidInputError.single(field, f"must be at least {minimum}", number)
    return number


def text(value: object, field: str) -> str:
    """``value`` when it is a ``str``.

    Example:
        >>> text(b"tea", "word")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: word: must be a str, not of type bytes (got 'bytes')
    """
    return instance_of(value, str, field, "a str")


def optional_text(value: object, field: str) -> str | None:
    """``value`` when it is a ``str`` or ``None``.

    Example:
        >>> optional_text(None, "topic") is None
        True
    """
    return None if value is None else text(value, field)


def optional_mapping(value: object, field: str) -> Mapping[Any, Any]:
    """``value`` when it is a mapping; ``{}`` for ``None``.

    Example:
        >>> optional_mapping(None, "overrides")
        {}
    """
    if value is None:
        return {}
    return instance_of(value, Mapping, field, "a mapping (or None)")  # type: ignore[type-abstract]


def enum_member(enum_type: type[E], value: object, field: str) -> E:
    """``enum_type(value)``; anything else is an error listing the allowed values.

    Example:
        >>> from smmkit.models import LifecycleStage
        >>> enum_member(LifecycleStage, "loyal", "stage").value
        'loyal'
        >>> enum_member(LifecycleStage, "tea", "stage")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: stage: must be one of: new, ... (got 'tea')
    """
    try:
        return enum_type(value)
    except (ValueError, TypeError):
        allowed = ", ".join(str(m.value) for m in enum_type)
        raise InvalidInputError.single(field, f"must be one of: {allowed}", shown(value)) from None


def enum_members(enum_type: type[E], values: object, field: str) -> tuple[E, ...]:
    """Each item of ``values`` as an ``enum_type`` member (``field.<index>`` names a bad one);
    a lone value (a string) is refused, so ``"loyal"`` is not read as five letters.

    Example:
        >>> from smmkit.models import LifecycleStage
        >>> [s.value for s in enum_members(LifecycleStage, ["new", "loyal"], "stages")]
        ['new', 'loyal']
        >>> try:
        ...     enum_members(LifecycleStage, ["new", "tea"], "stages")
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('stages.1',)
    """
    items = iterable(values, field, f"{enum_type.__name__} values")
    return tuple(enum_member(enum_type, v, f"{field}.{i}") for i, v in enumerate(items))
