"""Wrong Python types at the strategy entry points (issue 15 item 4, issue 16 item 6):
each is an InvalidInputError naming the parameter, never a TypeError, an AttributeError
or a bare ValueError from deep inside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from smmkit.audience import AudienceProfile
from smmkit.exceptions import BudgetError, InvalidInputError
from smmkit.models import Goal, Money, Period
from smmkit.strategy import (
    allocate_budget,
    kpis_for,
    recommend_platforms,
    recommend_team,
    split_exact,
)

TOTAL = Money(amount=1000, currency="CNY")
TEA = AudienceProfile(business_model="b2c", regions=["china"])


def refused(call: Callable[[], object], field: str) -> InvalidInputError:
    """The call raises InvalidInputError naming ``field``, in ``fields`` and the message."""
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields[0] == field, info.value
    assert field in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"overrides": b"bytes"}, "overrides"),
        ({"overrides": [("paid_reach", 35)]}, "overrides"),
        ({"overrides": 5}, "overrides"),
        ({"platforms": 7}, "platforms"),
        ({"platforms": "douyin"}, "platforms"),
        ({"platforms": ["douyin", 3]}, "platforms.1"),
        ({"platforms": [None]}, "platforms.0"),
        ({"business_model": ["b2c"]}, "business_model"),
    ],
)
def test_allocate_budget_names_the_parameter(kwargs: dict[str, Any], field: str) -> None:
    call = {"business_model": "b2c", **kwargs}
    refused(lambda: allocate_budget(TOTAL, **call), field)


def test_allocate_budget_still_takes_ids_specs_and_no_overrides() -> None:
    plan = allocate_budget(TOTAL, business_model="b2c", platforms=("douyin",), overrides=None)
    assert plan.for_platform("douyin").amount > 0


def test_budget_plan_amount_names_the_item() -> None:
    plan = allocate_budget(TOTAL, business_model="b2c")
    exc = refused(lambda: plan.amount("tea"), "item")
    assert "paid_reach" in str(exc)  # the allowed items are listed
    assert plan.amount("paid_reach").amount == Decimal("350.00")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((None, []), "units"),
        ((1.5, [1]), "units"),
        ((True, [1]), "units"),
        (("10", [1]), "units"),
        ((10, None), "weights"),
        ((10, 3.5), "weights"),
        ((10, "12"), "weights"),
        ((10, [1, "2"]), "weights.1"),
        ((10, [Decimal("NaN")]), "weights.0"),
        ((10, [1, float("inf")]), "weights.1"),
        ((10, [True]), "weights.0"),
    ],
)
def test_split_exact_names_the_parameter(args: tuple[Any, Any], field: str) -> None:
    refused(lambda: split_exact(*args), field)


def test_split_exact_keeps_its_rules_and_number_types() -> None:
    assert split_exact(10, [Decimal(1), 1, Fraction(1, 2), 0.5]) == [3, 3, 2, 2]
    with pytest.raises(BudgetError) as info:
        split_exact(-1, [1])
    assert info.value.fields == ("units",)
    with pytest.raises(BudgetError):
        split_exact(10, [0, 0])


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("acquisition", {}), {"business_model": "b2b"}, "audience"),
        (("acquisition", None), {"business_model": "b2b"}, "audience"),
        ((7, TEA), {"business_model": "b2c"}, "goal"),
        ((["brand", 7], TEA), {"business_model": "b2c"}, "goal.1"),
        (("brand", TEA), {"business_model": "b2c", "max_platforms": True}, "max_platforms"),
        (("brand", TEA), {"business_model": "b2c", "max_platforms": 2.0}, "max_platforms"),
        (("brand", TEA), {"business_model": "b2c", "max_platforms": 0}, "max_platforms"),
        (("brand", TEA), {"business_model": "b2c", "catalog": {}}, "catalog"),
        (("brand", TEA), {"business_model": None}, "business_model"),
    ],
)
def test_recommend_platforms_names_the_parameter(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    refused(lambda: recommend_platforms(*args, **kwargs), field)


def test_kpis_for_names_a_bad_business_model_next_to_a_goal() -> None:
    goal = Goal(
        objective="acquisition",
        business_model="b2b",
        owner="growth",
        period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
    )
    refused(lambda: kpis_for(goal, business_model="tea"), "business_model")
    refused(lambda: kpis_for(goal, business_model="b2c"), "business_model")
    refused(lambda: kpis_for(None, business_model="b2c"), "goal")  # type: ignore[arg-type]
    refused(lambda: kpis_for("brand", business_model="b2c", currency=5), "currency")  # type: ignore[arg-type]
    assert kpis_for(goal, business_model="b2b").root.kpi.name == "won_deals"


def test_recommend_team_names_the_parameter() -> None:
    refused(lambda: recommend_team(None), "business_model")  # type: ignore[arg-type]
    refused(lambda: recommend_team("b2c", scale=3), "scale")  # type: ignore[arg-type]
