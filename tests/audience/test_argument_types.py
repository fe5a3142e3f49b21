"""Wrong Python types at the audience entry points (issue 15 item 4, issue 16 item 6):
each is an InvalidInputError naming the parameter, never a TypeError, an AttributeError
or a bare ValueError from deep inside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest

from smmkit.audience import (
    AudienceProfile,
    InteractionBatch,
    KolProfile,
    LifecycleAccumulator,
    Reward,
    ScenarioCampaign,
    Segmentation,
    curate_ugc,
    default_playbook,
    festival_story_campaign,
    find_koc_candidates,
    hot_topic_campaign,
    normalize_tag,
    plan_actions,
    product_campaign,
    score_kol,
    segment_columns,
    segment_users,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import User

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400.0
REWARD = Reward(kind="coupon", description="a free cup")
BRAND = AudienceProfile(business_model="b2c", regions=["china"])


@pytest.fixture(scope="module")
def seg() -> Segmentation:
    return segment_users([("a", T - 400 * DAY)], [("a", "order", T - DAY, 9.0)], now=NOW)


def refused(call: Callable[[], object], field: str) -> InvalidInputError:
    """The call raises InvalidInputError naming ``field``, in ``fields`` and the message."""
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields[0] == field, info.value
    assert str(info.value).startswith(field) or f" {field}:" in str(info.value)
    return info.value


# -- segmentation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: segment_users(None, [], now=NOW), "users"),  # type: ignore[arg-type]
        (lambda: segment_users("ab", [], now=NOW), "users"),  # type: ignore[arg-type]
        (lambda: segment_users({"a": T}, [], now=NOW), "users"),  # type: ignore[dict-item]
        (lambda: segment_users([], None, now=NOW), "interactions"),  # type: ignore[arg-type]
        (lambda: segment_users([], b"rows", now=NOW), "interactions"),  # type: ignore[arg-type]
        (lambda: segment_users([], [], now=NOW, rules={}), "rules"),  # type: ignore[arg-type]
        (lambda: segment_users([([], T)], [], now=NOW), "users.0.id"),  # type: ignore[list-item]
        (lambda: segment_users([3], [], now=NOW), "users.0"),  # type: ignore[list-item]
        (lambda: segment_users([], [("a", [], T)], now=NOW), "interactions.kind"),
        (lambda: segment_users([], [([], "like", T)], now=NOW), "interactions.user_id"),
        (lambda: segment_users([], [7], now=NOW), "interactions"),  # type: ignore[list-item]
    ],
)
def test_segment_users_names_the_parameter(call: Callable[[], object], field: str) -> None:
    refused(call, field)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: segment_columns([], T, [], now=NOW), "joined_at"),  # type: ignore[arg-type]
        (lambda: segment_columns(None, [], [], now=NOW), "user_ids"),  # type: ignore[arg-type]
        (lambda: segment_columns("ab", [T, T], [], now=NOW), "user_ids"),
        (lambda: segment_columns({1, 2}, [T, T], [], now=NOW), "user_ids"),  # type: ignore[arg-type]
        (lambda: segment_columns([], [], None, now=NOW), "interactions"),  # type: ignore[arg-type]
        (lambda: segment_columns([], [], [()], now=NOW), "interactions"),  # type: ignore[list-item]
        (lambda: segment_columns([], [], [], now=NOW, rules="x"), "rules"),  # type: ignore[arg-type]
        (lambda: segment_columns(["a"], [NOW], [], now=NOW), "joined_at"),  # type: ignore[list-item]
    ],
)
def test_segment_columns_names_the_parameter(call: Callable[[], object], field: str) -> None:
    pytest.importorskip("numpy")
    refused(call, field)


def test_segment_columns_with_no_users_is_empty_like_segment_users() -> None:
    pytest.importorskip("numpy")
    batch = InteractionBatch(["x"], ["like"], [T - DAY])
    columns = segment_columns([], [], [batch], now=NOW)
    assert columns == segment_users([], [batch], now=NOW)
    assert columns.unknown_user_count == 1


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ((None, [], []), "InteractionBatch.user_ids"),
        (("abc", "xyz", [1, 2, 3]), "InteractionBatch.user_ids"),
        ((["a"], None, [T]), "InteractionBatch.kinds"),
        ((["a"], ["like"], {T}), "InteractionBatch.timestamps"),
        ((["a"], ["like"], [T], {"a": 1}), "InteractionBatch.values"),
        ((["a"], ["like"], T), "InteractionBatch.timestamps"),
    ],
)
def test_interaction_batch_columns_must_be_columns(columns: tuple[Any, ...], field: str) -> None:
    refused(lambda: InteractionBatch(*columns), field)


def test_interaction_batch_refuses_a_2d_array() -> None:
    np = pytest.importorskip("numpy")
    refused(
        lambda: InteractionBatch(np.zeros((2, 2)), ["like", "like"], [T, T]),
        "InteractionBatch.user_ids",
    )
    assert len(InteractionBatch(np.array([1, 2]), np.array([0, 1]), np.array([T, T]))) == 2


def test_accumulator_methods_name_their_parameter() -> None:
    acc = LifecycleAccumulator(now=NOW)
    refused(lambda: acc.add_batch([("a", "like", T)]), "batch")  # type: ignore[arg-type]
    refused(lambda: acc.add(("a", "like", T)), "interaction")  # type: ignore[arg-type]
    refused(lambda: acc.add_rows(None), "rows")  # type: ignore[arg-type]
    refused(lambda: acc.add_rows([5]), "interactions")  # type: ignore[list-item]
    refused(lambda: acc.add_users(5), "users")  # type: ignore[arg-type]
    refused(lambda: acc.merge("acc"), "other")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["assignments", "user_ids_in", "rule_text"])
def test_segmentation_stage_arguments_name_the_stage(seg: Segmentation, method: str) -> None:
    exc = refused(lambda: list(getattr(seg, method)("tea")), "stage")
    assert "loyal" in str(exc)  # the allowed values are listed


# -- KOC, KOL, playbooks, profile -------------------------------------------------------------
def test_find_koc_candidates_names_the_parameter(seg: Segmentation) -> None:
    users = [User(id="a", joined_at=NOW, followers=10)]
    refused(lambda: find_koc_candidates(None, users, []), "segmentation")  # type: ignore[arg-type]
    refused(lambda: find_koc_candidates(seg, b"bytes", []), "users")  # type: ignore[arg-type]
    refused(lambda: find_koc_candidates(seg, ["a"], []), "users.0")  # type: ignore[list-item]
    refused(lambda: find_koc_candidates(seg, users, None), "posts")  # type: ignore[arg-type]
    refused(lambda: find_koc_candidates(seg, users, [{}]), "posts.0")  # type: ignore[list-item]
    refused(lambda: find_koc_candidates(seg, users, [], stages="loyal"), "stages")
    refused(lambda: find_koc_candidates(seg, users, [], stages=["tea"]), "stages.0")
    refused(lambda: find_koc_candidates(seg, users, [], limit=0), "limit")
    refused(lambda: find_koc_candidates(seg, users, [], limit=2.5), "limit")  # type: ignore[arg-type]
    refused(lambda: find_koc_candidates(seg, users, [], min_posts=-1), "min_posts")
    refused(lambda: find_koc_candidates(seg, users, [], min_posts=True), "min_posts")


def test_score_kol_names_the_parameter() -> None:
    kol = KolProfile(id="k", followers=100)
    refused(lambda: score_kol(None, [], brand_audience=BRAND), "profile")  # type: ignore[arg-type]
    refused(lambda: score_kol(kol, "posts", brand_audience=BRAND), "posts")  # type: ignore[arg-type]
    refused(lambda: score_kol(kol, [None], brand_audience=BRAND), "posts.0")  # type: ignore[list-item]
    refused(lambda: score_kol(kol, [], brand_audience=None), "brand_audience")  # type: ignore[arg-type]
    refused(lambda: score_kol(kol, [], brand_audience={}), "brand_audience")  # type: ignore[arg-type]


def test_playbooks_name_the_parameter(seg: Segmentation) -> None:
    pb = default_playbook()
    refused(lambda: plan_actions(None, pb), "segmentation")  # type: ignore[arg-type]
    refused(lambda: plan_actions(seg, None), "playbook")  # type: ignore[arg-type]
    refused(lambda: default_playbook("b2x"), "business_model")
    refused(lambda: default_playbook(["b2c"]), "business_model")  # type: ignore[arg-type]
    refused(lambda: pb.actions_for("tea"), "stage")
    refused(lambda: pb.with_actions("tea", []), "stage")
    refused(lambda: pb.with_actions("new", None), "actions")  # type: ignore[arg-type]
    refused(lambda: pb.with_actions("new", ["x"]), "actions.0")  # type: ignore[list-item]
    refused(lambda: pb.with_actions("new", [], name=3), "name")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, b"tag", 3, ["tag"]])
def test_normalize_tag_names_the_word(bad: Any) -> None:
    refused(lambda: normalize_tag(bad), "word")


# -- campaigns and curation ---------------------------------------------------------------------
CAMPAIGNS: dict[str, tuple[Callable[..., ScenarioCampaign], dict[str, Any]]] = {
    "festival": (festival_story_campaign, {"festival": "Mid-Autumn", "topic": "中秋茶话"}),
    "hot_topic": (hot_topic_campaign, {"topic": "我的高考记忆"}),
    "product": (product_campaign, {"product": "kit", "topic": "雨天DIY茶"}),
}


@pytest.mark.parametrize("kind", sorted(CAMPAIGNS))
@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"target_stages": ["tea"]}, "target_stages.0"),
        ({"target_stages": ["new", 3]}, "target_stages.1"),
        ({"target_stages": "loyal"}, "target_stages"),
        ({"target_stages": None}, "target_stages"),
        ({"platforms": None}, "platforms"),
        ({"platforms": "weibo"}, "platforms"),
        ({"days": "14"}, "days"),
        ({"days": 0}, "days"),
        ({"topic": None}, "topic"),
    ],
)
def test_campaign_builders_name_the_parameter(
    kind: str, override: dict[str, Any], field: str
) -> None:
    make, kwargs = CAMPAIGNS[kind]
    base = {"start": date(2026, 5, 1), "reward": REWARD, **kwargs}
    assert make("c", **base).name == "c"
    refused(lambda: make("c", **(base | override)), field)


def test_campaign_subjects_must_be_text() -> None:
    start = date(2026, 5, 1)
    refused(
        lambda: festival_story_campaign(
            "c",
            festival=None,  # type: ignore[arg-type]
            start=start,
            topic="t",
            reward=REWARD,
        ),
        "festival",
    )
    refused(
        lambda: product_campaign("c", product=3, start=start, topic="t", reward=REWARD),  # type: ignore[arg-type]
        "product",
    )
    refused(
        lambda: hot_topic_campaign("c", topic="t", start=start, reward=REWARD, angle=b"x"),  # type: ignore[arg-type]
        "angle",
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"submissions": None}, "submissions"),
        ({"submissions": "post"}, "submissions"),
        ({"submissions": [], "limit": 0}, "limit"),
        ({"submissions": [], "limit": "10"}, "limit"),
        ({"submissions": [], "per_creator": 1.0}, "per_creator"),
        ({"submissions": [], "topic": 5}, "topic"),
    ],
)
def test_curate_ugc_names_the_parameter(kwargs: dict[str, Any], field: str) -> None:
    refused(lambda: curate_ugc(now=NOW, **kwargs), field)
