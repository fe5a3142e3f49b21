"""Malformed text input is refused with a typed error naming the argument (issue 16).

A lone surrogate ("\\ud800") is a ``str`` that has no UTF-8 form: no platform can
receive it, byte offsets cannot exist for it. Every public text function refuses it
in every text argument with :class:`~smmkit.exceptions.InvalidInputError`, never with
``UnicodeEncodeError`` or a result holding it. Bad thread numbering is refused the
same way, whether or not the text needs splitting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from smmkit.catalog import get_platform_spec
from smmkit.exceptions import InvalidInputError
from smmkit.text import (
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

LONE = ("\ud800", "a\udc80b", "#tag \udfff", "@x\ud83d")
X = get_platform_spec("x")

# (name, call taking the bad string, the field the error must name)
CASES: list[tuple[str, Callable[[str], object], str]] = [
    ("measure", lambda s: measure(s, "x"), "text"),
    ("measure bluesky", lambda s: measure(s, "bluesky"), "text"),
    ("count_length", lambda s: count_length(s, X), "text"),
    ("within_limit", lambda s: within_limit(s, X), "text"),
    ("graphemes", graphemes, "text"),
    ("grapheme_count", grapheme_count, "text"),
    ("grapheme_boundaries", grapheme_boundaries, "text"),
    ("cut_points", cut_points, "text"),
    ("extract_entities", extract_entities, "text"),
    ("bluesky_facets", bluesky_facets, "text"),
    ("bluesky_mentions", bluesky_mentions, "text"),
    ("escape_little", escape_little, "text"),
    ("to_little", to_little, "text"),
    ("from_little", from_little, "text"),
    ("unescaped_little", unescaped_little, "text"),
    ("convert_topics", lambda s: convert_topics(s, "weibo"), "text"),
    ("format_hashtag", lambda s: format_hashtag(s, "weibo"), "tag"),
    ("format_mention", lambda s: format_mention(s, "mastodon"), "handle"),
    ("format_mention name", lambda s: format_mention("a", "linkedin", name=s), "name"),
    ("format_mention urn", lambda s: format_mention("a", "linkedin", urn=s), "urn"),
    ("format_mention domain", lambda s: format_mention("a", "mastodon", domain=s), "domain"),
    ("truncate", lambda s: truncate(s, "x", limit=3), "text"),
    ("truncate fits", lambda s: truncate(s, "x"), "text"),
    ("truncate ellipsis", lambda s: truncate("a" * 400, "x", ellipsis=s), "ellipsis"),
    ("split_thread", lambda s: split_thread(s, "x", limit=5), "text"),
    ("split_thread fits", lambda s: split_thread(s, "x"), "text"),
    ("split_thread numbering", lambda s: split_thread("a b", "x", numbering=s), "numbering"),
    (
        "to_little mentions",
        lambda s: to_little("@a", mentions={"a": (s, "urn:li:person:1")}),
        "mentions.a",
    ),
    ("bluesky_facets dids", lambda s: bluesky_facets("@a.test", dids={"a.test": s}), "dids.a.test"),
]


def _fields(err: InvalidInputError) -> list[str]:
    return list(err.fields)


@pytest.mark.parametrize(("name", "call", "field"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("bad", LONE)
def test_lone_surrogate_is_refused(
    name: str, call: Callable[[str], object], field: str, bad: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(bad)
    assert _fields(caught.value) == [field], name
    assert "lone surrogate" in str(caught.value)


def test_refusal_names_the_offset() -> None:
    with pytest.raises(InvalidInputError, match=r"'\\udc80' at 1"):
        measure("a\udc80b", "mastodon")


def test_surrogate_pairs_written_properly_are_fine() -> None:
    # A real astral character is one code point in Python, never a surrogate.
    assert measure("🍵", "bluesky").length == 1
    assert graphemes("a🍵") == ("a", "🍵")


BAD_NUMBERING: list[Any] = [
    "",
    " part",  # no placeholder at all
    "{i}",  # no total
    " {n}",  # no part number
    "{0}{1}{2}",  # positional fields
    "{}/{}",
    "{i}/{n}{",  # stray braces
    "}{i}/{n}",
    "{i}/{n}}",
    "{{i}}/{{n}}",  # escaped: no field at all
    "{i}/{n} {x}",  # an unknown field
    "{i.real}/{n}",  # attribute access
    "{i[0]}/{n}",  # index access
    "{i!r}/{n}",  # conversion
    "{i}/{n:>999999999}",  # a format spec (a gigabyte per part)
    5,
    None,
    b" {i}/{n}",
    [" {i}/{n}"],
]


@pytest.mark.parametrize("numbering", BAD_NUMBERING, ids=repr)
@pytest.mark.parametrize("text", ["short", "One sentence here. Another one there. And more."])
def test_bad_numbering_is_refused(numbering: Any, text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        split_thread(text, "x", limit=25, numbering=numbering)
    assert _fields(caught.value) == ["numbering"]


@pytest.mark.parametrize("numbering", [" {i}/{n}", " ({i} of {n})", "{n}:{i} ", " {i}/{n} {i}"])
def test_good_numbering_is_kept(numbering: str) -> None:
    parts = split_thread(
        "One sentence here. Another one there. And a third.", "x", limit=30, numbering=numbering
    )
    n = len(parts)
    assert n > 1
    for i, part in enumerate(parts, 1):
        assert numbering.format(i=i, n=n) in part
