"""Secret-free descriptions of requests, and rate-limit headers.

Errors and logs show a request as ``METHOD url`` with every query value redacted
(:func:`describe_request`, :func:`redact_url`): WeChat and WeCom carry the access token
in the query. :func:`parse_retry_after` reads every rate-limit header the platforms send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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
    "read_answer",
    "request_id_of",
    "translate_response",
    "translate_transport_error",
    "unexpected_answer",
]

T = TypeVar("T")

_DEFAULT_REQUEST_ID_HEADERS = ("x-request-id", "request-id")
# What reading an answer of an unexpected form raises: a missing key, a wrong type, a
# body that is not JSON, a model that refuses the body (InvalidInputError is a ValueError).
_PARSE_ERRORS = (LookupError, ValueError, TypeError, AttributeError)


def request_id_of(response: httpx.Response, names: Sequence[str]) -> str | None:
    """The platform's request id from the first of the headers ``names`` it sent.

    Read from the headers only, so it is there whatever the body holds (HTML from a
    proxy, a truncated JSON).

    Example:
        >>> import httpx
        >>> request_id_of(httpx.Response(502, headers={"Request-Id": "r-9"}, text="<html>"),
        ...               ("x-request-id", "request-id"))
        'r-9'
    """
    for name in names:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


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
    exc: Exception,
    request: httpx.Request,
    response: httpx.Response,
    *,
    platform: str,
    request_id_headers: Sequence[str] = _DEFAULT_REQUEST_ID_HEADERS,
) -> APIError:
    """The smmkit error for an answer the adapter could not read (HTML from a proxy,
    a JSON body without a field it needs).

    Only the type of the parse error is kept, and the caller raises this without
    chaining it: a ``JSONDecodeError`` holds the whole body, which for a token endpoint
    holds the token. The platform's request id (``request_id_headers``) is kept.
    A success status means the platform acted (a post may be live): the error's
    ``outcome_unknown`` is then ``True``, so a publish reads back or resends its key
    instead of reporting a failure.

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
        request_id=request_id_of(response, request_id_headers),
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
    request_id = request_id_of(response, adapter.request_id_headers)
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


def read_answer(
    adapter: PlatformAdapter, response: httpx.Response, parse: Callable[[httpx.Response], T]
) -> T:
    """``parse(response)``; an answer it cannot read raises :func:`unexpected_answer`'s error.

    For adapters, around the reading of an answer to a write: the error is a
    :class:`~smmkit.exceptions.PlatformError` raised *inside* the flow, so a thread can
    list its live parts on it (``mark_delivered``) and the publish flow can read back or
    resend its key (a 2xx answer means the post may be live), where a bare ``KeyError``
    or a model's :class:`~smmkit.exceptions.InvalidInputError` would say it failed.

    Example:
        >>> import httpx
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> req = httpx.Request("POST", "https://sandbox.invalid/api/posts")
        >>> resp = httpx.Response(200, json={"unexpected": 1}, request=req)
        >>> err = None
        >>> try:
        ...     read_answer(SandboxAdapter(), resp, lambda r: r.json()["id"])
        ... except APIError as exc:
        ...     err = exc
        >>> err.outcome_unknown, err.status
        (True, 200)
    """
    failed: APIError
    try:
        return parse(response)
    except _PARSE_ERRORS as exc:
        failed = unexpected_answer(
            exc,
            response.request,
            response,
            platform=adapter.platform_id,
            request_id_headers=adapter.request_id_headers,
        )
    raise failed  # outside the handler: the parse error may hold the body
