"""Seeded synthetic data for the tea-brand case.

A two-year-old healthy-tea brand refocuses on Xiaohongshu, Douyin and WeCom (and
drops Weibo) for thirteen weeks. The generator draws users, interactions, weekly
platform metrics, attribution journeys and social mentions (including one food-safety
incident) from ``random.Random(seed)``: the same seed gives the same data, another seed
other numbers with the same shape. Nothing here is a result: every figure the demo
prints is computed from this data by the library's own functions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from smmkit.audience import CreatorPost
from smmkit.exceptions import InvalidInputError
from smmkit.models import (
    ContentPiece,
    Conversion,
    Creator,
    Interaction,
    InteractionKind,
    Journey,
    MediaAsset,
    Mention,
    MetricObservation,
    Touchpoint,
    UGCPermission,
    User,
)

__all__ = ["BRAND", "CST", "TeaBrandData", "check_seed", "make_tea_brand_data"]

CST = timezone(timedelta(hours=8), "CST")
BASELINE_START = datetime(2026, 8, 3, tzinfo=CST)  # four weeks before the refocus
REFOCUS_START = datetime(2026, 8, 31, tzinfo=CST)  # a Monday
WEEKS = 13
NOW = REFOCUS_START + timedelta(weeks=WEEKS, hours=9)  # Monday 2026-11-30 09:00 CST

MATRIX = ("xiaohongshu", "douyin", "wecom")
CONTENT_TYPES = ("nutritionist_series", "fitness_blogger_drinks", "office_tea_ritual_ugc")


@dataclass(frozen=True)
class TeaBrandData:
    """Everything the demo reads, drawn from one seed."""

    seed: int
    baseline_start: datetime
    refocus_start: datetime
    now: datetime
    pieces: tuple[ContentPiece, ...]
    users: tuple[User, ...]
    interactions: tuple[Interaction, ...]
    observations: tuple[MetricObservation, ...]
    journeys: tuple[Journey, ...]
    mentions: tuple[Mention, ...]
    creator_posts: tuple[CreatorPost, ...]


def _pieces(start: datetime) -> tuple[ContentPiece, ...]:
    return (
        ContentPiece(
            id="ogc-nutritionist-01",
            title="营养师说：办公室补水，比你想的更重要",
            body=(
                "下午三点犯困？不一定是缺觉，可能是缺水。注册营养师带你算一算：一天该喝多少、"
                "怎么喝才不影响睡眠。三款低咖啡因冷泡茶，十分钟搞定。"
                "Afternoon slump? You may be thirsty, not tired. "
                "详情见 https://tea.example.com/hydration"
            ),
            media=(
                MediaAsset(
                    kind="image",
                    url="https://tea.example.com/assets/hydration-1.jpg",
                    size_bytes=850_000,
                    alt_text="冷泡茶与水杯",
                ),
                MediaAsset(
                    kind="image",
                    url="https://tea.example.com/assets/hydration-2.jpg",
                    size_bytes=910_000,
                    alt_text="饮水时间表",
                ),
            ),
            tags=("办公室补水", "营养师说", "冷泡茶"),
            links=("https://tea.example.com/hydration",),
            source="ogc",
            content_type="nutritionist_series",
            pillar="office hydration",
            campaign="office-hydration",
            language="zh-CN",
        ),
        ContentPiece(
            id="pgc-fitness-07",
            title="健身后来一杯：三分钟恢复茶",
            body=(
                "练完腿别只喝水。健身博主阿杰的恢复茶配方：乌龙冷泡 + 一小撮盐 + 柠檬片，"
                "补水又补电解质。15秒看冲泡的关键一步。"
            ),
            media=(
                MediaAsset(
                    kind="video",
                    url="https://tea.example.com/assets/brew-moment.mp4",
                    size_bytes=24_000_000,
                    duration_seconds=18,
                ),
            ),
            tags=("健身恢复", "冷泡乌龙"),
            source="pgc",
            creator=Creator(name="阿杰", handle="@ajie_fit", platform="douyin"),
            content_type="fitness_blogger_drinks",
            pillar="recovery drinks",
            campaign="office-hydration",
            language="zh-CN",
        ),
        ContentPiece(
            id="ugc-ritual-112",
            title="我的办公室茶仪式",
            body="每天15:00，工位上的三分钟：温杯、投茶、看叶子舒展。同事都来蹭茶了 🍵",
            media=(
                MediaAsset(
                    kind="image",
                    url="https://tea.example.com/assets/ugc-112.jpg",
                    size_bytes=640_000,
                    alt_text="工位上的茶杯",
                ),
            ),
            tags=("我的办公室茶仪式",),
            source="ugc",
            creator=Creator(name="小林", handle="@lin_daily", platform="xiaohongshu"),
            permission=UGCPermission(
                granted_at=start + timedelta(days=20), evidence="DM screenshot #112"
            ),
            content_type="office_tea_ritual_ugc",
            pillar="office ritual",
            campaign="office-tea-ritual",
            language="zh-CN",
        ),
    )


def _users(rng: random.Random) -> tuple[User, ...]:
    users = []
    for i in range(2400):
        # the audience grows over the refocus: more joins in later weeks
        offset = rng.triangular(-180, WEEKS * 7, WEEKS * 7 * 0.8)
        joined = REFOCUS_START + timedelta(days=offset, hours=rng.randrange(24))
        platform = rng.choices((*MATRIX, "weibo"), weights=(45, 30, 20, 5))[0]
        users.append(
            User(
                id=f"u{i:05d}",
                joined_at=joined,
                platform=platform,
                handle=f"@tea_fan_{i}",
                followers=int(rng.paretovariate(1.3) * 60),
                is_creator=rng.random() < 0.12,
                attributes={
                    "age_band": rng.choices(["18-24", "25-35", "36-45"], weights=(2, 7, 1))[0],
                    "city_tier": rng.choice(["tier1", "tier1", "new_tier1", "tier2"]),
                },
            )
        )
    return tuple(users)


def _interactions(rng: random.Random, users: tuple[User, ...]) -> tuple[Interaction, ...]:
    out: list[Interaction] = []
    for user in users:
        # habit strength: most users are light, a few are devoted
        habit = rng.betavariate(1.2, 4.0)
        churn_at = user.joined_at + timedelta(days=rng.expovariate(1 / 70))
        day = max(user.joined_at, BASELINE_START)
        while day < NOW:
            if day > churn_at and rng.random() < 0.9:
                break
            if rng.random() < habit:
                at = day + timedelta(hours=rng.randrange(8, 23), minutes=rng.randrange(60))
                if at >= NOW:
                    break
                kind = rng.choices(
                    (
                        InteractionKind.VIEW,
                        InteractionKind.LIKE,
                        InteractionKind.COMMENT,
                        InteractionKind.SHARE,
                        InteractionKind.CLICK,
                        InteractionKind.CHECK_IN,
                        InteractionKind.ORDER,
                        InteractionKind.POST,
                    ),
                    weights=(30, 20, 6, 3, 8, 5, 6 + 10 * habit, 6 if user.is_creator else 0.1),
                )[0]
                value = None
                if kind is InteractionKind.ORDER:
                    value = Decimal(rng.choice(("19.90", "26.00", "32.00", "39.90", "58.00")))
                out.append(
                    Interaction(
                        user_id=user.id,
                        kind=kind,
                        at=at,
                        platform=user.platform,
                        content_id=rng.choice(CONTENT_TYPES),
                        value=value,
                    )
                )
            day += timedelta(days=rng.choice((1, 1, 2, 3, 5)))
    out.sort(key=lambda i: (i.at, i.user_id))
    return tuple(out)


# weekly exposure at the baseline and growth factor by the last week of the refocus
_EXPOSURE = {"xiaohongshu": (42_000, 3.2), "douyin": (95_000, 1.9), "wecom": (6_000, 1.4)}
_WEIBO_BASELINE = 30_000
# interaction rate, click-through, click-to-lead and lead-to-order by content type:
# the technical nutritionist series gets few interactions but good leads, UGC the reverse
_FUNNEL = {
    "nutritionist_series": (0.025, 0.30, 0.22, 0.30),
    "fitness_blogger_drinks": (0.055, 0.18, 0.10, 0.25),
    "office_tea_ritual_ugc": (0.090, 0.10, 0.05, 0.20),
}


def _observations(rng: random.Random) -> tuple[MetricObservation, ...]:
    obs: list[MetricObservation] = []
    total_weeks = 4 + WEEKS
    follower_totals = {"xiaohongshu": 18_000.0, "douyin": 30_000.0, "wecom": 5_000.0}
    follower_totals["wechat_channels"] = 2_000.0
    for week in range(total_weeks):
        start = BASELINE_START + timedelta(weeks=week)
        end = start + timedelta(weeks=1)
        progress = max(0.0, (week - 4 + 1) / WEEKS)  # 0 in the baseline, 1 in the last week
        platforms = dict(_EXPOSURE)
        for platform, (base, growth) in platforms.items():
            exposure = base * (1 + (growth - 1) * progress) * rng.uniform(0.92, 1.08)
            # Douyin in-store conversion improves as the 15 s brewing-moment videos land
            conv_boost = 1 + 1.6 * progress if platform == "douyin" else 1 + 0.3 * progress
            for ctype, (ir, ctr, lead_rate, order_rate) in _FUNNEL.items():
                share = {"nutritionist_series": 0.4, "fitness_blogger_drinks": 0.35}.get(
                    ctype, 0.25
                )
                impressions = exposure * share
                reach = impressions * rng.uniform(0.55, 0.7)
                fatigue = 1.0
                if (platform, ctype) == (
                    "douyin",
                    "fitness_blogger_drinks",
                ) and week >= total_weeks - 4:
                    # short product-review videos wear out: interaction rate keeps falling
                    fatigue = 0.8 ** (week - total_weeks + 5)
                interactions = reach * ir * fatigue * rng.uniform(0.97, 1.03)
                clicks = interactions * ctr * 4 * rng.uniform(0.85, 1.15)
                leads = clicks * lead_rate * rng.uniform(0.8, 1.2)
                orders = leads * order_rate * conv_boost * rng.uniform(0.8, 1.2)
                for metric, value in (
                    ("impressions", impressions),
                    ("reach", reach),
                    ("interactions", interactions),
                    ("clicks", clicks),
                    ("leads", leads),
                    ("orders", orders),
                ):
                    obs.append(
                        MetricObservation(
                            metric=metric,
                            value=round(value),
                            platform=platform,
                            period_start=start,
                            period_end=end,
                            content_type=ctype,
                        )
                    )
            gained = base / 60 * (1 + (growth - 1) * progress) * rng.uniform(0.8, 1.2)
            if platform == "xiaohongshu" and week >= total_weeks - 3:
                gained *= 0.05  # the last three weeks: Xiaohongshu follower growth stalls
            follower_totals[platform] += gained
            obs.append(
                MetricObservation(
                    metric="followers",
                    value=round(follower_totals[platform]),
                    platform=platform,
                    period_start=start,
                    period_end=end,
                )
            )
        # ...while the brand's WeChat Channels account keeps growing: has the audience moved?
        follower_totals["wechat_channels"] *= 1.12 + rng.uniform(0, 0.02)
        obs.append(
            MetricObservation(
                metric="followers",
                value=round(follower_totals["wechat_channels"]),
                platform="wechat_channels",
                period_start=start,
                period_end=end,
            )
        )
        # the WeCom daily tea check-in: participation fades in the last four weeks
        fade = 1.0 if week < total_weeks - 4 else 0.85 ** (week - total_weeks + 5)
        obs.append(
            MetricObservation(
                metric="participants",
                value=round(420 * fade * rng.uniform(0.97, 1.03)),
                platform="wecom",
                campaign="office_tea_checkin",
                period_start=start,
                period_end=end,
            )
        )
        if week < 4:  # Weibo ran during the baseline only: the refocus dropped it
            obs.append(
                MetricObservation(
                    metric="impressions",
                    value=round(_WEIBO_BASELINE * rng.uniform(0.9, 1.1)),
                    platform="weibo",
                    period_start=start,
                    period_end=end,
                )
            )
    return tuple(obs)


_CHANNEL_WEIGHTS = {"xiaohongshu": 5, "douyin": 4, "wecom": 2, "weibo": 1}
_CONVERT = {"xiaohongshu": 0.05, "douyin": 0.07, "wecom": 0.22, "weibo": 0.02}


def _journeys(rng: random.Random) -> tuple[Journey, ...]:
    journeys = []
    channels = list(_CHANNEL_WEIGHTS)
    weights = list(_CHANNEL_WEIGHTS.values())
    for i in range(3000):
        at = REFOCUS_START + timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
        touches = []
        converted = False
        for _ in range(rng.randint(1, 5)):
            channel = rng.choices(channels, weights=weights)[0]
            touches.append(
                Touchpoint(
                    channel=channel,
                    at=at,
                    content_type=rng.choice(CONTENT_TYPES),
                    campaign="office-hydration",
                )
            )
            if rng.random() < _CONVERT[channel]:
                converted = True
                break
            at += timedelta(hours=rng.randrange(2, 96))
        conversions: tuple[Conversion, ...] = ()
        if converted:
            value = Decimal(rng.choice(("32.00", "39.90", "58.00", "96.00")))
            conversions = (Conversion(at=at + timedelta(minutes=30), value=value, kind="order"),)
        journeys.append(Journey(user_id=f"j{i:05d}", touchpoints=touches, conversions=conversions))
    return tuple(journeys)


BRAND = "茶意"  # the case's brand, "Chayi" in English
_CHATTER = (
    ("xiaohongshu", "下午三点的茶意冷泡乌龙太清爽了，同事都问链接"),
    ("xiaohongshu", "茶意的办公室茶仪式我也打卡了 #我的办公室茶仪式"),
    ("douyin", "看了茶意的冲泡视频去门店买了，买一送一很划算"),
    ("wecom", "茶意的节气茶配方收到，冬至那款想试试"),
    ("douyin", "茶意包装好看，味道一般般吧"),
    ("xiaohongshu", "Chayi cold brew oolong is great for afternoons"),
)
_INCIDENT = (
    ("xiaohongshu", "喝了茶意的冷泡茶拉肚子，太难受了，失望"),
    ("xiaohongshu", "同款！昨天喝完茶意也拉肚子，怀疑食品安全有问题"),
    ("weibo", "又一个茶饮品牌出问题？好多人喝了茶意拉肚子"),
    ("douyin", "实测茶意冷泡茶，同事喝完都拉肚子，大家避雷"),
    ("weibo", "茶意拉肚子的事发酵了，要求道歉 Chayi tea made people sick"),
)


def _mentions(rng: random.Random) -> tuple[Mention, ...]:
    out: list[Mention] = []
    start = REFOCUS_START
    for hour in range(WEEKS * 7 * 24):
        at = start + timedelta(hours=hour)
        for _ in range(rng.choices((0, 1, 2), weights=(5, 4, 1))[0]):
            platform, text = rng.choice(_CHATTER)
            out.append(
                Mention(
                    id=f"m{len(out):06d}",
                    platform=platform,
                    text=text,
                    at=at + timedelta(minutes=rng.randrange(60)),
                    reach=rng.randrange(50, 3000),
                )
            )
    # the incident: one complaint in week 9, fermenting for a day, then spreading
    incident_start = start + timedelta(weeks=9, days=2, hours=10)
    for step in range(72):
        at = incident_start + timedelta(hours=step)
        intensity = 1 if step < 6 else (4 if step < 30 else max(1, 8 - step // 8))
        for _ in range(rng.randint(0, intensity)):
            platform, text = _INCIDENT[0] if step < 6 else rng.choice(_INCIDENT)
            out.append(
                Mention(
                    id=f"m{len(out):06d}",
                    platform=platform,
                    text=text,
                    at=at + timedelta(minutes=rng.randrange(60)),
                    reach=rng.randrange(200, 20000),
                )
            )
    out.sort(key=lambda m: (m.at, m.id))
    return tuple(out)


def _creator_posts(
    rng: random.Random, users: tuple[User, ...], interactions: tuple[Interaction, ...]
) -> tuple[CreatorPost, ...]:
    """Public metrics of the posts users wrote about the brand (UGC, "my office tea ritual")."""
    followers = {u.id: u.followers for u in users}
    posts = []
    for i, act in enumerate(x for x in interactions if x.kind is InteractionKind.POST):
        audience = followers[act.user_id]
        views = int(audience * rng.uniform(0.8, 6.0)) + rng.randrange(20, 400)
        quality = rng.betavariate(2, 30)  # engagement per view, most around 6%
        likes = int(views * quality)
        posts.append(
            CreatorPost(
                id=f"ugc{i:05d}",
                author_id=act.user_id,
                published_at=act.at,
                platform=act.platform,
                views=views,
                likes=likes,
                comments=int(likes * rng.uniform(0.05, 0.3)),
                saves=int(likes * rng.uniform(0.1, 0.5)),
                shares=int(likes * rng.uniform(0.0, 0.1)),
                followers_at_post=audience,
            )
        )
    return tuple(posts)


def check_seed(seed: object) -> int:
    """``seed`` when it is an int (not a bool) of at most 64 bits, else an
    :class:`~smmkit.exceptions.InvalidInputError` naming ``seed``.

    Example:
        >>> check_seed(7)
        7
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInputError.single(
            "seed", f"must be an int, not of type {type(seed).__name__}", type(seed).__name__
        )
    if seed.bit_length() > 64:
        raise InvalidInputError.single("seed", "must fit in 64 bits", "a larger int")
    return seed


def make_tea_brand_data(seed: int = 7) -> TeaBrandData:
    """Draw the whole case from ``seed``.

    Example:
        >>> data = make_tea_brand_data(seed=1)
        >>> len(data.users), data.now.isoformat()
        (2400, '2026-11-30T09:00:00+08:00')
    """
    rng = random.Random(check_seed(seed))
    users = _users(rng)
    interactions = _interactions(rng, users)
    return TeaBrandData(
        seed=seed,
        baseline_start=BASELINE_START,
        refocus_start=REFOCUS_START,
        now=NOW,
        pieces=_pieces(REFOCUS_START),
        users=users,
        interactions=interactions,
        observations=_observations(rng),
        journeys=_journeys(rng),
        mentions=_mentions(rng),
        creator_posts=_creator_posts(rng, users, interactions),
    )
