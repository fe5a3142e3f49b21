"""The metric vocabulary: metric names and definitions, and what each platform reports.

Re-exported by :mod:`smmkit.analytics.metrics`, which explains the exposure bases.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from pydantic import Field

from smmkit.catalog import is_known_platform, known_platform_ids
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models._base import SmmkitModel
from smmkit.models._metric_names import METRIC_ALIASES, canonical_metric_name

__all__ = [
    "ExposureBasis",
    "METRICS",
    "METRIC_ALIASES",
    "Metric",
    "MetricDefinition",
    "MetricKind",
    "PLATFORM_METRICS",
    "PlatformMetrics",
    "metric_definition",
    "platform_metrics",
]


class MetricKind(str, Enum):
    """Process metrics describe activity; result metrics describe business outcomes.

    Example:
        >>> metric_definition("leads").kind is MetricKind.RESULT
        True
    """

    PROCESS = "process"
    RESULT = "result"


class Metric(str, Enum):
    """The metric names smmkit understands (``MetricObservation.metric`` values).

    Example:
        >>> Metric("follower_growth_net") is Metric.FOLLOWER_GROWTH_NET
        True
    """

    IMPRESSIONS = "impressions"
    REACH = "reach"
    VIEWS = "views"
    INTERACTIONS = "interactions"
    INTERACTION_RATE_BY_REACH = "interaction_rate_by_reach"
    INTERACTION_RATE_BY_FOLLOWERS = "interaction_rate_by_followers"
    FOLLOWERS = "followers"
    FOLLOWER_GROWTH_NET = "follower_growth_net"
    FOLLOWER_GROWTH_RATE = "follower_growth_rate"
    CLICKS = "clicks"
    LEADS = "leads"
    ORDERS = "orders"
    CONVERSION_RATE = "conversion_rate"
    REPURCHASE_RATE = "repurchase_rate"
    BRAND_FAVOURABILITY = "brand_favourability"
    SHARE_OF_VOICE = "share_of_voice"
    PARTICIPANTS = "participants"
    SPEND = "spend"


class ExposureBasis(str, Enum):
    """What a platform's exposure number counts.

    Example:
        >>> platform_metrics("youtube").exposure is ExposureBasis.VIEWS
        True
    """

    IMPRESSIONS = "impressions"  # times shown, the same account counted again
    REACH = "reach"  # distinct accounts shown the content
    VIEWS = "views"  # plays / opens / reads of the content itself


class MetricDefinition(SmmkitModel):
    """One metric: its formula, unit and place in the playbook.

    Example:
        >>> metric_definition("interaction_rate_by_reach").formula
        'interactions / reach'
    """

    metric: Metric
    kind: MetricKind
    formula: str
    unit: str
    description: str


def _d(metric: Metric, kind: MetricKind, formula: str, unit: str, text: str) -> MetricDefinition:
    return MetricDefinition(metric=metric, kind=kind, formula=formula, unit=unit, description=text)


_P, _R = MetricKind.PROCESS, MetricKind.RESULT

METRICS: Mapping[Metric, MetricDefinition] = {
    d.metric: d
    for d in (
        _d(
            Metric.IMPRESSIONS,
            _P,
            "reported",
            "count",
            "Times the content was shown; one account can count many times.",
        ),
        _d(Metric.REACH, _P, "reported", "accounts", "Distinct accounts the content was shown to."),
        _d(
            Metric.VIEWS,
            _P,
            "reported",
            "count",
            "Plays, opens or reads of the content (video plays, article reads).",
        ),
        _d(
            Metric.INTERACTIONS,
            _P,
            "sum of the platform's interaction fields",
            "count",
            "Likes, comments, shares, saves... as listed in PlatformMetrics.interaction_fields.",
        ),
        _d(
            Metric.INTERACTION_RATE_BY_REACH,
            _P,
            "interactions / reach",
            "ratio",
            "Share of the people reached who interacted; the fairer rate across post sizes.",
        ),
        _d(
            Metric.INTERACTION_RATE_BY_FOLLOWERS,
            _P,
            "interactions / followers",
            "ratio",
            "Interactions per follower; usable where reach is not reported, inflated by "
            "viral posts that reach beyond the followers.",
        ),
        _d(Metric.FOLLOWERS, _P, "reported at period end", "accounts", "Follower count."),
        _d(
            Metric.FOLLOWER_GROWTH_NET,
            _P,
            "followers_end - followers_start",
            "accounts",
            "Net follower change over the period (new follows minus unfollows).",
        ),
        _d(
            Metric.FOLLOWER_GROWTH_RATE,
            _P,
            "(followers_end - followers_start) / followers_start",
            "ratio",
            "Net follower change relative to the start of the period.",
        ),
        _d(
            Metric.CLICKS,
            _P,
            "reported or counted from UTM-tagged visits",
            "count",
            "Clicks through to the landing page.",
        ),
        _d(Metric.LEADS, _R, "counted", "count", "Sales leads (ToB): forms, consultations."),
        _d(Metric.ORDERS, _R, "counted", "count", "Orders (ToC)."),
        _d(
            Metric.CONVERSION_RATE,
            _R,
            "conversions / base (clicks, leads or visits)",
            "ratio",
            "Share of a base that converted; always state the base.",
        ),
        _d(
            Metric.REPURCHASE_RATE,
            _R,
            "customers with another order within the window after their first order"
            " / customers whose window has fully elapsed",
            "ratio",
            "Repeat purchase within a stated window (e.g. 90 days).",
        ),
        _d(
            Metric.BRAND_FAVOURABILITY,
            _R,
            "(positive - negative) / all mentions",
            "-1..1",
            "Net sentiment of brand mentions, from sentiment monitoring.",
        ),
        _d(
            Metric.SHARE_OF_VOICE,
            _R,
            "brand mentions / mentions of all tracked brands",
            "ratio",
            "The brand's share of the category conversation.",
        ),
        _d(
            Metric.PARTICIPANTS,
            _P,
            "counted",
            "accounts",
            "People taking part in a campaign mechanic (check-ins, challenges).",
        ),
        _d(Metric.SPEND, _P, "booked", "currency", "Money spent on the platform."),
    )
}
"""Every :class:`Metric` with its definition."""


def metric_definition(metric: Metric | str) -> MetricDefinition:
    """The definition of ``metric`` (a :class:`Metric`, its name or an alias).

    Aliases are those of :data:`METRIC_ALIASES` (``"lead"`` is ``leads``).

    Example:
        >>> metric_definition(Metric.FOLLOWER_GROWTH_RATE).unit
        'ratio'
        >>> metric_definition("lead").metric.value
        'leads'
    """
    if not isinstance(metric, str):  # a Metric is a str too
        raise InvalidInputError.single(
            "metric", "must be a Metric or a metric name", type(metric).__name__
        )
    name = canonical_metric_name(metric.value if isinstance(metric, Metric) else metric)
    try:
        return METRICS[Metric(name)]
    except ValueError:
        known = ", ".join(m.value for m in Metric)
        raise InvalidInputError.single(
            "metric", f"is not a known metric; known: {known}", metric
        ) from None


class PlatformMetrics(SmmkitModel):
    """What one platform reports, under which names, and how sure smmkit is of it.

    ``exposure`` is the basis of the platform's headline exposure number (``None`` where
    no exposure number is available, as on Mastodon and Bluesky); ``reach_field`` is set
    when a distinct-accounts figure exists, so :func:`interaction_rate_by_reach` can be
    used there; elsewhere use :func:`interaction_rate_by_followers`.

    Example:
        >>> platform_metrics("x").exposure_field
        'impression_count'
    """

    platform: str
    exposure: ExposureBasis | None
    exposure_field: str | None
    reach_field: str | None
    interaction_fields: tuple[str, ...]
    followers_field: str | None
    source: str
    confidence: str = Field(pattern="^(verified|secondary|unverified)$")
    notes: str = ""


def _pm(  # noqa: PLR0917 - a compact table row builder, private
    platform: str,
    exposure: ExposureBasis | None,
    exposure_field: str | None,
    reach_field: str | None,
    interactions: tuple[str, ...],
    followers: str | None,
    source: str,
    confidence: str,
    notes: str = "",
) -> PlatformMetrics:
    return PlatformMetrics(
        platform=platform,
        exposure=exposure,
        exposure_field=exposure_field,
        reach_field=reach_field,
        interaction_fields=interactions,
        followers_field=followers,
        source=source,
        confidence=confidence,
        notes=notes,
    )


_I, _RCH, _V = ExposureBasis.IMPRESSIONS, ExposureBasis.REACH, ExposureBasis.VIEWS

PLATFORM_METRICS: Mapping[str, PlatformMetrics] = {
    p.platform: p
    for p in (
        _pm(
            "weibo",
            _I,
            "阅读数 (creator export)",
            None,
            ("reposts_count", "comments_count", "attitudes_count"),
            "followers_count",
            "public API statuses fields; reads only in the creator export",
            "secondary",
            "The public API has no impressions; 阅读数 counts displays, not people.",
        ),
        _pm(
            "douyin",
            _V,
            "play_count",
            None,
            ("digg_count", "comment_count", "share_count"),
            "fans",
            "open platform video.data scope",
            "unverified",
            "Endpoint paths not verified; exports from the creator center also work.",
        ),
        _pm(
            "zhihu",
            _V,
            "阅读 (creator center export)",
            None,
            ("赞同", "评论", "收藏", "喜欢"),
            "关注者",
            "creator center export (no public API)",
            "unverified",
            "Reads are views of the answer or article; 曝光 (impressions) is also shown.",
        ),
        _pm(
            "xiaohongshu",
            _I,
            "曝光 (creator export)",
            None,
            ("点赞", "收藏", "评论", "分享"),
            "粉丝数",
            "creator center export (no public API)",
            "unverified",
            "The case's 'note exposure' is this impressions figure; 观看 are views.",
        ),
        _pm(
            "wechat_oa",
            _V,
            "int_page_read_count",
            "int_page_read_user",
            ("share_count", "add_to_fav_count"),
            "cumulate_user",
            "datacube getarticlesummary / getusercumulate",
            "verified",
            "Reads (views) and distinct readers (reach); articles with fewer than 3 "
            "interactions are not counted; data for a day is ready after 08:00 next day.",
        ),
        _pm(
            "wechat_channels",
            _V,
            "播放 (assistant export)",
            None,
            ("点赞", "评论", "转发", "推荐"),
            "关注者",
            "Channels assistant export",
            "unverified",
        ),
        _pm(
            "wecom",
            None,
            None,
            None,
            ("reply_count", "chat_cnt"),
            "external contacts",
            "customer-contact statistics",
            "unverified",
            "A private domain: no exposure; measure messages, replies and orders instead.",
        ),
        _pm(
            "bilibili",
            _V,
            "view",
            None,
            ("like", "coin", "favorite", "share", "reply", "danmaku"),
            "follower",
            "archive stat fields",
            "secondary",
        ),
        _pm(
            "linkedin",
            _I,
            "impressionCount",
            "uniqueImpressionsCount",
            ("likeCount", "commentCount", "shareCount", "clickCount"),
            "followerCount",
            "organizationalEntityShareStatistics",
            "secondary",
        ),
        _pm(
            "x",
            _I,
            "impression_count",
            None,
            ("like_count", "retweet_count", "reply_count", "quote_count", "bookmark_count"),
            "followers_count",
            "public_metrics",
            "verified",
            "non_public/organic metrics only for posts under 30 days old.",
        ),
        _pm(
            "facebook",
            _I,
            "post_impressions",
            "post_impressions_unique",
            ("reactions", "comments", "shares", "post_clicks"),
            "followers_count",
            "Page post insights",
            "unverified",
            "Meta keeps renaming and retiring insights metrics; check the Graph version.",
        ),
        _pm(
            "instagram",
            _V,
            "views",
            "reach",
            ("likes", "comments", "shares", "saved"),
            "followers_count",
            "media insights",
            "unverified",
            "Meta moved media exposure from impressions/plays to views; reach stays.",
        ),
        _pm(
            "youtube",
            _V,
            "viewCount",
            None,
            ("likeCount", "commentCount"),
            "subscriberCount",
            "Data API v3 videos.list statistics",
            "verified",
            "Impressions exist only in the separate Analytics API.",
        ),
        _pm(
            "tiktok",
            _V,
            "view_count",
            None,
            ("like_count", "comment_count", "share_count"),
            "follower_count",
            "video query fields",
            "secondary",
        ),
        _pm(
            "mastodon",
            None,
            None,
            None,
            ("favourites_count", "reblogs_count", "replies_count"),
            "followers_count",
            "status entity",
            "verified",
            "No impressions or reach exist in the protocol.",
        ),
        _pm(
            "bluesky",
            None,
            None,
            None,
            ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount"),
            "followersCount",
            "app.bsky.feed.getPosts",
            "verified",
            "No impressions.",
        ),
    )
}
"""What each of the 16 catalog platforms reports (``platform id -> PlatformMetrics``)."""


def platform_metrics(platform: str) -> PlatformMetrics:
    """What ``platform`` reports.

    Example:
        >>> platform_metrics("bluesky").exposure is None
        True
    """
    if not isinstance(platform, str):
        raise InvalidInputError.single(
            "platform", "must be a platform id (str)", type(platform).__name__
        )
    found = PLATFORM_METRICS.get(platform)
    if found is None:
        if is_known_platform(platform):  # a plugin's or a custom spec's platform
            raise InvalidInputError.single(
                "platform",
                "has no metric mapping in smmkit (only the 16 catalog platforms do): "
                "record its counts under the metric vocabulary's names instead",
                platform,
            )
        raise UnknownPlatformError(str(platform), known_platform_ids())
    return found
