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

Retries do not multiply. A publish spends one :class:`RetryBudget`: every retry of
every request it makes (the token fetch, uploads, the create, its re-posts after an
unknown outcome, status polls) takes one of the policy's ``max_attempts - 1`` retries
and adds its wait to one ``max_total_wait``, and no wait may end past the publish's
deadline. Outside a publish each request has the policy to itself.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import tenacity
from pydantic import Field

from smmkit.exceptions import (
    APIError,
    InvalidInputError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    TransportError,
)
from smmkit.models._base import SmmkitModel
from smmkit.platforms._errors import outcome_unknown

__all__ = ["RetryBudget", "RetryPolicy"]


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

    def budget(self, *, now: Callable[[], float], deadline: float | None = None) -> RetryBudget:
        """A fresh :class:`RetryBudget` for one publish; ``deadline`` in seconds from ``now()``.

        Example:
            >>> budget = RetryPolicy(max_attempts=3).budget(now=lambda: 0.0)
            >>> budget.retries_left
            2
        """
        return RetryBudget(self, now=now, deadline=deadline)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        # tenacity computes the upcoming wait before asking whether to stop.
        waited = (state.idle_for or 0.0) + (state.upcoming_sleep or 0.0)
        return state.attempt_number >= self.max_attempts or waited > self.max_total_wait

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.wait_seconds(state.attempt_number, exc)

    def _kwargs(
        self,
        safe: bool,
        before_sleep: Callable[[tenacity.RetryCallState], Any] | None,
        budget: RetryBudget | None = None,
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

        def stop(state: tenacity.RetryCallState) -> bool:
            if budget is None:
                return self._stop(state)
            if state.attempt_number >= self.max_attempts:
                return True
            return not budget.take(state.upcoming_sleep or 0.0)

        return {
            "retry": retry,
            "stop": stop,
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
        budget: RetryBudget | None = None,
    ) -> tenacity.Retrying:
        """A fresh ``tenacity.Retrying`` for one request (``safe``: may be repeated).

        With ``budget`` (a publish's), each retry is taken from it instead of the
        request having ``max_attempts`` and ``max_total_wait`` to itself.

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
        return tenacity.Retrying(sleep=sleep, **self._kwargs(safe, before_sleep, budget))

    def async_retrying(
        self,
        *,
        safe: bool,
        sleep: Callable[[float], Awaitable[None]],
        before_sleep: Callable[[tenacity.RetryCallState], Any] | None = None,
        budget: RetryBudget | None = None,
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
        return tenacity.AsyncRetrying(sleep=sleep, **self._kwargs(safe, before_sleep, budget))


class RetryBudget:
    """One publish's retries: ``max_attempts - 1`` retries and ``max_total_wait`` seconds
    of waiting, shared by every request of the publish and by the publish flow's re-posts,
    and no wait that ends past the deadline.

    Build it with :meth:`RetryPolicy.budget`; the drivers build one per
    :meth:`Client.publish <smmkit.platforms.Client.publish>`. Thread-safe.

    Example:
        >>> budget = RetryPolicy(max_attempts=3, max_total_wait=10).budget(
        ...     now=lambda: 0.0, deadline=60)
        >>> budget.take(4.0), budget.take(5.0), budget.take(7.0), budget.take(0.0)
        (True, True, False, False)
        >>> budget.retries_used, budget.waited, budget.exhausted
        (2, 9.0, True)
    """

    def __init__(
        self, policy: RetryPolicy, *, now: Callable[[], float], deadline: float | None = None
    ) -> None:
        if not isinstance(policy, RetryPolicy):
            raise InvalidInputError.single("policy", "must be a RetryPolicy", policy)
        if not callable(now):
            raise InvalidInputError.single("now", "must be a callable returning seconds", now)
        if deadline is not None and (
            isinstance(deadline, bool)
            or not isinstance(deadline, (int, float))
            or not math.isfinite(deadline)
            or deadline < 0
        ):
            raise InvalidInputError.single(
                "deadline", "must be a finite number of seconds, 0 or more, or None", deadline
            )
        self.policy = policy
        self._now = now
        self.deadline_at = None if deadline is None else now() + deadline
        self.retries_left = policy.max_attempts - 1
        self.retries_used = 0
        self.waited = 0.0
        self.exhausted = False
        self._lock = threading.Lock()

    def remaining(self) -> float | None:
        """Seconds until the deadline (``None`` without one; never below 0)."""
        if self.deadline_at is None:
            return None
        return max(self.deadline_at - self._now(), 0.0)

    def take(self, wait: float) -> bool:
        """Spend one retry after a pause of ``wait`` seconds, if the budget allows it.

        False when no retry is left, when the pause would pass ``max_total_wait`` in
        all, or when it would end past the deadline; the budget is then spent for good
        (``exhausted``): the publish gives up rather than try again without the pause.
        """
        if (
            isinstance(wait, bool)
            or not isinstance(wait, (int, float))
            or (isinstance(wait, float) and math.isnan(wait))
        ):
            raise InvalidInputError.single("wait", "must be a number of seconds", wait)
        try:
            wait = max(float(wait), 0.0)
        except OverflowError:  # an int beyond float: longer than any budget
            wait = math.inf
        with self._lock:
            if (
                self.exhausted
                or self.retries_left <= 0
                or self.waited + wait > self.policy.max_total_wait
                or (self.deadline_at is not None and self._now() + wait > self.deadline_at)
            ):
                self.exhausted = True
                return False
            self.retries_left -= 1
            self.retries_used += 1
            self.waited += wait
            return True

    def __repr__(self) -> str:
        return (
            f"RetryBudget(retries_left={self.retries_left}, waited={self.waited:g}, "
            f"deadline_at={self.deadline_at!r})"
        )
