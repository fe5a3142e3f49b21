"""Strategy: goals to KPI trees, the platform matrix, the budget and the team.

The playbook's first chapter as pure functions: anchor the goal (:func:`kpis_for`), fit
the platforms (:func:`recommend_platforms`), and integrate resources
(:func:`allocate_budget`, :func:`recommend_team`).
"""

from smmkit import _public
from smmkit.audience.profile import AudienceProfile, GenderSkew, PurchaseChannel
from smmkit.strategy.budget import (
    BudgetItem,
    BudgetLine,
    BudgetPlan,
    PlatformAllocation,
    allocate_budget,
    split_exact,
)
from smmkit.strategy.kpis import KpiNode, KpiTree, kpis_for
from smmkit.strategy.matrix import PlatformFit, PlatformMatrix, recommend_platforms
from smmkit.strategy.team import TeamPlan, TeamRole, TeamRoleKind, TeamScale, recommend_team

__all__ = [
    "AudienceProfile",
    "BudgetItem",
    "BudgetLine",
    "BudgetPlan",
    "GenderSkew",
    "KpiNode",
    "KpiTree",
    "PlatformAllocation",
    "PlatformFit",
    "PlatformMatrix",
    "PurchaseChannel",
    "TeamPlan",
    "TeamRole",
    "TeamRoleKind",
    "TeamScale",
    "allocate_budget",
    "kpis_for",
    "recommend_platforms",
    "recommend_team",
    "split_exact",
]

_public.set_public_module(globals(), __all__, __name__)
