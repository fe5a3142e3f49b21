"""KOC candidates and KOL scoring."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from smmkit.audience import AudienceProfile
from smmkit.audience.influencers import (
    FLAG_PENALTY,
    KOL_WEIGHTS,
    CreatorPost,
    FollowerSnapshot,
    KolProfile,
    SuspicionFlag,
    find_koc_candidates,
    score_kol,
)
from smmkit.audience.lifecycle import Segmentation, segment_users
from smmkit.exceptions import InvalidInputError
from smmkit.models import User

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400


def post(pid: str, author: str, **metrics: int) -> CreatorPost:
    return CreatorPost(id=pid, author_id=author, published_at=NOW, **metrics)


def _segmentation() -> Segmentation:
    users = [(u, T - 400 * DAY) for u in ("loyal_a", "loyal_b", "loyal_c", "active_d")]
    rows: list[tuple[str, str, float, float | None]] = [
        (u, "order", T - d * DAY, 20.0)
        for u in ("loyal_a", "loyal_b", "loyal_c")
        for d in (1, 5, 9)
    ]
    rows.append(("active_d", "like", T - DAY, None))
    return segment_users(users, rows, now=NOW)


def test_koc_candidates_are_loyal_creators_ranked_by_quality_and_reach() -> None:
    seg = _segmentation()
    users = [
        User(id=u, joined_at=NOW, followers=f, is_creator=c)
        for u, f, c in (
            ("loyal_a", 800, True),
            ("loyal_b", 20_000, True),
            ("loyal_c", 100, False),
            ("active_d", 50_000, True),
        )
    ]
    posts = [
        post("a1", "loyal_a", views=2000, likes=200, comments=60, saves=40),
        post("a2", "loyal_a", views=3000, likes=250, comments=50, shares=20),
        post("b1", "loyal_b", views=40000, likes=800, comments=10),
        post("d1", "active_d", views=90000, likes=9000, comments=900),
    ]
    got = find_koc_candidates(seg, users, posts)
    assert [c.user_id for c in got] == ["loyal_a", "loyal_b"]
    assert got[0].engagement_quality > got[1].engagement_quality
    assert got[1].reach > got[0].reach
    assert all(c.stage.value == "loyal" and c.reasons for c in got)
    # loyal_c has no posts and is not a creator; with min_posts=0 it still needs is_creator
    assert "loyal_c" not in [c.user_id for c in find_koc_candidates(seg, users, posts, min_posts=0)]
    with pytest.raises(InvalidInputError):
        find_koc_candidates(seg, users, posts, limit=0)


def test_comment_heavy_posts_beat_like_heavy_posts_of_equal_volume() -> None:
    seg = _segmentation()
    users = [User(id=u, joined_at=NOW, followers=1000) for u in ("loyal_a", "loyal_b")]
    posts = [
        post("a", "loyal_a", views=1000, comments=100),
        post("b", "loyal_b", views=1000, likes=100),
    ]
    got = find_koc_candidates(seg, users, posts)
    assert [c.user_id for c in got] == ["loyal_a", "loyal_b"]


BRAND = AudienceProfile(
    business_model="b2c",
    regions=["china"],
    gender="female",
    occupations=["office workers"],
    locations=["urban"],
)


def kol(**kw: object) -> KolProfile:
    base: dict[str, object] = {
        "id": "k",
        "followers": 100_000,
        "regions": ["china"],
        "audience_tags": ["women", "office workers", "urban"],
    }
    base.update(kw)
    return KolProfile(**base)


def healthy_posts(n: int = 4) -> list[CreatorPost]:
    return [
        post(f"p{i}", "k", likes=4000 + 100 * i, comments=500, shares=200, views=150_000)
        for i in range(n)
    ]


def test_a_healthy_fitting_kol_scores_high_without_flags() -> None:
    s = score_kol(kol(), healthy_posts(), brand_audience=BRAND)
    assert s.flags == ()
    assert s.audience_fit == 1.0
    assert s.engagement_rate == pytest.approx(0.0485, abs=1e-3)
    assert s.score > 0.85
    expected = (
        KOL_WEIGHTS["engagement"] * min(1, s.engagement_rate / 0.06)
        + KOL_WEIGHTS["audience"] * s.audience_fit
        + KOL_WEIGHTS["consistency"] * s.consistency
    )
    assert s.score == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("profile_kw", "posts", "flag"),
    [
        (
            {
                "follower_history": [
                    FollowerSnapshot(on=date(2026, 1, 1), followers=20_000),
                    FollowerSnapshot(on=date(2026, 1, 3), followers=100_000),
                ]
            },
            None,
            SuspicionFlag.FOLLOWER_SPIKE,
        ),
        ({}, [post("p", "k", likes=100, comments=5, views=50_000)], SuspicionFlag.LOW_ENGAGEMENT),
        (
            {},
            [post("p", "k", likes=6000, comments=3, views=80_000)],
            SuspicionFlag.LIKES_WITHOUT_COMMENTS,
        ),
        (
            {},
            [post("p", "k", likes=4000, comments=400, views=900)],
            SuspicionFlag.VIEWS_BELOW_FOLLOWERS,
        ),
    ],
)
def test_suspicious_growth_flags(
    profile_kw: dict[str, object], posts: list[CreatorPost] | None, flag: SuspicionFlag
) -> None:
    clean = score_kol(kol(), posts or healthy_posts(), brand_audience=BRAND)
    s = score_kol(kol(**profile_kw), posts or healthy_posts(), brand_audience=BRAND)
    assert flag in s.flags
    assert flag not in clean.flags or profile_kw == {}
    assert any(flag.value.split("_")[0] in r or "follow" in r or "like" in r for r in s.reasons)
    if profile_kw:
        assert clean.score - s.score == pytest.approx(FLAG_PENALTY, abs=1e-6)


def test_audience_fit_and_consistency() -> None:
    off = score_kol(
        kol(audience_tags=["gaming", "gen z"], regions=["international"]),
        healthy_posts(),
        brand_audience=BRAND,
    )
    assert off.audience_fit == 0.0
    erratic = [
        post("a", "k", likes=20000, comments=2000, views=200_000),
        post("b", "k", likes=200, comments=20, views=200_000),
    ]
    s = score_kol(kol(), erratic, brand_audience=BRAND)
    assert s.consistency < 0.6
    single = score_kol(kol(), healthy_posts(1), brand_audience=BRAND)
    assert single.consistency == 0.5
    others = score_kol(kol(), [post("x", "someone_else", likes=5)], brand_audience=BRAND)
    assert others.engagement_rate == 0.0


def test_follower_history_must_be_ordered() -> None:
    with pytest.raises(InvalidInputError):
        kol(
            follower_history=[
                FollowerSnapshot(on=date(2026, 1, 3), followers=1),
                FollowerSnapshot(on=date(2026, 1, 1), followers=1),
            ]
        )
