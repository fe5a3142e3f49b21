"""KPI trees and team recommendations."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.analytics import brand_favourability
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, Goal, Money, Period
from smmkit.strategy import kpis_for, recommend_team

QUARTER = Period(start=date(2026, 1, 1), end=date(2026, 3, 31))


@pytest.mark.parametrize(
    ("objective", "model", "root", "contains"),
    [
        ("acquisition", "b2b", "won_deals", {"landing_visits", "leads", "sales_qualified_leads"}),
        ("acquisition", "b2c", "orders", {"visits", "conversion_rate", "impressions"}),
        ("brand", "b2c", "favourability", {"exposure", "share_of_voice"}),
        ("brand", "b2b", "favourability", {"exposure", "share_of_voice", "expert_citations"}),
        ("user_operations", "b2c", "repurchase_rate", {"private_domain_size", "retention_rate"}),
        ("user_operations", "b2b", "renewal_rate", {"private_domain_size", "retention_rate"}),
    ],
)
def test_kpi_trees(objective: str, model: str, root: str, contains: set[str]) -> None:
    tree = kpis_for(objective, business_model=model)
    assert tree.root.kpi.name == root
    assert tree.root.level == "result"
    names = {k.name for k in tree.kpis()}
    assert contains <= names
    for kpi in tree.kpis():
        assert kpi.formula and kpi.unit and kpi.description


def test_acquisition_funnel_order_traffic_leads_conversion() -> None:
    tree = kpis_for("acquisition", business_model="b2b")
    order = [k.name for k in tree.kpis()]
    assert order.index("won_deals") < order.index("sales_qualified_leads") < order.index("leads")
    assert order.index("leads") < order.index("landing_visits")
    assert tree.get("cost_per_lead").kpi.direction.value == "decrease"


def test_goal_targets_are_copied_into_the_tree() -> None:
    goal = Goal(
        objective="brand",
        business_model="b2c",
        owner="brand",
        period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
        kpis=[KPI(name="exposure", target=3_000_000, unit="impressions", baseline=1_000_000)],
    )
    tree = kpis_for(goal)
    node = tree.get("exposure")
    assert node.target_set and node.kpi.target == 3_000_000 and node.kpi.baseline == 1_000_000
    assert not tree.get("share_of_voice").target_set
    with pytest.raises(InvalidInputError):
        kpis_for(goal, business_model="b2b")


@pytest.mark.parametrize(
    ("objective", "model", "outside", "inside"),
    [
        ("acquisition", "b2c", "leads", "orders"),
        ("acquisition", "b2b", "orders", "leads"),
        ("brand", "b2c", "xiaohongshu_note_exposure", "exposure"),
        ("user_operations", "b2b", "repurchase_rate", "renewal_rate"),
    ],
)
def test_goal_kpis_outside_the_tree_are_kept_with_their_target(
    objective: str, model: str, outside: str, inside: str
) -> None:
    # Regression: a B2C acquisition goal's leads target of 500 used to vanish.
    goal = Goal(
        objective=objective,
        business_model=model,
        owner="growth",
        period=QUARTER,
        kpis=[
            KPI(name=outside, target=500, unit="count", baseline=120, direction="increase"),
            KPI(name=inside, target=80, unit="count"),
        ],
    )
    tree = kpis_for(goal)
    assert [n.kpi.name for n in tree.extra] == [outside]
    kept = tree.get(outside)
    assert kept.level == "extra" and kept.target_set
    assert (kept.kpi.target, kept.kpi.unit, kept.kpi.baseline) == (500, "count", 120)
    assert outside not in {n.kpi.name for n in tree.root.walk()}
    assert tree.get(inside).target_set and tree.get(inside).kpi.target == 80
    names = [k.name for k in tree.kpis()]
    assert names[-1] == outside and names.count(inside) == 1
    assert {k.name for k in goal.kpis} <= set(names)


def test_goal_without_extra_kpis_has_an_empty_extra() -> None:
    goal = Goal(
        objective="brand",
        business_model="b2b",
        owner="brand",
        period=QUARTER,
        kpis=[KPI(name="exposure", target=10, unit="impressions")],
    )
    assert kpis_for(goal).extra == ()
    assert kpis_for("brand", business_model="b2b").extra == ()


@pytest.mark.parametrize(
    ("model", "money_kpi"), [("b2b", "cost_per_lead"), ("b2c", "cost_per_order")]
)
@pytest.mark.parametrize(
    ("currency", "unit"),
    [
        (None, "currency"),
        ("USD", "USD"),
        ("eur", "EUR"),
        (Money(amount=1001, currency="XOF"), "XOF"),
    ],
)
def test_money_kpis_follow_the_currency(
    model: str, money_kpi: str, currency: str | Money | None, unit: str
) -> None:
    # Regression: cost_per_lead and cost_per_order always said CNY.
    tree = kpis_for("acquisition", business_model=model, currency=currency)
    assert tree.get(money_kpi).kpi.unit == unit
    others = [k.unit for k in tree.kpis() if k.name != money_kpi]
    assert unit not in others


def test_no_tree_hard_codes_a_currency_and_goal_units_win() -> None:
    for objective in ("acquisition", "brand", "user_operations"):
        for model in ("b2b", "b2c"):
            units = {k.unit for k in kpis_for(objective, business_model=model).kpis()}
            assert "CNY" not in units
    goal = Goal(
        objective="acquisition",
        business_model="b2b",
        owner="growth",
        period=QUARTER,
        kpis=[KPI(name="cost_per_lead", target=90, unit="GBP", direction="decrease")],
    )
    assert kpis_for(goal, currency="USD").get("cost_per_lead").kpi.unit == "GBP"
    assert kpis_for(goal).get("cost_per_lead").kpi.target == 90


@pytest.mark.parametrize("bad", ["US", "US1", "", 12])
def test_bad_currency_names_the_field(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        kpis_for("acquisition", business_model="b2c", currency=bad)  # type: ignore[arg-type]
    assert info.value.fields == ("currency",)


def _evaluate(formula: str, values: dict[str, int]) -> float:
    result = eval(formula, {"__builtins__": {}}, values)
    assert isinstance(result, (int, float))
    return float(result)


@settings(max_examples=60, deadline=None)
@given(
    positive=st.integers(0, 10_000),
    negative=st.integers(0, 10_000),
    neutral=st.integers(0, 10_000),
    model=st.sampled_from(["b2b", "b2c"]),
)
def test_favourability_formula_is_what_analytics_computes(
    positive: int, negative: int, neutral: int, model: str
) -> None:
    # Regression: the tree said pos/(pos+neg) while analytics computes (pos-neg)/all.
    kpi = kpis_for("brand", business_model=model).root.kpi
    assert kpi.name == "favourability" and kpi.unit == "%" and kpi.formula
    measured = brand_favourability(positive, negative, neutral).percent
    counts = {
        "positive_mentions": positive,
        "negative_mentions": negative,
        "neutral_mentions": neutral,
    }
    if measured is None:
        with pytest.raises(ZeroDivisionError):
            _evaluate(kpi.formula, counts)
        return
    assert math.isclose(_evaluate(kpi.formula, counts), measured, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(
    ("args", "field"),
    [(("fame",), "goal"), (("brand",), "business_model")],
)
def test_kpis_for_bad_input(args: tuple[str], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        kpis_for(*args)
    assert info.value.fields == (field,)
    with pytest.raises(InvalidInputError):
        kpis_for("brand", business_model="b2b").get("nope")


@pytest.mark.parametrize(
    ("model", "extra", "absent"),
    [
        ("b2c", "creative_visual", "industry_research"),
        ("b2b", "industry_research", "creative_visual"),
    ],
)
@pytest.mark.parametrize("scale", ["startup", "small", "medium", "large"])
def test_team_has_the_minimal_loop_plus_the_model_role(
    model: str, extra: str, absent: str, scale: str
) -> None:
    plan = recommend_team(model, scale=scale)
    kinds = [r.kind.value for r in plan.roles]
    assert kinds[:4] == ["content_planning", "operations", "data_analysis", "sentiment_monitoring"]
    assert extra in kinds and absent not in kinds
    assert all(r.core_loop for r in plan.roles[:4]) and not plan.roles[4].core_loop


def test_team_grows_with_scale_and_rejects_unknown_scale() -> None:
    sizes = [
        recommend_team("b2c", scale=s).headcount for s in ("startup", "small", "medium", "large")
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    with pytest.raises(InvalidInputError) as info:
        recommend_team("b2c", scale="huge")
    assert info.value.fields == ("scale",)
