"""smmkit.text over odd, long and wrong-typed text, on every platform of the catalog."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    anything,
    covers,
    extreme_ints,
    fast,
    junk,
    numbers,
    odd_text,
    outcome,
    platform_ids,
    texts,
)

from smmkit.catalog import get_platform_spec
from smmkit.catalog import platform_ids as catalog_ids
from smmkit.models import Platform
from smmkit.text import (
    Entity,
    TextLength,
    bluesky_facets,
    bluesky_mentions,
    convert_topics,
    count_length,
    cut_points,
    escape_little,
    extract_entities,
    format_hashtag,
    format_mention,
    from_little,
    grapheme_boundaries,
    grapheme_count,
    graphemes,
    measure,
    split_thread,
    to_little,
    truncate,
    unescaped_little,
    within_limit,
)

any_text: st.SearchStrategy[Any] = st.one_of(texts, texts, junk)
platform: st.SearchStrategy[Any] = st.one_of(platform_ids(), junk)
SPECS = [get_platform_spec(p) for p in catalog_ids()]
spec: st.SearchStrategy[Any] = st.one_of(st.sampled_from(SPECS), st.sampled_from(SPECS), junk)


def _bad_text(value: object) -> bool:
    return not isinstance(value, str)


def _bad_platform(value: object) -> bool:
    return not isinstance(value, (str, Platform))


@fast(40)
@given(any_text, platform)
@covers("smmkit.text.measure", "smmkit.text.TextLength")
def test_measure(text: Any, plat: Any) -> None:
    m = outcome(measure, text, plat, bad=_bad_text(text) or _bad_platform(plat))
    if m is REFUSED:
        return
    assert isinstance(m, TextLength)
    assert m.length >= 0
    assert m.text == text
    assert m.fits == (not m.invalid_chars and (m.limit is None or m.length <= m.limit)) or (
        m.byte_limit is not None
    )
    assert m.graphemes == grapheme_count(text)
    assert m.bytes >= 0
    assert m.code_points == len(text)
    assert m.utf16_units >= len(text)


@fast(30)
@given(any_text, spec, st.one_of(st.none(), extreme_ints, junk))
@covers("smmkit.text.count_length", "smmkit.text.within_limit")
def test_count_length_and_within_limit(text: Any, platform_spec: Any, limit: Any) -> None:
    bad = _bad_text(text) or not isinstance(platform_spec, Platform)
    n = outcome(count_length, text, platform_spec, bad=bad)
    if n is not REFUSED:
        assert isinstance(n, int)
        assert n >= 0
    bad_limit = limit is not None and (isinstance(limit, bool) or not isinstance(limit, int))
    ok = outcome(within_limit, text, platform_spec, limit, bad=bad or bad_limit)
    if ok is not REFUSED:
        assert isinstance(ok, bool)
        if n is not REFUSED and isinstance(limit, int) and n > limit:
            assert not ok


@fast(40)
@given(
    any_text,
    platform,
    st.fixed_dictionaries(
        {
            "limit": st.one_of(st.none(), st.integers(-5, 400), extreme_ints, junk),
            "ellipsis": st.one_of(st.just("…"), odd_text, junk),
            "min_ratio": st.one_of(st.just(0.5), numbers, junk),
            "keep_entities": st.one_of(st.booleans(), junk),
        }
    ),
)
@covers("smmkit.text.truncate")
def test_truncate(text: Any, plat: Any, options: dict[str, Any]) -> None:
    bad = _bad_text(text) or _bad_platform(plat) or _bad_text(options["ellipsis"])
    out = outcome(truncate, text, plat, bad=bad, **options)
    if out is REFUSED:
        return
    assert isinstance(out, str)
    limit = options["limit"]
    spec_ = get_platform_spec(plat) if isinstance(plat, str) else plat
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
        assert within_limit(out, spec_, limit) or out == text


@fast(30)
@given(
    any_text,
    platform,
    st.one_of(st.none(), st.integers(-5, 300), extreme_ints, junk),
    st.one_of(st.just(" {i}/{n}"), odd_text, junk),
    st.one_of(st.just(0.5), numbers, junk),
)
@covers("smmkit.text.split_thread")
def test_split_thread(text: Any, plat: Any, limit: Any, numbering: Any, min_ratio: Any) -> None:
    parts = outcome(
        split_thread,
        text,
        plat,
        limit=limit,
        numbering=numbering,
        min_ratio=min_ratio,
        bad=_bad_text(text) or _bad_platform(plat),
    )
    if parts is REFUSED:
        return
    assert isinstance(parts, tuple)
    assert parts
    assert all(isinstance(p, str) for p in parts)
    if len(parts) > 1:
        spec_ = get_platform_spec(plat) if isinstance(plat, str) else plat
        assert all(within_limit(p, spec_, limit) for p in parts)


@fast(40)
@given(any_text)
@covers(
    "smmkit.text.graphemes",
    "smmkit.text.grapheme_count",
    "smmkit.text.grapheme_boundaries",
    "smmkit.text.cut_points",
)
def test_graphemes_lose_nothing(text: Any) -> None:
    bad = _bad_text(text)
    parts = outcome(graphemes, text, bad=bad)
    count = outcome(grapheme_count, text, bad=bad)
    bounds = outcome(grapheme_boundaries, text, bad=bad)
    cuts = outcome(cut_points, text, bad=bad)
    if bad:
        return
    if parts is not REFUSED:
        assert "".join(parts) == text
        assert count == len(parts)
        assert bounds[0] == 0
        assert bounds[-1] == len(text)
        assert list(bounds) == sorted(set(bounds))
    if cuts is not REFUSED:
        assert set(cuts) <= set(bounds)
        assert list(cuts) == sorted(cuts)


@fast(40)
@given(any_text)
@covers("smmkit.text.extract_entities", "smmkit.text.Entity")
def test_entities_point_into_the_text(text: Any) -> None:
    found = outcome(extract_entities, text, bad=_bad_text(text))
    if found is REFUSED:
        return
    data = text.encode("utf-8", "surrogatepass")
    last = 0
    for e in found:
        assert isinstance(e, Entity)
        assert last <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text
        assert data[e.byte_start : e.byte_end] == e.text.encode("utf-8", "surrogatepass")
        last = e.end


@fast(30)
@given(any_text, platform)
@covers("smmkit.text.format_hashtag", "smmkit.text.convert_topics")
def test_hashtags(text: Any, plat: Any) -> None:
    bad = _bad_text(text) or _bad_platform(plat)
    tag = outcome(format_hashtag, text, plat, bad=bad)
    if tag is not REFUSED and tag is not None:
        assert isinstance(tag, str)
        assert tag.startswith("#")
    converted = outcome(convert_topics, text, plat, bad=bad)
    if converted is not REFUSED:
        new, topics = converted
        assert isinstance(new, str)
        assert all(isinstance(t, str) and t for t in topics)
        assert convert_topics(new, plat)[0] == new  # converting twice changes nothing


@fast(30)
@given(any_text, platform, st.one_of(st.none(), odd_text, junk), st.data())
@covers("smmkit.text.format_mention")
def test_format_mention(handle: Any, plat: Any, name: Any, data: st.DataObject) -> None:
    urn = data.draw(st.one_of(st.none(), st.just("urn:li:organization:1"), odd_text, junk))
    domain = data.draw(st.one_of(st.none(), st.just("mastodon.social"), odd_text, junk))
    bad = _bad_text(handle) or _bad_platform(plat)
    bad = bad or any(v is not None and _bad_text(v) for v in (name, urn, domain))
    out = outcome(format_mention, handle, plat, name=name, urn=urn, domain=domain, bad=bad)
    if out is not REFUSED:
        assert isinstance(out, str)
        assert "@" in out


@fast(40)
@given(
    any_text, st.one_of(st.none(), st.dictionaries(odd_text, st.tuples(odd_text, odd_text)), junk)
)
@covers(
    "smmkit.text.to_little",
    "smmkit.text.from_little",
    "smmkit.text.escape_little",
    "smmkit.text.unescaped_little",
)
def test_little_format(text: Any, mentions: Any) -> None:
    bad = _bad_text(text)
    escaped = outcome(escape_little, text, bad=bad)
    if escaped is not REFUSED:
        assert from_little(escaped) == text
        assert unescaped_little(escaped) == ()
    little = outcome(to_little, text, mentions=mentions, bad=bad)
    if little is not REFUSED and not mentions:
        assert isinstance(little, str)
        assert to_little(from_little(little)) == little
    offsets = outcome(unescaped_little, text, bad=bad)
    if offsets is not REFUSED:
        assert all(0 <= i < len(text) for i in offsets)
    outcome(from_little, text, bad=bad)


@fast(40)
@given(any_text, st.one_of(st.none(), st.dictionaries(odd_text, odd_text, max_size=3), junk))
@covers("smmkit.text.bluesky_facets", "smmkit.text.bluesky_mentions")
def test_bluesky_facets(text: Any, dids: Any) -> None:
    bad = _bad_text(text)
    handles = outcome(bluesky_mentions, text, bad=bad)
    if handles is not REFUSED:
        assert all(h == h.lower() for h in handles)
    facets = outcome(bluesky_facets, text, dids=dids, bad=bad)
    if facets is REFUSED:
        return
    size = len(text.encode("utf-8"))
    last = 0
    for facet in facets:
        index = facet["index"]
        assert last <= index["byteStart"] < index["byteEnd"] <= size
        last = index["byteEnd"]


@fast(10)
@given(anything)
@covers("smmkit.text.TextLength", "smmkit.text.Entity")
def test_text_values_validate(value: Any) -> None:
    outcome(TextLength.model_validate, value)
    outcome(Entity.model_validate, value)
