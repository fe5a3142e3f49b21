"""Argument checks of the content functions: the wrong type is an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter (and the item),
never a ``TypeError`` or ``AttributeError`` from deep inside."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smmkit.catalog import PlatformLike
from smmkit.exceptions import InvalidInputError
from smmkit.models.platform import Platform

__all__ = ["platform_list", "str_tuple"]


def _items(values: object, field: str, what: str) -> list[object]:
    if isinstance(values, (str, bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise InvalidInputError.single(field, f"must be a list of {what}", type(values).__name__)
    return list(values)


def platform_list(platforms: object, field: str = "platforms") -> list[PlatformLike]:
    """``platforms`` as a list of ids and specs.

    Example:
        >>> platform_list(("x", "weibo"))
        ['x', 'weibo']
        >>> platform_list("weibo")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: platforms: must be a list of ... (got 'str')
    """
    items = _items(platforms, field, "platform ids or specs")
    for i, item in enumerate(items):
        if not isinstance(item, (str, Platform)):
            raise InvalidInputError.single(
                f"{field}.{i}", "must be a platform id or a Platform spec", type(item).__name__
            )
    return items  # type: ignore[return-value]


def str_tuple(values: object, field: str) -> tuple[str, ...]:
    """``values`` as a tuple of ``str``."""
    items = _items(values, field, "str")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidInputError.single(f"{field}.{i}", "must be a str", type(item).__name__)
    return tuple(items)  # type: ignore[arg-type]
