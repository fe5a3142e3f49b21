"""Secret-free descriptions of requests, and rate-limit headers.

Errors and logs show a request as ``METHOD url`` with every query value redacted
(:func:`describe_request`, :func:`redact_url`): WeChat and WeCom carry the access token
in the query. :func:`parse_retry_after` reads every rate-limit header the platforms send.
"""

from __future__ import annotations

from typing import Any

import httpx

from smmkit.exceptions import (
    APIError,
    PlatformError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from smmkit.platforms._adapter import PlatformAdapter
from smmkit.platforms._errors import _NOT_SENT
from smmkit.platforms._http import parse_retry_after, redact_url

__all__ = [
    "translate_response",
    "translate_transport_error",
    "unexpected_answer",
]


def translate_transport_error(
    exc: httpx.HTTPError, request: httpx.Request, *, platform: str
) -> TransportError:
    """The smmkit error for an ``httpx`` exception raised while sending ``request``.

    Example:
        >>> import httpx
        >>> req = httpx.Request("POST", "https://h.example/posts?token=t")
        >>> err = translate_transport_error(httpx.ReadTimeout("slow"), req, platform="demo")
        >>> type(err).__name__, err.url, err.outcome_unknown
        ('RequestTimeoutError', 'https://h.example/posts?token=[redacted]', True)
    """
    kind = RequestTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
    what = type(exc).__name__
    err = kind(
        f"{what} while talking to {platform}",
        platform=platform,
        method=request.method,
        url=redact_url(request.url),
    )
    # Decided here, so that callers can raise it ``from None``: the httpx exception holds
    # the authorised request (tokens in its URL and headers) and must not travel along.
    err.outcome_unknown = not isinstance(exc, _NOT_SENT)
    return err


def unexpected_answer(
    exc: Exception, request: httpx.Request, response: httpx.Response, *, platform: str
) -> APIError:
    """The smmkit error for an answer the adapter could not read (HTML from a proxy,
    a JSON body without a field it needs).

    Only the type of the parse error is kept, and the caller raises this without
    chaining it: a ``JSONDecodeError`` holds the whole body, which for a token endpoint
    holds the token.

    Example:
        >>> import httpx
        >>> req = httpx.Request("POST", "https://h.example/api/posts?token=t")
        >>> resp = httpx.Response(200, text="<html>maintenance</html>", request=req)
        >>> err = unexpected_answer(KeyError("id"), req, resp, platform="demo")
        >>> type(err).__name__, err.status, err.url, err.outcome_unknown
        ('APIError', 200, 'https://h.example/api/posts?token=[redacted]', True)
        >>> str(err).split(" [")[0]
        'demo answered in an unexpected form (KeyError)'
    """
    err = APIError(
        f"{platform} answered in an unexpected form ({type(exc).__name__})",
        platform=platform,
        status=response.status_code,
        method=request.method,
        url=redact_url(request.url),
    )
    # A success status says the platform acted (a post may be live) even if we cannot
    # read what it did.
    err.outcome_unknown = response.is_success
    return err


def translate_response(
    adapter: PlatformAdapter, request: httpx.Request, response: httpx.Response, *, now: float
) -> PlatformError | None:
    """The error a response stands for, or ``None`` when it is a success.

    The adapter reads the body (:meth:`PlatformAdapter.parse_error`), so platforms that
    say "no" with HTTP 200 (WeChat's ``errcode``) are caught as well as plain 4xx/5xx.

    Example:
        >>> import httpx
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> req = httpx.Request("GET", "https://sandbox.invalid/api/posts/1")
        >>> resp = httpx.Response(404, json={"error": "not_found"}, request=req)
        >>> type(translate_response(SandboxAdapter(), req, resp, now=0)).__name__
        'NotFoundError'
    """
    info = adapter.parse_error(response)
    if info is None:
        return None
    request_id = None
    for name in adapter.request_id_headers:
        request_id = response.headers.get(name)
        if request_id:
            break
    method, url = request.method, redact_url(request.url)
    status, code, platform = response.status_code, info.code, adapter.platform_id
    extra: dict[str, Any] = {}
    if issubclass(info.kind, (RateLimitError, ServerError)):
        retry_after = info.retry_after
        if retry_after is None:
            retry_after = parse_retry_after(response.headers, now=now)
        extra["retry_after"] = retry_after
    return info.kind(
        info.message,
        platform=platform,
        status=status,
        code=code,
        request_id=request_id,
        method=method,
        url=url,
        **extra,
    )
