"""Domain models: frozen, strict, aware datetimes, JSON round-trip, typed errors."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import smmkit
from smmkit.exceptions import InvalidInputError
from smmkit.models import (
    KPI,
    ContentPiece,
    Conversion,
    Creator,
    Crisis,
    Goal,
    Interaction,
    Journey,
    MediaAsset,
    Mention,
    MetricObservation,
    Money,
    Period,
    PlatformPost,
    SmmkitModel,
    Touchpoint,
    User,
)

UTC = timezone.utc
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _goal(**kw: Any) -> Goal:
    data: dict[str, Any] = {
        "objective": "acquisition",
        "business_model": "b2b",
        "owner": "growth",
        "period": {"start": "2026-01-01", "end": "2026-03-31"},
        "kpis": [{"name": "leads", "target": 300, "unit": "count"}],
    }
    data.update(kw)
    return Goal.model_validate(data)


EXAMPLES: list[SmmkitModel] = [
    _goal(),
    Money(amount=Decimal("12.30"), currency="cny"),
    ContentPiece(
        id="p1",
        title="t",
        body="b",
        media=[MediaAsset(kind="video", url="https://cdn.example/a.mp4", duration_seconds=20.5)],
        source="ugc",
        creator=Creator(name="Lin"),
        tags=["茶"],
    ),
    PlatformPost(
        platform="bluesky",
        piece_id="p1",
        body="hi #tea",
        extras={
            "facets": [
                {
                    "index": {"byteStart": 3, "byteEnd": 7},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tea"}],
                }
            ],
            "langs": ["en"],
        },
    ),
    PlatformPost(platform="x", piece_id="p2", body="hi", extras={"media_ids": ["1", "2"]}),
    User(id="u1", joined_at=T0, attributes={"city": "上海"}),
    Interaction(user_id="u1", kind="order", at=T0, value=Decimal("39.90")),
    Mention(id="m1", platform="weibo", text="过敏了", at=T0),
    Crisis(id="c1", topic="allergy", severity="minor", detected_at=T0),
    MetricObservation(
        metric="impressions", value=10, platform="x", period_start=T0, period_end=T0 + timedelta(1)
    ),
    Journey(
        user_id="u1",
        touchpoints=[Touchpoint(channel="zhihu", at=T0)],
        conversions=[Conversion(at=T0 + timedelta(hours=1), value=Decimal("99"))],
    ),
    smmkit.get_platform_spec("bluesky"),
]


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_json_round_trip(value: SmmkitModel) -> None:
    again = type(value).model_validate_json(value.model_dump_json())
    assert again == value


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_json_schema_is_valid_json(value: SmmkitModel) -> None:
    schema = type(value).model_json_schema()
    assert schema["type"] == "object"
    json.dumps(schema)


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_frozen(value: SmmkitModel) -> None:
    field = next(iter(type(value).model_fields))
    with pytest.raises(Exception, match="frozen"):
        setattr(value, field, None)


def test_extra_fields_are_refused() -> None:
    with pytest.raises(InvalidInputError) as info:
        KPI(name="x", target=1, unit="count", colour="red")  # type: ignore[call-arg]
    assert "colour" in info.value.fields


@pytest.mark.parametrize(
    ("build", "field", "words"),
    [
        (lambda: KPI(name="leads", target=-5, unit="count"), "target", "greater than or equal"),
        (lambda: _goal(kpis=[{"name": "a", "target": -1, "unit": "x"}]), "kpis.0.target", "0"),
        (lambda: _goal(objective="fame"), "objective", "acquisition"),
        (lambda: ContentPiece(id="p", body="b", source="xgc"), "source", "ugc"),
        (lambda: User(id="u", joined_at=datetime(2026, 1, 1)), "joined_at", "timezone-aware"),
        (lambda: Money(amount="1", currency="EURO"), "currency", "at most 3"),
        (lambda: Money(amount="NaN", currency="EUR"), "amount", "finite"),
        (lambda: Period(start=date(2026, 2, 1), end=date(2026, 1, 1)), "end", "before start"),
        (lambda: ContentPiece(id="p", body="b", source="ugc"), "creator", "is required"),
        (lambda: ContentPiece(id="p", body="b", tags=["#x"]), "tags", "without '#'"),
        (
            lambda: MediaAsset(kind="image", url="https://cdn.example/a.png", duration_seconds=3),
            "duration_seconds",
            "only for video",
        ),
        (
            lambda: _goal(
                kpis=[
                    {"name": "a", "target": 1, "unit": "x"},
                    {"name": "a", "target": 2, "unit": "x"},
                ]
            ),
            "kpis",
            "unique",
        ),
    ],
)
def test_bad_input_names_the_field(build: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()
    assert field in info.value.fields
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_naive_datetime_refused_in_nested_models() -> None:
    with pytest.raises(InvalidInputError) as info:
        Journey.model_validate(
            {"user_id": "u", "touchpoints": [{"channel": "x", "at": "2026-01-01T00:00:00"}]}
        )
    assert info.value.fields == ("touchpoints.0.at",)


def test_journey_touchpoints_must_be_ordered() -> None:
    with pytest.raises(InvalidInputError, match="time order"):
        Journey(
            user_id="u",
            touchpoints=[
                Touchpoint(channel="a", at=T0),
                Touchpoint(channel="b", at=T0 - timedelta(1)),
            ],
        )


def test_aware_datetime_keeps_its_zone() -> None:
    shanghai = timezone(timedelta(hours=8))
    user = User(id="u", joined_at=datetime(2026, 1, 1, 15, tzinfo=shanghai))
    assert user.joined_at.utcoffset() == timedelta(hours=8)
    assert smmkit.models.as_utc(user.joined_at).hour == 7


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.sampled_from(["CNY", "usd", "Eur"]))
def test_money_round_trips_exactly(amount: Decimal, currency: str) -> None:
    money = Money(amount=amount, currency=currency)
    assert Money.model_validate_json(money.model_dump_json()) == money
    assert money.currency == currency.upper()


def test_error_lists_every_problem() -> None:
    with pytest.raises(InvalidInputError) as info:
        Goal.model_validate({"objective": "fame", "business_model": "b2x"})
    assert {"objective", "business_model", "owner", "period"} <= set(info.value.fields)
    assert "problems" in str(info.value)
