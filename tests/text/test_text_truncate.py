"""Truncation and thread splitting: never split what must stay whole."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.catalog import get_platform_spec, platform_ids
from smmkit.text import (
    cut_points,
    extract_entities,
    grapheme_boundaries,
    measure,
    split_thread,
    truncate,
    within_limit,
)

PIECES = [
    "今天天气很好。",
    "我们的新品上市了，",
    "Hello world. ",
    "Fresh tea! ",
    "e\u0301",
    "a\u0308\u0301",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳",
    "👍🏽",
    " #办公室茶 ",
    "#话题#",
    " @alice@mastodon.social ",
    " https://example.com/a/long/path?q=1 ",
    " example.cn/x ",
    "；",
    "？",
    " ",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join)


@pytest.mark.parametrize(
    ("text", "platform", "limit", "expected"),
    [
        ("第一句话。第二句话比较长，还有更多内容", "weibo", 14, "第一句话。第二句话比较长…"),
        ("第一句话。第二句话比较长，还有更多内容", "weibo", 12, "第一句话。…"),
        ("One. Two three four five six", "x", 20, "One. Two three…"),
        ("One two three. Four five six seven", "x", 20, "One two three.…"),
        ("short", "x", 20, "short"),
        (
            "Read https://example.com/a-long-path now please",
            "mastodon",
            30,
            "Read https://example.com/a-long-path…",
        ),
        (
            "👨\u200d👩\u200d👧\u200d👦👨\u200d👩\u200d👧\u200d👦👨\u200d👩\u200d👧\u200d👦",
            "bluesky",
            2,
            "👨\u200d👩\u200d👧\u200d👦…",
        ),
    ],
)
def test_truncate_table(text: str, platform: str, limit: int, expected: str) -> None:
    out = truncate(text, platform, limit=limit)
    assert out == expected
    assert measure(out, platform).length <= limit


def test_ellipsis_is_counted_in_the_platform_unit() -> None:
    # X: "…" (U+2026) is outside the weight-1 ranges, so it costs 2.
    out = truncate("a" * 300, "x")
    assert out.endswith("…")
    assert measure(out, "x").length == 280
    assert len(out) == 279


def test_truncate_respects_bluesky_bytes() -> None:
    text = "👨\u200d👩\u200d👧\u200d👦" * 200  # 200 graphemes, 5000 bytes
    out = truncate(text, "bluesky")
    m = measure(out, "bluesky")
    assert m.fits
    assert m.bytes <= 3000


@settings(max_examples=200, deadline=None)
@given(
    texts,
    st.sampled_from(["x", "weibo", "bluesky", "mastodon", "wecom", "tiktok"]),
    st.integers(min_value=5, max_value=60),
)
def test_truncation_never_splits_graphemes_or_entities(
    text: str, platform: str, limit: int
) -> None:
    out = truncate(text, platform, limit=limit)
    spec = get_platform_spec(platform)
    assert within_limit(out, spec, limit)
    if out in (text, ""):
        return
    assert out.endswith("…")
    head = out[:-1]
    assert text.startswith(head)
    # The cut is one of the allowed cut points (grapheme boundary outside every
    # entity); only spaces or a clause mark were dropped between the head and it.
    allowed = [
        c
        for c in cut_points(text)
        if c >= len(head) and not text[len(head) : c].strip(" \t\n\r，；、,;：:")
    ]
    assert allowed, (text, out)
    for e in extract_entities(text):
        assert not any(e.start < c < e.end for c in allowed[:1])
    assert allowed[0] in grapheme_boundaries(text)


def _strip_number(part: str) -> str:
    return part.rsplit(" ", 1)[0]


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(["x", "weibo", "bluesky", "mastodon"]))
def test_split_thread_parts_fit_and_keep_the_text(text: str, platform: str) -> None:
    spec = get_platform_spec(platform)
    long_text = text * 8
    parts = split_thread(long_text, platform, limit=60)
    if len(parts) == 1:
        assert parts[0] == long_text
        return
    n = len(parts)
    assert all(p.endswith(f" {i}/{n}") for i, p in enumerate(parts, 1))
    for part in parts:
        body = _strip_number(part)
        # a part over the limit can only be one unbreakable unit
        assert within_limit(part, spec, 60) or cut_points(body) == (0, len(body))
    joined = "".join(_strip_number(p) for p in parts)
    assert "".join(joined.split()) == "".join(long_text.split())


def test_split_thread_table() -> None:
    parts = split_thread("One sentence here. Another one there. And a third.", "x", limit=25)
    assert parts == ("One sentence here. 1/3", "Another one there. 2/3", "And a third. 3/3")
    assert split_thread("fits", "x") == ("fits",)


@pytest.mark.parametrize("platform", platform_ids())
def test_truncate_fits_every_platform(platform: str) -> None:
    text = "下午三点，给自己泡一杯冷泡茶。Office tea time! 🍵 " * 3000
    out = truncate(text, platform)
    spec = get_platform_spec(platform)
    if spec.text.max_length is None and spec.text.max_bytes is None:
        assert out == text
    else:
        assert within_limit(out, spec)
        assert out.endswith("…")
