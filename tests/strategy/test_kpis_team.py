"""KPI trees and team recommendations."""

from __future__ import annotations

from datetime import date

import pytest

from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, Goal, Period
from smmkit.strategy import kpis_for, recommend_team


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
