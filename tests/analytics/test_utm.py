"""UTM tagging: round trips, preserved URLs, Unicode, IDN hosts, existing tags."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.analytics.utm import UtmParams, build_utm_url, parse_utm
from smmkit.exceptions import InvalidInputError

TAGS: dict[str, Any] = {"source": "zhihu", "medium": "social", "campaign": "spring"}

_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)

text = st.text(
    alphabet=st.characters(exclude_categories=_SURROGATES), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


@given(source=text, medium=text, campaign=text, term=st.none() | text, content=st.none() | text)
def test_round_trip_any_unicode(
    source: str, medium: str, campaign: str, term: str | None, content: str | None
) -> None:
    url = build_utm_url(
        "https://example.com/a?x=1#frag",
        source=source,
        medium=medium,
        campaign=campaign,
        term=term,
        content=content,
    )
    assert url.isascii()
    parsed = parse_utm(url)
    assert (parsed.source, parsed.medium, parsed.campaign) == (source, medium, campaign)
    assert (parsed.term, parsed.content) == (term, content)
    parts = urlsplit(url)
    assert parts.fragment == "frag"
    assert parts.query.startswith("x=1&")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://example.com",
            "https://example.com/?utm_source=zhihu&utm_medium=social&utm_campaign=spring",
        ),
        (
            "https://example.com/p?b=2&a=%E8%8C%B6&c=x+y#sec?q=1",
            "https://example.com/p?b=2&a=%E8%8C%B6&c=x+y&utm_source=zhihu&utm_medium=social"
            "&utm_campaign=spring#sec?q=1",
        ),
        (
            "https://shop.example.com/?",
            "https://shop.example.com/?utm_source=zhihu&utm_medium=social&utm_campaign=spring",
        ),
        (
            "http://example.com:8080/x?flag",
            "http://example.com:8080/x?flag&utm_source=zhihu&utm_medium=social&utm_campaign=spring",
        ),
        (
            "https://[2001:db8::1]/x",
            "https://[2001:db8::1]/x?utm_source=zhihu&utm_medium=social&utm_campaign=spring",
        ),
    ],
)
def test_existing_query_and_fragment_preserved(url: str, expected: str) -> None:
    assert build_utm_url(url, **TAGS) == expected


def test_unicode_campaign_is_percent_encoded_utf8() -> None:
    url = build_utm_url(
        "https://example.com/", source="小红书", medium="social", campaign="办公室 茶"
    )
    assert "utm_campaign=%E5%8A%9E%E5%85%AC%E5%AE%A4%20%E8%8C%B6" in url
    assert "utm_source=%E5%B0%8F%E7%BA%A2%E4%B9%A6" in url


def test_reserved_characters_in_values_do_not_leak_into_the_query() -> None:
    url = build_utm_url("https://e.com/", source="a&b=c", medium="x#y", campaign="50%+1")
    pairs = parse_qsl(urlsplit(url).query)
    assert pairs == [("utm_source", "a&b=c"), ("utm_medium", "x#y"), ("utm_campaign", "50%+1")]
    assert urlsplit(url).fragment == ""


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://例え.テスト/path", "xn--r8jz45g.xn--zckzah"),
        ("https://中国.中国:8443/", "xn--fiqs8s.xn--fiqs8s:8443"),
        ("https://user:pw@bücher.de/", "user:pw@xn--bcher-kva.de"),
    ],
)
def test_idn_hosts_become_punycode(url: str, host: str) -> None:
    out = build_utm_url(url, **TAGS)
    assert urlsplit(out).netloc == host
    assert out.isascii()


def test_unicode_path_is_percent_encoded_but_existing_escapes_kept() -> None:
    out = build_utm_url("https://e.com/茶/%20x", **TAGS)
    assert urlsplit(out).path == "/%E8%8C%B6/%20x"


def test_keep_leaves_an_already_tagged_url_alone() -> None:
    url = "https://e.com/?utm_source=weibo&id=3#f"
    assert build_utm_url(url, **TAGS) == url
    assert build_utm_url(url, **TAGS, on_existing="keep") == url


def test_replace_swaps_every_old_utm_parameter() -> None:
    url = "https://e.com/?UTM_SOURCE=weibo&id=3&utm_id=old&utm_campaign=x#f"
    out = build_utm_url(url, **TAGS, on_existing="replace")
    assert out == ("https://e.com/?id=3&utm_source=zhihu&utm_medium=social&utm_campaign=spring#f")


def test_error_names_the_url_and_the_tags() -> None:
    with pytest.raises(InvalidInputError) as info:
        build_utm_url("https://e.com/?utm_medium=a&utm_source=b", **TAGS, on_existing="error")
    assert info.value.fields == ("url",)
    assert "utm_medium, utm_source" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "ftp://e.com/"}, "url"),
        ({"url": "/relative/path"}, "url"),
        ({"url": "https://e.com:99999/"}, "url"),
        ({"url": "https://xn--a.例え..jp/"}, "url"),
        ({"source": "  "}, "source"),
        ({"campaign": ""}, "campaign"),
        ({"term": " "}, "term"),
        ({"on_existing": "overwrite"}, "on_existing"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, str], field: str) -> None:
    args = {"url": "https://e.com/", **TAGS, **kwargs}
    url = args.pop("url")
    with pytest.raises(InvalidInputError) as info:
        build_utm_url(url, **args)
    assert info.value.fields == (field,)


def test_parse_reports_extra_and_conflicting_tags() -> None:
    parsed = parse_utm(
        "https://e.com/?utm_source=a&utm_source=b&utm_id=42&utm_medium=cpc&utm_medium=cpc"
    )
    assert parsed.source == "a"
    assert parsed.medium == "cpc"
    assert parsed.extra == (("utm_id", "42"),)
    assert parsed.conflicts == ("utm_source",)


def test_parse_of_untagged_url() -> None:
    parsed = parse_utm("https://e.com/?q=tea")
    assert parsed == UtmParams()
    assert not parsed.is_tagged


def test_parse_decodes_plus_as_space() -> None:
    assert parse_utm("https://e.com/?utm_campaign=office+tea").campaign == "office tea"
