"""Lone surrogates and numeric times in the domain models (issues 15 item 4, 16 item 6).

Both rules live once in ``smmkit.models._base``: every text field of every model (a str,
an optional str, the items of a tuple, the keys and values of a dict) refuses a lone
surrogate, and every datetime or date field refuses a number (``0``, ``"0"``,
``"20260101"``, epoch seconds) that pydantic alone would read as a time in 1970 or a
guess between seconds and milliseconds. Each error names its field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from smmkit.crisis import RecoveryKind, RecoverySuggestion, WindowStats
from smmkit.exceptions import InvalidInputError
from smmkit.models import (
    KPI,
    ContentPiece,
    Creator,
    Crisis,
    CrisisEvent,
    Goal,
    LinkPolicy,
    MediaLimits,
    Mention,
    Period,
    RateLimitHint,
    Severity,
    SlaDeadline,
    UGCPermission,
    User,
    as_utc,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SURROGATES = ["\ud800", "bad \udfff text", "\udbff\udbff", "好\udc00"]


def fields_of(build: Callable[[], object]) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        build()
    return info.value.fields


# -- lone surrogates ------------------------------------------------------------------
FREE_TEXT: dict[str, Callable[[str], object]] = {
    "title": lambda t: RecoverySuggestion(kind=RecoveryKind.CONTENT, title=t, description="d"),
    "description": lambda t: KPI(name="leads", target=1, unit="count", description=t),
    "formula": lambda t: KPI(name="leads", target=1, unit="count", formula=t),
    "name": lambda t: Creator(name=t, platform="weibo"),
    "note": lambda t: LinkPolicy(note=t),
    "text": lambda t: Mention(id="m", platform="weibo", text=t, at=T0),
    "author": lambda t: Mention(id="m", platform="weibo", text="ok", at=T0, author=t),
    "what": lambda t: CrisisEvent(at=T0, what=t),
    "action": lambda t: SlaDeadline(action=t, due=T0),
    "evidence": lambda t: UGCPermission(granted_at=T0, evidence=t),
    "topic": lambda t: WindowStats(start=T0, topic=t, volume=1, negative=0),
    "sweet_spot_label": lambda t: MediaLimits(sweet_spot_label=t),
}


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
@pytest.mark.parametrize("text", SURROGATES)
def test_a_lone_surrogate_in_a_free_text_field_names_the_field(field: str, text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        FREE_TEXT[field](text)
    assert info.value.fields == (field,)
    assert "lone surrogate" in str(info.value)
    str(info.value).encode("utf-8")  # the message itself prints anywhere


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
def test_valid_text_including_astral_characters_is_kept(field: str) -> None:
    assert FREE_TEXT[field]("情人节 🍵 𠮷 café") is not None


def test_items_keys_and_nested_models_name_their_path() -> None:
    reasons = ("ok", "bad \ud800")
    crisis: dict[str, Any] = {
        "id": "c1",
        "topic": "t",
        "severity": Severity.MINOR,
        "detected_at": T0,
    }
    assert fields_of(lambda: Crisis(**crisis, reasons=reasons)) == ("reasons.1",)
    event = {"at": T0, "what": "x", "actor": "\udc00"}
    assert fields_of(lambda: Crisis.model_validate({**crisis, "timeline": [event]})) == (
        "timeline.0.actor",
    )
    assert fields_of(lambda: User(id="u", joined_at=T0, attributes={"k": "v\ud800"})) == (
        "attributes.k",
    )
    with pytest.raises(InvalidInputError) as info:
        User(id="u", joined_at=T0, attributes={"k\ud800": "v"})
    assert info.value.fields[0].startswith("attributes.")


def test_content_keeps_refusing_lone_surrogates_in_its_body() -> None:
    assert fields_of(lambda: ContentPiece(id="p", title="t", body="b\ud800")) == ("body",)
    assert fields_of(lambda: ContentPiece(id="p", title="t\ud800", body="b")) == ("title",)


# -- numbers are not times -------------------------------------------------------------
NUMBERS: list[object] = [
    0,
    "0",
    " 0 ",
    1767225600,
    1767225600.5,
    "1767225600000",
    "20260101",
    "-5",
    Decimal("1767225600"),
    b"0",
]

TIMES: dict[str, Callable[[object], object]] = {
    "CrisisEvent.at": lambda t: CrisisEvent(at=t, what="detected"),
    "SlaDeadline.due": lambda t: SlaDeadline(action="reply", due=t),
    "UGCPermission.granted_at": lambda t: UGCPermission(granted_at=t),
    "UGCPermission.expires_at": lambda t: UGCPermission(granted_at=T0, expires_at=t),
    "Mention.at": lambda t: Mention(id="m", platform="weibo", text="x", at=t),
    "WindowStats.start": lambda t: WindowStats(start=t, topic="*", volume=0, negative=0),
    "User.joined_at": lambda t: User(id="u", joined_at=t),
}

DATES: dict[str, Callable[[object], object]] = {
    "Period.start": lambda d: Period(start=d, end=date(2026, 12, 31)),
    "Period.end": lambda d: Period(start=date(1970, 1, 1), end=d),
    "RateLimitHint.as_of": lambda d: RateLimitHint(
        name="n", limit=1, per_seconds=1, scope="app", source="docs", as_of=d, confidence="verified"
    ),
}


@pytest.mark.parametrize("where", sorted(TIMES))
@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_numbers_are_refused_for_model_datetimes(where: str, number: object) -> None:
    assert fields_of(lambda: TIMES[where](number)) == (where.split(".")[1],)


@pytest.mark.parametrize("where", sorted(TIMES))
def test_iso_text_and_aware_datetimes_are_read(where: str) -> None:
    assert TIMES[where]("2026-01-01T08:00:00+08:00") is not None
    assert TIMES[where]("2026-01-01T00:00Z") is not None
    assert TIMES[where](T0 + timedelta(hours=1)) is not None
    assert fields_of(lambda: TIMES[where](datetime(2026, 1, 1))) == (where.split(".")[1],)


@pytest.mark.parametrize("where", sorted(DATES))
@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_numbers_are_refused_for_model_dates(where: str, number: object) -> None:
    assert fields_of(lambda: DATES[where](number)) == (where.split(".")[1],)


@pytest.mark.parametrize("where", sorted(DATES))
def test_iso_dates_are_read(where: str) -> None:
    assert DATES[where]("2026-01-31") is not None
    assert DATES[where](date(2026, 1, 31)) is not None


def test_a_goal_read_from_json_names_a_numeric_date() -> None:
    goal = {
        "objective": "brand",
        "business_model": "b2c",
        "owner": "me",
        "period": {"start": 0, "end": "2026-03-31"},
    }
    assert fields_of(lambda: Goal.model_validate(goal)) == ("period.start",)


# -- errors name their fields, never "input" --------------------------------------------
@pytest.mark.parametrize(
    "span", [(1.0, 0.0), (5.0, 2.0), (-1.0, 3.0), (float("nan"), 3.0), (0.0, float("inf"))]
)
def test_a_sweet_spot_out_of_order_names_its_field(span: tuple[float, float]) -> None:
    assert fields_of(lambda: MediaLimits(sweet_spot_seconds=span)) == ("sweet_spot_seconds",)
    assert MediaLimits(sweet_spot_seconds=(15, 60)).sweet_spot_seconds == (15.0, 60.0)


def test_a_huge_int_is_reported_by_its_size() -> None:
    with pytest.raises(InvalidInputError) as info:
        KPI(name="leads", target=10**5000, unit="count")
    assert info.value.fields == ("target",) and "5001 digits" in str(info.value)


@pytest.mark.parametrize(
    "value",
    [None, "2026-01-01T00:00Z", 0, date(2026, 1, 1), datetime(2026, 1, 1)],
    ids=repr,
)
def test_as_utc_refuses_anything_but_an_aware_datetime(value: object) -> None:
    assert fields_of(lambda: as_utc(value)) == ("value",)  # type: ignore[arg-type]


def test_as_utc_refuses_an_instant_outside_the_datetime_range() -> None:
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert fields_of(lambda: as_utc(early)) == ("value",)
    assert as_utc(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))) == T0
