"""Team: the smallest loop that can run social media, and what each model adds.

The playbook's minimal loop is content planning, operations, data analysis and
sentiment monitoring: plan → publish and interact → measure → listen, then plan again.
A B2C brand adds a creative-visual role (scenes, short video); a B2B brand adds an
industry-research role (white papers, technical depth). Larger programmes add people
where the volume is, not new kinds of work.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from smmkit.exceptions import InvalidInputError
from smmkit.models import BusinessModel
from smmkit.models._base import SmmkitModel
from smmkit.strategy._enums import coerce_enum

__all__ = ["TeamPlan", "TeamRole", "TeamRoleKind", "TeamScale", "recommend_team"]


class TeamScale(str, Enum):
    """How big the programme is."""

    STARTUP = "startup"  # one or two people: roles are hats, not heads
    SMALL = "small"  # 2–3 platforms, weekly campaigns
    MEDIUM = "medium"  # a matrix with daily publishing and a community
    LARGE = "large"  # several brands or regions


class TeamRoleKind(str, Enum):
    """A kind of work in the loop."""

    CONTENT_PLANNING = "content_planning"
    OPERATIONS = "operations"
    DATA_ANALYSIS = "data_analysis"
    SENTIMENT_MONITORING = "sentiment_monitoring"
    CREATIVE_VISUAL = "creative_visual"
    INDUSTRY_RESEARCH = "industry_research"


class TeamRole(SmmkitModel):
    """One role: how many people (``headcount`` may be a fraction: a shared hat).

    Example:
        >>> recommend_team("b2c", scale="startup").roles[0].headcount
        0.5
    """

    kind: TeamRoleKind
    headcount: float = Field(gt=0)
    responsibilities: tuple[str, ...]
    core_loop: bool


class TeamPlan(SmmkitModel):
    """The recommended team.

    Example:
        >>> plan = recommend_team("b2c", scale="small")
        >>> [r.kind.value for r in plan.roles if not r.core_loop]
        ['creative_visual']
    """

    business_model: BusinessModel
    scale: TeamScale
    roles: tuple[TeamRole, ...]

    @property
    def headcount(self) -> float:
        """Total people (fractions are shared hats)."""
        return sum(r.headcount for r in self.roles)


_DUTIES: dict[TeamRoleKind, tuple[str, ...]] = {
    TeamRoleKind.CONTENT_PLANNING: (
        "content pillars and calendar",
        "campaign and UGC topic design",
        "platform adaptation",
    ),
    TeamRoleKind.OPERATIONS: (
        "publishing and scheduling",
        "comments, messages and community",
        "segment playbooks",
    ),
    TeamRoleKind.DATA_ANALYSIS: (
        "KPI dashboard",
        "UTM and attribution",
        "iteration reviews",
    ),
    TeamRoleKind.SENTIMENT_MONITORING: (
        "brand, product and executive watchlists",
        "early warning and escalation",
        "crisis response log",
    ),
    TeamRoleKind.CREATIVE_VISUAL: (
        "scene photography and image notes",
        "short-video scripts and editing",
    ),
    TeamRoleKind.INDUSTRY_RESEARCH: (
        "white papers and technical answers",
        "industry data and cost calculators",
    ),
}

# Headcount per role and scale; startup hats add up to about 1.5 people.
_HEADCOUNT: dict[TeamScale, dict[TeamRoleKind, float]] = {
    TeamScale.STARTUP: {
        TeamRoleKind.CONTENT_PLANNING: 0.5,
        TeamRoleKind.OPERATIONS: 0.5,
        TeamRoleKind.DATA_ANALYSIS: 0.25,
        TeamRoleKind.SENTIMENT_MONITORING: 0.25,
        TeamRoleKind.CREATIVE_VISUAL: 0.5,
        TeamRoleKind.INDUSTRY_RESEARCH: 0.5,
    },
    TeamScale.SMALL: dict.fromkeys(TeamRoleKind, 1.0),
    TeamScale.MEDIUM: {
        TeamRoleKind.CONTENT_PLANNING: 2,
        TeamRoleKind.OPERATIONS: 3,
        TeamRoleKind.DATA_ANALYSIS: 1,
        TeamRoleKind.SENTIMENT_MONITORING: 1,
        TeamRoleKind.CREATIVE_VISUAL: 2,
        TeamRoleKind.INDUSTRY_RESEARCH: 1,
    },
    TeamScale.LARGE: {
        TeamRoleKind.CONTENT_PLANNING: 3,
        TeamRoleKind.OPERATIONS: 6,
        TeamRoleKind.DATA_ANALYSIS: 2,
        TeamRoleKind.SENTIMENT_MONITORING: 2,
        TeamRoleKind.CREATIVE_VISUAL: 4,
        TeamRoleKind.INDUSTRY_RESEARCH: 2,
    },
}

_CORE = (
    TeamRoleKind.CONTENT_PLANNING,
    TeamRoleKind.OPERATIONS,
    TeamRoleKind.DATA_ANALYSIS,
    TeamRoleKind.SENTIMENT_MONITORING,
)
_EXTRA = {
    BusinessModel.B2C: TeamRoleKind.CREATIVE_VISUAL,
    BusinessModel.B2B: TeamRoleKind.INDUSTRY_RESEARCH,
}


def recommend_team(
    business_model: BusinessModel | str, *, scale: TeamScale | str = TeamScale.SMALL
) -> TeamPlan:
    """The minimal loop plus the role the business model needs, sized for ``scale``.

    Example:
        >>> plan = recommend_team("b2b", scale="medium")
        >>> [(r.kind.value, r.headcount) for r in plan.roles][-1]
        ('industry_research', 1.0)
        >>> plan.headcount
        8.0
    """
    try:
        model = BusinessModel(business_model)
    except ValueError:
        raise InvalidInputError.single(
            "business_model", "must be b2b or b2c", business_model
        ) from None
    size = coerce_enum(TeamScale, scale, "scale")
    kinds = (*_CORE, _EXTRA[model])
    roles = tuple(
        TeamRole(
            kind=k,
            headcount=float(_HEADCOUNT[size][k]),
            responsibilities=_DUTIES[k],
            core_loop=k in _CORE,
        )
        for k in kinds
    )
    return TeamPlan(business_model=model, scale=size, roles=roles)
