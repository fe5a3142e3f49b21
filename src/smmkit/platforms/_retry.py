"""One retry policy for both drivers, on tenacity.

:class:`RetryPolicy` is a frozen value; :meth:`RetryPolicy.retrying` and
:meth:`RetryPolicy.async_retrying` turn it into ``tenacity.Retrying`` and
``tenacity.AsyncRetrying`` (``reraise=True``, so callers see smmkit errors, never
``tenacity.RetryError``). What is retried:

* transport errors where the request never left (connection refused, connect timeout);
* transport errors, timeouts and 5xx *only* for requests that are safe to repeat
  (reads, and writes carrying an idempotency key): a publish whose outcome is unknown
  goes back to the publish protocol, which reads back or reuses its key;
* 408, 429 and the platform's own throttling codes (which the adapter turns into
  :class:`~smmkit.exceptions.RateLimitError`, e.g. WeChat 45009/45011 in HTTP 200);
* an expired or rejected token (:class:`~smmkit.exceptions.TokenExpiredError`) **once
  per request**: the driver refreshes the token before that retry; a second rejection
  is raised (a platform that refuses fresh tokens is a configuration problem, and
  refreshing in a loop would burn quotas such as WeChat's 20 forced refreshes a day).

Waits: the server's ``Retry-After``/reset header when it gave one (on a 429, or on a
503 that says when to come back), else capped exponential backoff. A server asking for
more than ``max_retry_after`` seconds is not waited for: the
:class:`~smmkit.exceptions.RateLimitError` or :class:`~smmkit.exceptions.ServerError`
(with ``retry_after``) is raised so the caller can schedule, instead of a worker sleeping
for fifteen minutes.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import tenacity
from pydantic import Field

from smmkit.exceptions import (
    APIError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    TransportError,
)
from smmkit.models._base import SmmkitModel
from smmkit.platforms._errors import outcome_unknown

__all__ = ["RetryPolicy"]


class RetryPolicy(SmmkitModel):
    """How often and how long to retry; shared by :class:`Client` and :class:`AsyncClient`.

    Example:
        >>> from smmkit.exceptions import RateLimitError, ServerError
        >>> policy = RetryPolicy(jitter=0)
        >>> policy.wait_seconds(1, ServerError("busy")), policy.wait_seconds(3, ServerError("busy"))
        (0.5, 2.0)
        >>> policy.wait_seconds(1, RateLimitError("slow", retry_after=12))
        12.0
        >>> policy.should_retry(ServerError("busy", status=503), safe=True, attempt=1)
        True
        >>> from smmkit.exceptions import TokenExpiredError
        >>> expired = TokenExpiredError("access_token expired")
        >>> [policy.should_retry(expired, safe=False, attempt=n, token_refreshes=n - 1)
        ...  for n in (1, 2)]
        [True, False]
    """

    max_attempts: int = Field(default=5, ge=1)
    initial_backoff: float = Field(default=0.5, ge=0)
    backoff_multiplier: float = Field(default=2.0, ge=1)
    max_backoff: float = Field(default=30.0, ge=0)
    jitter: float = Field(default=0.1, ge=0, le=1)
    max_retry_after: float = Field(default=120.0, ge=0)
    max_total_wait: float = Field(default=300.0, ge=0)
    retry_statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries.

        Example:
            >>> RetryPolicy.none().max_attempts
            1
        """
        return cls(max_attempts=1)

    def should_retry(
        self, exc: BaseException, *, safe: bool, attempt: int, token_refreshes: int = 0
    ) -> bool:
        """Whether ``exc`` on attempt number ``attempt`` deserves another try.

        ``safe`` says the request may be repeated without publishing twice;
        ``token_refreshes`` is how many token rejections this request already got a
        retry (and so a refresh) for: a token is refreshed at most once per request.
        """
        if attempt >= self.max_attempts or not isinstance(exc, PlatformError):
            return False
        if exc.retries_exhausted:
            return False  # a nested call (a token fetch) already retried this
        if isinstance(exc, TokenExpiredError):
            return token_refreshes < 1  # the driver refreshes before the retry
        if isinstance(exc, RateLimitError):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after
        if isinstance(exc, ServerError) and (exc.retry_after or 0.0) > self.max_retry_after:
            return False  # "come back in an hour": not worth holding the caller
        if (
            isinstance(exc, ServerError)
            and exc.status is not None
            and exc.status >= 500
            and exc.status not in self.retry_statuses
        ):
            return False
        if isinstance(exc, (TransportError, ServerError)):
            return safe or not outcome_unknown(exc)
        if isinstance(exc, APIError) and exc.status in self.retry_statuses:
            return safe or not outcome_unknown(exc)
        return False

    def wait_seconds(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if isinstance(exc, TokenExpiredError):
            return 0.0
        if isinstance(exc, (RateLimitError, ServerError)) and exc.retry_after is not None:
            return float(min(exc.retry_after, self.max_retry_after))
        backoff = self.initial_backoff * self.backoff_multiplier ** max(attempt - 1, 0)
        backoff = min(backoff, self.max_backoff)
        if self.jitter:
            backoff *= 1 - self.jitter * random.random()
        return backoff

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        # tenacity computes the upcoming wait before asking whether to stop.
        waited = (state.idle_for or 0.0) + (state.upcoming_sleep or 0.0)
        return state.attempt_number >= self.max_attempts or waited > self.max_total_wait

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.wait_seconds(state.attempt_number, exc)

    def _kwargs(
        self, safe: bool, before_sleep: Callable[[tenacity.RetryCallState], Any] | None
    ) -> dict[str, Any]:
        rejections = 0  # per request: this closure belongs to one Retrying object

        def retry(state: tenacity.RetryCallState) -> bool:
            nonlocal rejections
            if state.outcome is None or not state.outcome.failed:
                return False
            exc = state.outcome.exception()
            if exc is None:
                return False
            earlier = rejections
            if isinstance(exc, TokenExpiredError):
                rejections += 1
            return self.should_retry(
                exc, safe=safe, attempt=state.attempt_number, token_refreshes=earlier
            )

        return {
            "retry": retry,
            "stop": self._stop,
            "wait": self._wait,
            "reraise": True,
            "before_sleep": before_sleep,
        }

    def retrying(
        self,
        *,
        safe: bool,
        sleep: Callable[[float], None],
        before_sleep: Callable[[tenacity.RetryCallState], Any] | None = None,
    ) -> tenacity.Retrying:
        """A fresh ``tenacity.Retrying`` for one request (``safe``: may be repeated).

        Example:
            >>> from smmkit.exceptions import ServerError
            >>> calls = []
            >>> def flaky():
            ...     calls.append(1)
            ...     if len(calls) < 3:
            ...         raise ServerError("busy", status=503)
            ...     return "ok"
            >>> RetryPolicy().retrying(safe=True, sleep=lambda s: None)(flaky), len(calls)
            ('ok', 3)
        """
        return tenacity.Retrying(sleep=sleep, **self._kwargs(safe, before_sleep))

    def async_retrying(
        self,
        *,
        safe: bool,
        sleep: Callable[[float], Awaitable[None]],
        before_sleep: Callable[[tenacity.RetryCallState], Any] | None = None,
    ) -> tenacity.AsyncRetrying:
        """A fresh ``tenacity.AsyncRetrying`` for one request; same rules as :meth:`retrying`.

        Example:
            >>> import asyncio
            >>> async def nap(seconds: float) -> None: ...
            >>> async def ok() -> str:
            ...     return "ok"
            >>> asyncio.run(RetryPolicy().async_retrying(safe=True, sleep=nap)(ok))
            'ok'
        """
        return tenacity.AsyncRetrying(sleep=sleep, **self._kwargs(safe, before_sleep))
