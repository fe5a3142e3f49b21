"""KPI trees: how each of the playbook's three goal families is measured.

A goal is reached through a chain of measurable steps. Acquisition is a funnel
(traffic → leads → conversion), brand building is exposure, share of voice and
favourability, user operations is private-domain size, repurchase and retention. Each
tree's root is the result KPI; its children are the process KPIs that drive it, each
with a formula and a unit, so a dashboard knows what to compute and a weekly review
knows which lever moved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, BusinessModel, Direction, Goal, Objective
from smmkit.models._base import SmmkitModel
from smmkit.strategy._enums import coerce_enum

__all__ = ["KpiNode", "KpiTree", "kpis_for"]


class KpiNode(SmmkitModel):
    """One KPI in a tree, with the KPIs that drive it.

    ``target_set`` is ``False`` when the goal did not give a target for this KPI: the
    KPI then carries ``target=0`` as a placeholder to be filled in.

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

    Example:
        >>> tree = kpis_for("acquisition", business_model="b2b")
        >>> tree.root.kpi.name
        'won_deals'
        >>> [k.name for k in tree.kpis()][:3]
        ['won_deals', 'sales_qualified_leads', 'leads']
    """

    objective: Objective
    business_model: BusinessModel
    root: KpiNode

    def kpis(self) -> tuple[KPI, ...]:
        """Every KPI of the tree, root first, depth first."""
        return tuple(node.kpi for node in self.root.walk())

    def get(self, name: str) -> KpiNode:
        """The node of the KPI called ``name``.

        Example:
            >>> kpis_for("brand", business_model="b2c").get("share_of_voice").kpi.unit
            '%'
        """
        for node in self.root.walk():
            if node.kpi.name == name:
                return node
        known = ", ".join(n.kpi.name for n in self.root.walk())
        raise InvalidInputError.single("name", f"no such KPI in this tree; known: {known}", name)


class _Spec(NamedTuple):
    name: str
    unit: str
    formula: str
    description: str
    children: tuple[_Spec, ...] = ()
    direction: Direction = Direction.INCREASE


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
                "CNY",
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
                "CNY",
                "spend / orders",
                "acquisition cost of one order",
                direction=Direction.DECREASE,
            ),
        ),
    ),
    (Objective.BRAND, BusinessModel.B2C): _S(
        "favourability",
        "%",
        "positive_mentions / (positive_mentions + negative_mentions) * 100",
        "brand favourability from sentiment monitoring",
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
        "positive_mentions / (positive_mentions + negative_mentions) * 100",
        "favourability among professionals and decision makers",
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
    goal: Goal | Objective | str, *, business_model: BusinessModel | str | None = None
) -> KpiTree:
    """The KPI tree for a goal: result KPI at the root, its drivers below.

    Pass a :class:`~smmkit.models.Goal` (its targets are copied into the tree where the
    KPI names match; other KPIs get ``target=0`` and ``target_set=False``), or an
    objective plus ``business_model``.

    Example:
        >>> tree = kpis_for("user_operations", business_model="b2c")
        >>> tree.root.kpi.name, tree.root.kpi.unit
        ('repurchase_rate', '%')
        >>> tree.get("retention_rate").kpi.formula
        'users_active_at_end_and_start / users_active_at_start * 100'
    """
    targets: Mapping[str, KPI] = {}
    if isinstance(goal, Goal):
        objective = goal.objective
        model = goal.business_model
        if business_model is not None and BusinessModel(business_model) is not model:
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
    spec = _TREES[(objective, model)]
    level = "result"
    return KpiTree(objective=objective, business_model=model, root=_build(spec, targets, level))


def _build(spec: _Spec, targets: Mapping[str, KPI], level: str) -> KpiNode:
    given = targets.get(spec.name)
    kpi = KPI(
        name=spec.name,
        target=given.target if given else 0,
        unit=given.unit if given else spec.unit,
        baseline=given.baseline if given else None,
        direction=given.direction if given else spec.direction,
        formula=spec.formula,
        description=spec.description,
    )
    children = tuple(_build(c, targets, "process") for c in spec.children)
    return KpiNode(kpi=kpi, level=level, target_set=given is not None, children=children)
