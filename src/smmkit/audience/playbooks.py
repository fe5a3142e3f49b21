"""Segment playbooks: what to do for each lifecycle stage.

The playbook's interaction chapter moves from broadcasting to co-creation: new users get a
low-threshold welcome perk and a 7-day plan, active users get co-creation rights (design
surveys, tastings), loyal users become certified ambassadors with a commission, and
dormant or churned users get a win-back offer. :func:`default_playbook` writes that down
as typed :class:`SegmentAction` values; a brand swaps in its own variants with
:meth:`SegmentPlaybook.with_actions` (the tea brand: buy-one-get-one first order, blind
tasting, store "experience officer"), and :func:`plan_actions` pairs each action with the
users a :class:`~smmkit.audience.lifecycle.Segmentation` put in its stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import Enum

from pydantic import Field, field_validator, model_validator

from smmkit.audience._checks import enum_member, instance_of, items_of, optional_text
from smmkit.audience.lifecycle import Segmentation
from smmkit.exceptions import InvalidInputError
from smmkit.models import BusinessModel, LifecycleStage, Money
from smmkit.models._base import FieldValueError, SmmkitModel

__all__ = [
    "ActionKind",
    "ActionPlan",
    "Incentive",
    "IncentiveKind",
    "SegmentAction",
    "SegmentPlaybook",
    "default_playbook",
    "plan_actions",
]


class ActionKind(str, Enum):
    """The kind of a segment action."""

    WELCOME_PERK = "welcome_perk"  # new: a first reason to act, low threshold
    ONBOARDING_PLAN = "onboarding_plan"  # new: a short guided plan (7 days)
    CO_CREATION = "co_creation"  # active: surveys, tastings, votes on what comes next
    AMBASSADOR = "ambassador"  # loyal: certified advocates, often with commission
    WIN_BACK = "win_back"  # dormant / churned: an offer and a question


class IncentiveKind(str, Enum):
    """What the user gets."""

    COUPON = "coupon"
    BUY_ONE_GET_ONE = "buy_one_get_one"
    FREE_TRIAL = "free_trial"
    EARLY_ACCESS = "early_access"
    COMMISSION = "commission"
    TITLE = "title"  # a certified role: advisor, experience officer
    CONTENT = "content"  # a guide, a white paper, a course


class Incentive(SmmkitModel):
    """A reward attached to an action.

    ``min_spend`` is the threshold to use it (none is the lowest threshold);
    ``commission_rate`` is a fraction of referred sales (0.08 = 8%).

    Example:
        >>> Incentive(kind="commission", description="8% of referred sales",
        ...           commission_rate="0.08").commission_rate
        Decimal('0.08')
    """

    kind: IncentiveKind
    description: str = Field(min_length=1)
    value: Money | None = None
    min_spend: Money | None = None
    commission_rate: Decimal | None = Field(default=None, gt=0, lt=1)

    @model_validator(mode="after")
    def _commission_has_rate(self) -> Incentive:
        if self.kind is IncentiveKind.COMMISSION and self.commission_rate is None:
            raise FieldValueError("commission_rate", "a commission incentive needs commission_rate")
        return self


class SegmentAction(SmmkitModel):
    """One thing to do for the users of one stage.

    Example:
        >>> a = SegmentAction(stage="new", kind="welcome_perk", title="First tea on us",
        ...                   description="Buy one, get one on the first order",
        ...                   incentive=Incentive(kind="buy_one_get_one",
        ...                                       description="second cup free"))
        >>> a.incentive.kind.value
        'buy_one_get_one'
    """

    stage: LifecycleStage
    kind: ActionKind
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    incentive: Incentive | None = None
    duration_days: int | None = Field(default=None, gt=0)
    steps: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    kpi: str | None = None


class SegmentPlaybook(SmmkitModel):
    """Actions for each lifecycle stage.

    Example:
        >>> pb = default_playbook("b2c")
        >>> [a.kind.value for a in pb.actions_for("new")]
        ['welcome_perk', 'onboarding_plan']
    """

    name: str = Field(min_length=1)
    actions: tuple[SegmentAction, ...]

    @field_validator("actions")
    @classmethod
    def _unique_titles(cls, value: tuple[SegmentAction, ...]) -> tuple[SegmentAction, ...]:
        seen = set()
        for a in value:
            key = (a.stage, a.title)
            if key in seen:
                raise ValueError(f"two actions titled {a.title!r} for stage {a.stage.value}")
            seen.add(key)
        return value

    def actions_for(self, stage: LifecycleStage | str) -> tuple[SegmentAction, ...]:
        """The actions of one stage, in order."""
        wanted = enum_member(LifecycleStage, stage, "stage")
        return tuple(a for a in self.actions if a.stage is wanted)

    def with_actions(
        self,
        stage: LifecycleStage | str,
        actions: Sequence[SegmentAction],
        *,
        name: str | None = None,
    ) -> SegmentPlaybook:
        """A copy whose actions for ``stage`` are replaced by ``actions``.

        Example:
            >>> pb = default_playbook("b2c")
            >>> tasting = SegmentAction(stage="active", kind="co_creation",
            ...     title="Blind tasting", description="Rate three new flavours")
            >>> [a.title for a in pb.with_actions("active", [tasting]).actions_for("active")]
            ['Blind tasting']
        """
        wanted = enum_member(LifecycleStage, stage, "stage")
        actions = items_of(actions, SegmentAction, "actions")
        name = optional_text(name, "name")
        for i, a in enumerate(actions):
            if a.stage is not wanted:
                raise InvalidInputError.single(
                    f"actions.{i}.stage", f"must be {wanted.value}", a.stage.value
                )
        kept = [a for a in self.actions if a.stage is not wanted]
        order = list(LifecycleStage)
        # Stable sort: stages stay in lifecycle order, actions in the order given.
        merged = sorted((*kept, *actions), key=lambda a: order.index(a.stage))
        return SegmentPlaybook(name=name or self.name, actions=tuple(merged))


class ActionPlan(SmmkitModel):
    """One action and how many users of its stage it goes to (see :func:`plan_actions`).

    Example:
        >>> action = default_playbook().actions_for("loyal")[0]
        >>> ActionPlan(stage="loyal", action=action, user_count=12).user_count
        12
    """

    stage: LifecycleStage
    action: SegmentAction
    user_count: int = Field(ge=0)


def _b2c(currency: str) -> tuple[SegmentAction, ...]:
    return (
        SegmentAction(
            stage=LifecycleStage.NEW,
            kind=ActionKind.WELCOME_PERK,
            title="Welcome perk",
            description="A no-threshold coupon for the first order",
            incentive=Incentive(
                kind=IncentiveKind.COUPON,
                description="first-order coupon",
                value=Money(amount=10, currency=currency),
            ),
            duration_days=7,
            kpi="first_order_rate",
        ),
        SegmentAction(
            stage=LifecycleStage.NEW,
            kind=ActionKind.ONBOARDING_PLAN,
            title="7-day plan",
            description="One small daily task that shows the product's use",
            duration_days=7,
            steps=tuple(f"day {d}" for d in range(1, 8)),
            kpi="plan_completion_rate",
        ),
        SegmentAction(
            stage=LifecycleStage.ACTIVE,
            kind=ActionKind.CO_CREATION,
            title="Co-creation invitation",
            description="Design survey: vote on and name the next product",
            incentive=Incentive(
                kind=IncentiveKind.EARLY_ACCESS, description="first to try what they voted for"
            ),
            duration_days=14,
            kpi="co_creation_participation",
        ),
        SegmentAction(
            stage=LifecycleStage.LOYAL,
            kind=ActionKind.AMBASSADOR,
            title="Brand ambassador programme",
            description="Certified advisors share their experience and earn on referrals",
            incentive=Incentive(
                kind=IncentiveKind.COMMISSION,
                description="commission on referred sales",
                commission_rate=Decimal("0.08"),
            ),
            kpi="referred_orders",
        ),
        SegmentAction(
            stage=LifecycleStage.DORMANT,
            kind=ActionKind.WIN_BACK,
            title="We miss you",
            description="A reminder of what is new, with a time-limited coupon",
            incentive=Incentive(
                kind=IncentiveKind.COUPON,
                description="comeback coupon",
                value=Money(amount=15, currency=currency),
            ),
            duration_days=14,
            kpi="reactivation_rate",
        ),
        SegmentAction(
            stage=LifecycleStage.CHURNED,
            kind=ActionKind.WIN_BACK,
            title="Why did you leave?",
            description="A one-question survey and a win-back offer for those who answer",
            incentive=Incentive(
                kind=IncentiveKind.COUPON,
                description="win-back coupon",
                value=Money(amount=20, currency=currency),
            ),
            duration_days=30,
            kpi="win_back_rate",
        ),
    )


def _b2b(currency: str) -> tuple[SegmentAction, ...]:
    del currency  # B2B perks here are content and status, not coupons
    return (
        SegmentAction(
            stage=LifecycleStage.NEW,
            kind=ActionKind.WELCOME_PERK,
            title="Welcome kit",
            description="The industry white paper and a cost calculator, no form to fill",
            incentive=Incentive(kind=IncentiveKind.CONTENT, description="white paper bundle"),
            kpi="content_downloads",
        ),
        SegmentAction(
            stage=LifecycleStage.NEW,
            kind=ActionKind.ONBOARDING_PLAN,
            title="7-day nurture series",
            description="One short article a day from the official account",
            duration_days=7,
            steps=tuple(f"day {d}" for d in range(1, 8)),
            channels=("wechat_oa",),
            kpi="nurture_engagement_rate",
        ),
        SegmentAction(
            stage=LifecycleStage.ACTIVE,
            kind=ActionKind.CO_CREATION,
            title="Customer advisory panel",
            description="Roadmap survey and beta access for engaged accounts",
            incentive=Incentive(kind=IncentiveKind.EARLY_ACCESS, description="beta features"),
            duration_days=30,
            kpi="panel_participation",
        ),
        SegmentAction(
            stage=LifecycleStage.LOYAL,
            kind=ActionKind.AMBASSADOR,
            title="Certified advisor programme",
            description="Certified advisors co-author cases and earn on referred deals",
            incentive=Incentive(
                kind=IncentiveKind.COMMISSION,
                description="referral fee on closed deals",
                commission_rate=Decimal("0.05"),
            ),
            kpi="referred_deals",
        ),
        SegmentAction(
            stage=LifecycleStage.DORMANT,
            kind=ActionKind.WIN_BACK,
            title="Industry report check-in",
            description="This quarter's benchmark report and an offer of a review call",
            incentive=Incentive(kind=IncentiveKind.CONTENT, description="benchmark report"),
            duration_days=14,
            kpi="reactivation_rate",
        ),
        SegmentAction(
            stage=LifecycleStage.CHURNED,
            kind=ActionKind.WIN_BACK,
            title="Exit interview",
            description="Ask what failed; offer a migration or pilot on better terms",
            duration_days=30,
            kpi="win_back_rate",
        ),
    )


def default_playbook(
    business_model: BusinessModel | str = BusinessModel.B2C, *, currency: str = "CNY"
) -> SegmentPlaybook:
    """The playbook's segment actions for B2C or B2B, one or more per stage.

    Example:
        >>> pb = default_playbook("b2c")
        >>> loyal = pb.actions_for("loyal")[0]
        >>> loyal.kind.value, str(loyal.incentive.commission_rate)
        ('ambassador', '0.08')
    """
    model = enum_member(BusinessModel, business_model, "business_model")
    try:
        code = Money(amount=0, currency=currency).currency
    except InvalidInputError as exc:
        raise InvalidInputError.single("currency", exc.problems[0].problem, currency) from None
    actions = _b2c(code) if model is BusinessModel.B2C else _b2b(code)
    return SegmentPlaybook(name=f"default {model.value}", actions=actions)


def plan_actions(segmentation: Segmentation, playbook: SegmentPlaybook) -> tuple[ActionPlan, ...]:
    """Every action of the playbook with the number of users in its stage.

    The users themselves are ``segmentation.user_ids_in(plan.stage)``.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.audience.lifecycle import segment_users
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> seg = segment_users([("a", now.timestamp())], [], now=now)
        >>> [(p.action.title, p.user_count) for p in plan_actions(seg, default_playbook())][:2]
        [('Welcome perk', 1), ('7-day plan', 1)]
    """
    counts = instance_of(segmentation, Segmentation, "segmentation").counts()
    instance_of(playbook, SegmentPlaybook, "playbook")
    return tuple(
        ActionPlan(stage=a.stage, action=a, user_count=counts[a.stage]) for a in playbook.actions
    )
