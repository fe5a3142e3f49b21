"""Turning a caller's string into one of the strategy enums, or an error naming the field."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from smmkit.exceptions import InvalidInputError

__all__ = ["coerce_enum"]

_E = TypeVar("_E", bound=Enum)


def coerce_enum(enum_type: type[_E], value: object, field: str) -> _E:
    """``enum_type(value)``; an unknown value is an input error listing the allowed ones."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise InvalidInputError.single(field, f"must be one of: {allowed}", value) from None
