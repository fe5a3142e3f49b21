"""Truncation and thread splitting: never split what must stay whole."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.catalog import get_platform_spec, platform_ids
from smmkit.exceptions import ContentTooLongError
from smmkit.text import (
    cut_points,
    extract_entities,
    grapheme_boundaries,
    measure,
    split_thread,
    truncate,
    within_limit,
)
from smmkit.text._truncate import shorten_keeping, thread_split

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


# -- keeping what matters: entities survive a cut, tag lines stay whole ------------------

_NUMBERED = regex.compile(r" \d+/\d+$")


def _only_tags(part: str) -> bool:
    body = _NUMBERED.sub("", part)
    chars = list(body)
    for e in extract_entities(body):
        if e.kind.value in ("hashtag", "cashtag"):
            chars[e.start : e.end] = [" "] * (e.end - e.start)
    return not "".join(chars).strip()


@pytest.mark.parametrize(
    ("text", "platform", "limit", "expected"),
    [
        (
            "Cold brew, three minutes, office. https://ex.com/a #tea",
            "x",
            40,
            "Cold brew… https://ex.com/a #tea",
        ),
        ("#tea 下午三点，给自己泡一杯冷泡茶。只要三分钟 @lin", "weibo", 12, "#tea 下午三点… @lin"),
        (
            "第一句话。第二句话 #话题# 还有更多内容 #冷泡茶#",
            "weibo",
            16,
            "第一句话。… #话题# #冷泡茶#",
        ),
        ("Tea #tea then more #tea and $TEA", "mastodon", 16, "Tea #tea… $TEA"),
    ],
)
def test_truncate_keep_entities(text: str, platform: str, limit: int, expected: str) -> None:
    out = truncate(text, platform, limit=limit, keep_entities=True)
    assert out == expected
    assert within_limit(out, get_platform_spec(platform), limit)


def test_truncate_keep_entities_refuses_what_cannot_fit() -> None:
    with pytest.raises(ContentTooLongError) as info:
        truncate(
            "Tea https://ex.com/" + "a" * 50 + " #tea", "bluesky", limit=30, keep_entities=True
        )
    assert info.value.fields == ("body",)
    assert info.value.unfit == ("https://ex.com/" + "a" * 50, "#tea")


def test_shorten_keeping_reports_the_moved_entities() -> None:
    kept = shorten_keeping(
        "Tea at three. Cold brew https://ex.com @lin #tea", lambda s: len(s) <= 40
    )
    assert kept == ("Tea at three.… https://ex.com @lin #tea", ("https://ex.com", "@lin", "#tea"))


@pytest.mark.parametrize("platform", ["x", "weibo", "bluesky", "mastodon"])
def test_a_trailing_tag_line_never_stands_alone(platform: str) -> None:
    unit = "Cold brew in three minutes. " if platform != "weibo" else "三分钟冷泡茶。"
    for n in range(2, 40):
        text = unit * n + "\n#tea #office #ColdBrew"
        parts = split_thread(text, platform, limit=60)
        assert not any(_only_tags(p) for p in parts), parts
        if len(parts) > 1:
            assert sum("#tea #office #ColdBrew" in p for p in parts) == 1, parts


def test_split_thread_old_tags_only_case() -> None:
    # Used to give ("Sentence one is here. Sentence two is here. 1/2", "#a #b 2/2").
    text = "Sentence one is here. Sentence two is here.\n#a #b"
    parts = split_thread(text, "x", limit=48)
    assert parts == ("Sentence one is here. 1/2", "Sentence two is here.\n#a #b 2/2")


def test_thread_split_gives_none_rather_than_a_bad_part() -> None:
    assert (
        thread_split("Tea. https://ex.com/" + "a" * 40, lambda s: len(s) <= 30, " {i}/{n}") is None
    )
    assert thread_split("#a #b #c #d #e #f", lambda s: len(s) <= 10, " {i}/{n}") is None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES[:4], "Tea. ", "下午茶。"]), min_size=1, max_size=30).map(
        "".join
    ),
    st.lists(
        st.sampled_from(["#tea", "#办公室茶", "#话题#", "#ColdBrew", "$TEA"]),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["x", "weibo", "bluesky", "mastodon"]),
    st.integers(min_value=40, max_value=120),
)
def test_split_thread_keeps_tag_lines_whole_and_never_tags_alone(
    prose: str, tags: list[str], platform: str, limit: int
) -> None:
    line = " ".join(tags)
    text = f"{prose}\n{line}"
    spec = get_platform_spec(platform)
    parts = split_thread(text, platform, limit=limit)
    if len(parts) == 1:
        return
    if not within_limit("。。。\n" + line + " 99/99", spec, limit) or not prose.strip():
        return  # no part holds the tag line with some text: nothing can keep it whole
    assert not any(_only_tags(p) for p in parts), parts
    assert sum(line in p for p in parts) == 1, parts
