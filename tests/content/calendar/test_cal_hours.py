"""best_posting_hours and its mergeable accumulator."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.calendar import (
    PostingHourStats,
    PostingWindow,
    PostPerformance,
    best_posting_hours,
)
from smmkit.exceptions import InvalidInputError

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, tzinfo=SH)


def _post(days_ago: float, hour: int, engagements: float, **more: object) -> PostPerformance:
    at = (NOW - timedelta(days=days_ago)).replace(hour=hour)
    fields: dict[str, object] = {"platform": "xiaohongshu", "engagements": engagements}
    fields.update(more)
    return PostPerformance(published_at=at, **fields)


def test_recent_engagement_outweighs_old_engagement() -> None:
    # Same totals; the 20:00 posts are recent, the 08:00 posts are half a year old.
    history = [_post(3, 20, 100), _post(4, 20, 100), _post(180, 8, 100), _post(181, 8, 100)]
    history += [_post(2, 13, 10), _post(190, 13, 10)]
    ranked = best_posting_hours(
        history, "xiaohongshu", now=NOW, tz="Asia/Shanghai", top=None, prior_weight=0.0
    )
    assert ranked[0].hour in (8, 20)
    weights = {s.hour: s.weight for s in ranked}
    assert weights[20] > 1.8 and weights[8] < 0.05
    # With shrinkage the well-supported recent hour wins over the decayed one.
    assert (
        best_posting_hours(history, "xiaohongshu", now=NOW, tz="Asia/Shanghai", top=1)[0].hour == 20
    )


def test_hours_are_local_to_tz() -> None:
    history = [_post(1, 20, 50)]  # 20:00 Shanghai = 12:00 UTC
    assert best_posting_hours(history, "xiaohongshu", now=NOW, tz="Asia/Shanghai")[0].hour == 20
    assert best_posting_hours(history, "xiaohongshu", now=NOW, tz="UTC")[0].hour == 12


def test_rate_is_used_when_every_post_has_impressions() -> None:
    history = [
        _post(1, 9, 100, impressions=10_000),  # 1 %
        _post(1, 21, 50, impressions=1_000),  # 5 %
    ]
    assert (
        best_posting_hours(history, "xiaohongshu", now=NOW, tz="Asia/Shanghai", top=1)[0].hour == 21
    )
    assert (
        best_posting_hours(
            history, "xiaohongshu", now=NOW, tz="Asia/Shanghai", top=1, use_rate=False
        )[0].hour
        == 9
    )
    with pytest.raises(InvalidInputError) as info:
        best_posting_hours(
            [*history, _post(1, 9, 5)], "xiaohongshu", now=NOW, tz="Asia/Shanghai", use_rate=True
        )
    assert info.value.fields == ("history.2.impressions",)


def test_other_platforms_are_ignored_and_future_posts_are_errors() -> None:
    history = [_post(1, 9, 100), PostPerformance(platform="weibo", published_at=NOW, engagements=9)]
    assert [
        s.hour for s in best_posting_hours(history, "xiaohongshu", now=NOW, tz="Asia/Shanghai")
    ] == [9]
    assert best_posting_hours(history, "douyin", now=NOW, tz="Asia/Shanghai") == ()
    future = [_post(1, 9, 1), _post(-1, 9, 1)]
    with pytest.raises(InvalidInputError) as info:
        best_posting_hours(future, "xiaohongshu", now=NOW, tz="Asia/Shanghai")
    assert info.value.fields == ("history.1.published_at",)


def test_learned_hours_become_a_posting_window() -> None:
    history = [_post(1, h, e) for h, e in [(12, 90), (13, 80), (20, 70), (3, 1)]]
    best = best_posting_hours(history, "xiaohongshu", now=NOW, tz="Asia/Shanghai", top=3)
    window = PostingWindow.from_hours("xiaohongshu", best)
    assert window.tz == "Asia/Shanghai"
    assert [(r.start.hour, r.end.hour) for r in window.ranges] == [(12, 14), (20, 21)]


_posts = st.lists(
    st.builds(
        PostPerformance,
        platform=st.just("x"),
        published_at=st.datetimes(
            min_value=datetime(2025, 1, 1),
            max_value=datetime(2026, 5, 31),
            timezones=st.just(timezone.utc),
        ),
        engagements=st.integers(min_value=0, max_value=10_000).map(float),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(_posts, _posts, _posts)
def test_merge_is_associative_and_commutative(a: list, b: list, c: list) -> None:  # type: ignore[type-arg]
    empty = PostingHourStats(tz="UTC", now=NOW)
    sa, sb, sc = empty.add(a), empty.add(b), empty.add(c)
    left = sa.merge(sb).merge(sc)
    right = sa.merge(sb.merge(sc))
    assert left.counts == right.counts == sc.merge(sb).merge(sa).counts
    for x, y in zip(left.weights, right.weights, strict=True):
        assert x == pytest.approx(y)
    whole = empty.add(a + b + c)
    for x, y in zip(left.sums, whole.sums, strict=True):
        assert x == pytest.approx(y)
    assert pickle.loads(pickle.dumps(left)) == left


def test_merge_refuses_different_settings() -> None:
    a = PostingHourStats(tz="UTC", now=NOW)
    with pytest.raises(InvalidInputError):
        a.merge(PostingHourStats(tz="UTC", now=NOW, half_life=timedelta(days=7)))
