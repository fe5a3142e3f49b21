"""Shared base for smmkit's domain values.

Models are values: frozen, ``extra="forbid"``, tuples rather than lists, aware
datetimes only. Validation failures surface as :class:`smmkit.exceptions.InvalidInputError`
(a ``ValueError``) whose problems name each field, so callers catch one hierarchy.
"""

from __future__ import annotations

import math
import numbers
import sys
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
    "IsoDate",
    "PlatformId",
    "SmmkitModel",
    "as_utc",
    "require_aware",
    "translate_validation_error",
]

_UNKNOWN_PLATFORM = "unknown_platform"


LONE_SURROGATE = (
    "must be valid Unicode: a lone surrogate has no UTF-8 form"
    " (repair the text, e.g. text.encode('utf-8', 'replace').decode())"
)


def _printable(part: object) -> str:
    """A part of a field path that prints anywhere: a dict key may hold a surrogate."""
    text = str(part)
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode()


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
        loc = ".".join(_printable(p) for p in err["loc"] if p != "[key]") or "input"
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
        elif isinstance(value, int) and value.bit_length() > 64:
            # repr() of a huge int is long, and past 4300 digits it raises ValueError.
            shown = f"an int of about {int(value.bit_length() * math.log10(2)) + 1} digits"
        elif isinstance(value, (str, int, float, bool, date)) or value is None:
            text = repr(value)
            shown = text if len(text) <= 60 else text[:57] + "..."
        else:
            shown = type(value).__name__
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "string_unicode":
            message = LONE_SURROGATE
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
        # A bound no text reaches: with it pydantic-core reads every str of the model as
        # UTF-8 (in Rust, at no cost for ASCII), so a lone surrogate ("\ud800") is
        # refused in every text field, tuple item and dict key, naming where it is.
        str_max_length=sys.maxsize,
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


def _is_number(value: object) -> bool:
    """A number, or text or bytes that read as one (``"1767225600"``, ``b"0"``)."""
    if isinstance(value, (bytes, bytearray)):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return False
    if isinstance(value, str):
        text = value.strip().lstrip("+-")
        return bool(text) and text.replace(".", "", 1).isdigit()
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _no_epoch_number(value: object) -> object:
    # pydantic reads 1767225600 as seconds and 1767225600000 as milliseconds, guessing
    # by size, "0" as 1970-01-01 and "20260101" as a time in August 1970; a time
    # should say what it is.
    if isinstance(value, datetime):
        return value  # the common case, first
    if _is_number(value):
        raise PydanticCustomError(
            "epoch_number",
            "must be a datetime or an ISO 8601 string, not a number: seconds and "
            "milliseconds since the epoch look alike; convert with "
            "datetime.fromtimestamp(seconds, timezone.utc)",
        )
    if isinstance(value, (bytes, bytearray)):
        raise PydanticCustomError("datetime_type", "must be a datetime or an ISO 8601 string")
    return value


def _no_number_date(value: object) -> object:
    # pydantic reads 0 and "0" as 1970-01-01 and 1767225600 as 2026-01-01.
    if isinstance(value, date):
        return value
    if _is_number(value):
        raise PydanticCustomError(
            "epoch_number",
            "must be a date or an ISO 8601 string (2026-01-31), not a number",
        )
    if isinstance(value, (bytes, bytearray)):
        raise PydanticCustomError("date_type", "must be a date or an ISO 8601 string")
    return value


AwareDatetime = Annotated[
    datetime, BeforeValidator(_no_epoch_number), AfterValidator(_require_aware)
]
"""A datetime that must carry a time zone; its zone is kept as given.

Given as a datetime or ISO 8601 text, never a number: pydantic alone would read
``0`` or ``"0"`` as 1970-01-01 and guess seconds or milliseconds by size.

Example:
    >>> from smmkit.models import CrisisEvent
    >>> try:
    ...     CrisisEvent(at="0", what="detected")
    ... except InvalidInputError as exc:
    ...     print(exc.fields)
    ('at',)
"""

EventDatetime = AwareDatetime
"""An aware datetime of an event, given as a datetime or ISO 8601 text, never a number
(the same as :data:`AwareDatetime`, which now refuses numbers too)."""

IsoDate = Annotated[date, BeforeValidator(_no_number_date)]
"""A date given as a date or ISO 8601 text (``2026-01-31``), never a number."""


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
    aware = require_aware(
        value, "value", "must be a timezone-aware datetime (naive datetimes are ambiguous)"
    )
    try:
        return aware.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01 00:00+01:00 is before year 1 in UTC
        raise InvalidInputError.single(
            "value", "is outside the range of datetime once in UTC", aware.isoformat()
        ) from None


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
