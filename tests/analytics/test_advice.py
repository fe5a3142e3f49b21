"""Iteration advice: the three playbook rules and budget shifts, with their evidence."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smmkit.analytics import (
    PathSummary,
    RecommendationKind,
    attribute,
    suggest_iterations,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import MetricObservation

NOW = datetime(2026, 12, 2, tzinfo=timezone.utc)


def _m(
    month: int,
    metric: str,
    value: float,
    platform: str,
    *,
    content_type: str | None = None,
    campaign: str | None = None,
) -> MetricObservation:
    return MetricObservation(
        metric=metric,
        value=value,
        platform=platform,
        content_type=content_type,
        campaign=campaign,
        period_start=datetime(2026, month, 1, tzinfo=timezone.utc),
        period_end=datetime(2026 + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc),
    )


def _kinds(recs: tuple[object, ...]) -> list[RecommendationKind]:
    return [r.kind for r in recs]  # type: ignore[attr-defined]


def test_falling_interaction_rate_suggests_a_new_format() -> None:
    history = []
    for month, (views, inter) in enumerate(
        [(1000, 80), (1000, 70), (1100, 60), (1200, 50)], start=8
    ):
        history += [
            _m(month, "views", views, "douyin", content_type="short_review"),
            _m(month, "interactions", inter, "douyin", content_type="short_review"),
            # a steady content type that must not be flagged
            _m(month, "views", 1000, "douyin", content_type="brewing_moment"),
            _m(month, "interactions", 90, "douyin", content_type="brewing_moment"),
        ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.CHANGE_CONTENT_FORMAT]
    rec = recs[0]
    assert (rec.platform, rec.content_type) == ("douyin", "short_review")
    assert "sketch + review" in rec.action
    evidence = rec.evidence[0]
    assert evidence.metric == "interactions / views"
    assert [p.value for p in evidence.points] == pytest.approx([0.08, 0.07, 60 / 1100, 50 / 1200])


def test_two_falling_periods_are_not_enough_by_default_but_are_with_periods_2() -> None:
    history = []
    for month, rate in zip(range(9, 12), [0.3, 0.2, 0.1], strict=True):
        history.append(_m(month, "interaction_rate_by_reach", rate, "x", content_type="thread"))
        history.append(_m(month, "interactions", 1, "x", content_type="thread"))
    assert suggest_iterations(history, now=NOW) == ()
    recs = suggest_iterations(history, now=NOW, periods=2)
    assert _kinds(recs) == [RecommendationKind.CHANGE_CONTENT_FORMAT]
    assert recs[0].evidence[0].metric == "interaction_rate_by_reach"


def test_a_gap_breaks_a_falling_streak() -> None:
    history = []
    for month, rate in [(7, 0.4), (8, 0.3), (10, 0.2), (11, 0.1)]:
        history.append(_m(month, "interaction_rate_by_reach", rate, "x", content_type="thread"))
        history.append(_m(month, "interactions", 1, "x", content_type="thread"))
    assert suggest_iterations(history, now=NOW) == ()


def test_stalled_follower_growth_points_to_the_growing_platform() -> None:
    history = []
    for month, (xhs, channels, douyin) in enumerate(
        [(10000, 5000, 8000), (10050, 5500, 8100), (10060, 6100, 8150), (10040, 6800, 8200)],
        start=8,
    ):
        history += [
            _m(month, "followers", xhs, "xiaohongshu"),
            _m(month, "followers", channels, "wechat_channels"),
            _m(month, "followers", douyin, "douyin"),
        ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.SHIFT_PLATFORM_RESOURCES]
    rec = recs[0]
    assert (rec.platform, rec.target_platform) == ("xiaohongshu", "wechat_channels")
    assert "moved to wechat_channels" in rec.action
    assert rec.evidence[0].summary.startswith("follower growth below 1.0% for 3 periods")


def test_stalled_everywhere_has_no_target() -> None:
    history = [_m(month, "followers", 1000, "weibo") for month in range(7, 11)]
    recs = suggest_iterations(history, now=NOW)
    assert len(recs) == 1
    assert recs[0].target_platform is None


def test_dropping_participation_suggests_leaderboard_and_rewards() -> None:
    history = [
        _m(month, "participants", n, "wecom", campaign="office_tea_checkin")
        for month, n in [(8, 400), (9, 350), (10, 260), (11, 180)]
    ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.ADD_LEADERBOARD_AND_REWARDS]
    assert recs[0].campaign == "office_tea_checkin"
    assert "leaderboard and physical rewards" in recs[0].action
    assert recs[0].evidence[0].summary.endswith("400 → 350 → 260 → 180")


def test_zhihu_leads_out_convert_weibo_so_budget_moves() -> None:
    history = [
        _m(10, "leads", 120, "zhihu"),
        _m(10, "orders", 36, "zhihu"),
        _m(10, "leads", 300, "weibo"),
        _m(10, "orders", 15, "weibo"),
        _m(10, "leads", 5, "bilibili"),  # too few leads to judge
        _m(10, "orders", 0, "bilibili"),
    ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.SHIFT_BUDGET]
    rec = recs[0]
    assert (rec.platform, rec.target_platform) == ("weibo", "zhihu")
    assert "6.0x" in rec.rationale
    # below the ratio threshold nothing is suggested
    assert suggest_iterations(history, now=NOW, budget_ratio=10) == ()


def test_budget_from_attribution_per_unit_of_spend() -> None:
    attribution = attribute(
        [
            PathSummary(path=("weibo", "zhihu"), conversions=40, nulls=100),
            PathSummary(path=("weibo",), conversions=10, nulls=400),
        ],
        model="linear",
    )
    history = [_m(10, "spend", 10000, "weibo"), _m(10, "spend", 4000, "zhihu")]
    recs = suggest_iterations(history, now=NOW, attribution=attribution)
    assert _kinds(recs) == [RecommendationKind.SHIFT_BUDGET]
    # weibo: 30 conversions / 10000 = 3 per 1000; zhihu: 20 / 4000 = 5 per 1000 -> 1.67x
    assert (recs[0].platform, recs[0].target_platform) == ("weibo", "zhihu")
    assert "5.00 conversions per 1000" in recs[0].rationale


def test_periods_after_now_and_before_the_lookback_are_ignored() -> None:
    history = [
        _m(3, "leads", 100, "zhihu"),  # older than 90 days
        _m(3, "orders", 50, "zhihu"),
        _m(12, "leads", 100, "weibo"),  # ends after now
        _m(12, "orders", 1, "weibo"),
        _m(10, "leads", 100, "zhihu"),
        _m(10, "orders", 30, "zhihu"),
    ]
    assert suggest_iterations(history, now=NOW) == ()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"now": datetime(2026, 1, 1)}, "now"),
        ({"periods": 0}, "periods"),
        ({"budget_ratio": 1.0}, "budget_ratio"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"now": NOW, **kwargs}
    with pytest.raises(InvalidInputError) as info:
        suggest_iterations([], **args)  # type: ignore[arg-type]
    assert info.value.fields == (field,)


def test_per_post_rates_are_averaged_not_summed() -> None:
    # Review regression: 4, 3, 2, 1 posts per month, each at 5 %, read as 20 % → 5 %.
    history = []
    for month, posts in zip(range(8, 12), [4, 3, 2, 1], strict=True):
        history += [
            _m(month, "interaction_rate_by_reach", 0.05, "xiaohongshu", content_type="review")
            for _ in range(posts)
        ]
        history.append(_m(month, "interactions", 50 * posts, "xiaohongshu", content_type="review"))
    assert suggest_iterations(history, now=NOW) == ()


def test_averaged_rates_still_flag_a_real_decline() -> None:
    history = []
    for month, rates in zip(
        range(8, 12), [(0.06, 0.04), (0.045, 0.035), (0.04, 0.02, 0.03), (0.02,)], strict=True
    ):
        history += [
            _m(month, "interaction_rate_by_reach", r, "x", content_type="thread") for r in rates
        ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.CHANGE_CONTENT_FORMAT]
    assert [p.value for p in recs[0].evidence[0].points] == pytest.approx([0.05, 0.04, 0.03, 0.02])


def test_direct_rate_alone_is_evaluated() -> None:
    # Review regression: segments used to come only from "interactions" observations.
    history = [
        _m(month, "interaction_rate_by_reach", rate, "xiaohongshu", content_type="review")
        for month, rate in zip(range(8, 12), [0.05, 0.04, 0.03, 0.02], strict=True)
    ]
    recs = suggest_iterations(history, now=NOW)
    assert _kinds(recs) == [RecommendationKind.CHANGE_CONTENT_FORMAT]
    assert (recs[0].platform, recs[0].content_type) == ("xiaohongshu", "review")
    assert recs[0].evidence[0].metric == "interaction_rate_by_reach"
    assert recs[0].evidence[0].summary.endswith("5.00% → 4.00% → 3.00% → 2.00%")


def test_counts_are_preferred_over_reported_rates() -> None:
    # The reported rates fall, but the exposure-weighted rate from counts is steady.
    history = []
    for month, rate in zip(range(8, 12), [0.05, 0.04, 0.03, 0.02], strict=True):
        history += [
            _m(month, "interaction_rate_by_reach", rate, "x", content_type="thread"),
            _m(month, "interactions", 50, "x", content_type="thread"),
            _m(month, "reach", 1000, "x", content_type="thread"),
        ]
    assert suggest_iterations(history, now=NOW) == ()
