"""ManualPublisher: packages, recorded URLs and CSV exports."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import InvalidInputError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import CsvMapping, ManualPublisher
from smmkit.platforms.manual import parse_count

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
END = datetime(2026, 4, 1, tzinfo=timezone.utc)


def _post(platform: str, **fields: object) -> PlatformPost:
    base: dict[str, object] = {
        "platform": platform,
        "piece_id": "tea-1",
        "title": "冷泡茶",
        "body": "三分钟做好",
    }
    base.update(fields)
    return PlatformPost(**base)


@pytest.mark.parametrize("platform", ["zhihu", "xiaohongshu", "wechat_channels"])
def test_package_has_text_media_and_checklist(platform: str) -> None:
    image = MediaAsset(kind="image", url="https://cdn.example/cover.jpg", alt_text="a glass of tea")
    package = ManualPublisher(platform).render(_post(platform, media=(image,), tags=("办公室茶",)))
    assert package.text == "三分钟做好" and package.title == "冷泡茶"
    assert package.media == (image,) and package.topics == ("办公室茶",)
    assert any("record" in item for item in package.checklist)
    assert any("https://cdn.example/cover.jpg" in item for item in package.checklist)
    sheet = package.to_markdown()
    assert "#办公室茶" in sheet and "- [ ] " in sheet and "alt: a glass of tea" in sheet


def test_package_flags_limit_problems() -> None:
    package = ManualPublisher("xiaohongshu").render(_post("xiaohongshu", body="字" * 1001))
    assert package.problems and "1001" in package.problems[0]
    assert "Fix first" in package.to_markdown()


def test_threads_are_joined_for_pasting() -> None:
    package = ManualPublisher("zhihu").render(_post("zhihu", parts=("一", "二")))
    assert package.text == "一\n\n二"


def test_wrong_platform_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="platform"):
        ManualPublisher("x")
    with pytest.raises(InvalidInputError, match=r"post\.platform"):
        ManualPublisher("zhihu").render(_post("xiaohongshu"))


@pytest.mark.parametrize(
    ("platform", "url", "ok"),
    [
        ("zhihu", "https://zhuanlan.zhihu.com/p/123456", True),
        ("zhihu", "https://www.zhihu.com/question/1/answer/2", True),
        ("xiaohongshu", "https://www.xiaohongshu.com/explore/65f0c1", True),
        ("xiaohongshu", "http://xhslink.com/a/AbC", True),
        ("wechat_channels", "https://channels.weixin.qq.com/web/pages/feed?id=1", True),
        ("zhihu", "https://evil-zhihu.com/p/1", False),
        ("xiaohongshu", "https://www.zhihu.com/p/1", False),
        ("zhihu", "javascript:alert(1)", False),
    ],
)
def test_record_url(platform: str, url: str, ok: bool) -> None:
    publisher = ManualPublisher(platform)
    if ok:
        result = publisher.record_url(_post(platform), url, published_at=START)
        assert result.ok and result.receipt is not None
        assert result.receipt.url == url
        assert result.receipt.published_at == START
    else:
        with pytest.raises(InvalidInputError, match="url"):
            publisher.record_url(_post(platform), url, published_at=START)


XHS_EXPORT = (
    "\ufeff笔记标题,首次发布时间,曝光,观看量,点赞,评论,收藏,分享,涨粉\n"
    '冷泡茶,2026-03-02,"1,234",1.2万,88,7,30,5,2\n'
    "红茶拿铁,2026-03-05,900,450,abc,3,-,1,0\n"
    "\n"
    ",2026-03-06,1,1,1,1,1,1,1\n"
    "短行,2026-03-07,1\n"
)


def test_xiaohongshu_export_is_ingested_with_every_problem_reported() -> None:
    result = ManualPublisher("xiaohongshu").ingest_csv(
        XHS_EXPORT, period_start=START, period_end=END
    )
    assert result.rows == 4
    first = {o.metric: o.value for o in result.observations if o.content_id == "冷泡茶"}
    assert first == {
        "impressions": 1234,
        "views": 12000,
        "likes": 88,
        "comments": 7,
        "saves": 30,
        "shares": 5,
        "follows": 2,
    }
    second = {o.metric: o.value for o in result.observations if o.content_id == "红茶拿铁"}
    assert "likes" not in second and "saves" not in second and second["views"] == 450
    problems = {(e.row, e.column, e.problem) for e in result.errors}
    assert problems == {
        (2, "点赞", "not a number"),
        (4, "笔记标题", "empty"),
        (5, None, "3 cells, header has 9"),
    }
    assert not result.ok
    assert all(o.platform == "xiaohongshu" and o.period_start == START for o in result.observations)


def test_missing_columns_are_reported() -> None:
    text = "内容标题,阅读量\n好文,10\n"
    result = ManualPublisher("zhihu").ingest_csv(text, period_start=START, period_end=END)
    assert [o.metric for o in result.observations] == ["views"]
    assert {e.column for e in result.errors} == {"赞同", "评论", "收藏", "分享"}
    no_id = ManualPublisher("zhihu").ingest_csv("阅读量\n10\n", period_start=START, period_end=END)
    assert no_id.observations == () and no_id.errors[0].column == "内容标题"


def test_custom_mapping_and_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "export.csv"
    path.write_text("视频,播放\n茶,3.4w\n", encoding="gbk")
    mapping = CsvMapping(content_column="视频", metrics={"播放": "views"}, content_type="video")
    result = ManualPublisher("wechat_channels", mapping=mapping).ingest_csv_file(
        path, period_start=START, period_end=END, encoding="gbk"
    )
    assert [(o.content_id, o.value, o.content_type) for o in result.observations] == [
        ("茶", 34000, "video")
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("1,234", 1234),
        ("1.5万", 15000),
        ("2亿", 2e8),
        ("12k", 12000),
        ("8%", 0.08),
        (" 7 ", 7),
        ("", None),
        ("-", None),
        ("--", None),
    ],
)
def test_parse_count(text: str, value: float | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["abc", "1.2.3", "万", "1e5x"])
def test_parse_count_rejects_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_count(text)


@given(st.integers(0, 10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_count(f"{n:,}") == n
