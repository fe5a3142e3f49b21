"""adapt / adapt_all: the playbook's per-platform styles, each change noted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import smmkit
from smmkit.catalog import get_platform_spec, override_spec, platform_ids
from smmkit.content import (
    adapt,
    adapt_all,
    has_errors,
    piece_from_post,
    render_adaptations,
    validate,
)
from smmkit.exceptions import InvalidInputError, PermissionMissingError
from smmkit.models import (
    BlueskyExtras,
    ContentPiece,
    Creator,
    MediaAsset,
    UGCPermission,
    WeChatOAExtras,
)
from smmkit.text import extract_entities, measure

NOW = datetime(2026, 8, 26, 12, tzinfo=timezone.utc)

TEA = ContentPiece(
    id="tea-001",
    title="三分钟办公室冷泡茶：下午三点的仪式感，从一杯茶开始",
    body=(
        "下午三点，给自己泡一杯冷泡茶。只要三分钟，办公室也能有仪式感！"
        "营养师说，下午补水比咖啡更能提神；试试 #办公室茶# 吧。"
    ),
    tags=("健康饮水", "下午茶"),
    links=("https://tea.example.cn/menu",),
    campaign="spring",
)


def codes(post: smmkit.PlatformPost) -> list[str]:
    return [n.code for n in post.notes]


@pytest.mark.parametrize("platform", platform_ids())
def test_every_platform_gets_a_valid_post(platform: str) -> None:
    post = adapt(TEA, platform)
    assert post.platform == platform
    assert not has_errors(validate(post, platform)), validate(post, platform)
    assert adapt(post, platform) == post


def test_weibo_short_with_wrapped_topics() -> None:
    post = adapt(TEA, "weibo")
    assert post.body.startswith("【三分钟办公室冷泡茶")
    assert "#办公室茶#" in post.body
    assert "#健康饮水# #下午茶#" in post.body
    assert measure(post.body, "weibo").fits
    long = adapt(TEA.model_copy(update={"body": TEA.body * 3}), "weibo")
    assert "truncated" in codes(long)
    assert long.body.endswith("#健康饮水# #下午茶#")  # tags and link survive the cut
    assert "utm_source=weibo" in long.body


def test_weibo_thread_when_allowed() -> None:
    post = adapt(TEA.model_copy(update={"body": TEA.body * 3}), "weibo", allow_threads=True)
    assert post.is_thread
    n = len(post.parts)
    for i, part in enumerate(post.parts, 1):
        assert part.endswith(f" {i}/{n}")
        assert measure(part, "weibo").fits
    assert "thread_split" in codes(post)


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "weibo"])
def test_threads_on_thread_platforms(platform: str) -> None:
    long = TEA.model_copy(update={"body": TEA.body * 10})
    post = adapt(long, platform, allow_threads=True)
    assert post.is_thread
    assert all(measure(p, platform).fits for p in post.parts)


def test_no_threads_where_the_platform_has_none() -> None:
    long = TEA.model_copy(update={"body": TEA.body * 40})
    post = adapt(long, "douyin", allow_threads=True)
    assert not post.parts
    assert "truncated" in codes(post)


def test_xiaohongshu_title_body_topics_and_no_links() -> None:
    post = adapt(TEA, "xiaohongshu")
    assert post.title is not None and len(post.title) <= 20
    assert "#办公室茶[话题]#" in post.body
    assert "#健康饮水[话题]# #下午茶[话题]#" in post.body
    assert "http" not in post.body
    assert post.links[0].startswith("https://tea.example.cn/menu?utm_source=xiaohongshu")
    assert "title_truncated" in codes(post)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("冷泡茶做法。详情见 https://tea.example.cn/a", "冷泡茶做法。"),
        ("冷泡茶做法，戳链接👉 https://tea.example.cn/a 就能买", "冷泡茶做法，就能买"),
        ("Cold brew in 3 minutes. Read more: https://tea.example.cn/a", "Cold brew in 3 minutes."),
        ("Brewing guide:\nDetails → https://tea.example.cn/a", "Brewing guide:"),
        ("新品上市，详情请点击链接 https://tea.example.cn/a", "新品上市"),
        ("更多内容，点击阅读原文 https://tea.example.cn/a", "更多内容"),
        ("新品，详情见 https://tea.example.cn/a 。欢迎品尝", "新品。欢迎品尝"),
        ("（详见 https://tea.example.cn/a）好喝", "好喝"),
        ("Full recipe (see https://tea.example.cn/a) for details", "Full recipe for details"),
        ("Intro.\nRead more:\nhttps://tea.example.cn/a\nNext line", "Intro.\nNext line"),
        ("Love it 😍https://tea.example.cn/a today", "Love it 😍 today"),
        # A phrase that goes on after the link keeps its words (only the link goes).
        ("Read more: https://tea.example.cn/a, then come back", "Read more: , then come back"),
        # A long run of spaces costs no quadratic search.
        ("more" + " " * 800 + "x https://tea.example.cn/a", "more x"),
        # Only words that point at the link go with it.
        ("我们的hyperlink https://tea.example.cn/a", "我们的hyperlink"),
        ("更多好茶 https://tea.example.cn/a", "更多好茶"),
        ("Come and see https://tea.example.cn/a", "Come and see"),
        ("我很喜欢这个链接 https://tea.example.cn/a", "我很喜欢这个链接"),
        ("快来看看详情见https://tea.example.cn/a", "快来看看"),
        ("We want more https://tea.example.cn/a", "We want more"),
    ],
)
def test_removed_link_takes_its_lead_in_along(body: str, expected: str) -> None:
    piece = ContentPiece(id="p", title="冷泡茶", body=body)
    post = adapt(piece, "xiaohongshu", utm=False)
    assert post.body.startswith(expected)
    assert "详情见" not in post.body and "http" not in post.body
    assert post.links == ("https://tea.example.cn/a",)
    assert adapt(piece_from_post(post), "xiaohongshu", utm=False).body == post.body


def test_douyin_prefix_topics_and_video_checks() -> None:
    clips = (
        MediaAsset(kind="video", url="https://cdn.example/a.mp4", duration_seconds=60),
        MediaAsset(kind="video", url="https://cdn.example/b.mp4", duration_seconds=20),
    )
    post = adapt(TEA.model_copy(update={"media": clips}), "douyin")
    assert "#办公室茶 " in post.body or post.body.count("#办公室茶") == 1
    assert "#办公室茶#" not in post.body
    assert len(post.media) == 1  # Douyin takes one video
    notes = {n.code: n for n in post.notes}
    assert notes["outside_sweet_spot"].field == "media.0"
    assert "media_dropped" in notes


def test_video_over_the_maximum_is_dropped() -> None:
    long = MediaAsset(kind="video", url="https://cdn.example/long.mp4", duration_seconds=20 * 60)
    post = adapt(TEA.model_copy(update={"media": (long,)}), "douyin")
    assert post.media == ()
    assert {"media_dropped", "media_required"} <= set(codes(post))


@pytest.mark.parametrize(("platform", "seconds"), [("wechat_channels", 240), ("bilibili", 420)])
def test_sweet_spot_respected(platform: str, seconds: int) -> None:
    clip = MediaAsset(kind="video", url="https://cdn.example/v.mp4", duration_seconds=seconds)
    post = adapt(TEA.model_copy(update={"media": (clip,)}), platform)
    assert post.media == (clip,)
    assert "outside_sweet_spot" not in codes(post)


def test_bilibili_tags_field_capped_at_ten() -> None:
    many = TEA.model_copy(update={"tags": tuple(f"标签{i}" for i in range(14))})
    post = adapt(many, "bilibili")
    assert len(post.tags) == 10
    assert "#" not in post.body
    assert "tags_dropped" in codes(post)
    assert post.title is not None and len(post.title) <= 80


def test_wechat_oa_title_digest_and_escaped_html() -> None:
    piece = TEA.model_copy(update={"body": "<script>alert(1)</script> 茶 & 水\n第二段"})
    post = adapt(piece, "wechat_oa")
    assert post.title is not None and len(post.title) <= 32
    assert post.body == "<p>&lt;script&gt;alert(1)&lt;/script&gt; 茶 &amp; 水</p><p>第二段</p>"
    extras = post.extras_as(WeChatOAExtras)
    assert extras.digest == "<script>alert(1)</script> 茶 & 水 第二段"
    assert extras.content_source_url is not None
    assert extras.content_source_url.startswith("https://tea.example.cn/menu?utm_")
    assert piece_from_post(post).body == "<script>alert(1)</script> 茶 & 水\n第二段"


def test_wechat_oa_default_digest_is_first_54_chars() -> None:
    post = adapt(TEA.model_copy(update={"body": "茶" * 200}), "wechat_oa")
    assert post.extras_as(WeChatOAExtras).digest == "茶" * 54
    assert "digest_default" in codes(post)
    custom = adapt(TEA, "wechat_oa", digest="很长的摘要" * 40)
    assert len(custom.extras_as(WeChatOAExtras).digest or "") == 128


def test_wechat_oa_needs_a_title_and_derives_one() -> None:
    post = adapt(ContentPiece(id="p", body="第一句话。第二句话。"), "wechat_oa")
    assert post.title == "第一句话。"
    assert "title_derived" in codes(post)


def test_linkedin_escapes_reserved_characters() -> None:
    piece = ContentPiece(
        id="li",
        body="Q&A (live) with @acme_team, 3pm_UTC [link below] #B2B",
        links=("https://b2b.example.com/webinar",),
    )
    post = adapt(piece, "linkedin", mentions={"acme_team": ("Acme", "urn:li:organization:9")})
    assert "\\(live\\)" in post.body
    assert "@[Acme](urn:li:organization:9)" in post.body
    assert "3pm\\_UTC \\[link below\\]" in post.body
    assert "#B2B" in post.body
    assert "utm_source=linkedin" in post.body
    assert not has_errors(validate(post))


def test_bluesky_facets_match_the_final_text() -> None:
    post = adapt(TEA, "bluesky")
    raw = post.body.encode("utf-8")
    tags = [
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
        for f in post.extras_as(BlueskyExtras).facets or ()
        if f["features"][0]["$type"].endswith("#tag")
    ]
    assert tags == [e.text for e in extract_entities(post.body) if e.kind.value == "hashtag"]


def test_utm_on_links_configurable() -> None:
    post = adapt(TEA, "x", utm_medium="organic", utm_campaign="tea-launch")
    assert (
        "https://tea.example.cn/menu?utm_source=x&utm_medium=organic&utm_campaign=tea-launch"
        in post.body
    )
    plain = adapt(TEA, "x", utm=False)
    assert "https://tea.example.cn/menu" in plain.body
    assert "utm_" not in plain.body


def test_existing_utm_tags_are_kept() -> None:
    piece = ContentPiece(id="p", body="see https://a.cn/?utm_source=mail&utm_medium=email")
    post = adapt(piece, "x")
    assert "utm_source=mail" in post.body
    assert "utm_added" not in codes(post)


def test_instagram_hashtag_cap() -> None:
    piece = ContentPiece(id="p", body="#a #b #c #d", tags=("e", "f", "g"))
    post = adapt(piece, "instagram")
    tags = [e for e in extract_entities(post.body) if e.kind.value == "hashtag"]
    cap = get_platform_spec("instagram").max_hashtags
    assert cap is not None
    assert len(tags) == cap.value
    assert "tags_dropped" in codes(post)


def test_media_chosen_within_count_and_size() -> None:
    images = (
        *(
            MediaAsset(kind="image", url=f"https://cdn.example/{i}.jpg", size_bytes=1000)
            for i in range(6)
        ),
        MediaAsset(kind="image", url="https://cdn.example/huge.jpg", size_bytes=50_000_000),
    )
    post = adapt(TEA.model_copy(update={"media": images}), "x")
    assert [m.url for m in post.media] == [f"https://cdn.example/{i}.jpg" for i in range(4)]
    dropped = [n for n in post.notes if n.code == "media_dropped"]
    assert len(dropped) == 2


def test_youtube_forbidden_characters_replaced() -> None:
    post = adapt(ContentPiece(id="p", title="A <b> title", body="x < y > z"), "youtube")
    assert "<" not in post.body and ">" not in post.body
    assert post.title == "A ‹b› title"
    assert "characters_replaced" in codes(post)


def test_x_invalid_characters_removed() -> None:
    post = adapt(ContentPiece(id="p", body="hello\ufeff world"), "x")
    assert post.body == "hello world"
    assert measure(post.body, "x").fits


UGC = ContentPiece(
    id="ugc-1",
    body="我的办公室喝茶仪式：每天下午三点一杯冷泡茶。",
    source="ugc",
    creator=Creator(name="小林", handle="lin_tea"),
    permission=UGCPermission(
        granted_at=NOW - timedelta(days=1), expires_at=NOW + timedelta(days=30)
    ),
)


def test_ugc_gets_a_credit_line() -> None:
    post = adapt(UGC, "weibo")
    assert post.body.endswith("（来源：小林 @lin_tea）")
    assert "credit_added" in codes(post)
    assert adapt(post, "weibo") == post


def test_ugc_without_permission_is_refused() -> None:
    bare = UGC.model_copy(update={"permission": None})
    with pytest.raises(PermissionMissingError) as info:
        adapt(bare, "weibo")
    assert info.value.fields == ("permission",)
    with pytest.raises(PermissionMissingError):
        adapt(UGC, "weibo", now=NOW + timedelta(days=60))


def test_adapt_all_reports_refusals_per_platform() -> None:
    bare = UGC.model_copy(update={"permission": None})
    result = adapt_all(bare, ["x", "weibo"])
    assert result.posts == ()
    assert [(e.platform, e.code, e.field) for e in result.errors] == [
        ("x", "permission_missing", "permission"),
        ("weibo", "permission_missing", "permission"),
    ]
    assert not result.ok


def test_adapt_all_defaults_to_all_sixteen() -> None:
    result = adapt_all(TEA)
    assert result.ok
    assert sorted(p.platform for p in result.posts) == sorted(platform_ids())
    assert result.get("weibo") == adapt(TEA, "weibo")
    assert result.get("myspace") is None


def test_adapt_all_reports_unknown_platform() -> None:
    result = adapt_all(TEA, ["x", "myspace"])
    assert [p.platform for p in result.posts] == ["x"]
    assert result.errors[0].code == "unknown_platform"


def test_adapt_honours_an_overridden_spec() -> None:
    x = get_platform_spec("x")
    premium = override_spec(x, {"text.max_length": 25_000})
    long = TEA.model_copy(update={"body": TEA.body * 10})
    assert "truncated" in codes(adapt(long, x))
    assert "truncated" not in codes(adapt(long, premium))


def test_readapting_for_another_platform_is_an_error() -> None:
    post = adapt(TEA, "x")
    with pytest.raises(InvalidInputError):
        adapt(post, "weibo")


def test_notes_record_before_and_after() -> None:
    post = adapt(TEA, "xiaohongshu")
    note = next(n for n in post.notes if n.code == "title_truncated")
    assert note.before == TEA.title
    assert note.after == post.title


def test_render_adaptations_lists_every_platform() -> None:
    out = render_adaptations("下午三点，泡一杯冷泡茶。全网第一！", ["weibo", "x", "xiaohongshu"])
    assert out.count("== ") == 3
    assert "compliance.absolute_term" in out
