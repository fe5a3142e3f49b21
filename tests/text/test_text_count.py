"""Length counting per platform: conformance cases, tables, overrides, properties."""

from __future__ import annotations

import math

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

import smmkit
from smmkit.catalog import get_platform_spec, override_spec, platform_ids
from smmkit.models import CountingRule
from smmkit.text import count_length, measure

# twitter-text conformance/validate.yml, "WeightedTweetsWithDiscountedEmojiCounterTest"
# (config v3) @30e2430d, as collected in the project's platform_limits.json.
X_CONFORMANCE = [
    ("Hi http://test.co", 26, True),
    ("http://test.co", 23, True),
    (
        "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
        "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
        "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
        "遥知兄弟登高处，遍插茱萸少一人。",
        320,
        False,
    ),
    (
        "the故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
        "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
        "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
        "遥知兄弟登高处，遍插茱萸少一人。",
        323,
        False,
    ),
    ("H🐱☺👨\u200d👩\u200d👧\u200d👦", 7, True),
    ("😷👾😡🔥💩", 10, True),
    ("🙋🏽👨\u200d🎤", 4, True),
    ("https://www.twitter.com/aloha " * 10, 240, True),
]


@pytest.mark.parametrize(("text", "weighted", "valid"), X_CONFORMANCE)
def test_x_conformance(text: str, weighted: int, valid: bool) -> None:
    m = measure(text, "x")
    assert m.length == weighted
    assert (m.fits and m.length > 0) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", 3),
        ("日本", 4),  # U+65E5 is outside the 100-weight ranges
        ("한", 2),  # Hangul syllables too: "CJK = 2" is not the whole rule
        ("\u1100", 2),  # first code point past U+10FF
        ("\u10ff", 1),
        ("\u2010\u201f\u2032\u2037", 4),  # punctuation ranges weigh 1
        ("\u2038", 2),
        ("e\u0301", 1),  # NFC first: é
        ("a\r\nb", 3),  # CRLF is one line break
        ("example.com/x", 23),  # bare domain with a known TLD
        ("example.notatld", 15),
        ("1\ufe0f\u20e3", 2),  # keycap sequence
        ("🇨🇳", 2),
        ("©", 2),  # an emoji by Unicode's list, though below U+10FF
        ("$TEA #茶 @a", 11),
    ],
)
def test_x_weights(text: str, expected: int) -> None:
    assert measure(text, "x").length == expected


def test_x_invalid_characters_never_fit() -> None:
    m = measure("hello\ufeff", "x")
    assert not m.fits
    assert m.invalid_chars == ("\ufeff",)


CORPUS_PIECES = [
    "Hello world",
    "今天天气很好。",
    "東京で会いましょう",
    "안녕하세요",
    "café",
    "e\u0301",
    "a\u0308\u0301",
    "\r\n",
    " ",
    "#话题#",
    "#tag",
    "@alice@mastodon.social",
    "https://example.com/p?q=1",
    "example.com/x",
    "http://t.co/abc123",
    "www.例子.中国",
    "见example.cn/x",
    "e.g.",
    "1\ufe0f\u20e3",
    "🇨🇳",
    "👨\u200d👩\u200d👧\u200d👦",
    "👍🏽",
    "\u200d",
    "\ufe0f",
    "\ufeff",
    "©",
    "K.com",
]
corpus_text = st.lists(
    st.one_of(st.sampled_from(CORPUS_PIECES), st.text(max_size=4)), max_size=25
).map("".join)


@settings(max_examples=300, deadline=None)
@given(corpus_text)
def test_x_agrees_with_twitter_text_parser(text: str) -> None:
    ours = measure(text, "x")
    theirs = parse_tweet(text)
    assert ours.length == theirs.weightedLength
    assert (ours.fits and ours.length > 0) == theirs.valid


@settings(max_examples=200, deadline=None)
@given(corpus_text)
def test_bluesky_counts_graphemes_and_bytes(text: str) -> None:
    m = measure(text, "bluesky")
    graphemes = len(regex.findall(r"\X", text))
    nbytes = len(text.encode("utf-8"))
    assert (m.length, m.graphemes, m.bytes) == (graphemes, graphemes, nbytes)
    assert m.fits == (graphemes <= 300 and nbytes <= 3000)


@pytest.mark.parametrize(
    ("text", "graphemes", "nbytes", "fits"),
    [
        ("a" * 300, 300, 300, True),
        ("a" * 301, 301, 301, False),
        ("👨\u200d👩\u200d👧\u200d👦" * 120, 120, 3000, True),  # 25 bytes each
        ("👨\u200d👩\u200d👧\u200d👦" * 121, 121, 3025, False),  # graphemes fine, bytes not
    ],
)
def test_bluesky_two_limits(text: str, graphemes: int, nbytes: int, fits: bool) -> None:
    m = measure(text, "bluesky")
    assert (m.graphemes, m.bytes, m.fits) == (graphemes, nbytes, fits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("https://example.com/" + "x" * 100, 23),
        ("see example.com", 15),  # Mastodon only shortens URLs with a scheme
        ("@alice@mastodon.social hi", 9),
        ("👨\u200d👩\u200d👧\u200d👦e\u0301", 2),
    ],
)
def test_mastodon(text: str, expected: int) -> None:
    assert measure(text, "mastodon").length == expected


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("wecom", "企业微信", 12),
        ("wecom", "ab", 2),
        ("weibo", "abc", 2),  # 1.5 rounded up
        ("weibo", "微博ab", 3),
        ("weibo", "é", 1),  # Latin-1 counts half
        ("weibo", "😀", 2),  # astral counts two
        ("tiktok", "😀a", 3),
        ("tiktok", "茶", 1),
        ("douyin", "😀茶", 2),
        ("linkedin", "👍🏽", 2),
        ("youtube", "a<b", 3),
        ("wechat_oa", "公众号", 3),
    ],
)
def test_other_units(platform: str, text: str, expected: int) -> None:
    assert measure(text, platform).length == expected


def test_youtube_refuses_angle_brackets() -> None:
    assert not measure("a<b", "youtube").fits
    assert measure("a‹b", "youtube").fits


UNIT_OF = {
    CountingRule.WEIGHTED: "a",
    CountingRule.GRAPHEMES: "a",
    CountingRule.GRAPHEMES_AND_BYTES: "a",
    CountingRule.UTF8_BYTES: "a",
    CountingRule.UTF16_UNITS: "a",
    CountingRule.WEIBO_UNITS: "微",
    CountingRule.CODE_POINTS: "a",
}


@pytest.mark.parametrize("platform", platform_ids())
def test_every_platform_limit_comes_from_the_catalog(platform: str) -> None:
    spec = get_platform_spec(platform)
    m = measure("x", platform)
    expected = None if spec.text.max_length is None else spec.text.max_length.value
    assert m.limit == expected
    assert m.unit is spec.text.counting
    if m.limit is None:
        assert measure("字" * 100_000, platform).fits
        return
    unit = UNIT_OF[spec.text.counting]
    limit = m.limit
    if spec.text.max_bytes is not None:
        limit = min(limit, int(spec.text.max_bytes.value))
    assert measure(unit * limit, platform).fits
    assert not measure(unit * (limit + 1), platform).fits


def test_overridden_specs_are_honoured() -> None:
    x = get_platform_spec("x")
    premium = override_spec(x, {"text.max_length": 25_000})
    assert measure("a" * 1000, premium).fits
    assert not measure("a" * 1000, x).fits
    heavy = override_spec(x, {"text.default_weight": 300, "text.url_length": 10})
    assert measure("茶 https://example.com", heavy).length == 3 + 1 + 10
    big_masto = get_platform_spec("mastodon", overrides={"text.max_length": 5000})
    assert measure("a" * 4000, big_masto).fits


def test_measure_reports_every_unit() -> None:
    m = measure("茶👍🏽", "x")
    assert (m.code_points, m.utf16_units, m.graphemes, m.bytes) == (3, 5, 2, 11)
    assert m.remaining == 276
    assert count_length("茶👍🏽", get_platform_spec("x")) == 4


def test_measure_rejects_unknown_platform() -> None:
    with pytest.raises(smmkit.UnknownPlatformError):
        measure("x", "myspace")


def test_weibo_rounds_up() -> None:
    assert measure("a", "weibo").length == math.ceil(0.5)
