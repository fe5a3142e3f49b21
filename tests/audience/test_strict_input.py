"""Strict input in audience (issue 15, item 3): event times, platform ids, field names."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.audience import (
    AudienceProfile,
    CreatorPost,
    InteractionBatch,
    KolProfile,
    LifecycleAccumulator,
    LifecycleRules,
    Reward,
    Segmentation,
    UgcSubmission,
    curate_ugc,
    default_playbook,
    festival_story_campaign,
    hot_topic_campaign,
    product_campaign,
    segment_columns,
    segment_users,
)
from smmkit.audience.playbooks import Incentive
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import ContentPiece, Creator, Interaction, UGCPermission

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400.0
MS = T * 1000
LATEST = 32_503_680_000  # 3000-01-01 as POSIX seconds
EARLIEST = -62_135_596_800  # 0001-01-01


def ago(days: float) -> float:
    return T - days * DAY


def fields(build: Any) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        build()
    return info.value.fields


def both_engines(users: list[tuple[str, float]], rows: list[tuple[Any, ...]], **kw: Any) -> Any:
    """Run the same input through both engines; return both results (or both errors)."""
    batch = InteractionBatch(*zip(*rows, strict=True)) if rows else None
    outcomes: list[Segmentation | InvalidInputError] = []
    runs: list[Callable[[], Segmentation]] = [
        lambda: segment_users(users, rows, now=NOW, **kw),
        lambda: segment_columns(
            [u for u, _ in users], [t for _, t in users], [batch] if batch else [], now=NOW, **kw
        ),
    ]
    for run in runs:
        try:
            outcomes.append(run())
        except InvalidInputError as exc:
            outcomes.append(exc)
    return outcomes


# -- milliseconds, NaN, infinities ---------------------------------------------------------
@pytest.mark.parametrize("bad", [MS, MS + 0.5, int(MS), T * 1e6, T * 1e9])
def test_milliseconds_and_finer_are_refused_in_every_shape(bad: float) -> None:
    pytest.importorskip("numpy")
    users = [("a", ago(10))]
    for outcome in both_engines(users, [("a", "like", bad, None)]):
        assert isinstance(outcome, InvalidInputError)
        assert outcome.fields == ("interactions.at",)
        assert "milliseconds" in str(outcome)
    for outcome in both_engines([("a", bad)], [], future="ignore"):
        assert isinstance(outcome, InvalidInputError)
        assert outcome.fields[0].endswith("joined_at")
        assert "milliseconds" in str(outcome)
    # even in the as-of-a-past-date mode a millisecond value is not a far-future event
    with pytest.raises(InvalidInputError, match="milliseconds"):
        segment_users(users, [("a", "like", bad, None)], now=NOW, future="ignore")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_times_are_refused(bad: float) -> None:
    pytest.importorskip("numpy")
    rows = [("a", "like", ago(1), None), ("a", "like", bad, None)]
    for outcome in both_engines([("a", ago(10))], rows, future="ignore"):
        assert isinstance(outcome, InvalidInputError)
        assert outcome.fields == ("interactions.at",)
    for outcome in both_engines([("a", bad)], [], future="ignore"):
        assert isinstance(outcome, InvalidInputError)
        assert outcome.fields[0].endswith("joined_at")


def test_year_3000_is_the_boundary() -> None:
    from smmkit.audience._event_times import LATEST_SECONDS

    acc = LifecycleAccumulator(now=datetime(3001, 1, 1, tzinfo=timezone.utc))
    acc.add_rows([("a", "like", LATEST_SECONDS, None)])
    with pytest.raises(InvalidInputError, match="milliseconds"):
        acc.add_rows([("a", "like", LATEST_SECONDS + 1, None)])


# -- the future ----------------------------------------------------------------------------
@pytest.mark.parametrize("seconds_late", [1e-3, 1, 3600, 400 * DAY])
def test_times_after_now_are_refused_by_default_and_left_out_on_request(
    seconds_late: float,
) -> None:
    pytest.importorskip("numpy")
    rows = [("a", "like", ago(1), None), ("a", "order", T + seconds_late, 9.0)]
    for outcome in both_engines([("a", ago(10))], rows):
        assert isinstance(outcome, InvalidInputError)
        assert outcome.fields == ("interactions.at",)
        assert "1 time(s) lie after now" in str(outcome)
        assert "future='ignore'" in str(outcome)
    ignored = both_engines([("a", ago(10))], rows, future="ignore")
    assert ignored[0] == ignored[1]
    assert ignored[0].future_interactions == 1
    assert ignored[0].assignment("a").orders == 0
    # an event exactly at now has happened
    assert segment_users([("a", ago(10))], [("a", "like", T, None)], now=NOW).interactions == 1


def test_a_user_who_joins_after_now_is_refused_by_default() -> None:
    with pytest.raises(InvalidInputError) as info:
        segment_users([("a", ago(3)), ("b", T + 60)], [], now=NOW)
    assert info.value.fields == ("users.1.joined_at",)
    seg = segment_users([("a", ago(3)), ("b", T + 60)], [], now=NOW, future="ignore")
    assert seg.stage_of("b").value == "new"


def test_interaction_models_after_now_are_refused_too() -> None:
    late = Interaction(user_id="a", kind="like", at=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidInputError) as info:
        segment_users([("a", ago(3))], [late], now=NOW)
    assert info.value.fields == ("interactions.at",)


def test_future_mode_is_checked_and_must_match_to_merge() -> None:
    for bad in ("skip", None, True):
        assert fields(lambda b=bad: LifecycleAccumulator(now=NOW, future=b)) == ("future",)
    a = LifecycleAccumulator(now=NOW)
    b = LifecycleAccumulator(now=NOW, future="ignore")
    assert fields(lambda: a.merge(b)) == ("other",)
    assert a != b


@pytest.mark.parametrize("naive", [datetime(2026, 3, 1), "2026-03-01", 1772366400])
def test_naive_or_missing_zones_for_now_are_refused(naive: Any) -> None:
    assert fields(lambda: segment_users([], [], now=naive)) == ("now",)
    assert fields(lambda: segment_columns([], [], [], now=naive)) == ("now",)
    assert fields(lambda: curate_ugc([], now=naive)) == ("now",)


@settings(max_examples=150, deadline=None)
@given(
    offsets=st.lists(
        st.one_of(
            st.floats(-800 * DAY, 30 * DAY),
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(1e11, 1e19),
        ),
        min_size=1,
        max_size=10,
    ),
    future=st.sampled_from(["refuse", "ignore"]),
)
def test_any_column_of_times_is_segmented_or_refused_naming_the_times(
    offsets: list[float], future: Any
) -> None:
    times = [T + o if math.isfinite(o) and abs(o) < 1e11 else o for o in offsets]
    rows = [("a", "like", t, None) for t in times]
    bad = [t for t in times if not math.isfinite(t) or not EARLIEST <= t <= LATEST]
    if bad or (future == "refuse" and max(times) > T):
        with pytest.raises(InvalidInputError) as info:
            segment_users([("a", ago(900))], rows, now=NOW, future=future)
        assert info.value.fields == ("interactions.at",)
        return
    seg = segment_users([("a", ago(900))], rows, now=NOW, future=future)
    assert seg.future_interactions == sum(t > T for t in times)


# -- UGC curation --------------------------------------------------------------------------
def _submission(published: datetime) -> UgcSubmission:
    piece = ContentPiece(
        id="p",
        body="a long enough story about tea at three o'clock" * 2,
        source="ugc",
        creator=Creator(name="Lin"),
        permission=UGCPermission(granted_at=NOW - timedelta(days=3)),
    )
    return UgcSubmission(piece=piece, published_at=published, views=100, likes=10)


def test_ugc_published_after_now_is_refused() -> None:
    ok = _submission(NOW - timedelta(hours=1))
    assert curate_ugc([ok], now=NOW).featured
    late = _submission(NOW + timedelta(hours=1))
    assert fields(lambda: curate_ugc([ok, late], now=NOW)) == ("submissions.1.published_at",)
    assert fields(lambda: curate_ugc([ok, "post"], now=NOW)) == ("submissions.1",)  # type: ignore[list-item]
    assert fields(lambda: _submission(1772366400)) == ("published_at",)  # type: ignore[arg-type]


# -- platform ids ----------------------------------------------------------------------------
REWARD = Reward(kind="coupon", description="a free cup")


@pytest.mark.parametrize("make", [festival_story_campaign, hot_topic_campaign, product_campaign])
def test_campaign_platforms_must_be_known(make: Any) -> None:
    kwargs: dict[str, Any] = {"start": date(2026, 5, 1), "topic": "茶", "reward": REWARD}
    kwargs |= {"festival": "Mid-Autumn"} if make is festival_story_campaign else {}
    kwargs |= {"product": "kit"} if make is product_campaign else {}
    ok = make("c", platforms=["weibo", "xiaohongshu"], **kwargs)
    assert ok.platforms == ("weibo", "xiaohongshu")
    with pytest.raises(UnknownPlatformError) as info:
        make("c", platforms=["weibo", "redbook"], **kwargs)
    assert info.value.fields == ("platforms.1",)
    assert info.value.platform_id == "redbook"


def test_creator_and_kol_platforms_must_be_known() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        CreatorPost(id="p", author_id="u", published_at=NOW, platform="tiktok_cn")
    assert info.value.fields == ("platform",)
    with pytest.raises(UnknownPlatformError):
        KolProfile(id="k", followers=1, platform="insta")
    assert KolProfile(id="k", followers=1, platform="instagram").platform == "instagram"


# -- cross-field rules name their field -----------------------------------------------------
@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: LifecycleRules(dormant_days=90, churn_days=60), "dormant_days"),
        (lambda: LifecycleRules(activity_kinds=["unfollow"]), "activity_kinds"),
        (lambda: LifecycleRules(activity_kinds=[]), "activity_kinds"),
        (
            lambda: KolProfile(
                id="k",
                followers=1,
                follower_history=[
                    {"on": date(2026, 2, 1), "followers": 1},
                    {"on": date(2026, 1, 1), "followers": 1},
                ],
            ),
            "follower_history",
        ),
        (
            lambda: hot_topic_campaign(
                "h", topic="高考", start=date(2026, 6, 7), reward=REWARD, days=30
            ),
            "mechanics.duration_days",
        ),
        (lambda: Incentive(kind="commission", description="x"), "commission_rate"),
        (
            lambda: AudienceProfile(
                business_model="b2c", regions=["china"], age_min=40, age_max=20
            ),
            "age_min",
        ),
        (lambda: default_playbook("b2c", currency="RMB"), "currency"),
    ],
)
def test_cross_field_rules_name_the_field(build: Any, field: str) -> None:
    assert fields(build) == (field,)
