"""Shared base for smmkit's domain values.

Models are values: frozen, ``extra="forbid"``, tuples rather than lists, aware
datetimes only. Validation failures surface as :class:`smmkit.exceptions.InvalidInputError`
(a ``ValueError``) whose problems name each field, so callers catch one hierarchy.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict
from typing_extensions import Self

from smmkit.exceptions import FieldProblem, InvalidInputError

__all__ = [
    "AwareDatetime",
    "SmmkitModel",
    "as_utc",
    "require_aware",
    "translate_validation_error",
]


def translate_validation_error(
    exc: pydantic.ValidationError, model: str | None = None
) -> InvalidInputError:
    """Turn pydantic's error into smmkit's, keeping every problem and its field path.

    Example:
        >>> from smmkit.models import Goal
        >>> try:
        ...     Goal.model_validate({"objective": "fame"})
        ... except InvalidInputError as exc:
        ...     "objective" in exc.fields
        True
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        value = err.get("input")
        shown: str | None
        if isinstance(value, (str, int, float, bool, datetime)) or value is None:
            text = repr(value)
            shown = text if len(text) <= 60 else text[:57] + "..."
        else:
            shown = type(value).__name__
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        problems.append(FieldProblem(loc, message, shown))
    return InvalidInputError(problems, model=model or exc.title)


class SmmkitModel(BaseModel):
    """Base class of every smmkit value: frozen, strict about unknown fields.

    Validation errors are raised as :class:`~smmkit.exceptions.InvalidInputError`.

    Example:
        >>> from smmkit.models import KPI
        >>> KPI(name="leads", target=100, unit="count").target
        100.0
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=False,
        validate_default=True,
        use_enum_values=False,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise translate_validation_error(exc, type(self).__name__) from None

    # Tell pydantic this __init__ only wraps the base one, so validation of nested
    # models and model_validate() do not route through it (errors are translated once).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as exc:
            raise translate_validation_error(exc, cls.__name__) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except pydantic.ValidationError as exc:
            raise translate_validation_error(exc, cls.__name__) from None


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("must be timezone-aware (naive datetimes are ambiguous)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]
"""A datetime that must carry a time zone; its zone is kept as given."""


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive datetime is an error, never guessed.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> as_utc(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))).hour
        0
    """
    _require_aware(value)
    return value.astimezone(timezone.utc)


def require_aware(
    value: object, field: str, problem: str = "must be a timezone-aware datetime"
) -> datetime:
    """``value`` unchanged if it is an aware datetime, else an InvalidInputError naming ``field``.

    Example:
        >>> from datetime import datetime, timezone
        >>> require_aware(datetime(2026, 1, 1, tzinfo=timezone.utc), "now").year
        2026
    """
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError.single(field, problem, value)
    return value
