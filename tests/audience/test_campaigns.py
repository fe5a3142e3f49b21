"""Scenario campaigns and UGC curation."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from smmkit.audience.campaigns import (
    HOT_TOPIC_MAX_DAYS,
    CampaignKind,
    CampaignMechanics,
    Reward,
    ScenarioCampaign,
    UgcSubmission,
    curate_ugc,
    festival_story_campaign,
    hot_topic_campaign,
    product_campaign,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece, Creator, MediaAsset, UGCPermission

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
GIFT = Reward(kind="physical", description="gift box", winners=10)


@pytest.mark.parametrize(
    ("factory", "kwargs", "kind", "days"),
    [
        (
            festival_story_campaign,
            {"festival": "Valentine's Day", "topic": "我们的故事"},
            CampaignKind.FESTIVAL,
            14,
        ),
        (hot_topic_campaign, {"topic": "我的高考记忆"}, CampaignKind.HOT_TOPIC, 3),
        (
            product_campaign,
            {"product": "cold brew kit", "topic": "隐藏玩法"},
            CampaignKind.PRODUCT,
            21,
        ),
    ],
)
def test_factories(factory, kwargs, kind, days) -> None:  # type: ignore[no-untyped-def]
    c = factory("c", start=date(2026, 2, 1), reward=GIFT, **kwargs)
    assert c.kind is kind
    assert c.mechanics.duration_days == days
    assert c.period.days == days
    assert any("permission" in r or "repost" in r for r in c.mechanics.rules)
    assert c.mechanics.ugc_topic == kwargs["topic"]


def test_the_old_name_festival_campaign_warns_and_still_works() -> None:
    import smmkit.audience
    import smmkit.audience.campaigns

    for module in (smmkit.audience, smmkit.audience.campaigns):
        with pytest.warns(DeprecationWarning, match="festival_story_campaign"):
            old = module.festival_campaign
        assert old is festival_story_campaign
        assert "festival_campaign" not in module.__all__
    with pytest.warns(DeprecationWarning, match="smmkit 0.2"):
        from smmkit.audience import festival_campaign
    assert festival_campaign is festival_story_campaign
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = smmkit.audience.campaigns.nope  # type: ignore[attr-defined]


def test_validation() -> None:
    with pytest.raises(InvalidInputError) as info:
        hot_topic_campaign(
            "x", topic="t", start=date(2026, 6, 7), reward=GIFT, days=HOT_TOPIC_MAX_DAYS + 1
        )
    assert "hot-topic" in str(info.value)
    with pytest.raises(InvalidInputError):
        CampaignMechanics(ugc_topic="#tag#", reward=GIFT, duration_days=3, rules=["x"])
    with pytest.raises(InvalidInputError):
        CampaignMechanics(ugc_topic="tag", reward=GIFT, duration_days=3, rules=[])
    with pytest.raises(InvalidInputError):
        ScenarioCampaign(
            name="x",
            kind="festival",
            theme="t",
            start=date(2026, 1, 1),
            mechanics=CampaignMechanics(ugc_topic="t", reward=GIFT, duration_days=91, rules=["r"]),
        )


def sub(
    pid: str,
    creator: str,
    *,
    permission: bool = True,
    expired: bool = False,
    tags: tuple[str, ...] = ("我的办公室茶",),
    media: bool = True,
    body_len: int = 40,
    views: int = 1000,
    likes: int = 50,
    comments: int = 10,
    source: str = "ugc",
) -> UgcSubmission:
    perm = None
    if permission:
        perm = UGCPermission(
            granted_at=NOW - timedelta(days=3),
            expires_at=NOW - timedelta(days=1) if expired else None,
        )
    piece = ContentPiece(
        id=pid,
        body="茶" * body_len,
        source=source,
        tags=tags,
        creator=Creator(name=creator),
        permission=perm,
        media=[MediaAsset(kind="image", url=f"https://cdn.example.cn/{pid}.jpg")] if media else [],
    )
    return UgcSubmission(piece=piece, published_at=NOW, views=views, likes=likes, comments=comments)


def test_permission_is_required_and_rejections_are_reported() -> None:
    r = curate_ugc(
        [
            sub("ok", "a"),
            sub("noperm", "b", permission=False),
            sub("old", "c", expired=True),
            sub("pgc", "d", source="pgc"),
        ],
        now=NOW,
        topic="我的办公室茶",
    )
    assert [d.piece_id for d in r.featured] == ["ok"]
    reasons = {d.piece_id: d.reasons[0] for d in r.rejected}
    assert reasons["noperm"] == "no recorded permission from b"
    assert reasons["old"].startswith("permission from c expired")
    assert reasons["pgc"].startswith("not UGC")


def test_quality_and_reach_rank_and_one_post_per_creator() -> None:
    subs = [
        sub("best", "a", views=5000, likes=400, comments=80),
        sub("a-second", "a", views=5000, likes=100, comments=20),
        sub("off-topic", "b", tags=()),
        sub("no-media", "c", media=False),
        sub("short", "e", body_len=5),
        sub("small", "f", views=50, likes=2, comments=0),
    ]
    r = curate_ugc(subs, now=NOW, topic="我的办公室茶", limit=3)
    ids = [d.piece_id for d in r.featured]
    assert ids[0] == "best"
    assert "a-second" not in ids
    assert len(ids) == 3
    assert all(d.eligible for d in r.reserve)
    scores = [d.score for d in r.featured]
    assert scores == sorted(scores, reverse=True)
    quality = {d.piece_id: d.quality for d in (*r.featured, *r.reserve)}
    assert quality["off-topic"] < quality["best"]
    assert quality["no-media"] < quality["best"]
    assert quality["short"] < quality["best"]
    reserve_reasons = {d.piece_id: d.reasons[-1] for d in r.reserve}
    assert reserve_reasons["a-second"] == "creator already featured"


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInputError):
        curate_ugc([], now=NOW, limit=0)
    with pytest.raises(InvalidInputError):
        curate_ugc([], now=datetime(2026, 1, 1))
    assert curate_ugc([], now=NOW).featured == ()
