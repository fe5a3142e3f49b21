"""Error translation in one place, and secret-free descriptions of requests.

Every ``httpx`` exception and every error response becomes a
:class:`~smmkit.exceptions.PlatformError` here and nowhere else (``raise ... from
exc``), carrying platform, status, the platform's error code, its request id and the
request as ``METHOD url`` with every query value redacted. Headers and bodies are never
copied into an error, so a token in ``Authorization`` or in ``?access_token=`` cannot
leak through a message.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:
    from smmkit.platforms._adapter import PlatformAdapter

__all__ = [
    "ErrorInfo",
    "REDACTED",
    "describe_request",
    "outcome_unknown",
    "parse_retry_after",
    "redact_url",
    "translate_response",
    "translate_transport_error",
    "unexpected_answer",
]

REDACTED = "[redacted]"

# Requests that failed before any byte could have reached the platform: safe to resend.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: ServerError,
    409: BadRequestError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


@dataclass(frozen=True)
class ErrorInfo:
    """What an adapter read from an error response: the class to raise and the details.

    Example:
        >>> from smmkit.exceptions import RateLimitError
        >>> ErrorInfo(RateLimitError, "minute quota", code=45011).code
        45011
    """

    kind: type[PlatformError]
    message: str
    code: str | int | None = None
    retry_after: float | None = None


def redact_url(url: httpx.URL | str) -> str:
    """The URL with every query value replaced, and any user:password removed.

    Example:
        >>> redact_url("https://api.weixin.qq.com/cgi-bin/token?appid=wx1&secret=s3cr3t")
        'https://api.weixin.qq.com/cgi-bin/token?appid=[redacted]&secret=[redacted]'
    """
    parsed = httpx.URL(str(url))
    base = parsed.copy_with(query=None, fragment=None, userinfo=b"")
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
    try:
        return float(text.strip())
    except ValueError:
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
    err.outcome_unknown = not isinstance(exc, _NOT_SENT)  # type: ignore[attr-defined]
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
    err.outcome_unknown = response.is_success  # type: ignore[attr-defined]
    return err


def outcome_unknown(exc: BaseException) -> bool:
    """True when the platform may have acted on the request although we got no answer.

    A connection that was never made cannot have published anything; a read timeout,
    a reset connection or a 5xx can hide a post that went out.

    Example:
        >>> import httpx
        >>> from smmkit.exceptions import RateLimitError, TransportError
        >>> err = TransportError("reset")
        >>> err.__cause__ = httpx.ReadError("reset")
        >>> outcome_unknown(err), outcome_unknown(RateLimitError("slow down"))
        (True, False)
    """
    flagged = getattr(exc, "outcome_unknown", None)
    if isinstance(flagged, bool):
        return flagged
    if isinstance(exc, TransportError):
        return not isinstance(exc.__cause__, _NOT_SENT)
    if isinstance(exc, ServerError):
        # 408, and "busy" codes inside a 2xx body, say the platform did not act.
        return exc.status is None or (exc.status >= 400 and exc.status != 408)
    return False


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


def status_error(status: int) -> type[PlatformError] | None:
    """The error class for an HTTP status, or ``None`` for a success.

    Example:
        >>> status_error(503).__name__, status_error(204)
        ('ServerError', None)
    """
    if status < 400:
        return None
    if status in _STATUS_ERRORS:
        return _STATUS_ERRORS[status]
    return ServerError if status >= 500 else APIError
