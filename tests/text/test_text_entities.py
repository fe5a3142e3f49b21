"""Graphemes, entity extraction and the per-platform serialisers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.catalog import get_platform_spec, platform_ids
from smmkit.models import HashtagStyle, MentionStyle
from smmkit.text import (
    EntityKind,
    HashtagForm,
    bluesky_facets,
    convert_topics,
    escape_little,
    extract_entities,
    format_hashtag,
    format_mention,
    from_little,
    grapheme_boundaries,
    grapheme_count,
    graphemes,
    to_little,
    unescaped_little,
)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("👨\u200d👩\u200d👧\u200d👦", 1),  # ZWJ family
        ("🇨🇳🇯🇵", 2),  # two flags
        ("👍🏽👍", 2),  # skin tone
        ("e\u0301\u0302x", 2),  # combining marks
        ("\r\n", 1),
        ("한국어", 3),
        ("\u1100\u1161\u11a8", 1),  # conjoining jamo
        ("", 0),
    ],
)
def test_grapheme_count(text: str, count: int) -> None:
    assert grapheme_count(text) == count
    assert len(graphemes(text)) == count
    assert len(grapheme_boundaries(text)) == count + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#tea #茶", [("hashtag", "tea", "hash"), ("hashtag", "茶", "hash")]),
        ("#办公室茶#", [("hashtag", "办公室茶", "wrapped")]),
        ("#前端面试题[话题]#", [("hashtag", "前端面试题", "xhs")]),
        ("#a[话题]##b[话题]#", [("hashtag", "a", "xhs"), ("hashtag", "b", "xhs")]),
        ("喝茶#办公室茶", [("hashtag", "办公室茶", "hash")]),
        ("#123", []),
        ("#️⃣ keycap", []),
        ("@alice hi", [("mention", "alice", None)]),
        ("@alice@mastodon.social", [("mention", "alice", None)]),
        ("@alice.bsky.social.", [("mention", "alice.bsky.social", None)]),
        ("感谢@小红薯", [("mention", "小红薯", None)]),
        ("mail bob@example.com", [("url", "example.com", None)][:0]),
        ("see example.com/x.", [("url", "example.com/x", None)]),
        ("https://ex.com/#frag", [("url", "https://ex.com/#frag", None)]),
        ("$AAPL up, $3.99 no", [("cashtag", "AAPL", None)]),
    ],
)
def test_extract_entities(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    got = [
        (e.kind.value, e.value, e.form.value if e.form else None) for e in extract_entities(text)
    ]
    assert got == expected


def test_entity_offsets_in_code_points_and_bytes() -> None:
    text = "茶🍵 @alice@mastodon.social #茶"
    for e in extract_entities(text):
        assert text[e.start : e.end] == e.text
        raw = text.encode("utf-8")
        assert raw[e.byte_start : e.byte_end].decode("utf-8") == e.text
    mention = extract_entities(text)[0]
    assert mention.kind is EntityKind.MENTION
    assert mention.domain == "mastodon.social"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_entity_offsets_property(text: str) -> None:
    raw = text.encode("utf-8")
    last = 0
    for e in extract_entities(text):
        assert e.start >= last
        assert text[e.start : e.end] == e.text
        assert raw[e.byte_start : e.byte_end] == e.text.encode("utf-8")
        last = e.end


EXPECTED_TAG = {
    HashtagStyle.HASH_PREFIX: "#办公室茶",
    HashtagStyle.FACET: "#办公室茶",
    HashtagStyle.HASH_WRAPPED: "#办公室茶#",
    HashtagStyle.XHS_TOPIC: "#办公室茶[话题]#",
    HashtagStyle.SEPARATE_FIELD: None,
    HashtagStyle.NONE: None,
}


@pytest.mark.parametrize("platform", platform_ids())
def test_hashtag_serialiser_for_every_platform(platform: str) -> None:
    style = get_platform_spec(platform).hashtag_style
    assert format_hashtag("办公室茶", platform) == EXPECTED_TAG[style]
    assert format_hashtag("#办公室茶#", platform) == EXPECTED_TAG[style]


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("weibo", "#办公室茶#"),
        ("douyin", "#办公室茶"),
        ("xiaohongshu", "#办公室茶[话题]#"),
        ("x", "#办公室茶"),
        ("bluesky", "#办公室茶"),
        ("bilibili", None),
        ("zhihu", None),
    ],
)
def test_hashtag_serialiser_table(platform: str, expected: str | None) -> None:
    assert format_hashtag("办公室 茶", platform) == expected


@pytest.mark.parametrize("platform", platform_ids())
def test_mention_serialiser_for_every_platform(platform: str) -> None:
    style = get_platform_spec(platform).mention_style
    got = format_mention("alice", platform, domain="mastodon.social")
    expected = {
        MentionStyle.AT_NAME: "@alice",
        MentionStyle.FACET: "@alice",
        MentionStyle.NONE: "@alice",
        MentionStyle.AT_ACCOUNT_DOMAIN: "@alice@mastodon.social",
        MentionStyle.LITTLE_URN: "\\@alice",
    }[style]
    assert got == expected


def test_linkedin_mention_with_urn() -> None:
    got = format_mention("acme", "linkedin", name="Acme (HK)", urn="urn:li:organization:7")
    assert got == "@[Acme \\(HK\\)](urn:li:organization:7)"


@pytest.mark.parametrize("ch", list("\\|{}@[]()<>#*_~"))
def test_little_escapes_every_reserved_character(ch: str) -> None:
    assert escape_little(f"a{ch}b") == f"a\\{ch}b"
    assert unescaped_little(f"a{ch}b") == (1,)
    assert unescaped_little(escape_little(f"a{ch}b")) == ()


def test_to_little_keeps_urls_hashtags_and_templates() -> None:
    text = "Join us (today) #B2B_Sales https://ex.com/a_b_(c) @acme & @bob"
    out = to_little(text, mentions={"acme": ("Acme", "urn:li:organization:1")})
    assert "https://ex.com/a_b_(c)" in out
    assert "\\#B2B\\_Sales" in out
    assert "@[Acme](urn:li:organization:1)" in out
    assert "\\(today\\)" in out
    assert "\\@bob" in out
    assert unescaped_little(out) == ()
    assert to_little(from_little(out)) == out


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab #_()@[]{}<>*~|\\.:/茶")), max_size=40))
def test_to_little_output_is_fully_escaped_and_stable(text: str) -> None:
    out = to_little(text)
    assert unescaped_little(out) == ()
    assert to_little(from_little(out)) == out


def test_bluesky_facets_use_utf8_byte_offsets() -> None:
    text = "茶🍵 #办公室茶 see example.com/x @alice.bsky.social"
    facets = bluesky_facets(text, dids={"alice.bsky.social": "did:plc:abc"})
    raw = text.encode("utf-8")
    kinds = [f["features"][0]["$type"].split("#")[1] for f in facets]
    assert kinds == ["tag", "link", "mention"]
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == ["#办公室茶", "example.com/x", "@alice.bsky.social"]
    assert facets[0]["features"][0]["tag"] == "办公室茶"
    assert facets[1]["features"][0]["uri"] == "https://example.com/x"
    assert facets[2]["features"][0]["did"] == "did:plc:abc"


def test_bluesky_mention_without_did_gets_no_facet() -> None:
    assert bluesky_facets("@bob.bsky.social hi") == ()


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("weibo", "#茶 和 #咖啡", "#茶# 和 #咖啡#"),
        ("douyin", "#茶#好喝", "#茶 好喝"),
        ("xiaohongshu", "#茶#", "#茶[话题]#"),
        ("zhihu", "#茶# 文章", "茶 文章"),
        ("x", "#茶[话题]#", "#茶"),
    ],
)
def test_convert_topics(platform: str, text: str, expected: str) -> None:
    out, topics = convert_topics(text, platform)
    assert out == expected
    assert topics[0] == "茶"
    assert convert_topics(out, platform)[0] == out or platform == "zhihu"


def test_hashtag_form_enum() -> None:
    assert extract_entities("#a#")[0].form is HashtagForm.WRAPPED
