"""Strict input in strategy (issue 15, item 3): ISO 4217 everywhere, known platform ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from smmkit.audience import AudienceProfile
from smmkit.exceptions import BudgetError, InvalidInputError, UnknownPlatformError
from smmkit.models import KPI, Goal, Money, Period
from smmkit.models._currencies import ISO_4217
from smmkit.strategy import allocate_budget, kpis_for, recommend_platforms
from smmkit.strategy.budget import MINOR_UNITS

NOT_ISO = ["RMB", "CNH", "NTD", "XBT", "EUX"]


def test_minor_units_cover_every_iso_code_that_has_one() -> None:
    assert set(MINOR_UNITS) <= ISO_4217
    assert ISO_4217 - set(MINOR_UNITS) == {
        "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX",
    }  # fmt: skip
    assert MINOR_UNITS["USD"] == 2


@pytest.mark.parametrize("code", sorted(MINOR_UNITS))
def test_every_iso_currency_with_a_minor_unit_splits_exactly(code: str) -> None:
    step = Decimal(1).scaleb(-MINOR_UNITS[code])
    total = Money(amount=Decimal(777) + step, currency=code)
    plan = allocate_budget(total, business_model="b2b", platforms=["zhihu", "linkedin"])
    assert sum(line.amount.amount for line in plan.lines) == total.amount
    assert all(line.amount.currency == code for line in plan.lines)


@pytest.mark.parametrize("code", ["XAU", "XDR", "XXX", "XTS"])
def test_codes_without_a_minor_unit_cannot_be_split(code: str) -> None:
    with pytest.raises(BudgetError) as info:
        allocate_budget(Money(amount=100, currency=code), business_model="b2c")
    assert info.value.fields == ("total.currency",)


@pytest.mark.parametrize("bad", NOT_ISO)
def test_kpi_currencies_outside_iso_4217_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        kpis_for("acquisition", business_model="b2c", currency=bad)
    assert info.value.fields == ("currency",)
    assert "ISO 4217" in str(info.value)


@pytest.mark.parametrize("bad", [*NOT_ISO, "元", "dollars"])
def test_a_goal_money_kpi_unit_must_be_iso_4217(bad: str) -> None:
    goal = Goal(
        objective="acquisition",
        business_model="b2b",
        owner="growth",
        period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
        kpis=[
            KPI(name="won_deals", target=5, unit="count"),
            KPI(name="cost_per_lead", target=90, unit=bad, direction="decrease"),
        ],
    )
    with pytest.raises(InvalidInputError) as info:
        kpis_for(goal)
    assert info.value.fields == ("goal.kpis.1.unit",)
    fine = goal.model_copy(update={"kpis": (KPI(name="cost_per_lead", target=9, unit="gbp"),)})
    assert kpis_for(fine).get("cost_per_lead").kpi.unit == "GBP"
    neutral = goal.model_copy(
        update={"kpis": (KPI(name="cost_per_lead", target=9, unit="currency"),)}
    )
    assert kpis_for(neutral).get("cost_per_lead").kpi.unit == "currency"


def test_unknown_platform_ids_in_budgets_and_matrices() -> None:
    total = Money(amount=1000, currency="CNY")
    with pytest.raises(UnknownPlatformError) as info:
        allocate_budget(total, business_model="b2c", platforms=["douyin", "tiktok_cn"])
    assert info.value.fields == ("platforms.1",)
    plan = allocate_budget(total, business_model="b2c", platforms=["douyin"])
    assert plan.for_platform("weibo").amount == 0  # known, not in the split
    with pytest.raises(UnknownPlatformError) as info:
        plan.for_platform("douyn")
    assert info.value.fields == ("platform_id",)
    audience = AudienceProfile(business_model="b2c", regions=["china"])
    matrix = recommend_platforms("brand", audience, business_model="b2c")
    with pytest.raises(UnknownPlatformError):
        matrix.get("weixin")


def test_matrix_budget_currencies_are_iso_4217() -> None:
    audience = AudienceProfile(business_model="b2c", regions=["china"])
    with pytest.raises(InvalidInputError) as info:
        recommend_platforms(
            "brand",
            audience,
            business_model="b2c",
            budget={"amount": 100, "currency": "RMB"},  # type: ignore[arg-type]
            min_budget_per_platform=Money(amount=10, currency="CNY"),
        )
    assert info.value.fields == ("budget.currency",)
    with pytest.raises(InvalidInputError) as info:
        allocate_budget({"amount": "1", "currency": "EUX"}, business_model="b2c")  # type: ignore[arg-type]
    assert info.value.fields == ("total.currency",)
