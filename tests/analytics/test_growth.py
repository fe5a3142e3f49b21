"""Growth comparisons: zero baselines, gaps, and the case's +200 % in three months."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.analytics import (
    ChangeStatus,
    compare,
    compare_to_baseline,
    period_over_period,
    period_values,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import MetricObservation


def _month(
    month: int,
    value: float,
    *,
    metric: str = "impressions",
    platform: str = "xiaohongshu",
    content_type: str | None = None,
) -> MetricObservation:
    year, m = divmod(month - 1, 12)
    end_year, end_m = divmod(month, 12)
    return MetricObservation(
        metric=metric,
        value=value,
        platform=platform,
        content_type=content_type,
        period_start=datetime(2026 + year, m + 1, 1, tzinfo=timezone.utc),
        period_end=datetime(2026 + end_year, end_m + 1, 1, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("baseline", "current", "status", "absolute", "relative"),
    [
        (100, 300, ChangeStatus.OK, 200.0, 2.0),
        (200, 150, ChangeStatus.OK, -50.0, -0.25),
        (-100, -50, ChangeStatus.OK, 50.0, 0.5),  # net follower loss shrinking is growth
        (0, 40, ChangeStatus.ZERO_BASELINE, 40.0, None),
        (0, 0, ChangeStatus.ZERO_BASELINE, 0.0, None),
        (None, 40, ChangeStatus.MISSING_BASELINE, None, None),
        (40, None, ChangeStatus.MISSING_CURRENT, None, None),
    ],
)
def test_compare_table(
    baseline: float | None,
    current: float | None,
    status: ChangeStatus,
    absolute: float | None,
    relative: float | None,
) -> None:
    change = compare(baseline, current)
    assert change.status is status
    assert change.absolute == absolute
    assert change.relative == relative


@given(st.none() | st.floats(-1e9, 1e9), st.none() | st.floats(-1e9, 1e9))
def test_compare_never_produces_nan(baseline: float | None, current: float | None) -> None:
    change = compare(baseline, current)
    for number in (change.absolute, change.relative):
        assert number is None or math.isfinite(number)
    assert (change.relative is None) == (change.status is not ChangeStatus.OK)


def test_compare_refuses_nan() -> None:
    with pytest.raises(InvalidInputError) as info:
        compare(math.nan, 1)
    assert info.value.fields == ("baseline",)


def test_exposure_plus_two_hundred_percent_in_three_months() -> None:
    data = [_month(6, 12000), _month(7, 18000), _month(8, 26000), _month(9, 36000)]
    changes = compare_to_baseline(data, metric="impressions", platform="xiaohongshu")
    assert [c.relative for c in changes] == pytest.approx([0.5, 26000 / 12000 - 1, 2.0])
    assert changes[-1].describe() == "xiaohongshu impressions +200% (12000 → 36000)"
    assert changes[-1].baseline_period is not None
    assert changes[-1].baseline_period.start.month == 6


def test_period_values_sum_per_period_and_fill_gaps() -> None:
    data = [
        _month(1, 10, content_type="a"),
        _month(1, 5, content_type="b"),
        _month(2, 20, content_type="a"),
        _month(5, 7, content_type="a"),
        _month(5, 1, metric="views"),
        _month(5, 100, platform="douyin"),
    ]
    values = period_values(data, metric="impressions", platform="xiaohongshu")
    assert [v.value for v in values] == [15.0, 20.0, None, 7.0]
    gap = values[2]
    assert (gap.start.month, gap.end.month) == (3, 5)
    only_b = period_values(data, metric="impressions", content_type="b")
    assert [v.value for v in only_b] == [5.0]


def test_period_over_period_with_zero_and_gaps() -> None:
    data = [_month(1, 0), _month(2, 50), _month(3, 75), _month(5, 60)]
    changes = period_over_period(data, metric="impressions")
    assert [c.status for c in changes] == [
        ChangeStatus.ZERO_BASELINE,
        ChangeStatus.OK,
        ChangeStatus.MISSING_CURRENT,
        ChangeStatus.MISSING_BASELINE,
    ]
    assert changes[1].relative == 0.5
    assert (
        changes[0].describe() == "impressions +50 from a zero baseline (relative change undefined)"
    )


def test_baseline_start_choice_and_errors() -> None:
    data = [_month(1, 10), _month(2, 20), _month(3, 40)]
    later = compare_to_baseline(data, metric="impressions", baseline_start=data[1].period_start)
    assert [c.relative for c in later] == [1.0]
    with pytest.raises(InvalidInputError) as info:
        compare_to_baseline(
            data, metric="impressions", baseline_start=datetime(2020, 1, 1, tzinfo=timezone.utc)
        )
    assert info.value.fields == ("baseline_start",)
    assert compare_to_baseline([], metric="impressions") == ()


def test_overlapping_periods_are_refused() -> None:
    weekly = MetricObservation(
        metric="impressions",
        value=1,
        platform="xiaohongshu",
        period_start=datetime(2026, 1, 10, tzinfo=timezone.utc),
        period_end=datetime(2026, 1, 17, tzinfo=timezone.utc),
    )
    with pytest.raises(InvalidInputError) as info:
        period_values([_month(1, 10), weekly], metric="impressions")
    assert info.value.fields == ("observations",)


@pytest.mark.parametrize(
    ("baseline", "current"),
    [(Decimal("300"), Decimal("900")), (Fraction(300), 900), (300, Decimal("900.0"))],
)
def test_compare_takes_any_real_number(baseline: Any, current: Any) -> None:
    # Review regression: numpy ints, Decimal and Fraction raised "must be a number".
    change = compare(baseline, current)
    assert (change.baseline, change.current, change.relative) == (300.0, 900.0, 2.0)


@pytest.mark.parametrize(
    "bad", [True, "300", Decimal("Infinity"), pytest.param(10**400, id="int_10e400")]
)
def test_compare_still_refuses_flags_strings_and_non_finite(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        compare(bad, 1)  # type: ignore[arg-type]
    assert info.value.fields == ("baseline",)


def test_compare_takes_numpy_scalars() -> None:
    import numpy as np  # the test extra has numpy; the required cases above need none

    assert compare(np.int64(300), np.int32(900)).relative == 2.0
