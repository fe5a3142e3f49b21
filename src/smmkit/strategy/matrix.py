"""The platform matrix: "precise positioning, not full coverage".

:func:`recommend_platforms` scores every catalog platform for a goal and an audience
and picks a small matrix in which each platform has a distinct job. The score is a
weighted sum of four parts, each between 0 and 1:

=============  ======  ============================================================
part           weight  what it measures
=============  ======  ============================================================
role fit       0.35    how much the goal needs the platform's role (:data:`ROLE_NEEDS`)
audience fit   0.35    share of the audience's tags the platform's audience carries
format fit     0.20    how well the platform's best format suits B2B or B2C content
API access     0.10    official 1.0, restricted 0.6, none 0.3 (hand publishing works)
=============  ======  ============================================================

Platforms are picked greedily, best score first. A role is *covered* per region once a
platform of the matrix plays it there; a platform whose roles are all covered counts
only a quarter of its role fit (:data:`REDUNDANCY_FACTOR`), so a second propagation
platform has to beat a private-domain one on audience, not just on being loud. A
platform whose audience lives in none of the audience's regions is left out; so is one
scoring under :data:`INCLUSION_THRESHOLD` or arriving after ``max_platforms``. Every
platform gets its score parts and reasons, and every left-out one says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import Field

from smmkit.audience._checks import instance_of, integer, iterable
from smmkit.audience.profile import AudienceProfile
from smmkit.catalog import Catalog, require_known_platform
from smmkit.exceptions import InvalidInputError
from smmkit.models import (
    ApiAccess,
    BusinessModel,
    ContentFormat,
    Goal,
    Money,
    Objective,
    Platform,
    PlatformRole,
    Region,
)
from smmkit.models._base import SmmkitModel
from smmkit.strategy._enums import coerce_enum, coerce_money

__all__ = [
    "API_SCORES",
    "FORMAT_FIT",
    "INCLUSION_THRESHOLD",
    "PlatformFit",
    "PlatformMatrix",
    "REDUNDANCY_FACTOR",
    "ROLE_NEEDS",
    "WEIGHTS",
    "recommend_platforms",
]


WEIGHTS: Mapping[str, float] = {"role": 0.35, "audience": 0.35, "format": 0.20, "api": 0.10}
"""Weights of the four score parts; they sum to 1."""

API_SCORES: Mapping[ApiAccess, float] = {
    ApiAccess.OFFICIAL: 1.0,
    ApiAccess.RESTRICTED: 0.6,
    ApiAccess.NONE: 0.3,
}
"""Automation matters, but a platform without an API can still be run by hand."""

INCLUSION_THRESHOLD = 0.45
"""A platform scoring below this is not worth a place in the matrix."""

REDUNDANCY_FACTOR = 0.25
"""Share of role fit kept by a platform whose roles the matrix already covers."""

_P, _T, _D = PlatformRole.PROPAGATION, PlatformRole.TRUST, PlatformRole.PRIVATE_DOMAIN
_PRO, _V, _C = PlatformRole.PROFESSIONAL, PlatformRole.VIDEO, PlatformRole.COMMUNITY

ROLE_NEEDS: Mapping[tuple[Objective, BusinessModel], Mapping[PlatformRole, float]] = {
    # Brand: be seen (propagation) and be believed (trust).
    (Objective.BRAND, BusinessModel.B2C): {_P: 1.0, _T: 0.9, _V: 0.6, _C: 0.5, _D: 0.4, _PRO: 0.1},
    (Objective.BRAND, BusinessModel.B2B): {_PRO: 1.0, _T: 0.9, _P: 0.6, _V: 0.5, _C: 0.4, _D: 0.3},
    # Acquisition: B2C seeds and converts (Douyin challenges, private-domain conversion);
    # B2B earns leads with expertise and nurtures them in an owned channel.
    (Objective.ACQUISITION, BusinessModel.B2C): {
        _P: 0.9,
        _T: 0.9,
        _D: 0.8,
        _V: 0.5,
        _C: 0.3,
        _PRO: 0.1,
    },
    (Objective.ACQUISITION, BusinessModel.B2B): {
        _PRO: 1.0,
        _T: 1.0,
        _D: 0.7,
        _V: 0.4,
        _P: 0.3,
        _C: 0.3,
    },
    # User operations: the private domain first, then community and word of mouth.
    (Objective.USER_OPERATIONS, BusinessModel.B2C): {
        _D: 1.0,
        _C: 0.7,
        _T: 0.5,
        _V: 0.4,
        _P: 0.3,
        _PRO: 0.1,
    },
    (Objective.USER_OPERATIONS, BusinessModel.B2B): {
        _D: 1.0,
        _PRO: 0.6,
        _C: 0.6,
        _T: 0.5,
        _V: 0.3,
        _P: 0.2,
    },
}
"""How much each goal family needs each platform role (0–1), per business model."""

_F = ContentFormat
FORMAT_FIT: Mapping[BusinessModel, Mapping[ContentFormat, float]] = {
    # B2B persuades with depth: white papers, technical answers, long articles.
    BusinessModel.B2B: {
        _F.ARTICLE: 1.0,
        _F.VIDEO: 0.6,
        _F.IMAGE_TEXT: 0.6,
        _F.LIVE: 0.5,
        _F.TEXT: 0.4,
        _F.MESSAGE: 0.3,
        _F.IMAGE: 0.3,
        _F.SHORT_VIDEO: 0.3,
    },
    # B2C wins with lifestyle scenes: short video and image notes.
    BusinessModel.B2C: {
        _F.SHORT_VIDEO: 1.0,
        _F.IMAGE_TEXT: 1.0,
        _F.LIVE: 0.8,
        _F.IMAGE: 0.7,
        _F.MESSAGE: 0.6,
        _F.VIDEO: 0.6,
        _F.ARTICLE: 0.4,
        _F.TEXT: 0.3,
    },
}
"""How well each content format carries B2B or B2C content (0–1)."""

_REGION_WORD = {Region.CHINA: "China", Region.INTERNATIONAL: "international markets"}


class PlatformFit(SmmkitModel):
    """One platform's score for a goal and audience, its parts and the reasons.

    ``score`` is the marginal score given the final matrix: for a selected platform,
    the score it had when it was picked. ``job`` is the role it would play.

    Example:
        >>> fit = recommend_platforms("brand", _tea(), business_model="b2c").get("weibo")
        >>> fit.selected, fit.left_out_because.startswith("its role")
        (False, True)
    """

    platform_id: str
    score: float = Field(ge=0, le=1)
    role_fit: float = Field(ge=0, le=1)
    audience_fit: float = Field(ge=0, le=1)
    format_fit: float = Field(ge=0, le=1)
    api_fit: float = Field(ge=0, le=1)
    job: PlatformRole
    matched_tags: tuple[str, ...] = ()
    selected: bool
    reasons: tuple[str, ...]
    left_out_because: str | None = None


class PlatformMatrix(SmmkitModel):
    """The recommended platforms and every other platform with its reason to stay out.

    Example:
        >>> m = recommend_platforms(["brand", "acquisition"], _tea(), business_model="b2c")
        >>> m.platform_ids
        ('xiaohongshu', 'douyin', 'wecom')
    """

    objectives: tuple[Objective, ...]
    business_model: BusinessModel
    audience: AudienceProfile
    recommended: tuple[PlatformFit, ...]
    left_out: tuple[PlatformFit, ...]
    unmatched_keywords: tuple[str, ...] = ()

    @property
    def platform_ids(self) -> tuple[str, ...]:
        """Ids of the recommended platforms, in the order they were picked."""
        return tuple(f.platform_id for f in self.recommended)

    @property
    def ranking(self) -> tuple[PlatformFit, ...]:
        """Every platform: the matrix first (in pick order), then the rest by score."""
        rest = sorted(self.left_out, key=lambda f: (-f.score, f.platform_id))
        return self.recommended + tuple(rest)

    def get(self, platform_id: str) -> PlatformFit:
        """The fit of one platform."""
        for fit in self.recommended + self.left_out:
            if fit.platform_id == platform_id:
                return fit
        require_known_platform(platform_id, field="platform_id")
        raise InvalidInputError.single("platform_id", "not in this matrix's catalog", platform_id)


GoalLike = Goal | Objective | str


def recommend_platforms(
    goal: GoalLike | Sequence[GoalLike],
    audience: AudienceProfile,
    *,
    business_model: BusinessModel | str,
    budget: Money | None = None,
    min_budget_per_platform: Money | None = None,
    max_platforms: int = 3,
    catalog: Catalog | None = None,
) -> PlatformMatrix:
    """Rank the catalog's platforms for a goal and pick a small, explainable matrix.

    ``goal`` may be several goals (brand awareness *and* in-store conversion): each
    role is needed as much as the goal that needs it most. With ``budget`` and
    ``min_budget_per_platform`` the matrix holds at most as many platforms as the
    budget can fund. See the module docstring for the scoring.

    Example:
        >>> m = recommend_platforms("acquisition", _b2b_cloud(), business_model="b2b")
        >>> m.platform_ids
        ('linkedin', 'zhihu', 'wechat_oa')
        >>> m.get("wechat_oa").job.value
        'private_domain'
    """
    model = coerce_enum(BusinessModel, business_model, "business_model")
    instance_of(audience, AudienceProfile, "audience")
    if catalog is not None:
        instance_of(catalog, Catalog, "catalog")
    if audience.business_model is not model:
        raise InvalidInputError.single(
            "audience.business_model",
            f"contradicts business_model={model.value}",
            audience.business_model.value,
        )
    objectives = _objectives(goal, model)
    max_platforms = integer(max_platforms, "max_platforms", minimum=1)
    cap = max_platforms
    cap_reason = f"the matrix is full (max_platforms={max_platforms})"
    budget = None if budget is None else coerce_money(budget, "budget")
    if min_budget_per_platform is not None:
        min_budget_per_platform = coerce_money(min_budget_per_platform, "min_budget_per_platform")
    if budget is not None and min_budget_per_platform is not None:
        if budget.currency != min_budget_per_platform.currency:
            raise InvalidInputError.single(
                "min_budget_per_platform",
                f"must be in {budget.currency}",
                min_budget_per_platform.currency,
            )
        if min_budget_per_platform.amount <= 0:
            raise InvalidInputError.single(
                "min_budget_per_platform", "must be positive", str(min_budget_per_platform)
            )
        affordable = max(1, int(budget.amount // min_budget_per_platform.amount))
        if affordable < cap:
            cap = affordable
            cap_reason = (
                f"the budget ({budget}) funds only {affordable} platform(s) at "
                f"{min_budget_per_platform} each"
            )
    needs: dict[PlatformRole, float] = {}
    for objective in objectives:
        for role, need in ROLE_NEEDS[(objective, model)].items():
            needs[role] = max(needs.get(role, 0.0), need)

    specs = sorted((catalog or Catalog.default()).values(), key=lambda s: s.id)
    wanted = audience.tags()
    vocabulary = {tag for s in specs for tag in s.audience}
    unmatched = tuple(sorted(wanted - vocabulary))
    known = wanted & vocabulary

    out_of_region: dict[str, PlatformFit] = {}
    candidates: list[Platform] = []
    for spec in specs:
        if spec.region in audience.regions:
            candidates.append(spec)
        else:
            fit = _fit(spec, needs, known, model, covered=set(), objectives=objectives)
            where = " and ".join(_REGION_WORD[r] for r in audience.regions)
            out_of_region[spec.id] = fit.model_copy(
                update={
                    "left_out_because": (
                        f"its audience is in {_REGION_WORD[spec.region]}; the target audience "
                        f"is in {where}"
                    )
                }
            )

    covered: dict[tuple[PlatformRole, Region], str] = {}
    chosen: list[PlatformFit] = []
    remaining = list(candidates)
    stop_reason: str | None = None
    while remaining:
        fits = [
            _fit(s, needs, known, model, covered=set(covered), objectives=objectives)
            for s in remaining
        ]
        best_i = max(range(len(fits)), key=lambda i: (fits[i].score, -i))
        best = fits[best_i]
        if len(chosen) >= cap:
            stop_reason = cap_reason
            break
        if best.score < INCLUSION_THRESHOLD:
            break
        chosen.append(best.model_copy(update={"selected": True}))
        spec = remaining.pop(best_i)
        for role in spec.roles:
            covered.setdefault((role, spec.region), spec.id)

    left: list[PlatformFit] = []
    for spec in remaining:
        fit = _fit(spec, needs, known, model, covered=set(covered), objectives=objectives)
        left.append(
            fit.model_copy(
                update={"left_out_because": _why_out(spec, fit, covered, stop_reason, chosen)}
            )
        )
    left.extend(out_of_region.values())
    left.sort(key=lambda f: (-f.score, f.platform_id))
    return PlatformMatrix(
        objectives=objectives,
        business_model=model,
        audience=audience,
        recommended=tuple(chosen),
        left_out=tuple(left),
        unmatched_keywords=unmatched,
    )


def _why_out(
    spec: Platform,
    fit: PlatformFit,
    covered: Mapping[tuple[PlatformRole, Region], str],
    stop_reason: str | None,
    chosen: Sequence[PlatformFit],
) -> str:
    owners = [covered[(r, spec.region)] for r in spec.roles if (r, spec.region) in covered]
    all_covered = len(owners) == len(spec.roles)
    if all_covered:
        roles = ", ".join(r.value for r in spec.roles)
        by = ", ".join(dict.fromkeys(owners))
        better = [c for c in chosen if c.platform_id == owners[0]]
        detail = ""
        if better:
            b = better[0]
            detail = (
                f"; {b.platform_id} was picked for {b.job.value} with score {b.score:.2f}"
                f" (audience fit {b.audience_fit:.2f} vs {fit.audience_fit:.2f} here)"
            )
        return f"its role ({roles}) is already covered by {by}{detail}"
    if fit.score < INCLUSION_THRESHOLD:
        return f"score {fit.score:.2f} is below the inclusion threshold {INCLUSION_THRESHOLD}"
    if stop_reason is not None:
        return f"{stop_reason}; its score {fit.score:.2f} ranks after the matrix"
    return f"score {fit.score:.2f} ranks after the matrix"


def _fit(
    spec: Platform,
    needs: Mapping[PlatformRole, float],
    known: frozenset[str] | set[str],
    model: BusinessModel,
    *,
    covered: set[tuple[PlatformRole, Region]],
    objectives: Sequence[Objective],
) -> PlatformFit:
    fresh = [r for r in spec.roles if (r, spec.region) not in covered]
    pool = fresh or list(spec.roles)
    job = max(pool, key=lambda r: (needs.get(r, 0.0), -spec.roles.index(r)))
    role_fit = needs.get(job, 0.0) * (1.0 if fresh else REDUNDANCY_FACTOR)
    matched = tuple(sorted(known & set(spec.audience)))
    audience_fit = len(matched) / len(known) if known else 0.0
    formats = FORMAT_FIT[model]
    best_format = max(spec.formats, key=lambda f: (formats.get(f, 0.0), -spec.formats.index(f)))
    format_fit = formats.get(best_format, 0.0)
    api_fit = API_SCORES[spec.api_access]
    score = (
        WEIGHTS["role"] * role_fit
        + WEIGHTS["audience"] * audience_fit
        + WEIGHTS["format"] * format_fit
        + WEIGHTS["api"] * api_fit
    )
    goals = "+".join(o.value for o in objectives)
    redundant = "" if fresh else f" x{REDUNDANCY_FACTOR} (role already covered)"
    reasons = (
        f"role {job.value}: needed {needs.get(job, 0.0):.2f} for {goals}/{model.value}"
        f"{redundant} -> {role_fit:.2f}",
        f"audience: {len(matched)} of {len(known)} tags match"
        + (f" ({', '.join(matched)})" if matched else "")
        + f" -> {audience_fit:.2f}",
        f"formats: best is {best_format.value} for {model.value} content -> {format_fit:.2f}",
        f"API access: {spec.api_access.value} -> {api_fit:.2f}",
    )
    return PlatformFit(
        platform_id=spec.id,
        score=round(min(1.0, score), 6),
        role_fit=round(role_fit, 6),
        audience_fit=round(audience_fit, 6),
        format_fit=format_fit,
        api_fit=api_fit,
        job=job,
        matched_tags=matched,
        selected=False,
        reasons=reasons,
    )


def _objectives(goal: GoalLike | Sequence[GoalLike], model: BusinessModel) -> tuple[Objective, ...]:
    items: Sequence[GoalLike] = (
        (goal,)
        if isinstance(goal, (Goal, Objective, str))
        else tuple(iterable(goal, "goal", "goals (Goal, Objective or objective names)"))
    )
    if not items:
        raise InvalidInputError.single("goal", "needs at least one goal", None)
    out: list[Objective] = []
    for i, item in enumerate(items):
        if isinstance(item, Goal):
            if item.business_model is not model:
                raise InvalidInputError.single(
                    f"goal.{i}.business_model",
                    f"contradicts business_model={model.value}",
                    item.business_model.value,
                )
            objective = item.objective
        else:
            objective = coerce_enum(Objective, item, f"goal.{i}" if len(items) > 1 else "goal")
        if objective not in out:
            out.append(objective)
    return tuple(out)


def _tea() -> AudienceProfile:
    # The playbook's tea brand; used by the doctests above.
    return AudienceProfile(
        business_model=BusinessModel.B2C,
        regions=(Region.CHINA,),
        age_min=25,
        age_max=35,
        gender="female",
        locations=("urban",),
        occupations=("office workers",),
        interests=("lifestyle", "health", "tea"),
        purchase_channels=("in_store",),
    )


def _b2b_cloud() -> AudienceProfile:
    return AudienceProfile(
        business_model=BusinessModel.B2B,
        regions=(Region.CHINA, Region.INTERNATIONAL),
        occupations=("it managers",),
        interests=("tech", "cloud computing"),
        purchase_channels=("sales_team",),
    )
