"""Turning a caller's value into a strategy enum or a Money, or an error naming the field."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from smmkit.exceptions import FieldProblem, InvalidInputError
from smmkit.models import Money

__all__ = ["coerce_enum", "coerce_money"]

_E = TypeVar("_E", bound=Enum)


def coerce_enum(enum_type: type[_E], value: object, field: str) -> _E:
    """``enum_type(value)``; an unknown value is an input error listing the allowed ones."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise InvalidInputError.single(field, f"must be one of: {allowed}", value) from None


def coerce_money(value: object, field: str) -> Money:
    """``value`` as a :class:`Money` (a Money or its fields); problems named under ``field``."""
    if isinstance(value, Money):
        return value
    try:
        return Money.model_validate(value)
    except InvalidInputError as exc:
        problems = [
            FieldProblem(field if p.field == "input" else f"{field}.{p.field}", p.problem, p.value)
            for p in exc.problems
        ]
        raise InvalidInputError(problems) from None
