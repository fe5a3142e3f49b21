"""Strict input in analytics (issue 15, item 3): funnel names and anomalies, ids, times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.analytics import (
    METRIC_ALIASES,
    FunnelStage,
    attribute,
    build_funnels,
    compare_to_baseline,
    metric_definition,
    period_over_period,
    period_values,
    suggest_iterations,
)
from smmkit.analytics.funnels import STAGE_METRICS
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import Conversion, Journey, MetricObservation, Touchpoint

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 6, 1, tzinfo=timezone.utc)
STAGE_NAMES = sorted({name for names in STAGE_METRICS.values() for name in names})


def obs(metric: str, value: float, platform: str = "zhihu", **extra: Any) -> MetricObservation:
    data: dict[str, Any] = {"period_start": T0, "period_end": T1, "content_type": "article"}
    data.update(extra)
    return MetricObservation(metric=metric, value=value, platform=platform, **data)


# -- funnel metric names ---------------------------------------------------------------
FUNNEL_ALIASES = sorted(a for a, name in METRIC_ALIASES.items() if name in STAGE_NAMES)


@pytest.mark.parametrize("alias", FUNNEL_ALIASES)
def test_documented_aliases_feed_their_stage(alias: str) -> None:
    canonical = METRIC_ALIASES[alias]
    stage = next(s for s, names in STAGE_METRICS.items() if canonical in names)
    funnel = build_funnels([obs(alias, 40)]).funnel("zhihu", "article")
    assert funnel.count(stage) == 40


def test_lead_and_leads_are_one_stage() -> None:
    data = [obs("views", 1000), obs("lead", 30), obs("Leads", 10), obs("order", 8)]
    funnel = build_funnels(data).funnel("zhihu", "article")
    assert funnel.count("lead") == 40
    assert funnel.lead_quality == 0.2


@pytest.mark.parametrize(
    "name", ["leeds", "followers", "spend", "likes", "engagement", "conversion_rate", "lead s"]
)
def test_names_no_stage_reads_are_refused_with_the_list(name: str) -> None:
    data = [obs("views", 1000), obs(name, 1)]
    with pytest.raises(InvalidInputError) as info:
        build_funnels(data)
    assert info.value.fields == ("observations.1.metric",)
    message = str(info.value)
    for accepted in STAGE_NAMES:
        assert accepted in message
    assert "lead=leads" in message and "other_metrics='ignore'" in message
    funnel = build_funnels(data, other_metrics="ignore").funnel("zhihu", "article")
    assert funnel.count("exposure") == 1000


def test_other_metrics_option_and_items_are_checked() -> None:
    with pytest.raises(InvalidInputError) as info:
        build_funnels([], other_metrics="skip")  # type: ignore[arg-type]
    assert info.value.fields == ("other_metrics",)
    with pytest.raises(InvalidInputError) as info:
        build_funnels([obs("views", 1), {"metric": "views"}])  # type: ignore[list-item]
    assert info.value.fields == ("observations.1",)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: s.strip()))
def test_any_name_either_feeds_a_stage_or_is_refused(name: str) -> None:
    data = [obs(name, 3)]
    feeds = data[0].metric in STAGE_NAMES
    if not feeds:
        with pytest.raises(InvalidInputError) as info:
            build_funnels(data)
        assert info.value.fields == ("observations.0.metric",)
        return
    report = build_funnels(data)
    assert any(v == 3 for _, v in report.funnels[0].counts)


# -- funnel anomalies --------------------------------------------------------------------
def test_a_later_stage_above_an_earlier_one_is_flagged() -> None:
    data = [obs("views", 1000), obs("interactions", 50), obs("clicks", 80), obs("leads", 20)]
    data += [obs("orders", 25)]
    report = build_funnels(data)
    pairs = [(a.earlier_stage, a.stage) for a in report.anomalies]
    assert pairs == [
        (FunnelStage.INTERACTION, FunnelStage.CLICK),
        (FunnelStage.LEAD, FunnelStage.ORDER),
    ]
    first = report.anomalies[0]
    assert (first.count, first.earlier_count, first.ratio) == (80, 50, 1.6)
    assert "click (80) exceeds interaction (50)" in first.message
    assert report.funnel("zhihu", "article").anomalies == report.anomalies
    # the funnel is still built: counts and rates as given
    assert report.funnel("zhihu", "article").rate("lead", "order") == 1.25


def test_a_gap_does_not_hide_an_anomaly_and_nested_funnels_are_clean() -> None:
    gap = build_funnels([obs("views", 100), obs("leads", 150)])
    (anomaly,) = gap.anomalies
    assert (anomaly.earlier_stage, anomaly.stage) == (FunnelStage.EXPOSURE, FunnelStage.LEAD)
    clean = [obs("impressions", 1000), obs("interactions", 100), obs("clicks", 100)]
    assert build_funnels([*clean, obs("leads", 10), obs("orders", 0)]).anomalies == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=5, max_size=5))
def test_anomalies_are_exactly_the_rises(counts: list[int]) -> None:
    names = ["views", "interactions", "clicks", "leads", "orders"]
    report = build_funnels([obs(n, c) for n, c in zip(names, counts, strict=True)])
    rises = [i for i in range(1, 5) if counts[i] > counts[i - 1]]
    assert [list(FunnelStage).index(a.stage) for a in report.anomalies] == rises


# -- metric names elsewhere --------------------------------------------------------------
def test_metric_definition_and_period_values_read_aliases() -> None:
    assert metric_definition("lead").metric.value == "leads"
    with pytest.raises(InvalidInputError) as info:
        metric_definition("leeds")
    assert "leads" in str(info.value)
    data = [obs("lead", 4, content_type=None)]
    assert [p.value for p in period_values(data, metric="lead")] == [4.0]
    assert [p.value for p in period_values(data, metric="leads")] == [4.0]


# -- platform ids taken as filters -----------------------------------------------------
@pytest.mark.parametrize("call", [period_values, period_over_period, compare_to_baseline])
def test_growth_filters_refuse_unknown_platform_ids(call: Any) -> None:
    data = [obs("views", 1, content_type=None)]
    with pytest.raises(UnknownPlatformError) as info:
        call(data, metric="views", platform="zhihuu")
    assert "zhihu" in info.value.known
    assert call(data, metric="views", platform="weibo") == ()


def test_funnel_lookup_refuses_unknown_ids() -> None:
    report = build_funnels([obs("views", 1)])
    with pytest.raises(UnknownPlatformError):
        report.funnel("zhihuu", "article")
    with pytest.raises(InvalidInputError) as info:
        report.funnel("weibo", "article")
    assert info.value.fields == ("segment",)


# -- times ---------------------------------------------------------------------------------
def test_growth_baseline_start_must_be_aware() -> None:
    data = [obs("views", 1, content_type=None)]
    for values in (data, []):
        with pytest.raises(InvalidInputError) as info:
            compare_to_baseline(values, metric="views", baseline_start=datetime(2026, 5, 1))
        assert info.value.fields == ("baseline_start",)


def test_advice_refuses_periods_that_start_after_now() -> None:
    now = T1 + timedelta(days=1)
    future = obs("leads", 10, period_start=now + timedelta(days=1), period_end=now + timedelta(7))
    history = [obs("leads", 10), future]
    with pytest.raises(InvalidInputError) as info:
        suggest_iterations(history, now=now)
    assert info.value.fields == ("history.1.period_start",)
    assert "future='ignore'" in str(info.value)
    assert suggest_iterations(history, now=now, future="ignore") == ()
    running = obs("leads", 10, period_start=now - timedelta(days=1), period_end=now + timedelta(6))
    assert suggest_iterations([running], now=now) == ()  # still running: left out, no error
    with pytest.raises(InvalidInputError) as info:
        suggest_iterations(["leads"], now=now)  # type: ignore[list-item]
    assert info.value.fields == ("history.0",)
    with pytest.raises(InvalidInputError) as info:
        suggest_iterations([], now=now, future="maybe")  # type: ignore[arg-type]
    assert info.value.fields == ("future",)


def test_attribution_with_now_refuses_touches_and_conversions_after_it() -> None:
    journey = Journey(
        user_id="u",
        touchpoints=[Touchpoint(channel="weibo", at=T0), Touchpoint(channel="zhihu", at=T1)],
        conversions=[Conversion(at=T1 + timedelta(hours=1))],
    )
    assert attribute([journey], model="last_touch", now=T1 + timedelta(days=1)).as_dict() == {
        "zhihu": 1.0,
        "weibo": 0.0,
    }
    with pytest.raises(InvalidInputError) as info:
        attribute([journey], model="last_touch", now=T1)
    assert info.value.fields == ("data.0.conversions.0.at",)
    with pytest.raises(InvalidInputError) as info:
        attribute([journey], model="linear", now=T0 + timedelta(days=1))
    assert info.value.fields == ("data.0.touchpoints.1.at",)
    with pytest.raises(InvalidInputError) as info:
        attribute([journey], model="linear", now=datetime(2026, 7, 1))
    assert info.value.fields == ("now",)
