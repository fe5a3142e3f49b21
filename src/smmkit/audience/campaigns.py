"""Scenario campaigns and UGC curation.

The playbook's three scenario types each come with mechanics: a UGC topic users post
under, a reward, a duration and rules. :func:`festival_story_campaign` (a Valentine's story
contest), :func:`hot_topic_campaign` (gaokao memories) and :func:`product_campaign` (a
hidden-feature challenge) fill in sensible rules; :class:`ScenarioCampaign` holds any
campaign, validated (a hot topic is over in days, so it runs at most
:data:`HOT_TOPIC_MAX_DAYS`).

:func:`curate_ugc` picks the posts to feature: only UGC with the creator's recorded,
unexpired permission is eligible (the others are reported with the reason, never
silently dropped); eligible posts rank by quality (60%: on topic, with media, substantive,
well engaged) and reach (40%, log scale), at most ``per_creator`` each.
"""

from __future__ import annotations

import math
import typing as _typing
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import Enum

from pydantic import Field, field_validator, model_validator

from smmkit import _public
from smmkit.audience._checks import (
    enum_members,
    integer,
    iterable,
    optional_text,
    text,
)
from smmkit.audience.influencers import ENGAGEMENT_WEIGHTS
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, ContentPiece, ContentSource, LifecycleStage, Money, Period
from smmkit.models._base import (
    EventDatetime,
    FieldValueError,
    PlatformId,
    SmmkitModel,
    as_utc,
    require_aware,
)

__all__ = [
    "CampaignKind",
    "CampaignMechanics",
    "CurationDecision",
    "CurationResult",
    "HOT_TOPIC_MAX_DAYS",
    "QUALITY_WEIGHTS",
    "Reward",
    "RewardKind",
    "ScenarioCampaign",
    "UgcSubmission",
    "curate_ugc",
    "festival_story_campaign",
    "hot_topic_campaign",
    "product_campaign",
]

HOT_TOPIC_MAX_DAYS = 7
"""Attention on a trending topic decays within days; a longer campaign outlives it."""


class CampaignKind(str, Enum):
    """The playbook's scenario types."""

    FESTIVAL = "festival"
    HOT_TOPIC = "hot_topic"
    PRODUCT = "product"


class RewardKind(str, Enum):
    """What participants can win."""

    COUPON = "coupon"
    PHYSICAL = "physical"
    FEATURED = "featured"  # the post is reposted or pinned by the brand
    FREE_TRIAL = "free_trial"
    CASH = "cash"


class Reward(SmmkitModel):
    """A campaign reward; ``winners`` is how many get it (``None``: every valid entry).

    Example:
        >>> Reward(kind="physical", description="gift box", winners=10).kind.value
        'physical'
    """

    kind: RewardKind
    description: str = Field(min_length=1)
    value: Money | None = None
    winners: int | None = Field(default=None, gt=0)


class CampaignMechanics(SmmkitModel):
    """How users take part: the topic to post under, the reward, the duration, the rules.

    Example:
        >>> m = CampaignMechanics(ugc_topic="我的办公室茶", duration_days=14,
        ...     reward=Reward(kind="coupon", description="a free cup"),
        ...     rules=["post under the topic"])
        >>> m.requires_permission
        True
    """

    ugc_topic: str = Field(min_length=1)
    reward: Reward
    duration_days: int = Field(gt=0, le=90)
    rules: tuple[str, ...] = Field(min_length=1)
    entry_requirements: tuple[str, ...] = ()
    requires_permission: bool = True

    @field_validator("ugc_topic")
    @classmethod
    def _bare_topic(cls, value: str) -> str:
        if value.startswith("#") or value.endswith("#") or not value.strip():
            raise ValueError("write the topic without '#': each platform adds its own syntax")
        return value


class ScenarioCampaign(SmmkitModel):
    """A festival, hot-topic or product campaign.

    Example:
        >>> from datetime import date
        >>> c = festival_story_campaign("情人节故事", festival="Valentine's Day",
        ...     start=date(2026, 2, 1), topic="我们的茶故事",
        ...     reward=Reward(kind="physical", description="gift box", winners=10))
        >>> c.kind.value, c.end.isoformat()
        ('festival', '2026-02-14')
    """

    name: str = Field(min_length=1)
    kind: CampaignKind
    theme: str = Field(min_length=1)
    start: date
    mechanics: CampaignMechanics
    platforms: tuple[PlatformId, ...] = ()
    target_stages: tuple[LifecycleStage, ...] = ()
    kpis: tuple[KPI, ...] = ()

    @model_validator(mode="after")
    def _hot_topics_are_short(self) -> ScenarioCampaign:
        if (
            self.kind is CampaignKind.HOT_TOPIC
            and self.mechanics.duration_days > HOT_TOPIC_MAX_DAYS
        ):
            raise FieldValueError(
                "mechanics.duration_days",
                f"a hot-topic campaign runs at most {HOT_TOPIC_MAX_DAYS} days "
                f"(got {self.mechanics.duration_days})",
            )
        return self

    @property
    def end(self) -> date:
        """The last day of the campaign."""
        return self.start + timedelta(days=self.mechanics.duration_days - 1)

    @property
    def period(self) -> Period:
        """Start to end, inclusive."""
        return Period(start=self.start, end=self.end)


_COMMON_RULES = (
    "original content only; reposts and AI-generated entries are not eligible",
    "by entering you allow the brand to repost your entry with credit",
)


def festival_story_campaign(
    name: str,
    *,
    festival: str,
    start: date,
    topic: str,
    reward: Reward,
    days: int = 14,
    platforms: Sequence[str] = (),
    target_stages: Sequence[LifecycleStage | str] = (),
) -> ScenarioCampaign:
    """A festival story contest (the playbook's Valentine's story contest).

    ``platforms`` are known platform ids; ``target_stages`` lifecycle stages (or their
    values). A value of the wrong type or an unknown one raises
    :class:`~smmkit.exceptions.InvalidInputError` naming the parameter (``target_stages.0``).

    Example:
        >>> from datetime import date
        >>> c = festival_story_campaign("中秋", festival="Mid-Autumn", start=date(2026, 9, 20),
        ...     topic="中秋茶话", reward=Reward(kind="coupon", description="mooncake coupon"))
        >>> c.mechanics.rules[0]
        'post a story about Mid-Autumn under the topic 中秋茶话'
    """
    festival = text(festival, "festival")
    topic = text(topic, "topic")
    return _campaign(
        name,
        CampaignKind.FESTIVAL,
        theme=f"{festival} story contest",
        start=start,
        topic=topic,
        reward=reward,
        days=days,
        rules=(
            f"post a story about {festival} under the topic {topic}",
            "winners chosen by likes and a jury, announced after the festival",
        ),
        platforms=platforms,
        target_stages=target_stages,
        entry_requirements=("at least one picture or video",),
    )


def hot_topic_campaign(
    name: str,
    *,
    topic: str,
    start: date,
    reward: Reward,
    days: int = 3,
    angle: str | None = None,
    platforms: Sequence[str] = (),
    target_stages: Sequence[LifecycleStage | str] = (),
) -> ScenarioCampaign:
    """A fast campaign riding a trending topic (the playbook's gaokao memories).

    Example:
        >>> from datetime import date
        >>> c = hot_topic_campaign("高考", topic="我的高考记忆", start=date(2026, 6, 7),
        ...     reward=Reward(kind="featured", description="pinned on the official account"))
        >>> c.mechanics.duration_days
        3
    """
    topic = text(topic, "topic")
    angle = optional_text(angle, "angle")
    return _campaign(
        name,
        CampaignKind.HOT_TOPIC,
        theme=angle or f"memories of {topic}",
        start=start,
        topic=topic,
        reward=reward,
        days=days,
        rules=(
            "share a personal memory or photo under the topic",
            "stay respectful: no mocking, no sensitive personal data",
        ),
        platforms=platforms,
        target_stages=target_stages,
    )


def product_campaign(
    name: str,
    *,
    product: str,
    start: date,
    topic: str,
    reward: Reward,
    days: int = 21,
    platforms: Sequence[str] = (),
    target_stages: Sequence[LifecycleStage | str] = (),
) -> ScenarioCampaign:
    """A product challenge (the playbook's hidden-feature challenge).

    Example:
        >>> from datetime import date
        >>> c = product_campaign("雨天DIY", product="cold-brew kit", start=date(2026, 5, 1),
        ...     topic="雨天DIY茶", reward=Reward(kind="free_trial", description="new flavour"))
        >>> c.theme
        'hidden-feature challenge: cold-brew kit'
    """
    product = text(product, "product")
    topic = text(topic, "topic")
    return _campaign(
        name,
        CampaignKind.PRODUCT,
        theme=f"hidden-feature challenge: {product}",
        start=start,
        topic=topic,
        reward=reward,
        days=days,
        rules=(
            f"show a use of {product} most people do not know, under the topic",
            "a video or step-by-step pictures",
        ),
        platforms=platforms,
        target_stages=target_stages,
        entry_requirements=("shows the product in use",),
    )


def _campaign(
    name: str,
    kind: CampaignKind,
    *,
    theme: str,
    start: date,
    topic: str,
    reward: Reward,
    days: int,
    rules: tuple[str, ...],
    platforms: Sequence[str],
    target_stages: Sequence[LifecycleStage | str],
    entry_requirements: tuple[str, ...] = (),
) -> ScenarioCampaign:
    """The campaign every scenario builds: its own rules first, then the common ones."""
    days = integer(days, "days", minimum=1)
    platform_ids = tuple(iterable(platforms, "platforms", "platform ids"))
    stages = enum_members(LifecycleStage, target_stages, "target_stages")
    return ScenarioCampaign(
        name=name,
        kind=kind,
        theme=theme,
        start=start,
        mechanics=CampaignMechanics(
            ugc_topic=topic,
            reward=reward,
            duration_days=days,
            rules=(*rules, *_COMMON_RULES),
            entry_requirements=entry_requirements,
        ),
        platforms=platform_ids,
        target_stages=stages,
    )


class UgcSubmission(SmmkitModel):
    """A UGC post submitted to (or found under) a campaign topic, with its metrics.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import Creator
        >>> piece = ContentPiece(id="p", body="tea", source="ugc", creator=Creator(name="Lin"))
        >>> UgcSubmission(piece=piece, published_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...               likes=3).likes
        3
    """

    piece: ContentPiece
    published_at: EventDatetime
    views: int | None = Field(default=None, ge=0)
    likes: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    saves: int = Field(default=0, ge=0)
    author_followers: int = Field(default=0, ge=0)


QUALITY_WEIGHTS = {"on_topic": 0.3, "media": 0.25, "substance": 0.2, "engagement": 0.25}
"""Parts of a post's quality (they sum to 1). Substance: at least 30 characters of body."""
_MIN_BODY = 30
_GOOD_WEIGHTED_RATE = 0.10


class CurationDecision(SmmkitModel):
    """Why a post was featured, kept in reserve, or not eligible (see :func:`curate_ugc`)."""

    piece_id: str
    creator: str | None
    featured: bool
    eligible: bool
    score: float = Field(ge=0, le=1)
    quality: float = Field(ge=0, le=1)
    reach: float = Field(ge=0, le=1)
    reasons: tuple[str, ...]


class CurationResult(SmmkitModel):
    """Featured posts (best first), eligible ones kept in reserve, and rejected ones.

    Example:
        >>> from datetime import datetime, timezone
        >>> curate_ugc([], now=datetime(2026, 3, 1, tzinfo=timezone.utc)).featured
        ()
    """

    featured: tuple[CurationDecision, ...]
    reserve: tuple[CurationDecision, ...]
    rejected: tuple[CurationDecision, ...]


def curate_ugc(
    submissions: Iterable[UgcSubmission],
    *,
    now: datetime,
    topic: str | None = None,
    limit: int = 10,
    per_creator: int = 1,
) -> CurationResult:
    """Pick the UGC posts to feature: permission first, then quality and reach.

    ``now`` must be an aware datetime; a submission published after it cannot exist yet
    and raises :class:`~smmkit.exceptions.InvalidInputError` naming it.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import ContentPiece, Creator, UGCPermission
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> ok = UgcSubmission(piece=ContentPiece(id="a", body="下午三点的茶" * 6, source="ugc",
        ...         tags=["我的办公室茶"], creator=Creator(name="小林"),
        ...         permission=UGCPermission(granted_at=now)),
        ...     published_at=now, views=2000, likes=150, comments=20)
        >>> no = UgcSubmission(piece=ContentPiece(id="b", body="nice", source="ugc",
        ...         creator=Creator(name="Bo")), published_at=now, views=90000, likes=9000)
        >>> r = curate_ugc([ok, no], now=now, topic="我的办公室茶")
        >>> [d.piece_id for d in r.featured], r.rejected[0].reasons[0]
        (['a'], 'no recorded permission from Bo')
    """
    limit = integer(limit, "limit", minimum=1)
    per_creator = integer(per_creator, "per_creator", minimum=1)
    topic = optional_text(topic, "topic")
    now_utc = as_utc(require_aware(now, "now"))
    rejected: list[CurationDecision] = []
    eligible: list[tuple[UgcSubmission, float, list[str]]] = []
    for index, sub in enumerate(iterable(submissions, "submissions", "UgcSubmission")):
        if not isinstance(sub, UgcSubmission):
            raise InvalidInputError.single(
                f"submissions.{index}", "must be a UgcSubmission", type(sub).__name__
            )
        if sub.published_at > now_utc:
            raise InvalidInputError.single(
                f"submissions.{index}.published_at",
                f"lies after now ({now_utc.isoformat()}) and cannot have happened yet",
                sub.published_at,
            )
        piece = sub.piece
        creator = piece.creator.name if piece.creator else None
        problem = None
        if piece.source is not ContentSource.UGC:
            problem = f"not UGC (source is {piece.source.value})"
        elif piece.permission is None:
            problem = f"no recorded permission from {creator}"
        elif (
            piece.permission.expires_at is not None
            and as_utc(piece.permission.expires_at) <= now_utc
        ):
            problem = f"permission from {creator} expired on {piece.permission.expires_at:%Y-%m-%d}"
        if problem:
            rejected.append(
                CurationDecision(
                    piece_id=piece.id,
                    creator=creator,
                    featured=False,
                    eligible=False,
                    score=0,
                    quality=0,
                    reach=0,
                    reasons=(problem,),
                )
            )
            continue
        quality, reasons = _quality(sub, topic)
        eligible.append((sub, quality, reasons))
    exposures = [_seen_by(s) for s, _, _ in eligible]
    top = math.log10(1 + max(exposures)) if exposures and max(exposures) > 0 else 1.0
    ranked: list[CurationDecision] = []
    for (sub, quality, reasons), seen in zip(eligible, exposures, strict=True):
        reach = math.log10(1 + seen) / top
        score = 0.6 * quality + 0.4 * reach
        creator = sub.piece.creator.name if sub.piece.creator else None
        ranked.append(
            CurationDecision(
                piece_id=sub.piece.id,
                creator=creator,
                featured=False,
                eligible=True,
                score=round(min(1.0, score), 6),
                quality=round(quality, 6),
                reach=round(reach, 6),
                reasons=(*reasons, f"reach {seen:,} ({reach:.2f} of the best, log scale)"),
            )
        )
    ranked.sort(key=lambda d: (-d.score, d.piece_id))
    featured: list[CurationDecision] = []
    reserve: list[CurationDecision] = []
    per: dict[str | None, int] = {}
    for d in ranked:
        if len(featured) < limit and per.get(d.creator, 0) < per_creator:
            per[d.creator] = per.get(d.creator, 0) + 1
            featured.append(d.model_copy(update={"featured": True}))
        else:
            why = "limit reached" if len(featured) >= limit else "creator already featured"
            reserve.append(d.model_copy(update={"reasons": (*d.reasons, why)}))
    return CurationResult(
        featured=tuple(featured), reserve=tuple(reserve), rejected=tuple(rejected)
    )


def _seen_by(sub: UgcSubmission) -> int:
    return sub.views if sub.views is not None else sub.author_followers


def _quality(sub: UgcSubmission, topic: str | None) -> tuple[float, list[str]]:
    piece = sub.piece
    w = QUALITY_WEIGHTS
    reasons = []
    on_topic = topic is None or topic in piece.tags or f"#{topic}" in piece.body
    reasons.append("on topic" if on_topic else f"not under the topic {topic}")
    has_media = bool(piece.media)
    reasons.append("has media" if has_media else "text only")
    substantive = len(piece.body.strip()) >= _MIN_BODY
    reasons.append("substantive text" if substantive else f"under {_MIN_BODY} characters")
    weighted = (
        ENGAGEMENT_WEIGHTS["likes"] * sub.likes
        + ENGAGEMENT_WEIGHTS["saves"] * sub.saves
        + ENGAGEMENT_WEIGHTS["comments"] * sub.comments
        + ENGAGEMENT_WEIGHTS["shares"] * sub.shares
    )
    rate = weighted / max(1, _seen_by(sub))
    engagement = min(1.0, rate / _GOOD_WEIGHTED_RATE)
    reasons.append(f"weighted engagement {rate:.1%} of views -> {engagement:.2f}")
    quality = (
        w["on_topic"] * on_topic
        + w["media"] * has_media
        + w["substance"] * substantive
        + w["engagement"] * engagement
    )
    return quality, reasons


# Renamed in 0.1 (``smmkit.content.calendar`` has its own festival helper).
if _typing.TYPE_CHECKING:  # the old name keeps type-checking until it goes
    festival_campaign = festival_story_campaign
else:  # reading it warns
    __getattr__ = _public.deprecated_aliases(
        __name__, globals(), {"festival_campaign": "festival_story_campaign"}, removal="0.2"
    )
