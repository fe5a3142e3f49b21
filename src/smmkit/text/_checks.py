"""Argument checks shared by the public text functions: the wrong type is an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter, never a
``TypeError`` or ``AttributeError`` from deep inside."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from smmkit.exceptions import InvalidInputError
from smmkit.models.platform import Platform

__all__ = [
    "optional_mapping",
    "optional_text",
    "require_limit",
    "require_ratio",
    "require_spec",
    "require_text",
]

_SURROGATE = re.compile("[\ud800-\udfff]")


def require_text(value: object, field: str = "text") -> str:
    """``value`` if it is a ``str`` that UTF-8 can encode.

    A lone surrogate (``"\\ud800"``) is a ``str`` no platform can receive: it has no
    UTF-8 form, so byte counts and facets cannot exist for it. The models refuse it
    too (``ContentPiece(body="\\ud800")``).

    Example:
        >>> require_text(b"tea")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: text: must be a str (got 'bytes')
        >>> require_text("a\\udc80")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: text: must be valid Unicode: ... (got '\\udc80' at 1)
    """
    if not isinstance(value, str):
        raise InvalidInputError.single(field, "must be a str", type(value).__name__)
    if not value.isascii():
        found = _SURROGATE.search(value)
        if found is not None:
            raise InvalidInputError.single(
                field,
                "must be valid Unicode: a lone surrogate has no UTF-8 form",
                _At(found.group(), found.start()),
            )
    return value


class _At:
    """A character and its offset, shown as ``'\\udc80' at 1``."""

    def __init__(self, char: str, offset: int) -> None:
        self.char, self.offset = char, offset

    def __repr__(self) -> str:
        return f"{self.char!r} at {self.offset}"


def require_spec(value: object, field: str = "spec") -> Platform:
    """``value`` if it is a :class:`~smmkit.models.Platform` spec."""
    if not isinstance(value, Platform):
        raise InvalidInputError.single(
            field,
            "must be a Platform spec (smmkit.catalog.get_platform_spec)",
            type(value).__name__,
        )
    return value


def require_limit(value: object, field: str = "limit") -> int | None:
    """``value`` if it is ``None`` or an int >= 0 (not a bool)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError.single(field, "must be an int or None", type(value).__name__)
    if value < 0:
        raise InvalidInputError.single(field, "must be >= 0", value)
    return value


def optional_text(value: object, field: str) -> str | None:
    """``value`` if it is ``None`` or a ``str``."""
    return None if value is None else require_text(value, field)


def optional_mapping(value: object, field: str) -> Mapping[Any, Any]:
    """``value`` if it is a mapping, ``{}`` for ``None``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError.single(field, "must be a mapping or None", type(value).__name__)
    return value


def require_ratio(value: object, field: str = "min_ratio") -> float:
    """``value`` if it is a number from 0 to 1 (NaN is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError.single(field, "must be a number", type(value).__name__)
    if not 0 <= value <= 1:
        raise InvalidInputError.single(field, "must be between 0 and 1", value)
    return float(value)
