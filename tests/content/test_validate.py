"""validate(): violations against the catalog, for adapted posts and hand-written pieces."""

from __future__ import annotations

import pytest

from smmkit.catalog import get_platform_spec, platform_ids
from smmkit.content import has_errors, validate
from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece, Creator, MediaAsset, NoteSeverity, PlatformPost


def post(platform: str, **fields: object) -> PlatformPost:
    data: dict[str, object] = {"platform": platform, "piece_id": "p", "body": "ok"}
    data.update(fields)
    return PlatformPost(**data)


def codes(violations: tuple[object, ...]) -> list[str]:
    return [v.code for v in violations]  # type: ignore[attr-defined]


@pytest.mark.parametrize("platform", platform_ids())
def test_limit_violation_for_every_platform(platform: str) -> None:
    spec = get_platform_spec(platform)
    if spec.text.max_length is None:
        assert "text_too_long" not in codes(validate(post(platform, body="字" * 50_000)))
        return
    over = "字" * (int(spec.text.max_length.value) + 1)
    found = validate(post(platform, body=over))
    assert "text_too_long" in codes(found)
    assert found[0].severity is NoteSeverity.ERROR
    assert found[0].field == "body"


@pytest.mark.parametrize(
    ("platform", "fields", "code"),
    [
        ("x", {"body": "hi\ufeff"}, "invalid_characters"),
        ("youtube", {"body": "a < b", "title": "t"}, "invalid_characters"),
        ("bluesky", {"body": "👨\u200d👩\u200d👧\u200d👦" * 121}, "text_too_many_bytes"),
        ("linkedin", {"body": "Hello (world)"}, "little_unescaped"),
        ("wechat_oa", {"title": "标" * 33}, "title_too_long"),
        ("wechat_oa", {}, "title_missing"),
        ("xiaohongshu", {"title": "标" * 21}, "title_too_long"),
        ("tiktok", {"title": "🍵" * 46}, "title_too_long"),  # 92 UTF-16 units
        ("instagram", {"body": "#a #b #c #d #e #f"}, "too_many_hashtags"),
        ("bilibili", {"title": "t", "tags": tuple(f"t{i}" for i in range(11))}, "too_many_tags"),
        (
            "x",
            {"media": tuple(MediaAsset(kind="image", url=f"https://a.cn/f{i}") for i in range(5))},
            "too_many_media",
        ),
        (
            "x",
            {"media": (MediaAsset(kind="image", url="https://a.cn/f", size_bytes=6_000_000),)},
            "media_too_large",
        ),
        (
            "douyin",
            {"media": (MediaAsset(kind="video", url="https://a.cn/f", duration_seconds=901),)},
            "video_too_long",
        ),
        ("mastodon", {"parts": ("a 1/2", "b 2/2")}, None),
        ("douyin", {"parts": ("a 1/2", "b 2/2")}, "threads_not_supported"),
        ("wechat_oa", {"title": "t", "extras": {"digest": "摘" * 129}}, "digest_too_long"),
    ],
)
def test_errors(platform: str, fields: dict[str, object], code: str | None) -> None:
    found = validate(post(platform, **fields), platform)
    errors = [v.code for v in found if v.severity is NoteSeverity.ERROR]
    if code is None:
        assert errors == []
    else:
        assert code in errors


@pytest.mark.parametrize(
    ("platform", "fields", "code"),
    [
        ("xiaohongshu", {"title": "t", "body": "see https://shop.cn/x"}, "links_not_allowed"),
        ("douyin", {"body": "#茶#"}, "hashtag_style"),
        ("weibo", {"body": "#茶"}, "hashtag_style"),
        ("douyin", {}, "media_required"),
        (
            "douyin",
            {"media": (MediaAsset(kind="video", url="https://a.cn/f", duration_seconds=90),)},
            "outside_sweet_spot",
        ),
        ("x", {"title": "t"}, "title_ignored"),
        ("x", {"body": ""}, "empty_post"),
        ("weibo", {"body": "最好的茶"}, "compliance.absolute_term"),
    ],
)
def test_warnings(platform: str, fields: dict[str, object], code: str) -> None:
    found = validate(post(platform, **fields), platform)
    assert code in [v.code for v in found if v.severity is NoteSeverity.WARNING]


def test_platform_mismatch() -> None:
    assert "platform_mismatch" in codes(validate(post("x"), "weibo"))


def test_errors_come_first() -> None:
    found = validate(post("x", body="最" + "a" * 300), "x")
    assert [v.severity for v in found] == sorted(
        (v.severity for v in found), key=[NoteSeverity.ERROR, NoteSeverity.WARNING].index
    )
    assert has_errors(found)


def test_hand_written_piece() -> None:
    piece = ContentPiece(id="p", title="标" * 40, body="全网第一的冷泡茶")
    assert codes(validate(piece, "wechat_oa")) == ["title_too_long", "compliance.absolute_term"]
    # Without a title field the title is read as the first line of the text.
    assert "title_ignored" not in codes(validate(piece, "x"))


def test_piece_ugc_without_permission() -> None:
    piece = ContentPiece(id="u", body="hi", source="ugc", creator=Creator(name="Lin"))
    assert "ugc_permission_missing" in codes(validate(piece, "x"))


def test_piece_needs_a_platform() -> None:
    with pytest.raises(InvalidInputError) as info:
        validate(ContentPiece(id="p", body="x"))
    assert info.value.fields == ("platform",)


def test_rejects_other_types() -> None:
    with pytest.raises(InvalidInputError):
        validate("text", "x")  # type: ignore[arg-type]


def test_no_false_alarm_on_clean_posts() -> None:
    clean = post(
        "x",
        body="Tea at 3 pm. #tea https://example.com",
        media=(MediaAsset(kind="image", url="https://a.cn/f", size_bytes=1000),),
    )
    assert validate(clean) == ()
    assert validate(post("linkedin", body="Hello \\(world\\) #B2B https://ex.com/a_b")) == ()
