"""Segment playbooks: defaults from the playbook, the tea brand's variants, planning."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from smmkit.audience.lifecycle import segment_users
from smmkit.audience.playbooks import (
    ActionKind,
    Incentive,
    IncentiveKind,
    SegmentAction,
    SegmentPlaybook,
    default_playbook,
    plan_actions,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import LifecycleStage

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("model", ["b2c", "b2b"])
@pytest.mark.parametrize(
    ("stage", "kind"),
    [
        ("new", ActionKind.WELCOME_PERK),
        ("new", ActionKind.ONBOARDING_PLAN),
        ("active", ActionKind.CO_CREATION),
        ("loyal", ActionKind.AMBASSADOR),
        ("dormant", ActionKind.WIN_BACK),
        ("churned", ActionKind.WIN_BACK),
    ],
)
def test_default_actions_per_stage(model: str, stage: str, kind: ActionKind) -> None:
    kinds = [a.kind for a in default_playbook(model).actions_for(stage)]
    assert kind in kinds


def test_welcome_perk_is_low_threshold_and_plan_lasts_7_days() -> None:
    pb = default_playbook("b2c")
    perk, plan = pb.actions_for("new")
    assert perk.incentive is not None and perk.incentive.min_spend is None
    assert plan.duration_days == 7 and len(plan.steps) == 7


@pytest.mark.parametrize("model", ["b2c", "b2b"])
def test_ambassadors_earn_commission(model: str) -> None:
    (ambassador,) = default_playbook(model).actions_for("loyal")
    assert ambassador.incentive is not None
    assert ambassador.incentive.kind is IncentiveKind.COMMISSION
    assert Decimal(0) < ambassador.incentive.commission_rate < 1  # type: ignore[operator]


def test_tea_brand_variants_are_expressible() -> None:
    pb = default_playbook("b2c")
    pb = pb.with_actions(
        "new",
        [
            SegmentAction(
                stage="new",
                kind="welcome_perk",
                title="First order: buy one, get one",
                description="Second cup free on the first order in any store",
                incentive=Incentive(kind="buy_one_get_one", description="second cup free"),
                channels=["wecom"],
            )
        ],
        name="tea brand",
    )
    pb = pb.with_actions(
        "active",
        [
            SegmentAction(
                stage="active",
                kind="co_creation",
                title="Blind tasting",
                description="Taste and rate three unreleased flavours",
                duration_days=14,
            )
        ],
    )
    pb = pb.with_actions(
        "loyal",
        [
            SegmentAction(
                stage="loyal",
                kind="ambassador",
                title="Store experience officer",
                description="Certified officers host tastings in their store",
                incentive=Incentive(kind="title", description="experience officer badge"),
            )
        ],
    )
    assert pb.name == "tea brand"
    assert pb.actions_for("new")[0].incentive.kind is IncentiveKind.BUY_ONE_GET_ONE  # type: ignore[union-attr]
    assert [a.title for a in pb.actions_for("active")] == ["Blind tasting"]
    assert [a.title for a in pb.actions_for("loyal")] == ["Store experience officer"]
    assert pb.actions_for("dormant") == default_playbook("b2c").actions_for("dormant")


def test_validation() -> None:
    with pytest.raises(InvalidInputError):
        Incentive(kind="commission", description="x")
    with pytest.raises(InvalidInputError):
        Incentive(kind="commission", description="x", commission_rate="1.5")
    action = default_playbook().actions_for("new")[0]
    with pytest.raises(InvalidInputError) as info:
        default_playbook().with_actions("loyal", [action])
    assert info.value.fields == ("actions.0.stage",)
    with pytest.raises(InvalidInputError):
        SegmentPlaybook(name="x", actions=[action, action])
    with pytest.raises(InvalidInputError):
        default_playbook("b2x")


def test_plan_actions_counts_users_per_stage() -> None:
    t = NOW.timestamp()
    seg = segment_users(
        [("a", t), ("b", t - 400 * 86400), ("c", t - 400 * 86400)],
        [("c", "like", t - 40 * 86400, None)],
        now=NOW,
    )
    plans = {(p.stage, p.action.kind): p.user_count for p in plan_actions(seg, default_playbook())}
    assert plans[(LifecycleStage.NEW, ActionKind.WELCOME_PERK)] == 1
    assert plans[(LifecycleStage.CHURNED, ActionKind.WIN_BACK)] == 1
    assert plans[(LifecycleStage.DORMANT, ActionKind.WIN_BACK)] == 1
    assert plans[(LifecycleStage.LOYAL, ActionKind.AMBASSADOR)] == 0
