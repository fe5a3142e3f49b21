"""Error translation and secret-free request descriptions (``_http``)."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from smmkit.platforms import parse_retry_after, redact_url
from smmkit.platforms._errors import outcome_unknown, status_error
from smmkit.platforms._translate import translate_transport_error

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


def test_network_guard_is_active() -> None:
    with socket.socket() as sock, pytest.raises(AssertionError, match="only loopback"):
        sock.connect(("192.0.2.1", 80))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/p", "https://a.example/p"),
        ("https://a.example/p?access_token=T0K", "https://a.example/p?access_token=[redacted]"),
        ("https://u:pw@a.example/p?x=1&x=2", "https://a.example/p?x=[redacted]&x=[redacted]"),
        ("https://a.example/p#frag", "https://a.example/p"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9]{6,20}", fullmatch=True),
        min_size=1,
        max_size=5,
    )
)
def test_redacted_url_contains_no_query_value(params: dict[str, str]) -> None:
    url = httpx.URL("https://api.example/cgi-bin/x", params=params)
    redacted = redact_url(url)
    for value in params.values():
        assert f"={value}" not in redacted
    assert redacted.count("[redacted]") == len(params)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "Thu, 01 Jan 2026 00:01:00 GMT"}, 60.0),
        ({"Retry-After": "Wed, 31 Dec 2025 23:00:00 GMT"}, 0.0),  # in the past
        ({"x-rate-limit-reset": str(int(NOW) + 900)}, 900.0),  # X: epoch seconds
        ({"X-RateLimit-Reset": "2026-01-01T00:05:00.000000Z"}, 300.0),  # Mastodon: ISO-8601
        ({"X-RateLimit-Reset": "2026-01-01T08:05:00+08:00"}, 300.0),
        ({"RateLimit-Reset": "12"}, 12.0),  # IETF draft: delta seconds
        ({"Retry-After": "soon"}, None),
        ({"X-RateLimit-Reset": "tomorrow"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(httpx.Headers(headers), now=NOW) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (302, None),
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (408, ServerError),
        (422, BadRequestError),
        (429, RateLimitError),
        (418, APIError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_error(status: int, expected: type | None) -> None:
    assert status_error(status) is expected


REQUEST = httpx.Request("POST", "https://a.example/api/posts?access_token=SECRET1")


@pytest.mark.parametrize(
    ("exc", "kind", "unknown"),
    [
        (httpx.ConnectError("refused"), TransportError, False),
        (httpx.ConnectTimeout("slow"), RequestTimeoutError, False),
        (httpx.PoolTimeout("pool"), RequestTimeoutError, False),
        (httpx.ReadTimeout("slow"), RequestTimeoutError, True),
        (httpx.WriteTimeout("slow"), RequestTimeoutError, True),
        (httpx.ReadError("reset"), TransportError, True),
        (httpx.RemoteProtocolError("bad"), TransportError, True),
    ],
)
def test_transport_errors_are_translated(
    exc: httpx.HTTPError, kind: type[TransportError], unknown: bool
) -> None:
    try:
        try:
            raise exc
        except httpx.HTTPError as raw:
            raise translate_transport_error(raw, REQUEST, platform="demo") from raw
    except TransportError as err:
        translated = err
    assert type(translated) is kind
    assert outcome_unknown(translated) is unknown
    assert "SECRET1" not in str(translated)
    assert translated.url == "https://a.example/api/posts?access_token=[redacted]"
    assert translated.method == "POST"


@pytest.mark.parametrize(
    ("error", "unknown"),
    [
        (ServerError("x", status=500), True),
        (ServerError("x", status=503), True),
        (ServerError("x", status=408), False),
        (ServerError("busy", status=200), False),  # "system busy" in a 200 body: not acted on
        (RateLimitError("x", status=429), False),
        (BadRequestError("x", status=400), False),
    ],
)
def test_outcome_unknown(error: Exception, unknown: bool) -> None:
    assert outcome_unknown(error) is unknown
