"""Argument checks of the webhook helpers: a value of the wrong type is an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter (a payload that is
not well-formed stays a :class:`~smmkit.exceptions.MalformedPayloadError`)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from smmkit.exceptions import InvalidInputError

__all__ = ["require_bytes", "require_int", "require_secret", "require_str"]


def require_str(value: Any, field: str) -> str:
    """``value`` if it is a ``str`` UTF-8 can encode.

    Example:
        >>> require_str(b"1", "timestamp")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: timestamp: must be a str (got 'bytes')
    """
    if not isinstance(value, str):
        raise InvalidInputError.single(field, "must be a str", type(value).__name__)
    _encodable(value, field)
    return value


def require_secret(value: Any, field: str) -> str:
    """The text of a secret given as a ``str`` or a ``SecretStr``; the error never shows it."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(text, str):
        raise InvalidInputError.single(field, "must be a str or a SecretStr", type(value).__name__)
    _encodable(text, field, show=False)
    return text


def require_bytes(value: Any, field: str) -> bytes:
    """``value`` as ``bytes`` if it is bytes-like."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise InvalidInputError.single(field, "must be bytes", type(value).__name__)
    return bytes(value)


def require_int(value: Any, field: str, low: int, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError.single(field, "must be an int", type(value).__name__)
    if value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise InvalidInputError.single(field, f"must be {span}", value)
    return value


def _encodable(text: str, field: str, *, show: bool = True) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problem = "must be valid Unicode (a lone surrogate has no UTF-8 form)"
        raise InvalidInputError.single(field, problem, text if show else None) from None
