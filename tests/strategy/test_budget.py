"""Budget: bands, overrides, exact money, split by platform."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.audience import AudienceProfile
from smmkit.exceptions import BudgetError, InvalidInputError
from smmkit.models import Money
from smmkit.strategy import BudgetItem, allocate_budget, recommend_platforms, split_exact
from smmkit.strategy.budget import BANDS, DEFAULT_SHARES, MINOR_UNITS


def cny(amount: str | int) -> Money:
    return Money(amount=amount, currency="CNY")


@pytest.mark.parametrize("model", ["b2b", "b2c"])
def test_defaults_sit_inside_the_playbook_bands_and_sum_to_100(model: str) -> None:
    plan = allocate_budget(cny(100_000), business_model=model)
    assert sum(line.percent for line in plan.lines) == 100
    for line in plan.lines:
        low, high = BANDS[line.item]
        assert low <= line.percent <= high
    assert {BudgetItem.PAID_REACH, BudgetItem.CONTENT_PRODUCTION, BudgetItem.TOOLS} <= {
        line.item for line in plan.lines
    }


@pytest.mark.parametrize(
    ("item", "low", "high"),
    [("paid_reach", 30, 40), ("content_production", 20, 30), ("tools", 10, 15)],
)
def test_playbook_bands(item: str, low: int, high: int) -> None:
    assert BANDS[BudgetItem(item)] == (Decimal(low), Decimal(high))


def test_b2b_names_industry_research_and_b2c_does_not() -> None:
    assert BudgetItem.INDUSTRY_RESEARCH in DEFAULT_SHARES["b2b"]  # type: ignore[index]
    b2c = allocate_budget(cny(1000), business_model="b2c")
    assert b2c.amount("industry_research").amount == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"paid_reach": 45, "contingency": 0, "kol_koc": 18}, "overrides.paid_reach"),
        ({"tools": 9}, "overrides.tools"),
        ({"content_production": "31"}, "overrides.content_production"),
        ({"paid_reach": 40}, "overrides"),  # sums to 105
        ({"billboards": 5}, "overrides.billboards"),
        ({"tools": "lots"}, "overrides.tools"),
        ({"kol_koc": 41}, "overrides.kol_koc"),
    ],
)
def test_bad_overrides_raise_budget_error_naming_the_item(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(BudgetError) as info:
        allocate_budget(cny(1000), business_model="b2c", overrides=overrides)  # type: ignore[arg-type]
    assert info.value.fields == (field,)
    assert isinstance(info.value, InvalidInputError)


def test_valid_overrides_apply() -> None:
    plan = allocate_budget(
        cny(1000), business_model="b2c", overrides={"paid_reach": 40, "contingency": 3}
    )
    assert plan.amount("paid_reach") == cny("400.00")
    assert plan.amount(BudgetItem.CONTINGENCY) == cny("30.00")


def test_largest_remainder_rounding_to_the_minor_unit() -> None:
    assert split_exact(100, [1, 1, 1]) == [34, 33, 33]
    assert split_exact(7, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]) == [3, 2, 2]
    plan = allocate_budget(Money(amount=1001, currency="JPY"), business_model="b2c")
    assert all(line.amount.amount == line.amount.amount.to_integral() for line in plan.lines)
    assert MINOR_UNITS["JPY"] == 0


# ISO 4217 minor units, written out here independently of the table under test.
ISO_4217_MINOR_UNITS: dict[str, int] = {}
for _exponent, _codes in [
    (0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
    (3, "BHD IQD JOD KWD LYD OMR TND"),
    (4, "CLF UYW"),
    (2, "CNY USD EUR GBP HKD INR MGA MRU"),
]:
    ISO_4217_MINOR_UNITS.update(dict.fromkeys(_codes.split(), _exponent))


@pytest.mark.parametrize(("currency", "exponent"), sorted(ISO_4217_MINOR_UNITS.items()))
def test_split_uses_the_iso_4217_minor_unit(currency: str, exponent: int) -> None:
    # Regression: 1001 XOF used to split into 350.35 XOF although XOF has no minor unit.
    assert MINOR_UNITS.get(currency, 2) == exponent
    step = Decimal(1).scaleb(-exponent)
    total = Money(amount=Decimal(1001) + step, currency=currency)
    plan = allocate_budget(total, business_model="b2c", platforms=["douyin", "xiaohongshu"])
    amounts = [line.amount.amount for line in plan.lines]
    amounts += [a.amount.amount for a in plan.platform_split]
    assert all(a == a.quantize(step) for a in amounts), amounts
    assert sum(line.amount.amount for line in plan.lines) == total.amount
    for line in plan.lines:
        quota = total.amount * line.percent / 100
        assert abs(line.amount.amount - quota) < step
    with pytest.raises(BudgetError) as info:
        allocate_budget(
            Money(amount=total.amount + step / 10, currency=currency), business_model="b2c"
        )
    assert info.value.fields == ("total.amount",)


def test_zero_decimal_cfa_franc_split_is_whole_francs() -> None:
    plan = allocate_budget(Money(amount=1001, currency="XOF"), business_model="b2c")
    paid = plan.amount("paid_reach").amount
    assert paid == paid.to_integral_value() and abs(paid - Decimal("350.35")) < 1
    assert sum(line.amount.amount for line in plan.lines) == 1001


@pytest.mark.parametrize(
    ("total", "field"),
    [(cny("-1"), "total.amount"), (cny("10.005"), "total.amount")],
)
def test_bad_totals(total: Money, field: str) -> None:
    with pytest.raises(BudgetError) as info:
        allocate_budget(total, business_model="b2c")
    assert info.value.fields == (field,)


def test_split_by_matrix_weights_paid_reach_towards_propagation() -> None:
    tea = AudienceProfile(
        business_model="b2c",
        regions=["china"],
        age_min=25,
        age_max=35,
        gender="female",
        locations=["urban"],
        occupations=["office workers"],
        interests=["lifestyle"],
        purchase_channels=["in_store"],
    )
    matrix = recommend_platforms(["brand", "acquisition"], tea, business_model="b2c")
    plan = allocate_budget(cny(300_000), business_model="b2c", platforms=matrix)
    paid = {
        a.platform_id: a.amount.amount
        for a in plan.platform_split
        if a.item is BudgetItem.PAID_REACH
    }
    assert paid["douyin"] > paid["xiaohongshu"] > paid["wecom"]
    assert sum(paid.values()) == plan.amount("paid_reach").amount
    shared = plan.amount("tools").amount + plan.amount("contingency").amount
    per_platform = sum(plan.for_platform(p).amount for p in matrix.platform_ids)
    assert per_platform + shared == plan.total.amount


def test_duplicate_platform_rejected() -> None:
    with pytest.raises(BudgetError):
        allocate_budget(cny(10), business_model="b2c", platforms=["douyin", "douyin"])


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
currencies = st.sampled_from(["CNY", "USD", "JPY", "KWD", "XOF", "RWF", "BHD", "CLF", "UYW"])
percent = st.integers(min_value=0, max_value=100)


@settings(max_examples=150, deadline=None)
@given(
    amount=amounts,
    currency=currencies,
    model=st.sampled_from(["b2b", "b2c"]),
    platforms=st.lists(
        st.sampled_from(["douyin", "xiaohongshu", "wecom", "zhihu", "linkedin", "weibo"]),
        unique=True,
        max_size=4,
    ),
    paid=st.integers(30, 40),
    tools=st.decimals(min_value=10, max_value=15, places=1),
)
def test_parts_sum_exactly_to_the_total_for_any_input(  # noqa: PLR0917
    amount: Decimal, currency: str, model: str, platforms: list[str], paid: int, tools: Decimal
) -> None:
    exponent = MINOR_UNITS.get(currency, 2)
    if exponent < 2:
        amount = amount.quantize(Decimal(1).scaleb(-exponent))
    total = Money(amount=amount, currency=currency)
    shares = dict(DEFAULT_SHARES[model])  # type: ignore[index]
    shares[BudgetItem.PAID_REACH] = Decimal(paid)
    shares[BudgetItem.TOOLS] = tools
    others = sum(v for k, v in shares.items() if k is not BudgetItem.KOL_KOC)
    overrides: dict[str, Decimal | int] = {
        "paid_reach": paid,
        "tools": tools,
        "kol_koc": 100 - others,
    }
    plan = allocate_budget(
        total, business_model=model, platforms=platforms or None, overrides=overrides
    )
    assert sum(line.amount.amount for line in plan.lines) == total.amount
    for line in plan.lines:
        assert line.amount.currency == currency
        assert line.amount.amount >= 0
    for item in BudgetItem:
        parts = [a.amount.amount for a in plan.platform_split if a.item is item]
        if parts:
            assert sum(parts) == plan.amount(item).amount


@settings(max_examples=200, deadline=None)
@given(
    units=st.integers(0, 10**12), weights=st.lists(st.integers(0, 1000), min_size=1, max_size=12)
)
def test_split_exact_sums_and_stays_within_one_unit_of_the_quota(
    units: int, weights: list[int]
) -> None:
    if sum(weights) == 0:
        with pytest.raises(BudgetError):
            split_exact(units, weights)
        return
    parts = split_exact(units, weights)
    assert sum(parts) == units
    for part, w in zip(parts, weights, strict=True):
        quota = units * w / sum(weights)
        assert abs(part - quota) < 1 + 1e-6 * max(1, quota)
