"""KPI trees: how each of the playbook's three goal families is measured.

A goal is reached through a chain of measurable steps. Acquisition is a funnel
(traffic → leads → conversion), brand building is exposure, share of voice and
favourability, user operations is private-domain size, repurchase and retention. Each
tree's root is the result KPI; its children are the process KPIs that drive it, each
with a formula and a unit, so a dashboard knows what to compute and a weekly review
knows which lever moved.

A goal's own KPIs are never dropped: those the tree has get their targets copied in,
the others are kept beside the tree in :attr:`KpiTree.extra` (level ``"extra"``).
Money KPIs (cost per lead, cost per order) are in the currency passed to
:func:`kpis_for`, or in the neutral unit ``"currency"`` when none is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, BusinessModel, Direction, Goal, Money, Objective
from smmkit.models._base import SmmkitModel
from smmkit.strategy._enums import coerce_enum

__all__ = ["KpiNode", "KpiTree", "kpis_for"]


class KpiNode(SmmkitModel):
    """One KPI in a tree, with the KPIs that drive it.

    ``target_set`` is ``False`` when the goal did not give a target for this KPI: the
    KPI then carries ``target=0`` as a placeholder to be filled in. ``level`` is
    ``"result"`` for the root, ``"process"`` for its drivers and ``"extra"`` for a goal
    KPI the tree does not contain (see :attr:`KpiTree.extra`).

    Example:
        >>> from smmkit.models import KPI
        >>> KpiNode(kpi=KPI(name="leads", target=0, unit="count"), level="result").level
        'result'
    """

    kpi: KPI
    level: str
    target_set: bool = False
    children: tuple[KpiNode, ...] = ()

    def walk(self) -> Iterator[KpiNode]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


class KpiTree(SmmkitModel):
    """The KPI tree of one goal family for one business model.

    ``extra`` holds the goal's KPIs that are not part of the tree (for example a
    ``leads`` target on a B2C acquisition goal, whose funnel ends in orders), each with
    the goal's target, unit and baseline, ``level="extra"`` and ``target_set=True``.

    Example:
        >>> tree = kpis_for("acquisition", business_model="b2b")
        >>> tree.root.kpi.name
        'won_deals'
        >>> [k.name for k in tree.kpis()][:3]
        ['won_deals', 'sales_qualified_leads', 'leads']
        >>> tree.extra
        ()
    """

    objective: Objective
    business_model: BusinessModel
    root: KpiNode
    extra: tuple[KpiNode, ...] = ()

    def nodes(self) -> Iterator[KpiNode]:
        """Every node: the tree root first, depth first, then the :attr:`extra` KPIs.

        Example:
            >>> [n.level for n in kpis_for("brand", business_model="b2b").nodes()][:2]
            ['result', 'process']
        """
        yield from self.root.walk()
        yield from self.extra

    def kpis(self) -> tuple[KPI, ...]:
        """Every KPI: the tree's, root first, depth first, then the :attr:`extra` ones."""
        return tuple(node.kpi for node in self.nodes())

    def get(self, name: str) -> KpiNode:
        """The node of the KPI called ``name``.

        Example:
            >>> kpis_for("brand", business_model="b2c").get("share_of_voice").kpi.unit
            '%'
        """
        for node in self.nodes():
            if node.kpi.name == name:
                return node
        known = ", ".join(n.kpi.name for n in self.nodes())
        raise InvalidInputError.single("name", f"no such KPI in this tree; known: {known}", name)


class _Spec(NamedTuple):
    name: str
    unit: str
    formula: str
    description: str
    children: tuple[_Spec, ...] = ()
    direction: Direction = Direction.INCREASE


# Money KPIs carry this unit in the table; kpis_for replaces it with the caller's
# currency code. A fixed "CNY" here mislabelled every non-Chinese budget.
_MONEY = "currency"
# The same net-sentiment formula smmkit.analytics.brand_favourability computes, in percent,
# so the tree's target and the measured value are the same number (-100..100).
_FAVOURABILITY = (
    "(positive_mentions - negative_mentions)"
    " / (positive_mentions + negative_mentions + neutral_mentions) * 100"
)

# Process KPIs are the levers; the root is the result the goal is judged on.
_S = _Spec
_TREES: dict[tuple[Objective, BusinessModel], _Spec] = {
    (Objective.ACQUISITION, BusinessModel.B2B): _S(
        "won_deals",
        "count",
        "sales_qualified_leads * win_rate",
        "deals closed that came from social leads",
        (
            _S(
                "sales_qualified_leads",
                "count",
                "leads * qualification_rate",
                "leads sales accepted as real opportunities",
                (
                    _S(
                        "leads",
                        "count",
                        "landing_visits * lead_conversion_rate",
                        "form fills, white-paper downloads, demo requests",
                        (
                            _S(
                                "landing_visits",
                                "visits",
                                "impressions * click_through_rate",
                                "visits to UTM-tagged landing pages",
                            ),
                            _S(
                                "lead_conversion_rate",
                                "%",
                                "leads / landing_visits * 100",
                                "share of visits that leave contact details",
                            ),
                        ),
                    ),
                    _S(
                        "qualification_rate",
                        "%",
                        "sales_qualified_leads / leads * 100",
                        "lead quality: technical content converts fewer but better leads",
                    ),
                ),
            ),
            _S(
                "cost_per_lead",
                _MONEY,
                "spend / leads",
                "what one lead costs",
                direction=Direction.DECREASE,
            ),
        ),
    ),
    (Objective.ACQUISITION, BusinessModel.B2C): _S(
        "orders",
        "count",
        "visits * conversion_rate",
        "orders online or in store attributed to social (coupon or UTM)",
        (
            _S(
                "visits",
                "visits",
                "impressions * click_through_rate",
                "clicks to the shop, mini-program or store-locator page",
                (
                    _S(
                        "impressions",
                        "impressions",
                        "sum(impressions per post)",
                        "how often content was shown",
                    ),
                    _S(
                        "click_through_rate",
                        "%",
                        "clicks / impressions * 100",
                        "how well content earns the click",
                    ),
                ),
            ),
            _S(
                "conversion_rate",
                "%",
                "orders / visits * 100",
                "share of visits that become an order",
            ),
            _S(
                "cost_per_order",
                _MONEY,
                "spend / orders",
                "acquisition cost of one order",
                direction=Direction.DECREASE,
            ),
        ),
    ),
    (Objective.BRAND, BusinessModel.B2C): _S(
        "favourability",
        "%",
        _FAVOURABILITY,
        "net brand sentiment from sentiment monitoring (analytics.brand_favourability)",
        (
            _S(
                "exposure",
                "impressions",
                "sum(impressions) over owned, earned and paid posts",
                "how many times people saw the brand",
                (
                    _S("reach", "people", "unique people who saw any post", "breadth of exposure"),
                    _S(
                        "ugc_posts",
                        "count",
                        "posts under the campaign topics",
                        "word of mouth the brand did not write",
                    ),
                ),
            ),
            _S(
                "share_of_voice",
                "%",
                "brand_mentions / category_mentions * 100",
                "the brand's part of the category conversation",
            ),
            _S(
                "interaction_rate",
                "%",
                "interactions / impressions * 100",
                "whether people care enough to react",
            ),
        ),
    ),
    (Objective.BRAND, BusinessModel.B2B): _S(
        "favourability",
        "%",
        _FAVOURABILITY,
        "net sentiment among professionals and decision makers (analytics.brand_favourability)",
        (
            _S(
                "exposure",
                "impressions",
                "sum(impressions) in professional channels",
                "reach among the target industries",
                (
                    _S(
                        "thought_leadership_reads",
                        "reads",
                        "reads of white papers, long answers and articles",
                        "depth of attention, not just views",
                    ),
                ),
            ),
            _S(
                "share_of_voice",
                "%",
                "brand_mentions / category_mentions * 100",
                "share of the industry conversation (media, forums, analysts)",
            ),
            _S(
                "expert_citations",
                "count",
                "times analysts, media or peers cite the brand",
                "third-party authority",
            ),
        ),
    ),
    (Objective.USER_OPERATIONS, BusinessModel.B2C): _S(
        "repurchase_rate",
        "%",
        "customers_with_2plus_orders / customers * 100",
        "share of customers who buy again in the period",
        (
            _S(
                "private_domain_size",
                "contacts",
                "wecom_contacts + oa_followers + community_members",
                "owned audience reachable without paying for reach",
                (
                    _S(
                        "private_domain_net_adds",
                        "contacts",
                        "added - removed",
                        "growth of the owned audience",
                    ),
                ),
            ),
            _S(
                "retention_rate",
                "%",
                "users_active_at_end_and_start / users_active_at_start * 100",
                "stickiness: users still active after the period",
            ),
            _S(
                "check_in_participation",
                "%",
                "users_checking_in / community_members * 100",
                "community rituals that keep users close",
            ),
        ),
    ),
    (Objective.USER_OPERATIONS, BusinessModel.B2B): _S(
        "renewal_rate",
        "%",
        "accounts_renewed / accounts_due * 100",
        "share of customer accounts that renew or expand",
        (
            _S(
                "private_domain_size",
                "contacts",
                "wecom_contacts + oa_followers",
                "decision makers and users the brand can reach directly",
                (
                    _S(
                        "nurture_engagement_rate",
                        "%",
                        "contacts_engaged / contacts * 100",
                        "contacts who read or reply to nurturing content",
                    ),
                ),
            ),
            _S(
                "retention_rate",
                "%",
                "accounts_active_at_end / accounts_active_at_start * 100",
                "accounts still engaged after the period",
            ),
            _S(
                "expansion_revenue_share",
                "%",
                "expansion_revenue / recurring_revenue * 100",
                "upsell and cross-sell from existing accounts",
            ),
        ),
    ),
}


def kpis_for(
    goal: Goal | Objective | str,
    *,
    business_model: BusinessModel | str | None = None,
    currency: Money | str | None = None,
) -> KpiTree:
    """The KPI tree for a goal: result KPI at the root, its drivers below.

    Pass a :class:`~smmkit.models.Goal`, or an objective plus ``business_model``. A goal's
    KPIs are never dropped: targets whose name is in the tree are copied into it (the other
    tree KPIs get ``target=0`` and ``target_set=False``); goal KPIs the tree does not have
    are kept, target and all, in :attr:`KpiTree.extra`, and :meth:`KpiTree.kpis` and
    :meth:`KpiTree.get` include them.

    ``currency`` (an ISO 4217 code, or the budget's :class:`~smmkit.models.Money`) is the
    unit of the money KPIs (``cost_per_lead``, ``cost_per_order``); without it their unit
    is the neutral ``"currency"``. A unit given on the goal's own KPI wins; for a money
    KPI it must be an ISO 4217 code too (or ``"currency"``), else
    :class:`~smmkit.exceptions.InvalidInputError` names ``goal.kpis.<i>.unit``.

    Example:
        >>> tree = kpis_for("user_operations", business_model="b2c")
        >>> tree.root.kpi.name, tree.root.kpi.unit
        ('repurchase_rate', '%')
        >>> tree.get("retention_rate").kpi.formula
        'users_active_at_end_and_start / users_active_at_start * 100'
        >>> kpis_for("acquisition", business_model="b2c", currency="eur").get(
        ...     "cost_per_order").kpi.unit
        'EUR'

        A goal KPI outside the tree is kept, not dropped:

        >>> from datetime import date
        >>> from smmkit.models import KPI, Goal, Period
        >>> goal = Goal(objective="acquisition", business_model="b2c", owner="growth",
        ...             period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
        ...             kpis=[KPI(name="leads", target=500, unit="count")])
        >>> [(n.kpi.name, n.kpi.target, n.level) for n in kpis_for(goal).extra]
        [('leads', 500.0, 'extra')]
    """
    targets: Mapping[str, KPI] = {}
    if isinstance(goal, Goal):
        objective = goal.objective
        model = goal.business_model
        if (
            business_model is not None
            and coerce_enum(BusinessModel, business_model, "business_model") is not model
        ):
            raise InvalidInputError.single(
                "business_model", "contradicts goal.business_model", business_model
            )
        targets = {k.name: k for k in goal.kpis}
    else:
        objective = coerce_enum(Objective, goal, "goal")
        if business_model is None:
            raise InvalidInputError.single(
                "business_model", "is required when goal is an objective", None
            )
        model = coerce_enum(BusinessModel, business_model, "business_model")
    money_unit = _currency_code(currency)
    spec = _TREES[(objective, model)]
    if isinstance(goal, Goal):
        targets = _checked_money_units(goal, _money_names(spec))
    root = _build(spec, targets, "result", money_unit)
    in_tree = {node.kpi.name for node in root.walk()}
    extra = tuple(
        KpiNode(kpi=kpi, level="extra", target_set=True)
        for name, kpi in targets.items()
        if name not in in_tree
    )
    return KpiTree(objective=objective, business_model=model, root=root, extra=extra)


def _currency_code(currency: Money | str | None) -> str:
    if currency is None:
        return _MONEY
    if isinstance(currency, Money):
        return currency.currency
    if not isinstance(currency, str):
        raise InvalidInputError.single(
            "currency", "must be an ISO 4217 code such as CNY, or a Money", currency
        )
    try:
        return Money(amount=0, currency=currency).currency
    except InvalidInputError as exc:
        raise InvalidInputError.single("currency", exc.problems[0].problem, currency) from None


def _money_names(spec: _Spec) -> set[str]:
    names = {spec.name} if spec.unit == _MONEY else set()
    for child in spec.children:
        names |= _money_names(child)
    return names


def _checked_money_units(goal: Goal, money: set[str]) -> dict[str, KPI]:
    """The goal's KPIs by name, a money KPI's own unit checked against ISO 4217."""
    out = {}
    for index, given in enumerate(goal.kpis):
        kpi = given
        if given.name in money and given.unit != _MONEY:
            try:
                code = Money(amount=0, currency=given.unit).currency
            except InvalidInputError as exc:
                raise InvalidInputError.single(
                    f"goal.kpis.{index}.unit",
                    f"a money KPI's unit must be an ISO 4217 code or 'currency': "
                    f"{exc.problems[0].problem}",
                    given.unit,
                ) from None
            kpi = given.model_copy(update={"unit": code})
        out[kpi.name] = kpi
    return out


def _build(spec: _Spec, targets: Mapping[str, KPI], level: str, money_unit: str) -> KpiNode:
    given = targets.get(spec.name)
    default_unit = money_unit if spec.unit == _MONEY else spec.unit
    kpi = KPI(
        name=spec.name,
        target=given.target if given else 0,
        unit=given.unit if given else default_unit,
        baseline=given.baseline if given else None,
        direction=given.direction if given else spec.direction,
        formula=spec.formula,
        description=spec.description,
    )
    children = tuple(_build(c, targets, "process", money_unit) for c in spec.children)
    return KpiNode(kpi=kpi, level=level, target_set=given is not None, children=children)
