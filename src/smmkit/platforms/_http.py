"""Secret-free descriptions of requests, and rate-limit headers.

Errors and logs show a request as ``METHOD url`` with every query value redacted
(:func:`describe_request`, :func:`redact_url`): WeChat and WeCom carry the access token
in the query. httpcore's DEBUG lines list response headers; :func:`redact_header_values`
blanks the values of those that carry credentials (``Set-Cookie``, ``Authorization``,
anything naming a token, key, secret or session). :func:`parse_retry_after` reads every
rate-limit header the platforms send.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require, require_number

__all__ = [
    "REDACTED",
    "describe_request",
    "parse_retry_after",
    "redact_header_values",
    "redact_url",
]

REDACTED = "[redacted]"

# A (name, value) pair as httpcore's trace lines show headers: (b'Set-Cookie', b'sid=...').
# Each part is one bytes literal; the alternatives are disjoint, so matching is linear.
_HEADER_PAIR = re.compile(
    r"\(b(?P<name>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"), "
    r"b(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)"
)
_SECRET_HEADER_WORDS = (
    "auth",
    "cookie",
    "token",
    "secret",
    "session",
    "password",
    "key",
    "signature",
    "credential",
)


def redact_header_values(text: str) -> str:
    """``text`` with the values of credential-bearing headers in httpcore's
    ``(b'Name', b'value')`` pairs replaced.

    Example:
        >>> redact_header_values(
        ...     "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', "
        ...     "[(b'Content-Type', b'text/plain'), (b'Set-Cookie', b'sid=abc; Path=/')])")
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', \
[(b'Content-Type', b'text/plain'), (b'Set-Cookie', b'[redacted]')])"
    """
    require(text, "text", str, "a str")

    def blank(match: re.Match[str]) -> str:
        name = match["name"].lower()
        if any(word in name for word in _SECRET_HEADER_WORDS):
            return f"(b{match['name']}, b'{REDACTED}')"
        return match[0]

    return _HEADER_PAIR.sub(blank, text) if "(b" in text else text


def redact_url(url: httpx.URL | str) -> str:
    """The URL with every query value replaced, and any user:password removed.

    Example:
        >>> redact_url("https://api.weixin.qq.com/cgi-bin/token?appid=wx1&secret=s3cr3t")
        'https://api.weixin.qq.com/cgi-bin/token?appid=[redacted]&secret=[redacted]'
    """
    require(url, "url", (str, httpx.URL), "a str or an httpx.URL")
    try:
        parsed = httpx.URL(str(url))
        base = parsed.copy_with(query=None, fragment=None, userinfo=b"")
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise InvalidInputError.single("url", f"is not a URL: {exc}", url) from None
    if not parsed.query:
        return str(base)
    names = [name for name, _ in parsed.params.multi_items()]
    return str(base) + "?" + "&".join(f"{name}={REDACTED}" for name in names)


def describe_request(request: httpx.Request) -> str:
    """``METHOD redacted-url``: how a request appears in logs and errors.

    Example:
        >>> import httpx
        >>> describe_request(httpx.Request("GET", "https://h.example/p?access_token=abc"))
        'GET https://h.example/p?access_token=[redacted]'
    """
    require(request, "request", httpx.Request, "an httpx.Request")
    return f"{request.method} {redact_url(request.url)}"


def parse_retry_after(headers: httpx.Headers, *, now: float) -> float | None:
    """Seconds to wait, from whichever rate-limit header the platform sends.

    Understands ``Retry-After`` (seconds or an HTTP date), X's ``x-rate-limit-reset``
    (epoch seconds), Mastodon's ``X-RateLimit-Reset`` (an ISO-8601 timestamp) and the
    IETF draft's ``RateLimit-Reset`` (delta seconds). ``now`` is epoch seconds.
    Never negative; ``None`` when no header says anything usable.

    Example:
        >>> import httpx
        >>> parse_retry_after(httpx.Headers({"Retry-After": "7"}), now=0)
        7.0
        >>> parse_retry_after(httpx.Headers({"x-rate-limit-reset": "1700000060"}), now=1700000000)
        60.0
        >>> parse_retry_after(
        ...     httpx.Headers({"X-RateLimit-Reset": "2026-01-01T00:05:00.000000Z"}),
        ...     now=1767225600)
        300.0
    """
    require(headers, "headers", (httpx.Headers, Mapping), "httpx.Headers or a mapping")
    require_number(now, "now")
    value = headers.get("retry-after")
    if value is not None:
        seconds = _float(value)
        if seconds is not None:
            return max(seconds, 0.0)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(when.timestamp() - now, 0.0)
    value = headers.get("x-rate-limit-reset") or headers.get("x-ratelimit-reset")
    if value is not None:
        epoch = _float(value)
        if epoch is not None:
            # An epoch (X) is a huge number; a small one is a delta some servers send.
            return max(epoch - now, 0.0) if epoch > 1e9 else max(epoch, 0.0)
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(when.timestamp() - now, 0.0)
    value = headers.get("ratelimit-reset")
    if value is not None:
        seconds = _float(value)
        if seconds is not None:
            return max(seconds - now, 0.0) if seconds > 1e9 else max(seconds, 0.0)
    return None


def _float(text: str) -> float | None:
    """A finite number, else None: "nan" or "inf" seconds say nothing usable."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
