"""Funnels per platform and content type, and the playbook's divergence example."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smmkit.analytics import FunnelInsightKind, FunnelStage, build_funnels
from smmkit.models import MetricObservation

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _obs(platform: str, content_type: str, metric: str, value: float) -> MetricObservation:
    return MetricObservation(
        metric=metric,
        value=value,
        platform=platform,
        content_type=content_type,
        period_start=T0,
        period_end=T1,
    )


def _segment(platform: str, kind: str, stages: dict[str, float]) -> list[MetricObservation]:
    return [_obs(platform, kind, metric, value) for metric, value in stages.items()]


PLAYBOOK = (
    # technical articles: low interaction, leads that buy
    _segment(
        "zhihu",
        "technical_article",
        {"views": 20000, "interactions": 300, "clicks": 800, "leads": 60, "orders": 18},
    )
    # lab behind-the-scenes: lots of interaction, leads that rarely buy
    + _segment(
        "zhihu",
        "lab_behind_the_scenes",
        {"views": 20000, "interactions": 2400, "clicks": 900, "leads": 70, "orders": 4},
    )
    + _segment(
        "weibo",
        "product_review",
        {
            "impressions": 50000,
            "reach": 30000,
            "interactions": 900,
            "clicks": 500,
            "leads": 20,
            "orders": 3,
        },
    )
)


def test_stage_counts_and_rates() -> None:
    report = build_funnels(PLAYBOOK)
    tech = report.funnel("zhihu", "technical_article")
    assert [tech.count(s) for s in FunnelStage] == [20000, 300, 800, 60, 18]
    assert tech.rate("lead", "order") == pytest.approx(0.3)
    assert tech.rate(FunnelStage.EXPOSURE, FunnelStage.INTERACTION) == pytest.approx(0.015)
    assert tech.exposure_basis == "views"
    assert tech.interaction_rate == pytest.approx(0.015)
    assert tech.lead_quality == pytest.approx(0.3)


def test_exposure_bases_are_not_added_together() -> None:
    weibo = build_funnels(PLAYBOOK).funnel("weibo", "product_review")
    assert weibo.exposure_basis == "impressions"
    assert weibo.count("exposure") == 50000


def test_playbook_example_shows_in_the_insights_and_the_table() -> None:
    report = build_funnels(PLAYBOOK)
    kinds = {(i.content_type, i.kind) for i in report.insights}
    assert ("technical_article", FunnelInsightKind.LOW_INTERACTION_HIGH_LEAD_QUALITY) in kinds
    assert ("lab_behind_the_scenes", FunnelInsightKind.HIGH_INTERACTION_LOW_LEAD_QUALITY) in kinds
    lab = next(i for i in report.insights if i.content_type == "lab_behind_the_scenes")
    assert "rebalance the mix" in lab.message
    rows = {
        line.split("|")[0].strip(): [cell.strip() for cell in line.split("|")[1:]]
        for line in report.table().splitlines()
    }
    assert rows["zhihu/technical_article"] == ["20000", "300", "800", "60", "18", "1.5%", "30.0%"]
    assert rows["zhihu/lab_behind_the_scenes"] == [
        "20000",
        "2400",
        "900",
        "70",
        "4",
        "12.0%",
        "5.7%",
    ]


def test_missing_stages_and_zero_counts_give_none_rates() -> None:
    data = _segment("wecom", "solar_term_recipe", {"interactions": 0, "orders": 5})
    funnel = build_funnels(data).funnel("wecom", "solar_term_recipe")
    assert funnel.count("exposure") is None
    assert funnel.rate("exposure", "interaction") is None
    assert funnel.rate("interaction", "click") is None
    assert funnel.interaction_rate is None
    assert build_funnels(data).insights == ()


def test_pooling_over_platforms() -> None:
    report = build_funnels(PLAYBOOK, by_platform=False, by_content_type=False)
    assert len(report.funnels) == 1
    pooled = report.funnels[0]
    assert pooled.count("lead") == 150
    # Zhihu reports views, Weibo impressions: they cannot be added.
    assert pooled.exposure_basis == "mixed"
    assert pooled.count("exposure") is None
    zhihu = build_funnels(PLAYBOOK, by_content_type=False).funnel("zhihu", None)
    assert (zhihu.exposure_basis, zhihu.count("exposure")) == ("views", 40000)


def test_unknown_segment_or_stage_is_a_typed_error() -> None:
    from smmkit.exceptions import InvalidInputError

    report = build_funnels(PLAYBOOK)
    with pytest.raises(InvalidInputError) as info:
        report.funnel("douyin", "technical_article")
    assert info.value.fields == ("segment",)
    with pytest.raises(InvalidInputError) as info:
        report.funnels[0].count("purchase")
    assert info.value.fields == ("stage",)


def test_pooled_stage_missing_in_one_part_is_unknown_not_zero() -> None:
    # Review regression: video tracks no orders, so pooled lead quality read 12 / 100.
    data = _segment(
        "zhihu", "article", {"views": 1000, "interactions": 50, "leads": 40, "orders": 12}
    ) + _segment("zhihu", "video", {"views": 9000, "leads": 60})
    pooled = build_funnels(data, by_content_type=False).funnel("zhihu")
    assert pooled.count("lead") == 100
    assert pooled.count("exposure") == 10000
    assert pooled.exposure_basis == "views"
    assert pooled.count("order") is None
    assert pooled.count("interaction") is None
    assert pooled.lead_quality is None
    assert pooled.interaction_rate is None
    assert pooled.rate("lead", "order") is None
    assert pooled.incomplete_stages == (FunnelStage.INTERACTION, FunnelStage.ORDER)
    # each part on its own still has its full funnel
    article = build_funnels(data).funnel("zhihu", "article")
    assert article.lead_quality == pytest.approx(0.3)
    assert article.incomplete_stages == ()


def test_pooled_exposure_missing_in_one_part_is_incomplete_not_mixed() -> None:
    data = _segment("zhihu", "article", {"views": 1000, "leads": 40}) + _segment(
        "zhihu", "video", {"leads": 60}
    )
    pooled = build_funnels(data, by_content_type=False).funnel("zhihu")
    assert pooled.count("exposure") is None
    assert pooled.exposure_basis == "views"  # the basis is not mixed, only incomplete
    assert pooled.incomplete_stages == (FunnelStage.EXPOSURE,)
    assert pooled.count("lead") == 100
