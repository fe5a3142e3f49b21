"""The shipped catalog: 16 platforms, sourced numbers, overrides, clear errors."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

import smmkit
from smmkit.catalog import Catalog, override_spec, platform_ids, resolve_platform
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import ApiAccess, Confidence, CountingRule, Limit, Platform
from smmkit.models.platform import BodyFormat, Fact, TitleInText

IDS = [
    "weibo", "douyin", "zhihu", "xiaohongshu", "wechat_oa", "wechat_channels", "wecom",
    "bilibili", "linkedin", "x", "facebook", "instagram", "youtube", "tiktok", "mastodon",
    "bluesky",
]  # fmt: skip


def test_all_sixteen_ids_load() -> None:
    assert sorted(IDS) == list(platform_ids())
    for pid in IDS:
        spec = smmkit.get_platform_spec(pid)
        assert isinstance(spec, Platform)
        assert spec.id == pid
        assert spec.name_en
        assert spec.api_note


def test_xiaohongshu_has_no_publishing_api() -> None:
    spec = smmkit.get_platform_spec("xiaohongshu")
    assert spec.api_access is ApiAccess.NONE
    assert not spec.has_publishing_api


def test_x_knows_its_weighted_280() -> None:
    text = smmkit.get_platform_spec("x").text
    assert text.counting is CountingRule.WEIGHTED
    assert text.max_length is not None
    assert text.max_length.value == 280
    assert text.url_length == 23
    assert text.normalization == "NFC"


def test_bluesky_has_both_limits() -> None:
    text = smmkit.get_platform_spec("bluesky").text
    assert text.counting is CountingRule.GRAPHEMES_AND_BYTES
    assert (text.max_length.value, text.max_bytes.value) == (300, 3000)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("pid", "sweet"),
    [("douyin", (15, 30)), ("wechat_channels", (180, 300)), ("bilibili", (300, 600))],
)
def test_playbook_video_sweet_spots(pid: str, sweet: tuple[int, int]) -> None:
    assert smmkit.get_platform_spec(pid).media.sweet_spot_seconds == sweet


def _limits(spec: Platform) -> list[Limit | Fact[object]]:
    found: list[Limit | Fact[object]] = []

    def walk(value: object) -> None:
        if isinstance(value, (Limit, Fact)):
            found.append(value)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, tuple):
            for v in value:
                walk(v)

    walk(spec)
    return found


@pytest.mark.parametrize("pid", IDS)
def test_every_number_has_provenance(pid: str) -> None:
    spec = smmkit.get_platform_spec(pid)
    for limit in _limits(spec):
        assert limit.source.strip()
        assert isinstance(limit.as_of, date)
        assert limit.confidence in Confidence
    assert spec.text.source.strip()


@pytest.mark.parametrize("pid", IDS)
def test_every_platform_states_its_text_facts(pid: str) -> None:
    spec = smmkit.get_platform_spec(pid)
    assert spec.title_required is not None
    assert spec.body_format is not None
    assert spec.title_required.source.strip() and spec.body_format.source.strip()
    if spec.needs_title:
        assert spec.title is not None  # a required title has a documented limit


def test_text_facts() -> None:
    specs = smmkit.list_platforms()
    assert {s.id for s in specs if s.needs_title} == {"wechat_oa", "bilibili", "youtube"}
    assert {s.id: s.markup for s in specs if s.markup is not BodyFormat.PLAIN} == {
        "wechat_oa": BodyFormat.HTML,
        "linkedin": BodyFormat.LITTLE,
    }
    assert [s.id for s in specs if s.title_style is TitleInText.BRACKETS] == ["weibo"]


def test_override_a_fact() -> None:
    spec = override_spec(smmkit.get_platform_spec("x"), {"body_format": "html"}, source="mine")
    assert spec.markup is BodyFormat.HTML
    assert spec.body_format is not None
    assert (spec.body_format.source, spec.body_format.confidence) == ("mine", Confidence.USER)
    assert override_spec(spec, {"body_format": None}).markup is BodyFormat.PLAIN
    with pytest.raises(InvalidInputError, match="body_format"):
        override_spec(spec, {"body_format": "markdown"})


def test_playbook_roles() -> None:
    role = {pid: smmkit.get_platform_spec(pid).role.value for pid in IDS}
    assert role["weibo"] == role["douyin"] == "propagation"
    assert role["zhihu"] == role["xiaohongshu"] == "trust"
    assert role["wecom"] == role["wechat_oa"] == "private_domain"


def test_unknown_id_lists_known_ids() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        smmkit.get_platform_spec("myspace")
    message = str(info.value)
    assert "'myspace'" in message
    for pid in IDS:
        assert pid in message
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, ValueError)


def test_override_a_limit_without_touching_package_data() -> None:
    spec = smmkit.get_platform_spec("mastodon", overrides={"text.max_length": 1000})
    assert spec.text.max_length is not None
    assert spec.text.max_length.value == 1000
    assert spec.text.max_length.confidence is Confidence.USER
    assert spec.text.max_length.unit == "graphemes"
    # the shipped spec is unchanged
    assert smmkit.get_platform_spec("mastodon").text.max_length.value == 500  # type: ignore[union-attr]


def test_override_records_source_and_date() -> None:
    spec = override_spec(
        smmkit.get_platform_spec("x"),
        {"text.max_length": 25000, "media.max_items": 10},
        source="X Premium account",
        as_of=date(2026, 11, 1),
    )
    assert spec.text.max_length.source == "X Premium account"  # type: ignore[union-attr]
    assert spec.text.max_length.as_of == date(2026, 11, 1)  # type: ignore[union-attr]
    assert spec.media.max_items.value == 10  # type: ignore[union-attr]


def test_override_undocumented_limit() -> None:
    spec = override_spec(smmkit.get_platform_spec("zhihu"), {"text.max_length": 100000})
    assert spec.text.max_length.value == 100000  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"text.nope": 1}, "no such field"),
        ({"nope.max": 1}, "no field 'nope'"),
        ({"text.max_length": -1}, "greater than or equal"),
        ({"api_access": "sometimes"}, "api_access"),
    ],
)
def test_bad_overrides_are_typed_errors(changes: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        override_spec(smmkit.get_platform_spec("x"), changes)


def test_custom_catalog() -> None:
    base = Catalog.default()
    mine = base.with_spec(override_spec(base["mastodon"], {"text.max_length": 5000}))
    assert mine["mastodon"].text.max_length.value == 5000  # type: ignore[union-attr]
    assert base["mastodon"].text.max_length.value == 500  # type: ignore[union-attr]
    assert smmkit.get_platform_spec("mastodon", catalog=mine).text.max_length.value == 5000  # type: ignore[union-attr]


def test_list_platforms_filters() -> None:
    assert [p.id for p in smmkit.list_platforms(api_access="none")] == [
        "wechat_channels",
        "xiaohongshu",
        "zhihu",
    ]
    china = smmkit.list_platforms(region="china")
    assert len(china) == 8
    assert all(p.region.value == "china" for p in china)
    videos = smmkit.list_platforms(content_format="short_video")
    assert {"douyin", "tiktok"} <= {p.id for p in videos}
    assert len(smmkit.list_platforms()) == 16


def test_list_platforms_bad_filter() -> None:
    with pytest.raises(InvalidInputError, match="region"):
        smmkit.list_platforms(region="mars")


def test_resolve_platform() -> None:
    spec = smmkit.get_platform_spec("x")
    assert resolve_platform(spec) is spec
    assert resolve_platform("x") == spec
    with pytest.raises(InvalidInputError, match="platform"):
        resolve_platform(42)  # type: ignore[arg-type]
