"""check_compliance(): absolute advertising terms and platform no-gos, with positions."""

from __future__ import annotations

import pytest

from smmkit.content import ABSOLUTE_TERMS, check_compliance


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("国家级品质", ["国家级"]),
        ("國家級品質", ["國家級"]),
        ("最佳口感", ["最佳"]),
        ("全网第一", ["全网第一"]),
        ("全網第一", ["全網第一"]),
        ("唯一的选择，顶级原料", ["唯一", "顶级"]),
        ("頂級原料", ["頂級"]),
        ("最受欢迎", ["最"]),
        ("销量第一名", ["销量第一"]),
        ("第一名", ["第一"]),
        ("第一次喝冷泡茶", []),  # "the first time" is not a ranking claim
        ("最近很火，最后一杯", []),  # "recently", "the last one"
        ("No.1 tea", ["No.1"]),
        ("普通的茶", []),
    ],
)
def test_absolute_terms(text: str, terms: list[str]) -> None:
    issues = check_compliance(text)
    assert [i.term for i in issues] == terms
    for issue in issues:
        assert issue.start is not None and issue.end is not None
        assert text[issue.start : issue.end] == issue.term
        assert issue.code == "absolute_term"
        assert issue.severity.value == "warning"


def test_terms_cover_simplified_and_traditional() -> None:
    for pair in (("国家级", "國家級"), ("顶级", "頂級"), ("绝对", "絕對"), ("独家", "獨家")):
        assert set(pair) <= set(ABSOLUTE_TERMS)


def test_weibo_share_no_gos() -> None:
    text = "新品 #冷泡茶# 见 https://tea.example.cn/a"
    issues = check_compliance(text, "weibo")
    assert [i.code for i in issues] == ["weibo_share_topic", "weibo_share_unbound_link"]
    topic = issues[0]
    assert text[topic.start : topic.end] == "#冷泡茶#"
    bound = check_compliance(text, "weibo", bound_domains=["tea.example.cn"])
    assert [i.code for i in bound] == ["weibo_share_topic"]
    assert (
        check_compliance(
            "好茶 https://www.tea.example.cn/x", "weibo", bound_domains=["tea.example.cn"]
        )
        == ()
    )
    assert check_compliance("#冷泡茶#", "weibo", weibo_share_api=False) == ()


def test_xiaohongshu_external_links() -> None:
    text = "好物分享 https://shop.example.cn/item 和 example.com/x"
    issues = check_compliance(text, "xiaohongshu")
    assert [i.code for i in issues] == ["external_link", "external_link"]
    assert [text[i.start : i.end] for i in issues] == [
        "https://shop.example.cn/item",
        "example.com/x",
    ]


def test_no_platform_rules_elsewhere() -> None:
    assert check_compliance("#话题# https://x.cn", "x") == ()
