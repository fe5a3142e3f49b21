"""Properties of adapt over random Unicode: valid output, idempotent, whole graphemes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmkit.catalog import platform_ids
from smmkit.content import adapt, has_errors, validate
from smmkit.exceptions import ContentRuleError, ContentTooLongError
from smmkit.models import ContentPiece, MediaAsset
from smmkit.text import grapheme_boundaries

PIECES = [
    "下午三点，给自己泡一杯冷泡茶。",
    "办公室也能有仪式感！",
    "Fresh cold brew for the office. ",
    "東京でお茶を。",
    "차 한잔",
    "e\u0301",
    "a\u0308\u0301",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳",
    "👍🏽",
    "1\ufe0f\u20e3",
    " #办公室茶 ",
    "#话题#",
    "#茶[话题]#",
    " @alice@mastodon.social ",
    " @acme ",
    " https://tea.example.cn/a?b=1 ",
    " example.com/x ",
    "(see [this]) ",
    "<b>&amp;</b>",
    "_*~|{}\\",
    "\ufeff",
    "\n",
    "；",
    " ",
]
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=60).map("".join)
tag = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8)
pieces = st.builds(
    ContentPiece,
    id=st.just("p"),
    title=st.one_of(st.none(), text),
    body=text,
    tags=st.lists(tag, max_size=12, unique=True).map(tuple),
    links=st.lists(
        st.sampled_from(["https://tea.example.cn/menu", "https://b2b.example.com/x?y=1"]),
        max_size=2,
        unique=True,
    ).map(tuple),
    media=st.lists(
        st.builds(
            MediaAsset,
            kind=st.just("video"),
            url=st.just("https://cdn.example/v.mp4"),
            duration_seconds=st.floats(min_value=1, max_value=20_000),
        ),
        max_size=2,
    ).map(tuple),
)
platforms = st.sampled_from(platform_ids())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pieces, platforms, st.booleans())
def test_adapted_posts_always_validate(piece: ContentPiece, platform: str, threads: bool) -> None:
    nothing = not (piece.title or "").strip() and not piece.body.strip()
    if nothing and platform in ("wechat_oa", "bilibili", "youtube"):
        # the only refusal: no title where the platform needs one, and nothing to take it from
        with pytest.raises(ContentRuleError) as info:
            adapt(piece, platform, allow_threads=threads)
        assert info.value.fields == ("title",)
        return
    refused: ContentTooLongError | None = None
    try:
        post = adapt(piece, platform, allow_threads=threads)
    except ContentTooLongError as exc:
        refused = exc
    if refused is not None:
        # links, tags and the credit line that cannot all fit are refused, never dropped
        assert refused.fields == ("body",) and refused.unfit
        return
    problems = validate(post, platform)
    assert not has_errors(problems), [(v.code, v.field, v.message) for v in problems]


@SETTINGS
@given(pieces, platforms, st.booleans())
def test_adapt_is_idempotent(piece: ContentPiece, platform: str, threads: bool) -> None:
    try:
        once = adapt(piece, platform, allow_threads=threads)
    except ContentRuleError:
        return
    twice = adapt(once, platform, allow_threads=threads)
    assert twice == once


@SETTINGS
@given(text, st.sampled_from(["x", "weibo", "bluesky", "mastodon", "wecom", "douyin"]))
def test_truncated_body_keeps_whole_graphemes(body: str, platform: str) -> None:
    piece = ContentPiece(id="p", body=body * 20)
    try:
        post = adapt(piece, platform, utm=False)
    except ContentTooLongError:
        return  # more distinct links, tags and mentions than the limit holds
    if not any(n.code == "truncated" for n in post.notes):
        return
    moved = next((n.after for n in post.notes if n.code == "entities_kept"), None)
    # the links, tags and mentions of the cut part follow the ellipsis
    kept = post.body.removesuffix(f" {moved}" if moved else "").removesuffix("…")
    source = next(n.before for n in post.notes if n.code == "truncated")
    assert source is not None
    if len(source) < 300:
        assert source.startswith(kept)
        cut = len(kept)
        ends = grapheme_boundaries(source)
        assert cut in ends
