"""KOC and KOL: grow advocates from loyal users, and vet influencers before paying them.

**KOC** (key opinion consumers) come from loyal users who already create content about the
brand: :func:`find_koc_candidates` ranks them by engagement *quality* (comments, saves
and shares weigh more than likes, per view) and by reach, so the brand invests its free
trials and training where the posts work.

**KOL** (key opinion leaders) are scored by :func:`score_kol` on three explainable parts
and checked for signs of bought reach:

==================  ======  ================================================================
part                weight  meaning
==================  ======  ================================================================
engagement rate     0.40    interactions per follower per post, 1.0 at :data:`GOOD_ENGAGEMENT_RATE`
audience fit        0.35    share of the brand audience's tags the KOL's audience carries
consistency         0.25    1 / (1 + coefficient of variation of per-post engagement)
==================  ======  ================================================================

Each suspicious-growth flag (:class:`SuspicionFlag`) subtracts :data:`FLAG_PENALTY`.
Thresholds are module constants so a team can see and argue with them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from itertools import pairwise

from pydantic import Field, model_validator

from smmkit.audience._checks import enum_members, instance_of, integer, items_of
from smmkit.audience.lifecycle import Segmentation
from smmkit.audience.profile import AudienceProfile, normalize_tag
from smmkit.exceptions import InvalidInputError
from smmkit.models import LifecycleStage, Region, User
from smmkit.models._base import EventDatetime, FieldValueError, PlatformId, SmmkitModel

__all__ = [
    "CreatorPost",
    "ENGAGEMENT_WEIGHTS",
    "FLAG_PENALTY",
    "FollowerSnapshot",
    "GOOD_ENGAGEMENT_RATE",
    "KOL_WEIGHTS",
    "KocCandidate",
    "KolProfile",
    "KolScore",
    "SuspicionFlag",
    "find_koc_candidates",
    "score_kol",
]

ENGAGEMENT_WEIGHTS: Mapping[str, int] = {"likes": 1, "saves": 2, "comments": 3, "shares": 4}
"""Weight of each interaction in engagement quality: effort and intent, not just taps."""

KOL_WEIGHTS: Mapping[str, float] = {"engagement": 0.40, "audience": 0.35, "consistency": 0.25}
GOOD_ENGAGEMENT_RATE = 0.06
"""An engagement rate (interactions / followers) that earns the full engagement part."""
FLAG_PENALTY = 0.15

FOLLOWER_SPIKE_PER_DAY = 0.05  # +5% followers per day between snapshots
LOW_ENGAGEMENT_RATE = 0.005  # under 0.5% ...
LOW_ENGAGEMENT_MIN_FOLLOWERS = 10_000  # ... with at least this many followers
LIKES_PER_COMMENT_MAX = 200  # likes without conversation
VIEWS_PER_FOLLOWER_MIN = 0.02  # median views under 2% of followers


class CreatorPost(SmmkitModel):
    """One post by a creator (a user or a KOL), with its public metrics.

    ``followers_at_post`` is the author's follower count when it was published.

    Example:
        >>> from datetime import datetime, timezone
        >>> p = CreatorPost(id="p1", author_id="u1", likes=120, comments=30, saves=10,
        ...                 views=4000, published_at=datetime(2026, 2, 1, tzinfo=timezone.utc))
        >>> p.weighted_engagement
        230
    """

    id: str = Field(min_length=1)
    author_id: str = Field(min_length=1)
    published_at: EventDatetime
    platform: PlatformId | None = None
    views: int | None = Field(default=None, ge=0)
    likes: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    saves: int = Field(default=0, ge=0)
    followers_at_post: int | None = Field(default=None, ge=0)

    @property
    def interactions(self) -> int:
        """Likes + comments + shares + saves."""
        return self.likes + self.comments + self.shares + self.saves

    @property
    def weighted_engagement(self) -> int:
        """Interactions weighted by :data:`ENGAGEMENT_WEIGHTS`."""
        w = ENGAGEMENT_WEIGHTS
        return (
            w["likes"] * self.likes
            + w["saves"] * self.saves
            + w["comments"] * self.comments
            + w["shares"] * self.shares
        )


class KocCandidate(SmmkitModel):
    """A loyal user worth growing into a KOC, with the numbers behind the rank.

    Example:
        >>> c = KocCandidate(user_id="u1", score=0.9, engagement_quality=0.16, reach=2500,
        ...                  posts=2, stage="loyal", reasons=("loyal user with 2 posts",))
        >>> c.stage.value
        'loyal'
    """

    user_id: str
    score: float = Field(ge=0, le=1)
    engagement_quality: float = Field(ge=0)
    reach: float = Field(ge=0)
    posts: int = Field(ge=0)
    stage: LifecycleStage
    reasons: tuple[str, ...]


def find_koc_candidates(
    segmentation: Segmentation,
    users: Iterable[User],
    posts: Iterable[CreatorPost],
    *,
    stages: Sequence[LifecycleStage | str] = (LifecycleStage.LOYAL,),
    min_posts: int = 1,
    limit: int = 100,
) -> tuple[KocCandidate, ...]:
    """Loyal users who create content, ranked by engagement quality (60%) and reach (40%).

    Engagement quality is the mean over the user's posts of weighted engagement per view
    (per follower when views are unknown). Reach is the median views (or followers).
    Both are scaled to the best candidate (reach on a log scale, so one big account does
    not flatten everyone else). With ``min_posts=0``, users flagged ``is_creator`` who
    have no brand posts yet are candidates too (quality 0, reach = their followers).
    Ties rank by user id.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.audience.lifecycle import segment_users
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> t = now.timestamp()
        >>> seg = segment_users([("a", t - 400 * 86400), ("b", t - 400 * 86400)],
        ...     [(u, "order", t - d * 86400, 30.0) for u in "ab" for d in (1, 2, 3)], now=now)
        >>> users = [User(id=u, joined_at=now, followers=f) for u, f in (("a", 300), ("b", 5000))]
        >>> posts = [CreatorPost(id=f"{u}1", author_id=u, views=v, likes=l, comments=c,
        ...                      published_at=now) for u, v, l, c in
        ...          (("a", 1000, 90, 30), ("b", 20000, 200, 5))]
        >>> [c.user_id for c in find_koc_candidates(seg, users, posts)]
        ['a', 'b']
    """
    instance_of(segmentation, Segmentation, "segmentation")
    user_list = items_of(users, User, "users")
    post_list = items_of(posts, CreatorPost, "posts")
    wanted = set(enum_members(LifecycleStage, stages, "stages"))
    min_posts = integer(min_posts, "min_posts", minimum=0)
    limit = integer(limit, "limit", minimum=1)
    by_author: dict[str, list[CreatorPost]] = {}
    for p in post_list:
        by_author.setdefault(p.author_id, []).append(p)
    raw: list[tuple[str, LifecycleStage, float, float, int]] = []
    for user in user_list:
        try:
            stage = segmentation.stage_of(user.id)
        except InvalidInputError:
            continue
        if stage not in wanted:
            continue
        mine = by_author.get(user.id, [])
        if len(mine) < min_posts or (not mine and not user.is_creator):
            continue
        quality = (
            statistics.fmean(p.weighted_engagement / max(1, _exposure(p, user)) for p in mine)
            if mine
            else 0.0
        )
        reach = statistics.median(_exposure(p, user) for p in mine) if mine else user.followers
        raw.append((user.id, stage, quality, float(reach), len(mine)))
    if not raw:
        return ()
    best_q = max(r[2] for r in raw) or 1.0
    best_r = math.log10(1 + max(r[3] for r in raw)) or 1.0
    out = []
    for uid, stage, quality, reach, n in raw:
        q_part = quality / best_q
        r_part = math.log10(1 + reach) / best_r
        score = 0.6 * q_part + 0.4 * r_part
        out.append(
            KocCandidate(
                user_id=uid,
                score=round(min(1.0, score), 6),
                engagement_quality=quality,
                reach=reach,
                posts=n,
                stage=stage,
                reasons=(
                    f"{stage.value} user with {n} brand post(s)",
                    f"engagement quality {quality:.3f} weighted interactions per view "
                    f"({q_part:.2f} of the best)",
                    f"typical reach {reach:,.0f} ({r_part:.2f} of the best, log scale)",
                ),
            )
        )
    out.sort(key=lambda c: (-c.score, c.user_id))
    return tuple(out[:limit])


def _exposure(post: CreatorPost, user: User | None = None) -> int:
    if post.views is not None:
        return post.views
    if post.followers_at_post is not None:
        return post.followers_at_post
    return user.followers if user is not None else 0


class FollowerSnapshot(SmmkitModel):
    """The follower count on one day.

    Example:
        >>> from datetime import date
        >>> FollowerSnapshot(on=date(2026, 1, 1), followers=52_000).followers
        52000
    """

    on: date
    followers: int = Field(ge=0)


class KolProfile(SmmkitModel):
    """An influencer as the brand sees them before a deal.

    ``audience_tags`` describe the KOL's followers in the catalog's vocabulary
    (``"women"``, ``"office workers"``...); ``regions`` where they are.

    Example:
        >>> KolProfile(id="k1", followers=80_000, audience_tags=["women", "urban"]).followers
        80000
    """

    id: str = Field(min_length=1)
    handle: str | None = None
    platform: PlatformId | None = None
    followers: int = Field(ge=0)
    regions: tuple[Region, ...] = ()
    audience_tags: tuple[str, ...] = ()
    follower_history: tuple[FollowerSnapshot, ...] = ()

    @model_validator(mode="after")
    def _history_in_order(self) -> KolProfile:
        days = [s.on for s in self.follower_history]
        if days != sorted(days) or len(set(days)) != len(days):
            raise FieldValueError(
                "follower_history", "follower_history must be in date order, one snapshot per day"
            )
        return self


class SuspicionFlag(str, Enum):
    """Signs that reach may be bought or inflated."""

    FOLLOWER_SPIKE = "follower_spike"
    LOW_ENGAGEMENT = "low_engagement"
    LIKES_WITHOUT_COMMENTS = "likes_without_comments"
    VIEWS_BELOW_FOLLOWERS = "views_below_followers"


class KolScore(SmmkitModel):
    """A KOL's score, its parts, the flags raised and the reasons in words.

    Example:
        >>> brand = AudienceProfile(business_model="b2c", regions=["china"])
        >>> s = score_kol(KolProfile(id="k", followers=100), [], brand_audience=brand)
        >>> s.engagement_rate, s.flags
        (0.0, ())
    """

    kol_id: str
    score: float = Field(ge=0, le=1)
    engagement_rate: float = Field(ge=0)
    audience_fit: float = Field(ge=0, le=1)
    consistency: float = Field(ge=0, le=1)
    matched_tags: tuple[str, ...] = ()
    flags: tuple[SuspicionFlag, ...] = ()
    reasons: tuple[str, ...]


def score_kol(
    profile: KolProfile, posts: Sequence[CreatorPost], *, brand_audience: AudienceProfile
) -> KolScore:
    """Score an influencer for a brand audience and flag suspicious growth.

    Only ``posts`` by ``profile.id`` count. See the module docstring for the weights.

    Example:
        >>> from datetime import datetime, timezone
        >>> brand = AudienceProfile(business_model="b2c", regions=["china"], gender="female",
        ...                         occupations=["office workers"])
        >>> kol = KolProfile(id="k1", followers=50_000, regions=["china"],
        ...                  audience_tags=["women", "office workers", "fitness"])
        >>> at = datetime(2026, 2, 1, tzinfo=timezone.utc)
        >>> posts = [CreatorPost(id=f"p{i}", author_id="k1", likes=2500, comments=300,
        ...                      shares=100, views=60_000, published_at=at) for i in range(4)]
        >>> s = score_kol(kol, posts, brand_audience=brand)
        >>> s.audience_fit, s.consistency, s.flags
        (1.0, 1.0, ())
    """
    instance_of(profile, KolProfile, "profile")
    instance_of(brand_audience, AudienceProfile, "brand_audience")
    mine = [p for p in items_of(posts, CreatorPost, "posts") if p.author_id == profile.id]
    reasons: list[str] = []
    flags: list[SuspicionFlag] = []
    rates = [p.interactions / max(1, p.followers_at_post or profile.followers) for p in mine]
    er = statistics.fmean(rates) if rates else 0.0
    er_part = min(1.0, er / GOOD_ENGAGEMENT_RATE)
    reasons.append(
        f"engagement rate {er:.2%} over {len(mine)} post(s) -> {er_part:.2f} "
        f"(full marks at {GOOD_ENGAGEMENT_RATE:.0%})"
    )
    wanted = brand_audience.tags()
    theirs = {normalize_tag(t) for t in profile.audience_tags}
    theirs |= {"china" if r is Region.CHINA else "global" for r in profile.regions}
    matched = tuple(sorted(wanted & theirs))
    fit = len(matched) / len(wanted) if wanted else 0.0
    reasons.append(
        f"audience fit: {len(matched)} of {len(wanted)} brand tags"
        + (f" ({', '.join(matched)})" if matched else "")
    )
    if len(rates) >= 2 and statistics.fmean(rates) > 0:
        cv = statistics.pstdev(rates) / statistics.fmean(rates)
        consistency = 1.0 / (1.0 + cv)
        reasons.append(f"consistency: engagement varies by {cv:.0%} between posts")
    else:
        consistency = 0.5
        reasons.append("consistency: fewer than two posts with engagement, counted as 0.5")

    history = profile.follower_history
    for a, b in pairwise(history):
        days = (b.on - a.on).days
        growth = (b.followers - a.followers) / max(1, a.followers) / days
        if growth > FOLLOWER_SPIKE_PER_DAY:
            flags.append(SuspicionFlag.FOLLOWER_SPIKE)
            reasons.append(
                f"followers grew {growth:.1%} a day from {a.on} to {b.on} "
                f"(flag above {FOLLOWER_SPIKE_PER_DAY:.0%})"
            )
            break
    if profile.followers >= LOW_ENGAGEMENT_MIN_FOLLOWERS and mine and er < LOW_ENGAGEMENT_RATE:
        flags.append(SuspicionFlag.LOW_ENGAGEMENT)
        reasons.append(
            f"{profile.followers:,} followers but {er:.2%} engagement: inactive or bought followers"
        )
    likes = sum(p.likes for p in mine)
    comments = sum(p.comments for p in mine)
    if likes >= 1000 and likes / max(1, comments) > LIKES_PER_COMMENT_MAX:
        flags.append(SuspicionFlag.LIKES_WITHOUT_COMMENTS)
        reasons.append(f"{likes / max(1, comments):.0f} likes per comment: likes without talk")
    views = [p.views for p in mine if p.views is not None]
    if views and profile.followers >= LOW_ENGAGEMENT_MIN_FOLLOWERS:
        ratio = statistics.median(views) / profile.followers
        if ratio < VIEWS_PER_FOLLOWER_MIN:
            flags.append(SuspicionFlag.VIEWS_BELOW_FOLLOWERS)
            reasons.append(f"median views are {ratio:.1%} of followers: followers do not watch")
    w = KOL_WEIGHTS
    score = (
        w["engagement"] * er_part
        + w["audience"] * fit
        + w["consistency"] * consistency
        - FLAG_PENALTY * len(flags)
    )
    return KolScore(
        kol_id=profile.id,
        score=round(max(0.0, min(1.0, score)), 6),
        engagement_rate=er,
        audience_fit=fit,
        consistency=round(consistency, 6),
        matched_tags=matched,
        flags=tuple(flags),
        reasons=tuple(reasons),
    )
