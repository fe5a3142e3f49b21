"""The error vocabulary of the platform layer: which error an answer stands for, and
what an error means for a publish.

:class:`ErrorInfo` is what an adapter reads from an error response; :func:`status_error`
maps an HTTP status to its error class; :func:`outcome_unknown` says whether a failed
request may still have acted; :func:`mark_delivered` records the parts of a post that
went live before a failure. Nothing here sends a request or knows an adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenUnavailableError,
    TransportError,
)

__all__ = [
    "ErrorInfo",
    "mark_delivered",
    "mark_outcome_unknown",
    "outcome_unknown",
    "status_error",
    "token_unavailable",
]

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
    if not isinstance(exc, PlatformError):
        return False
    if exc.outcome_unknown is not None:
        return exc.outcome_unknown
    if isinstance(exc, TransportError):
        return not isinstance(exc.__cause__, _NOT_SENT)
    if isinstance(exc, ServerError):
        # 408, and "busy" codes inside a 2xx body, say the platform did not act.
        return exc.status is None or (exc.status >= 400 and exc.status != 408)
    return False


def mark_delivered(exc: PlatformError, post_ids: Sequence[str]) -> None:
    """Record on ``exc`` the ids of the parts of a post that went live before it failed
    (a thread's first statuses, WeCom's text before its image), so the failed result
    still says what is out there to recall or report. Ids already listed are not
    repeated (a thread re-sent with its key names the same statuses again).

    Example:
        >>> from smmkit.exceptions import BadRequestError
        >>> err = BadRequestError("part 2 too long")
        >>> mark_delivered(err, ["111"])
        >>> mark_delivered(err, ["111", "112"])
        >>> err.delivered
        ('111', '112')
    """
    new = [post_id for post_id in dict.fromkeys(post_ids) if post_id not in exc.delivered]
    if new:
        exc.delivered = (*exc.delivered, *new)


def mark_outcome_unknown(exc: PlatformError) -> None:
    """Flag ``exc`` as hiding a publish that may have happened (see ``outcome_unknown``)."""
    exc.outcome_unknown = True


def token_unavailable(exc: PlatformError) -> PlatformError:
    """The error for a request whose token could not be fetched: nothing was sent.

    A token fetch that failed after its own retries ends the request before it leaves:
    its ``outcome_unknown`` is ``False`` and no retry (nor a re-post) may follow. A
    refusal (wrong secret: :class:`~smmkit.exceptions.AuthenticationError`) and
    throttling (:class:`~smmkit.exceptions.RateLimitError`, with its wait) keep their
    kind; an outage of the token endpoint (5xx, timeout, reset, an answer in an
    unexpected form) becomes :class:`~smmkit.exceptions.TokenUnavailableError`, with
    the token call's status, code and request id.

    Example:
        >>> from smmkit.exceptions import ServerError
        >>> err = token_unavailable(ServerError("busy", platform="wecom", status=503))
        >>> type(err).__name__, err.status, err.outcome_unknown, err.retries_exhausted
        ('TokenUnavailableError', 503, False, True)
    """
    if isinstance(exc, (AuthenticationError, RateLimitError)):
        error = exc
    else:
        said = str(exc)
        if said.endswith("]"):
            said = said.rpartition(" [")[0] or said  # its details are repeated below
        error = TokenUnavailableError(
            f"no access token, the request that needed it was not sent: the token "
            f"endpoint failed ({type(exc).__name__}: {said})",
            platform=exc.platform,
            status=exc.status,
            code=exc.code,
            request_id=exc.request_id,
            method=exc.method,
            url=exc.url,
        )
    error.outcome_unknown = False
    error.retries_exhausted = True
    return error
