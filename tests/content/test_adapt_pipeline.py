"""adapt as a pipeline: AdaptOptions, the declared stages, catalog-driven facts."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smmkit.catalog import get_platform_spec, override_spec
from smmkit.content import AdaptOptions, adapt, adapt_all, render_adaptations
from smmkit.content._stages import STAGES
from smmkit.exceptions import ContentRuleError, InvalidInputError
from smmkit.models import ArticleExtras, ContentPiece, MastodonExtras, PlatformPost

TEA = ContentPiece(
    id="tea-001",
    title="三分钟办公室冷泡茶",
    body="下午三点，给自己泡一杯冷泡茶。只要三分钟，办公室也能有仪式感！" * 4,
    tags=("健康饮水", "下午茶"),
    links=("https://tea.example.cn/menu",),
    campaign="spring",
)


def test_stages_run_in_the_declared_order() -> None:
    assert [s.__name__ for s in STAGES] == [
        "permission",
        "clean",
        "title",
        "topics",
        "links",
        "credit",
        "fit",
        "encode",
        "facets",
        "media",
    ]


def test_options_value_equals_the_keywords() -> None:
    opts = AdaptOptions(allow_threads=True, utm_medium="organic", utm_campaign="launch")
    by_value = adapt(TEA, "x", opts)
    by_keywords = adapt(TEA, "x", allow_threads=True, utm_medium="organic", utm_campaign="launch")
    assert by_value == by_keywords
    assert by_value.is_thread
    assert adapt_all(TEA, ["x", "weibo"], opts) == adapt_all(
        TEA, ["x", "weibo"], allow_threads=True, utm_medium="organic", utm_campaign="launch"
    )


def test_keywords_override_the_options() -> None:
    post = adapt(TEA, "x", AdaptOptions(allow_threads=True, utm=False), utm=True)
    assert post.is_thread
    assert "utm_source=x" in post.parts[-1] or "utm_source=x" in post.body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"alow_threads": True}, "alow_threads"),
        ({"numbering": " part {i}"}, "numbering"),
        ({"numbering": " {i}/{n} {x}"}, "numbering"),
        ({"now": datetime(2026, 8, 1)}, "now"),  # naive
        ({"utm_medium": 5}, "utm_medium"),
        ({"mentions": {"acme": "urn:li:organization:1"}}, "mentions.acme"),
    ],
)
def test_bad_options_name_the_option(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        adapt(TEA, "x", **overrides)  # type: ignore[arg-type]
    assert field in info.value.fields
    with pytest.raises(InvalidInputError) as again:  # once, not as 16 refusals
        adapt_all(TEA, None, **overrides)  # type: ignore[arg-type]
    assert field in again.value.fields


def test_options_must_be_adapt_options() -> None:
    with pytest.raises(InvalidInputError) as info:
        adapt(TEA, "x", {"allow_threads": True})  # type: ignore[arg-type]
    assert info.value.fields == ("options",)


def test_render_allows_threads_unless_told_otherwise() -> None:
    text = "下午三点，给自己泡一杯冷泡茶。" * 30
    assert "[2]" in render_adaptations(text, ["x"])
    assert "[2]" not in render_adaptations(text, ["x"], allow_threads=False)
    assert "[2]" not in render_adaptations(text, ["x"], options=AdaptOptions(allow_threads=False))
    assert "[2]" in render_adaptations(text, ["x"], options=AdaptOptions(utm=False))


def test_re_adapting_keeps_extras_set_by_hand() -> None:
    post = adapt(TEA, "mastodon").with_extras(visibility="unlisted")
    again = adapt(post, "mastodon")
    assert again.extras_as(MastodonExtras).visibility == "unlisted"
    assert again == post
    oa = adapt(TEA, "wechat_oa").with_extras(author="茶小白")
    assert adapt(oa, "wechat_oa") == oa


def test_links_that_tag_to_the_same_url_are_one_link() -> None:
    tagged = "https://tea.example.cn/x?utm_source=x&utm_medium=social&utm_campaign=a"
    piece = ContentPiece(id="a", body="hi", links=(tagged, "https://tea.example.cn/x"))
    assert adapt(piece, "x").links == (tagged,)


def test_a_custom_platform_gets_its_facts_from_the_catalog() -> None:
    weibo = get_platform_spec("weibo")
    mine = override_spec(weibo, {"id": "mysite", "title_in_text": "paragraph"})
    post = adapt(TEA.model_copy(update={"body": "正文"}), mine)
    assert post.body.startswith("三分钟办公室冷泡茶\n\n正文")
    strict = override_spec(
        get_platform_spec("xiaohongshu"), {"id": "strict", "title_required": True}
    )
    assert adapt(ContentPiece(id="p", body="第一句。第二句。"), strict).title == "第一句。"
    with pytest.raises(ContentRuleError):
        adapt(ContentPiece(id="p", body=""), strict)
    html = override_spec(get_platform_spec("x"), {"id": "htmlsite", "body_format": "html"})
    page = adapt(ContentPiece(id="p", body="a & b\nc"), html)
    assert page.body == "<p>a &amp; b</p><p>c</p>"
    assert page.links == ()  # no article model here: links would be appended as text


def test_article_extras_are_typed() -> None:
    post = adapt(TEA, "wechat_oa", digest="自定义摘要")
    extras = post.extras_as(ArticleExtras)
    assert extras.digest == "自定义摘要"
    assert extras.content_source_url is not None
    assert extras.content_source_url.startswith("https://tea.example.cn/menu?")
    assert "digest: 自定义摘要" in render_adaptations(TEA.body, ["wechat_oa"], digest="自定义摘要")


def test_a_thread_on_bluesky_carries_no_facets_of_the_whole_text() -> None:
    post = adapt(TEA.model_copy(update={"body": TEA.body * 3}), "bluesky", allow_threads=True)
    assert post.is_thread
    assert "part_facets" not in post.extras.model_dump()
    assert post.extras.model_dump(exclude_unset=True) == {}


def test_expired_permission_is_checked_against_now() -> None:
    from smmkit.exceptions import PermissionMissingError
    from smmkit.models import Creator, UGCPermission

    ugc = ContentPiece(
        id="u",
        body="my tea",
        source="ugc",
        creator=Creator(name="Lin"),
        permission=UGCPermission(
            granted_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
            expires_at=datetime(2026, 2, 1, tzinfo=timezone.utc),
        ),
    )
    assert adapt(ugc, "x").body.endswith("(Credit: Lin)")
    with pytest.raises(PermissionMissingError):
        adapt(ugc, "x", AdaptOptions(now=datetime(2026, 3, 1, tzinfo=timezone.utc)))


def test_a_post_is_re_adapted_only_for_its_platform() -> None:
    post = PlatformPost(platform="x", piece_id="p", body="hi")
    with pytest.raises(InvalidInputError):
        adapt(post, "weibo")
