"""Strict input in the metric, goal and audience models (issue 15, item 3).

Each test covers a class of inputs, not one case: every metric's value rule, every
alias, every ISO 4217 code, every event-time field.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.analytics import METRIC_ALIASES, Metric
from smmkit.analytics.funnels import STAGE_METRICS
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import (
    KPI,
    Conversion,
    Goal,
    Interaction,
    Journey,
    MetricObservation,
    Money,
    Period,
    Touchpoint,
    User,
)
from smmkit.models._currencies import ISO_4217, MINOR_UNITS_ISO
from smmkit.models._metric_names import FUNNEL_ONLY_NAMES, METRIC_RULES

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 2, 1, tzinfo=timezone.utc)


def obs(**changes: Any) -> MetricObservation:
    data: dict[str, Any] = {
        "metric": "impressions",
        "value": 10,
        "platform": "weibo",
        "period_start": T0,
        "period_end": T1,
    }
    data.update(changes)
    return MetricObservation(**data)


def fields_of(build: Any) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        build()
    return info.value.fields


# -- the vocabulary stays in step with the analytics package ---------------------------
def test_value_rules_cover_exactly_the_metric_vocabulary() -> None:
    assert set(METRIC_RULES) == {m.value for m in Metric} | FUNNEL_ONLY_NAMES
    assert set(METRIC_ALIASES.values()) <= set(METRIC_RULES)
    assert not set(METRIC_ALIASES) & set(METRIC_RULES)
    stage_names = {name for names in STAGE_METRICS.values() for name in names}
    assert stage_names <= set(METRIC_RULES)


# -- values ----------------------------------------------------------------------------
ALL_NAMES = [*sorted(METRIC_RULES), "likes", "favourites_count", "likeCount"]


@pytest.mark.parametrize("metric", ALL_NAMES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "nan", "inf", "-Infinity"])
def test_nan_and_infinities_are_refused_for_every_metric(metric: str, bad: object) -> None:
    assert fields_of(lambda: obs(metric=metric, value=bad)) == ("value",)


SIGNED = {"follower_growth_net", "follower_growth_rate", "brand_favourability"}


@pytest.mark.parametrize("metric", ALL_NAMES)
def test_negative_values_only_where_the_metric_can_fall(metric: str) -> None:
    if metric in SIGNED:
        assert obs(metric=metric, value=-1).value == -1.0
        return
    assert fields_of(lambda: obs(metric=metric, value=-1)) == ("value",)
    assert fields_of(lambda: obs(metric=metric, value=-1e-9)) == ("value",)


WHOLE = {name for name, rule in METRIC_RULES.items() if rule.whole}


@pytest.mark.parametrize("metric", ALL_NAMES)
def test_counts_are_whole_rates_and_money_may_be_fractions(metric: str) -> None:
    if metric in WHOLE:
        assert fields_of(lambda: obs(metric=metric, value=12.5)) == ("value",)
        assert obs(metric=metric, value=12.0).value == 12.0
    else:
        assert obs(metric=metric, value=0.25).value == 0.25


@pytest.mark.parametrize(
    ("metric", "low", "high"),
    [
        ("conversion_rate", 0.0, 1.0),
        ("repurchase_rate", 0.0, 1.0),
        ("share_of_voice", 0.0, 1.0),
        ("brand_favourability", -1.0, 1.0),
    ],
)
def test_shares_stay_in_their_range(metric: str, low: float, high: float) -> None:
    assert obs(metric=metric, value=low).value == low
    assert obs(metric=metric, value=high).value == high
    assert fields_of(lambda: obs(metric=metric, value=high + 0.01)) == ("value",)
    assert fields_of(lambda: obs(metric=metric, value=low - 0.01)) == ("value",)


def test_follower_growth_rate_cannot_lose_more_than_everyone() -> None:
    assert obs(metric="follower_growth_rate", value=-1).value == -1.0
    assert fields_of(lambda: obs(metric="follower_growth_rate", value=-1.5)) == ("value",)


@pytest.mark.parametrize("bad", [True, False, "many", None, [1]])
def test_non_numbers_are_refused(bad: object) -> None:
    assert fields_of(lambda: obs(value=bad)) == ("value",)


@settings(max_examples=300, deadline=None)
@given(
    metric=st.sampled_from(ALL_NAMES),
    value=st.floats(allow_nan=True, allow_infinity=True, width=64),
)
def test_any_float_is_kept_exactly_or_refused_naming_value(metric: str, value: float) -> None:
    rule = METRIC_RULES.get(metric)
    fits = math.isfinite(value) and (
        (rule is None and value >= 0)
        or (
            rule is not None
            and (not rule.whole or value.is_integer())
            and (rule.low is None or value >= rule.low)
            and (rule.high is None or value <= rule.high)
        )
    )
    if not fits:
        assert fields_of(lambda: obs(metric=metric, value=value)) == ("value",)
        return
    made = obs(metric=metric, value=value)
    assert made.value == value
    if metric not in SIGNED:
        assert made.value >= 0


# -- names -----------------------------------------------------------------------------
@pytest.mark.parametrize(("alias", "canonical"), sorted(METRIC_ALIASES.items()))
def test_every_alias_is_stored_under_its_canonical_name(alias: str, canonical: str) -> None:
    for spelling in (alias, alias.upper(), f" {alias.title()} "):
        assert obs(metric=spelling).metric == canonical


def test_canonical_names_ignore_case_and_platform_names_are_kept() -> None:
    assert obs(metric="LEADS").metric == "leads"
    assert obs(metric="likeCount").metric == "likeCount"
    assert obs(metric="engagement").metric == "engagement"  # ambiguous: not an alias
    for blank in ("", "   "):
        assert fields_of(lambda b=blank: obs(metric=b)) == ("metric",)


# -- platforms ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["myspace", "Weibo", "wei bo", "twitter"])
def test_unknown_platform_ids_are_refused_listing_the_known(bad: str) -> None:
    builders: dict[str, Callable[[], object]] = {
        "platform": lambda: obs(platform=bad),
        "user": lambda: User(id="u", joined_at=T0, platform=bad),
        "interaction": lambda: Interaction(user_id="u", kind="like", at=T0, platform=bad),
    }
    for build in builders.values():
        with pytest.raises(UnknownPlatformError) as info:
            build()
        assert info.value.fields == ("platform",)
        assert info.value.platform_id == bad
        assert "weibo" in info.value.known


def test_an_unknown_platform_and_other_problems_are_all_reported() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        obs(platform="myspace", value=-1)
    assert set(info.value.fields) == {"platform", "value"}


# -- times -----------------------------------------------------------------------------
EVENT_TIMES: dict[str, Any] = {
    "MetricObservation.period_start": lambda t: obs(period_start=t),
    "Touchpoint.at": lambda t: Touchpoint(channel="weibo", at=t),
    "Conversion.at": lambda t: Conversion(at=t),
    "Interaction.at": lambda t: Interaction(user_id="u", kind="like", at=t),
    "User.joined_at": lambda t: User(id="u", joined_at=t),
}


@pytest.mark.parametrize("where", sorted(EVENT_TIMES))
@pytest.mark.parametrize(
    "bad", [1767225600, 1767225600.5, 1767225600000, "1767225600", " 1767225600000 ", -5]
)
def test_epoch_numbers_are_refused_as_event_times(where: str, bad: object) -> None:
    field = where.split(".")[1]
    assert fields_of(lambda: EVENT_TIMES[where](bad)) == (field,)


@pytest.mark.parametrize("where", sorted(EVENT_TIMES))
def test_naive_datetimes_are_refused_and_iso_text_is_read(where: str) -> None:
    field = where.split(".")[1]
    assert fields_of(lambda: EVENT_TIMES[where](datetime(2026, 1, 1))) == (field,)
    made = EVENT_TIMES[where]("2026-01-01T00:00:00+08:00")
    assert made is not None


def test_period_end_must_follow_its_start() -> None:
    assert fields_of(lambda: obs(period_end=T0)) == ("period_end",)
    assert fields_of(lambda: obs(period_end=T0 - timedelta(seconds=1))) == ("period_end",)


def test_period_errors_name_end_even_when_nested() -> None:
    assert fields_of(lambda: Period(start=date(2026, 2, 1), end=date(2026, 1, 1))) == ("end",)
    goal = {
        "objective": "brand",
        "business_model": "b2c",
        "owner": "me",
        "period": {"start": "2026-03-01", "end": "2026-01-01"},
    }
    assert fields_of(lambda: Goal.model_validate(goal)) == ("period.end",)
    assert Period(start=date(2026, 1, 1), end=date(2026, 1, 1)).days == 1


def test_journey_errors_name_touchpoints() -> None:
    late = Touchpoint(channel="weibo", at=T1)
    early = Touchpoint(channel="zhihu", at=T0)
    with pytest.raises(InvalidInputError) as info:
        Journey(user_id="u", touchpoints=[early, late, early])
    assert info.value.fields == ("touchpoints",)
    assert "touchpoints.2.at" in str(info.value)
    assert Journey(user_id="u", touchpoints=[early, early, late]).touchpoints[-1] == late


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-1", Decimal("sNaN")])
def test_money_amounts_of_conversions_and_orders_are_finite_and_not_negative(bad: Any) -> None:
    assert fields_of(lambda: Conversion(at=T0, value=bad)) == ("value",)
    assert fields_of(lambda: Interaction(user_id="u", kind="order", at=T0, value=bad)) == ("value",)


# -- currencies --------------------------------------------------------------------------
@pytest.mark.parametrize("code", sorted(ISO_4217))
def test_every_iso_4217_code_is_money(code: str) -> None:
    assert Money(amount=1, currency=code.lower()).currency == code


@pytest.mark.parametrize("bad", ["CNH", "RMB", "NTD", "UKP", "ABC", "EUX", "XYZ", "BTC", "usdt"])
def test_codes_outside_iso_4217_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        Money(amount=1, currency=bad)
    assert info.value.fields == ("currency",)
    if len(bad) == 3:
        assert "ISO 4217" in str(info.value)


def test_the_currency_table_knows_its_minor_units() -> None:
    assert MINOR_UNITS_ISO["CNY"] == 2 and MINOR_UNITS_ISO["JPY"] == 0
    assert MINOR_UNITS_ISO["KWD"] == 3 and MINOR_UNITS_ISO["CLF"] == 4
    assert "XAU" in ISO_4217 and "XAU" not in MINOR_UNITS_ISO
    assert all(len(c) == 3 and c.isupper() and c.isalpha() for c in ISO_4217)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3))
def test_any_three_letters_are_money_exactly_when_iso(code: str) -> None:
    if code in ISO_4217:
        assert Money(amount=0, currency=code).currency == code
    else:
        with pytest.raises(InvalidInputError):
            Money(amount=0, currency=code)


def test_a_kpi_unit_stays_free_text() -> None:
    # Only money KPIs of a tree are checked (smmkit.strategy.kpis_for); a KPI's own unit
    # may be "count", "%", "impressions"...
    assert KPI(name="reach", target=1, unit="impressions").unit == "impressions"
