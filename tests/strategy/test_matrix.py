"""Platform matrix: the playbook's two matrices, other profiles, and the scoring rules."""

from __future__ import annotations

import pytest

from smmkit.audience import AudienceProfile
from smmkit.catalog import Catalog, override_spec
from smmkit.exceptions import InvalidInputError
from smmkit.models import Money
from smmkit.strategy import PlatformMatrix, recommend_platforms
from smmkit.strategy.matrix import (
    API_SCORES,
    FORMAT_FIT,
    INCLUSION_THRESHOLD,
    REDUNDANCY_FACTOR,
    ROLE_NEEDS,
    WEIGHTS,
)

TEA = AudienceProfile(
    business_model="b2c",
    regions=["china"],
    age_min=25,
    age_max=35,
    gender="female",
    locations=["urban"],
    occupations=["office workers"],
    interests=["lifestyle", "health", "tea"],
    purchase_channels=["in_store"],
)
CLOUD = AudienceProfile(
    business_model="b2b",
    regions=["china", "international"],
    occupations=["IT managers", "CTO"],
    interests=["tech", "cloud computing"],
    purchase_channels=["sales_team"],
)


def test_tea_brand_gets_xiaohongshu_douyin_wecom_without_weibo() -> None:
    m = recommend_platforms(["brand", "acquisition"], TEA, business_model="b2c")
    assert set(m.platform_ids) == {"xiaohongshu", "douyin", "wecom"}
    weibo = m.get("weibo")
    assert not weibo.selected
    assert "already covered by douyin" in (weibo.left_out_because or "")
    jobs = {f.platform_id: f.job.value for f in m.recommended}
    assert jobs == {"xiaohongshu": "trust", "douyin": "propagation", "wecom": "private_domain"}


def test_b2b_cloud_vendor_gets_linkedin_zhihu_and_wechat_oa_for_nurturing() -> None:
    m = recommend_platforms("acquisition", CLOUD, business_model="b2b")
    assert set(m.platform_ids) == {"linkedin", "zhihu", "wechat_oa"}
    assert m.get("wechat_oa").job.value == "private_domain"
    assert m.get("wecom").left_out_because is not None


def test_every_left_out_platform_says_why_and_every_platform_is_ranked() -> None:
    m = recommend_platforms("brand", TEA, business_model="b2c")
    assert len(m.ranking) == len(Catalog.default())
    for fit in m.left_out:
        assert fit.left_out_because
        assert not fit.selected
    for fit in m.recommended:
        assert fit.selected and fit.left_out_because is None
        assert len(fit.reasons) == 4


def test_international_platforms_are_left_out_for_a_china_audience_with_the_region_reason() -> None:
    m = recommend_platforms("brand", TEA, business_model="b2c")
    for pid in ("instagram", "x", "linkedin", "tiktok"):
        assert "international" in (m.get(pid).left_out_because or "")


def test_score_is_the_documented_weighted_sum() -> None:
    m = recommend_platforms("brand", TEA, business_model="b2c")
    for fit in m.ranking:
        expected = (
            WEIGHTS["role"] * fit.role_fit
            + WEIGHTS["audience"] * fit.audience_fit
            + WEIGHTS["format"] * fit.format_fit
            + WEIGHTS["api"] * fit.api_fit
        )
        assert fit.score == pytest.approx(expected, abs=1e-5)
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_tables_cover_every_objective_model_role_and_format() -> None:
    from smmkit.models import ApiAccess, BusinessModel, ContentFormat, Objective, PlatformRole

    for objective in Objective:
        for model in BusinessModel:
            assert set(ROLE_NEEDS[(objective, model)]) == set(PlatformRole)
    for model in BusinessModel:
        assert set(FORMAT_FIT[model]) == set(ContentFormat)
    assert set(API_SCORES) == set(ApiAccess)
    assert 0 < REDUNDANCY_FACTOR < 1 and 0 < INCLUSION_THRESHOLD < 1


def test_unknown_keywords_are_reported_not_silently_dropped() -> None:
    m = recommend_platforms("acquisition", CLOUD, business_model="b2b")
    assert "cloud computing" in m.unmatched_keywords
    assert "cto" in m.unmatched_keywords


# Other profiles: the scoring is not tuned to the two playbook cases.
FASHION_INTL = AudienceProfile(
    business_model="b2c",
    regions=["international"],
    age_min=18,
    age_max=30,
    gender="female",
    interests=["fashion", "beauty", "lifestyle"],
    purchase_channels=["online"],
)
GAMING_CN = AudienceProfile(
    business_model="b2c",
    regions=["china"],
    age_min=16,
    age_max=24,
    occupations=["students"],
    interests=["gaming", "tech"],
)
SAAS_RETENTION = AudienceProfile(
    business_model="b2b",
    regions=["china"],
    occupations=["professionals"],
    interests=["tech"],
)


@pytest.mark.parametrize(
    ("goal", "profile", "model", "must_have", "must_not_have"),
    [
        ("brand", FASHION_INTL, "b2c", {"instagram", "tiktok"}, {"linkedin", "douyin"}),
        ("brand", GAMING_CN, "b2c", {"bilibili"}, {"linkedin", "instagram"}),
        ("user_operations", SAAS_RETENTION, "b2b", {"wechat_oa"}, {"douyin", "weibo"}),
        ("acquisition", TEA, "b2c", {"wecom", "xiaohongshu"}, {"weibo"}),
    ],
)
def test_other_profiles_generalise(
    goal: str, profile: AudienceProfile, model: str, must_have: set[str], must_not_have: set[str]
) -> None:
    m = recommend_platforms(goal, profile, business_model=model)
    assert must_have <= set(m.platform_ids)
    assert not must_not_have & set(m.platform_ids)
    assert 1 <= len(m.platform_ids) <= 3


def test_user_operations_puts_the_private_domain_first() -> None:
    m = recommend_platforms("user_operations", TEA, business_model="b2c")
    assert m.recommended[0].job.value == "private_domain"


def test_max_platforms_and_budget_cap_the_matrix() -> None:
    assert (
        len(recommend_platforms("brand", TEA, business_model="b2c", max_platforms=1).platform_ids)
        == 1
    )
    m = recommend_platforms(
        ["brand", "acquisition"],
        TEA,
        business_model="b2c",
        budget=Money(amount=50_000, currency="CNY"),
        min_budget_per_platform=Money(amount=20_000, currency="CNY"),
    )
    assert len(m.platform_ids) == 2
    assert any("budget" in (f.left_out_because or "") for f in m.left_out)


def test_removing_api_access_lowers_the_score_by_the_api_weight_share() -> None:
    base = Catalog.default()
    cut = base.with_spec(override_spec(base["wecom"], {"api_access": "none"}))
    a = recommend_platforms("brand", TEA, business_model="b2c").get("wecom")
    b = recommend_platforms("brand", TEA, business_model="b2c", catalog=cut).get("wecom")
    assert a.score - b.score == pytest.approx(WEIGHTS["api"] * (1.0 - 0.3), abs=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"goal": "fame", "business_model": "b2c"}, "goal"),
        ({"goal": "brand", "business_model": "b2x"}, "business_model"),
        ({"goal": "brand", "business_model": "b2b"}, "audience.business_model"),
        ({"goal": [], "business_model": "b2c"}, "goal"),
        ({"goal": "brand", "business_model": "b2c", "max_platforms": 0}, "max_platforms"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    goal = kwargs.pop("goal")
    with pytest.raises(InvalidInputError) as info:
        recommend_platforms(goal, TEA, **kwargs)  # type: ignore[arg-type]
    assert field in info.value.fields


def test_goal_models_are_accepted_and_checked() -> None:
    from datetime import date

    from smmkit.models import Goal, Period

    period = Period(start=date(2026, 1, 1), end=date(2026, 3, 31))
    goals = [
        Goal(objective="brand", business_model="b2c", owner="brand", period=period),
        Goal(objective="acquisition", business_model="b2c", owner="stores", period=period),
    ]
    m = recommend_platforms(goals, TEA, business_model="b2c")
    assert isinstance(m, PlatformMatrix)
    assert m.objectives[0].value == "brand"
    with pytest.raises(InvalidInputError):
        recommend_platforms(goals, CLOUD, business_model="b2b")


def test_audience_profile_tags_and_validation() -> None:
    assert {"women", "young adults", "urban", "office workers", "china", "local stores"} <= (
        TEA.tags()
    )
    assert "gen z" not in TEA.age_tags()
    with pytest.raises(InvalidInputError) as info:
        AudienceProfile(business_model="b2c", regions=["china"], age_min=40, age_max=30)
    assert "age_min" in str(info.value)
    with pytest.raises(InvalidInputError):
        AudienceProfile(business_model="b2c", regions=[])
