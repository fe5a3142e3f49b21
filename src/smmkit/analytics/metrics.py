"""The metric vocabulary: what each number means, how it is computed, who reports it.

Platforms call different things "exposure": X and LinkedIn count *impressions* (times a
post was shown), Facebook and Instagram also report *reach* (distinct accounts), video
platforms count *views* (plays), WeChat counts *reads*. Comparing them as one number is
the commonest dashboard mistake, so every exposure figure in smmkit names its basis
(:class:`ExposureBasis`) and :data:`PLATFORM_METRICS` records what each platform in the
catalog actually reports, with how sure we are.

Ratios come back as :class:`Ratio` values: a zero denominator yields ``value=None`` with
the reason, never a ``ZeroDivisionError`` or a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import Enum

from pydantic import Field

from smmkit.analytics._exact import is_number
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models._base import AwareDatetime, SmmkitModel, as_utc, require_aware

__all__ = [
    "ExposureBasis",
    "FollowerGrowth",
    "METRICS",
    "Metric",
    "MetricDefinition",
    "MetricKind",
    "PLATFORM_METRICS",
    "PlatformMetrics",
    "Ratio",
    "RepurchaseRate",
    "brand_favourability",
    "conversion_rate",
    "count_interactions",
    "favourability_from_sentiment",
    "follower_growth",
    "interaction_rate_by_followers",
    "interaction_rate_by_reach",
    "metric_definition",
    "platform_metrics",
    "repurchase_rate",
    "share_of_voice",
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
    """The definition of ``metric``.

    Example:
        >>> metric_definition(Metric.FOLLOWER_GROWTH_RATE).unit
        'ratio'
    """
    try:
        return METRICS[Metric(metric)]
    except ValueError:
        raise InvalidInputError.single("metric", "is not a known metric", metric) from None


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
    found = PLATFORM_METRICS.get(platform)
    if found is None:
        raise UnknownPlatformError(str(platform), tuple(PLATFORM_METRICS))
    return found


def count_interactions(platform: str, reported: Mapping[str, float]) -> float:
    """Sum the interaction fields ``platform`` reports (other keys are ignored).

    Example:
        >>> count_interactions("x", {"like_count": 10, "reply_count": 2, "impression_count": 900})
        12.0
    """
    spec = platform_metrics(platform)
    total = []
    for name in spec.interaction_fields:
        value = reported.get(name)
        if value is not None:
            total.append(_non_negative(name, value))
    return math.fsum(total)


class Ratio(SmmkitModel):
    """A ratio with its parts; ``value`` is ``None`` (with ``reason``) when undefined.

    Example:
        >>> interaction_rate_by_reach(5, 0).reason
        'reach is zero'
    """

    metric: str
    numerator: float
    denominator: float
    value: float | None
    reason: str | None = None

    @property
    def percent(self) -> float | None:
        """``value`` in percent, or ``None``.

        Example:
            >>> conversion_rate(3, 200).percent
            1.5
        """
        return None if self.value is None else self.value * 100


def _non_negative(field: str, value: float) -> float:
    # Any real number (numpy scalars, Fraction) or Decimal, as the accumulators take.
    if not is_number(value):
        raise InvalidInputError.single(field, "must be a number", value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError.single(field, "must be a finite number >= 0", value)
    return number


def _ratio(metric: str, num_name: str, num: float, den_name: str, den: float) -> Ratio:
    n = _non_negative(num_name, num)
    d = _non_negative(den_name, den)
    if d == 0:
        return Ratio(
            metric=metric, numerator=n, denominator=d, value=None, reason=f"{den_name} is zero"
        )
    return Ratio(metric=metric, numerator=n, denominator=d, value=n / d)


def interaction_rate_by_reach(interactions: float, reach: float) -> Ratio:
    """``interactions / reach``.

    Example:
        >>> interaction_rate_by_reach(30, 1000).value
        0.03
    """
    return _ratio(
        Metric.INTERACTION_RATE_BY_REACH.value, "interactions", interactions, "reach", reach
    )


def interaction_rate_by_followers(interactions: float, followers: float) -> Ratio:
    """``interactions / followers``.

    Example:
        >>> interaction_rate_by_followers(30, 600).value
        0.05
    """
    return _ratio(
        Metric.INTERACTION_RATE_BY_FOLLOWERS.value,
        "interactions",
        interactions,
        "followers",
        followers,
    )


def conversion_rate(conversions: float, base: float, *, base_name: str = "base") -> Ratio:
    """``conversions / base``; name the base (clicks, leads, visits) in ``base_name``.

    Example:
        >>> conversion_rate(12, 40, base_name="leads").value
        0.3
    """
    return _ratio(Metric.CONVERSION_RATE.value, "conversions", conversions, base_name, base)


def share_of_voice(brand: str, mentions: Mapping[str, float]) -> Ratio:
    """The brand's share of the mentions of all tracked brands (``brand`` included).

    Example:
        >>> share_of_voice("us", {"us": 30, "rival": 70}).value
        0.3
    """
    if brand not in mentions:
        raise InvalidInputError.single("brand", "must be one of the mentions' keys", brand)
    total = math.fsum(_non_negative(f"mentions.{k}", v) for k, v in mentions.items())
    return _ratio(
        Metric.SHARE_OF_VOICE.value, f"mentions.{brand}", mentions[brand], "all mentions", total
    )


def brand_favourability(positive: float, negative: float, neutral: float = 0) -> Ratio:
    """Net sentiment: ``(positive - negative) / (positive + negative + neutral)``, in -1..1.

    Feed it the per-label counts from the crisis module's sentiment analysis.

    Example:
        >>> brand_favourability(60, 20, 20).value
        0.4
    """
    p = _non_negative("positive", positive)
    n = _non_negative("negative", negative)
    z = _non_negative("neutral", neutral)
    total = p + n + z
    if total == 0:
        return Ratio(
            metric=Metric.BRAND_FAVOURABILITY.value,
            numerator=0.0,
            denominator=0.0,
            value=None,
            reason="no mentions",
        )
    return Ratio(
        metric=Metric.BRAND_FAVOURABILITY.value,
        numerator=p - n,
        denominator=total,
        value=(p - n) / total,
    )


def favourability_from_sentiment(scores: Iterable[object]) -> Ratio:
    """Brand favourability from the crisis module's sentiment results.

    Takes :class:`smmkit.crisis.sentiment.SentimentScore` values (anything with a
    ``label``), :class:`~smmkit.crisis.sentiment.SentimentLabel` members or the label
    strings ``"positive"``, ``"negative"``, ``"neutral"``, and counts them into
    :func:`brand_favourability`.

    Example:
        >>> favourability_from_sentiment(["positive", "positive", "negative", "neutral"]).value
        0.25
    """
    tally = {"positive": 0, "negative": 0, "neutral": 0}
    for index, item in enumerate(scores):
        label = getattr(item, "label", item)
        name = getattr(label, "value", label)
        if name not in tally:
            raise InvalidInputError.single(
                f"scores.{index}", "must be a sentiment score or label", item
            )
        tally[str(name)] += 1
    return brand_favourability(tally["positive"], tally["negative"], tally["neutral"])


class FollowerGrowth(SmmkitModel):
    """Net follower change and its rate; ``rate`` is ``None`` when starting from zero.

    Example:
        >>> g = follower_growth(2000, 2300)
        >>> g.net, g.rate
        (300.0, 0.15)
    """

    start: float
    end: float
    net: float
    rate: float | None
    reason: str | None = None


def follower_growth(start: float, end: float) -> FollowerGrowth:
    """Follower growth from ``start`` to ``end`` followers.

    Example:
        >>> follower_growth(0, 50).reason
        'no followers at the start'
    """
    s = _non_negative("start", start)
    e = _non_negative("end", end)
    if s == 0:
        return FollowerGrowth(
            start=s, end=e, net=e - s, rate=None, reason="no followers at the start"
        )
    return FollowerGrowth(start=s, end=e, net=e - s, rate=(e - s) / s)


class RepurchaseRate(SmmkitModel):
    """Share of customers who ordered again within ``window`` of their first order.

    Only customers whose first order is at least ``window`` before ``as_of`` count
    (``eligible_customers``): for the others it is too early to tell.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> r = repurchase_rate([("a", t), ("a", t + timedelta(days=10)), ("b", t)],
        ...                     window=timedelta(days=30), as_of=t + timedelta(days=60))
        >>> r.value, r.window.days
        (0.5, 30)
    """

    value: float | None
    window: timedelta
    as_of: AwareDatetime
    customers: int
    eligible_customers: int
    repeat_customers: int


def repurchase_rate(
    orders: Iterable[tuple[str, datetime]], *, window: timedelta, as_of: datetime
) -> RepurchaseRate:
    """Repurchase rate over ``(customer_id, order_time)`` pairs, with a stated window.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> repurchase_rate([("a", t)], window=timedelta(days=90), as_of=t).value is None
        True
    """
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise InvalidInputError.single("window", "must be a positive timedelta", window)
    cutoff = as_utc(require_aware(as_of, "as_of", "must be timezone-aware"))
    by_customer: dict[str, list[datetime]] = {}
    for index, (customer, at) in enumerate(orders):
        moment = as_utc(require_aware(at, f"orders.{index}", "order time must be timezone-aware"))
        if moment <= cutoff:
            by_customer.setdefault(customer, []).append(moment)
    eligible = 0
    repeat = 0
    for times in by_customer.values():
        times.sort()
        first = times[0]
        if first + window > cutoff:
            continue
        eligible += 1
        if any(first < t <= first + window for t in times[1:]):
            repeat += 1
    return RepurchaseRate(
        value=repeat / eligible if eligible else None,
        window=window,
        as_of=as_of,
        customers=len(by_customer),
        eligible_customers=eligible,
        repeat_customers=repeat,
    )
