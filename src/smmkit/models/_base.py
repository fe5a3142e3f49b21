"""Shared base for smmkit's domain values.

Models are values: frozen, ``extra="forbid"``, tuples rather than lists, aware
datetimes only. Validation failures surface as :class:`smmkit.exceptions.InvalidInputError`
(a ``ValueError``) whose problems name each field, so callers catch one hierarchy.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from smmkit.exceptions import FieldProblem, InvalidInputError, UnknownPlatformError

__all__ = [
    "AwareDatetime",
    "EventDatetime",
    "FieldValueError",
    "PlatformId",
    "SmmkitModel",
    "as_utc",
    "require_aware",
    "translate_validation_error",
]

_UNKNOWN_PLATFORM = "unknown_platform"


class FieldValueError(ValueError):
    """A cross-field rule broken, raised in a model validator, naming the field it is about.

    pydantic reports a model validator's ``ValueError`` against the whole model
    (``input``); raise this instead and the :class:`~smmkit.exceptions.InvalidInputError`
    names ``field`` (under the model's own path when it is nested).

    Example:
        >>> from pydantic import model_validator
        >>> class Span(SmmkitModel):
        ...     low: int
        ...     high: int
        ...     @model_validator(mode="after")
        ...     def _ordered(self) -> "Span":
        ...         if self.high < self.low:
        ...             raise FieldValueError("high", f"must be >= low ({self.low})", self.high)
        ...         return self
        >>> try:
        ...     Span(low=3, high=1)
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0])
        high: must be >= low (3) (got 1)
    """

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


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
    unknown: tuple[str, str] | None = None  # (field, id) of the first unknown platform id
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        if err["type"] == _UNKNOWN_PLATFORM and unknown is None:
            unknown = (loc, str(err.get("input")))
            continue
        value = err.get("input")
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldValueError):
            loc = ".".join([*(str(p) for p in err["loc"]), cause.field])
            value = cause.value
        shown: str | None
        if isinstance(cause, FieldValueError) and value is None:
            shown = None
        elif isinstance(value, (str, int, float, bool, date)) or value is None:
            text = repr(value)
            shown = text if len(text) <= 60 else text[:57] + "..."
        else:
            shown = type(value).__name__
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        problems.append(FieldProblem(loc, message, shown))
    if unknown is not None:
        # The same typed error as the catalog gives: it lists the ids that are known.
        from smmkit.catalog import known_platform_ids

        return UnknownPlatformError(
            unknown[1],
            known_platform_ids(),
            field=unknown[0],
            also=problems,
            model=model or exc.title,
        )
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


def _no_epoch_number(value: object) -> object:
    # pydantic reads 1767225600 as seconds and 1767225600000 as milliseconds, guessing
    # by size; an event time should say what it is.
    text = value.strip() if isinstance(value, str) else None
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
        text and text.lstrip("+-").replace(".", "", 1).isdigit()
    ):
        raise PydanticCustomError(
            "epoch_number",
            "must be a datetime or an ISO 8601 string, not a number: seconds and "
            "milliseconds since the epoch look alike; convert with "
            "datetime.fromtimestamp(seconds, timezone.utc)",
        )
    return value


EventDatetime = Annotated[
    datetime, BeforeValidator(_no_epoch_number), AfterValidator(_require_aware)
]
"""An aware datetime of an event, given as a datetime or ISO 8601 text, never a number."""


def _known_platform(value: str) -> str:
    # Imported here: smmkit.catalog imports the models, so a module-level import would
    # be circular. After the first call this is a dictionary lookup.
    from smmkit.catalog import is_known_platform

    if not is_known_platform(value):
        raise PydanticCustomError(_UNKNOWN_PLATFORM, "unknown platform id")
    return value


PlatformId = Annotated[str, AfterValidator(_known_platform)]
"""A platform id that :func:`smmkit.catalog.is_known_platform` accepts.

A model field of this type raises :class:`~smmkit.exceptions.UnknownPlatformError`
(naming the field and listing the known ids) for any other id.

Example:
    >>> from smmkit.models import MetricObservation
    >>> from datetime import date, datetime, timezone
    >>> try:
    ...     MetricObservation(metric="leads", value=1, platform="myspace",
    ...                       period_start=datetime(2026, 1, 1, tzinfo=timezone.utc),
    ...                       period_end=datetime(2026, 1, 2, tzinfo=timezone.utc))
    ... except UnknownPlatformError as exc:
    ...     print(exc.fields, "weibo" in exc.known)
    ('platform',) True
"""


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
        >>> from datetime import date, datetime, timezone
        >>> require_aware(datetime(2026, 1, 1, tzinfo=timezone.utc), "now").year
        2026
    """
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError.single(field, problem, value)
    return value
