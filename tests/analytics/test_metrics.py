"""Metric vocabulary, per-platform mapping, and ratio helpers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.analytics import (
    METRICS,
    PLATFORM_METRICS,
    ExposureBasis,
    Metric,
    brand_favourability,
    conversion_rate,
    count_interactions,
    favourability_from_sentiment,
    follower_growth,
    interaction_rate_by_followers,
    interaction_rate_by_reach,
    metric_definition,
    platform_metrics,
    repurchase_rate,
    share_of_voice,
)
from smmkit.catalog import platform_ids
from smmkit.exceptions import InvalidInputError, UnknownPlatformError

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_every_metric_has_a_definition_with_a_formula() -> None:
    assert set(METRICS) == set(Metric)
    for metric, definition in METRICS.items():
        assert definition.metric is metric
        assert definition.formula and definition.description


def test_both_interaction_rates_are_named_and_distinct() -> None:
    by_reach = metric_definition("interaction_rate_by_reach")
    by_followers = metric_definition(Metric.INTERACTION_RATE_BY_FOLLOWERS)
    assert by_reach.formula == "interactions / reach"
    assert by_followers.formula == "interactions / followers"
    with pytest.raises(InvalidInputError):
        metric_definition("engagement")


def test_every_catalog_platform_has_a_metric_mapping() -> None:
    assert set(PLATFORM_METRICS) == set(platform_ids())
    for pid, spec in PLATFORM_METRICS.items():
        assert spec.platform == pid
        assert spec.interaction_fields
        # an exposure basis and its field come together
        assert (spec.exposure is None) == (spec.exposure_field is None)


@pytest.mark.parametrize(
    ("platform", "basis"),
    [
        ("x", ExposureBasis.IMPRESSIONS),
        ("linkedin", ExposureBasis.IMPRESSIONS),
        ("youtube", ExposureBasis.VIEWS),
        ("wechat_oa", ExposureBasis.VIEWS),
        ("xiaohongshu", ExposureBasis.IMPRESSIONS),
        ("mastodon", None),
        ("bluesky", None),
    ],
)
def test_exposure_basis_per_platform(platform: str, basis: ExposureBasis | None) -> None:
    assert platform_metrics(platform).exposure is basis


def test_unknown_platform() -> None:
    with pytest.raises(UnknownPlatformError):
        platform_metrics("myspace")


def test_count_interactions_uses_the_platform_fields_only() -> None:
    reported = {"likeCount": 5, "repostCount": 2, "replyCount": 1, "views": 1000}
    assert count_interactions("bluesky", reported) == 8.0
    with pytest.raises(InvalidInputError):
        count_interactions("bluesky", {"likeCount": -1})


@pytest.mark.parametrize(
    ("func", "args", "value", "reason"),
    [
        (interaction_rate_by_reach, (50, 1000), 0.05, None),
        (interaction_rate_by_reach, (50, 0), None, "reach is zero"),
        (interaction_rate_by_followers, (30, 600), 0.05, None),
        (interaction_rate_by_followers, (0, 0), None, "followers is zero"),
        (conversion_rate, (3, 0), None, "base is zero"),
    ],
)
def test_ratios_never_divide_by_zero(
    func: object, args: tuple[float, float], value: float | None, reason: str | None
) -> None:
    result = func(*args)  # type: ignore[operator]
    assert result.value == value
    assert result.reason == reason


@given(st.floats(0, 1e9), st.floats(0, 1e9))
def test_ratio_value_is_never_nan(num: float, den: float) -> None:
    result = interaction_rate_by_reach(num, den)
    assert result.value is None or not math.isnan(result.value)
    assert (result.value is None) == (den == 0)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "10", True])
def test_ratio_inputs_are_validated(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        interaction_rate_by_reach(bad, 100)  # type: ignore[arg-type]
    assert info.value.fields == ("interactions",)


def test_conversion_rate_names_its_base() -> None:
    result = conversion_rate(6, 0, base_name="leads")
    assert result.reason == "leads is zero"
    assert conversion_rate(6, 24, base_name="leads").percent == 25.0


def test_follower_growth_net_and_rate() -> None:
    grew = follower_growth(2000, 2300)
    assert (grew.net, grew.rate) == (300.0, 0.15)
    shrank = follower_growth(1000, 900)
    assert (shrank.net, shrank.rate) == (-100.0, -0.1)
    new = follower_growth(0, 40)
    assert (new.net, new.rate, new.reason) == (40.0, None, "no followers at the start")


def test_brand_favourability_is_net_sentiment() -> None:
    assert brand_favourability(10, 30, 60).value == pytest.approx(-0.2)
    assert brand_favourability(0, 0, 0).value is None
    assert brand_favourability(5, 0).value == 1.0


def test_share_of_voice() -> None:
    assert share_of_voice("tea", {"tea": 25, "rival": 75}).value == 0.25
    assert share_of_voice("tea", {"tea": 0, "rival": 0}).value is None
    with pytest.raises(InvalidInputError) as info:
        share_of_voice("tea", {"rival": 1})
    assert info.value.fields == ("brand",)


def test_repurchase_rate_respects_window_and_maturity() -> None:
    day = timedelta(days=1)
    orders = [
        ("a", T0),
        ("a", T0 + 20 * day),  # repeat within 30 days
        ("b", T0),
        ("b", T0 + 45 * day),  # repeat, but outside the window
        ("c", T0 + 50 * day),  # first order too recent to judge on day 60
        ("d", T0 + 70 * day),  # after as_of: ignored
    ]
    result = repurchase_rate(orders, window=30 * day, as_of=T0 + 60 * day)
    assert result.customers == 3
    assert result.eligible_customers == 2
    assert result.repeat_customers == 1
    assert result.value == 0.5
    assert result.window == 30 * day
    empty = repurchase_rate([], window=30 * day, as_of=T0)
    assert empty.value is None


def test_repurchase_rate_input_errors() -> None:
    with pytest.raises(InvalidInputError) as info:
        repurchase_rate([], window=timedelta(0), as_of=T0)
    assert info.value.fields == ("window",)
    with pytest.raises(InvalidInputError) as info:
        repurchase_rate([("a", datetime(2026, 1, 1))], window=timedelta(days=1), as_of=T0)
    assert info.value.fields == ("orders.0",)


def test_favourability_from_the_crisis_sentiment_scores() -> None:
    from smmkit.crisis.sentiment import SentimentLabel, SentimentScore

    scores = [
        SentimentScore.from_polarity(0.8),
        SentimentScore.from_polarity(0.3),
        SentimentScore.from_polarity(-0.7),
        SentimentScore.from_polarity(0.0),
        SentimentLabel.POSITIVE,
    ]
    result = favourability_from_sentiment(scores)
    assert result.value == pytest.approx((3 - 1) / 5)
    with pytest.raises(InvalidInputError) as info:
        favourability_from_sentiment(["great"])
    assert info.value.fields == ("scores.0",)


@pytest.mark.parametrize(
    ("interactions", "reach"),
    [
        (30, 1000),
        (Decimal("30"), Decimal("1000")),
        (Fraction(30), Fraction(1000)),
        (30.0, Decimal("1000.0")),
    ],
)
def test_ratio_inputs_take_any_real_number(interactions: Any, reach: Any) -> None:
    # Review regression: Decimal and Fraction (and numpy ints) raised "must be a number".
    result = interaction_rate_by_reach(interactions, reach)
    assert result.value == 0.03
    assert (result.numerator, result.denominator) == (30.0, 1000.0)


@pytest.mark.parametrize(
    "bad", [Decimal("NaN"), Decimal("-1"), pytest.param(10**400, id="int_10e400"), "0.5", False]
)
def test_ratio_refuses_non_finite_or_non_number_decimals(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        interaction_rate_by_reach(100, bad)  # type: ignore[arg-type]
    assert info.value.fields == ("reach",)


def test_ratio_inputs_take_numpy_scalars() -> None:
    import numpy as np  # the test extra has numpy; the required cases above need none

    assert interaction_rate_by_reach(np.int64(30), np.int64(1000)).value == 0.03
    assert interaction_rate_by_reach(np.float32(30), np.uint16(1000)).value == 0.03
    with pytest.raises(InvalidInputError):
        interaction_rate_by_reach(np.bool_(True), 10)  # type: ignore[arg-type]
