"""Every public pydantic model, fed field values shaped by its annotations or malformed.

A model either refuses with :class:`~smmkit.exceptions.InvalidInputError` (naming
fields) or returns an instance that round-trips through ``model_dump`` and holds no
naive datetime anywhere.
"""

from __future__ import annotations

import math
import typing
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from tests.properties._support import (
    REFUSED,
    anything,
    attempt,
    covers,
    fast,
    model_kwargs,
    public_objects,
)

from smmkit.exceptions import InvalidInputError, SmmkitError

MODELS = public_objects(lambda o: isinstance(o, type) and issubclass(o, BaseModel))

NAMES = {model: name for name, model in MODELS}

#: inputs that were once refused naming "input" instead of the field: each is tried first,
#: and must be refused naming the field
REGRESSIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "smmkit.crisis.DetectionConfig": ("window", {"window": timedelta(0)}),
    "smmkit.models.MediaLimits": ("sweet_spot_seconds", {"sweet_spot_seconds": (1.0, 0)}),
}


def _opaque(annotation: object) -> bool:
    """A field typed ``Any`` (or a type variable) holds a payload, not a smmkit value."""
    if annotation is Any or isinstance(annotation, TypeVar):
        return True
    return any(_opaque(arg) for arg in typing.get_args(annotation))


def _naive_datetimes(value: object, path: str = "") -> list[str]:
    """Paths of naive datetimes in ``value``'s typed fields (payloads typed Any aside)."""
    if isinstance(value, datetime):
        return [path] if value.tzinfo is None or value.utcoffset() is None else []
    if isinstance(value, BaseModel):
        return [
            p
            for name, info in type(value).model_fields.items()
            if not _opaque(info.annotation)
            for p in _naive_datetimes(getattr(value, name), f"{path}.{name}")
        ]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _naive_datetimes(v, f"{path}.{k}")]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [p for i, v in enumerate(value) for p in _naive_datetimes(v, f"{path}.{i}")]
    return []


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_nan(v) for v in value)
    return False


def _params() -> list[Any]:
    return [pytest.param(model, id=name) for name, model in MODELS]


def _check_fields(model: type[BaseModel], kwargs: dict[str, Any]) -> None:
    """Build ``model`` from ``kwargs``: a refusal names fields, a value round-trips."""
    made = attempt(model, **kwargs)
    if made is REFUSED:
        error = _error_of(model, kwargs)
        if isinstance(error, InvalidInputError):
            # Field by field input: each problem names its field, never the whole "input".
            assert "input" not in error.fields, str(error)
        return
    assert type(made) is model
    assert _naive_datetimes(made) == [], "a model kept a naive datetime"
    dumped = made.model_dump()
    if not _has_nan(dumped):  # NaN != NaN: equality cannot show a round trip
        assert model.model_validate(dumped) == made


def _error_of(model: type[BaseModel], kwargs: dict[str, Any]) -> SmmkitError | None:
    try:
        model(**kwargs)
    except SmmkitError as exc:
        return exc
    return None


@pytest.mark.parametrize("model", _params())
@fast(12)
@given(data=st.data())
@covers(*(name for name, _ in MODELS))
def test_models_refuse_with_typed_errors_or_round_trip(
    model: type[BaseModel], data: st.DataObject
) -> None:
    name = NAMES[model]
    if name in REGRESSIONS:
        field, kwargs = REGRESSIONS[name]
        error = _error_of(model, kwargs)  # the recorded input, first
        assert isinstance(error, InvalidInputError) and error.fields == (field,), error
    _check_fields(model, data.draw(model_kwargs(model), label="fields"))


@pytest.mark.parametrize("model", _params())
@fast(4)
@given(value=anything)
@covers(*(name for name, _ in MODELS))
def test_models_refuse_a_malformed_whole_input(model: type[BaseModel], value: object) -> None:
    made = attempt(model.model_validate, value)
    assert made is REFUSED or type(made) is model
