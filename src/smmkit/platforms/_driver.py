"""What both drivers share: the per-client state and pure steps around each request
(pacing, token book-keeping, answer checks), and the log redaction.

Both do the same four things around every request an adapter yields, in the same
order: pace it (token bucket), put the token on it, send it through the injected
``httpx`` client, and translate the answer into a response or a
:class:`~smmkit.exceptions.PlatformError` (``_http``). The retry loop around that is
tenacity, fed by one :class:`RetryPolicy` and entered only once a first attempt has
failed (most requests need no retry). The only differences between the drivers
are ``await`` and the kind of lock around a token refresh; everything a platform does
lives in its adapter and is written once.

A token the platform rejects (:class:`~smmkit.exceptions.TokenExpiredError`) is marked
stale; the retry policy allows one more attempt per request for it, and that attempt
refreshes first. An endpoint that keeps rejecting fresh tokens therefore costs one
refresh and ends in the typed error, never a refresh loop.

Log hygiene: httpx logs every request URL at INFO (``HTTP Request: POST https://...``),
and WeChat and WeCom carry the access token in the query. The first client created
installs a filter on the ``httpx`` and ``httpcore`` loggers (once; constructing more
clients adds nothing) that replaces every query value with ``[redacted]``. Importing
smmkit changes no logging configuration.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, TypeVar

import httpx
import tenacity

from smmkit._secrets import forget_frames, live_frames, redact_error, secret_values
from smmkit.exceptions import (
    InvalidInputError,
    NotFoundError,
    PlatformError,
    RateLimitError,
    SmmkitError,
    TokenExpiredError,
)
from smmkit.models.content import PlatformPost
from smmkit.platforms._adapter import (
    RECEIVED_AT,
    Flow,
    PlatformAdapter,
    endpoint_of,
    is_safe,
)
from smmkit.platforms._auth import (
    InMemoryTokenStore,
    Token,
    TokenStore,
    keep_refresh_token,
    needs_refresh,
)
from smmkit.platforms._checks import require, require_number
from smmkit.platforms._clock import Clock, SystemClock
from smmkit.platforms._errors import outcome_unknown
from smmkit.platforms._flow import publish_flow
from smmkit.platforms._http import describe_request, redact_header_values, redact_url
from smmkit.platforms._ratelimit import BucketKey, RateLimiter
from smmkit.platforms._results import PublishReceipt
from smmkit.platforms._retry import RetryBudget, RetryPolicy
from smmkit.platforms._translate import (
    translate_response,
    translate_transport_error,
    unexpected_answer,
)

__all__ = [
    "install_log_redaction",
]

_ANSWER_LOST = "smmkit.answer_lost"  # request extension: an attempt's outcome is unknown

# The retry budget of the publish being driven (per thread, per task): every request of
# that publish, the token fetch included, takes its retries from it.
_BUDGET: ContextVar[RetryBudget | None] = ContextVar("smmkit_retry_budget", default=None)


T = TypeVar("T")


logger = logging.getLogger("smmkit.platforms")


_DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


# httpx logs request URLs on "httpx"; httpcore logs on its per-module loggers, and a
# filter on a parent logger does not see its children's records.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


_QUERY_VALUE = re.compile(r"(?<=[?&])([^=&\s'\"<>#]+)=([^&\s'\"<>#]*)")


class _RedactQuery(logging.Filter):
    """Replaces every query value in httpx/httpcore log records with ``[redacted]``.

    httpx passes the URL as an ``httpx.URL`` argument; httpcore's trace lines are
    preformatted strings, scanned for a ``?`` and for header lists, whose
    credential-bearing values (``Set-Cookie``, ``Authorization``) are blanked too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            if any(isinstance(a, httpx.URL) and a.query for a in args):
                record.args = tuple(
                    redact_url(a) if isinstance(a, httpx.URL) and a.query else a for a in args
                )
            return True
        if isinstance(record.msg, str) and "?" in record.msg and not args:
            record.msg = _QUERY_VALUE.sub(r"\1=[redacted]", record.msg)
        if isinstance(record.msg, str) and not args:
            record.msg = redact_header_values(record.msg)  # httpcore's header lists
        return True


def install_log_redaction() -> None:
    """Put the query redaction filter on the httpx/httpcore loggers (idempotent).

    Called by every :class:`Client` and :class:`AsyncClient`; nothing happens at import.

    Example:
        >>> import logging
        >>> install_log_redaction(); install_log_redaction()
        >>> sum(isinstance(f, _RedactQuery) for f in logging.getLogger("httpx").filters)
        1
    """
    for name in _HTTP_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, _RedactQuery) for f in target.filters):
            target.addFilter(_RedactQuery())


def _aware_now(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock.time(), timezone.utc)


class _Core:
    """State and pure helpers shared by both drivers (no I/O here).

    Building one is building a driver: it also installs the log redaction.
    """

    def __init__(
        self,
        adapter: PlatformAdapter,
        *,
        token_store: TokenStore | None,
        retry: RetryPolicy | None,
        rate_limiter: RateLimiter | None,
        clock: Clock | None,
        publish_deadline: float,
    ) -> None:
        require(adapter, "adapter", PlatformAdapter, "a PlatformAdapter (an adapter instance)")
        for value, field, kind, what in (
            (clock, "clock", Clock, "a Clock"),
            (retry, "retry", RetryPolicy, "a RetryPolicy"),
            (rate_limiter, "rate_limiter", RateLimiter, "a RateLimiter"),
            (token_store, "token_store", TokenStore, "a TokenStore"),
        ):
            if value is not None:
                require(value, field, kind, what + " or None")
        if require_number(publish_deadline, "publish_deadline") <= 0:
            raise InvalidInputError.single("publish_deadline", "must be > 0", publish_deadline)
        self.adapter = adapter
        self.clock: Clock = clock or SystemClock()
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter(adapter.default_rates(), clock=self.clock)
        self.token_store: TokenStore = token_store or InMemoryTokenStore()
        self.publish_deadline = publish_deadline
        self.token_key = f"{adapter.name or adapter.platform_id}:{adapter.account}"
        self._token: Token | None = None
        self._rejected: Token | None = None
        self._buckets: dict[str, BucketKey] = {}
        # A limiter that keeps RateLimiter.areserve reserves in memory: the async driver
        # asks it directly instead of through a coroutine (the Redis one does I/O).
        self.reserves_inline = type(self.rate_limiter).areserve is RateLimiter.areserve
        install_log_redaction()

    def bucket(self, request: httpx.Request) -> BucketKey:
        endpoint = endpoint_of(request)
        key = self._buckets.get(endpoint)
        if key is None:
            key = BucketKey(self.adapter.platform_id, self.adapter.account, endpoint)
            if len(self._buckets) < 256:  # endpoint names are few; keep it bounded anyway
                self._buckets[endpoint] = key
        return key

    def check(
        self, request: httpx.Request, response: httpx.Response, *, origin: httpx.Request
    ) -> httpx.Response:
        """``response`` if it is a success, else raise its error. ``origin`` is the
        request before authorising: the one every retry of it starts from."""
        error = translate_response(self.adapter, request, response, now=self.clock.time())
        if error is None:
            return response
        if (
            isinstance(error, NotFoundError)
            and request.method == "DELETE"
            and origin.extensions.get(_ANSWER_LOST)
        ):
            # An earlier attempt's answer was lost: that attempt deleted it.
            return httpx.Response(204, request=request)
        if outcome_unknown(error):
            origin.extensions[_ANSWER_LOST] = True
        raise error

    def answered(
        self,
        request: httpx.Request,
        response: httpx.Response,
        *,
        origin: httpx.Request,
        token: Token | None,
    ) -> httpx.Response:
        """One attempt's answer, stamped and checked (both drivers' common tail)."""
        response.extensions[RECEIVED_AT] = self.clock.time()
        try:
            return self.check(request, response, origin=origin)
        except TokenExpiredError as exc:
            self.token_rejected(exc, token)  # the retry, if the policy allows one, refreshes
            raise

    def transport_error(
        self, exc: httpx.HTTPError, request: httpx.Request, *, origin: httpx.Request
    ) -> PlatformError:
        error = translate_transport_error(exc, request, platform=self.adapter.platform_id)
        if outcome_unknown(error):
            origin.extensions[_ANSWER_LOST] = True
        return error

    def fresh_cached_token(self) -> Token | None:
        token = self._token
        if (
            token is not None
            and not token.same_as(self._rejected)
            and not needs_refresh(token, now=self.clock.time())
        ):
            return token
        return None

    @property
    def rejected(self) -> Token | None:
        """The token the platform refused last (the next refresh must replace it)."""
        return self._rejected

    def reject(self, token: Token) -> None:
        """Mark ``token`` refused, unless another task already replaced it."""
        if self._token is None or self._token.same_as(token):
            self._rejected = token

    def accept(self, token: Token) -> None:
        """Cache ``token`` as the current one (a refresh or an adoption)."""
        self._token = token
        self._rejected = None

    def adopt_stored(self, stale: Token | None) -> Token | None:
        """The stored token if it is usable and not one that failed.

        ``stale`` is what the caller saw fail; the rejection on record is checked too,
        because a caller may have waited for the lock while another task's token was
        refused.
        """
        current = self.token_store.get(self.token_key)
        if (
            current is not None
            and not current.same_as(stale)
            and not current.same_as(self._rejected)
            and not needs_refresh(current, now=self.clock.time())
        ):
            self.accept(current)
            return current
        return None

    def token_rejected(self, exc: TokenExpiredError, token: Token | None) -> None:
        """Book-keeping for a refused token; the retry policy decides about a retry."""
        if token is None:
            # Nothing to refresh (a token call itself, or no token needed): resending
            # the same request cannot help.
            exc.retries_exhausted = True
        else:
            self.reject(token)

    def before_sleep(self, request: httpx.Request) -> Callable[[tenacity.RetryCallState], None]:
        def log(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            logger.info(
                "retrying %s after %s (attempt %d, waiting %.2fs)",
                describe_request(request),  # only built when a retry happens
                type(exc).__name__,
                state.attempt_number,
                state.upcoming_sleep,
            )

        return log

    def store(self, current: Token | None, fetched: Token) -> Token:
        """Save and cache a fetched token, keeping a refresh token the answer left out."""
        fresh = keep_refresh_token(current, fetched)
        self.token_store.put(self.token_key, fresh)
        self.accept(fresh)
        return fresh

    def publish_flow(
        self,
        post: PlatformPost,
        *,
        idempotency_key: str | None,
        deadline: float | None,
        budget: RetryBudget | None = None,
    ) -> Flow[PublishReceipt]:
        return publish_flow(
            self.adapter,
            post,
            idempotency_key=idempotency_key,
            deadline=self.deadline(deadline),
            now=self.clock.monotonic,
            budget=budget,
        )

    def deadline(self, deadline: float | None) -> float:
        """A publish's deadline in seconds: ``deadline`` or the client's default."""
        if deadline is None:
            return self.publish_deadline
        if require_number(deadline, "deadline") <= 0:
            raise InvalidInputError.single("deadline", "must be > 0", deadline)
        return deadline

    def new_budget(self, deadline: float | None) -> RetryBudget:
        """One publish's :class:`RetryBudget`, from now until its deadline."""
        return self.retry.budget(now=self.clock.monotonic, deadline=self.deadline(deadline))

    def retrying_kwargs(self, request: httpx.Request) -> dict[str, Any]:
        """The retry options of one request: safe or not, and the publish's budget."""
        return {
            "safe": is_safe(request),
            "before_sleep": self.before_sleep(request),
            "budget": _BUDGET.get(),
        }

    def paced(self, delay: float) -> float:
        """``delay``, unless the pause would end past the publish's deadline: then the
        request is not sent and a :class:`~smmkit.exceptions.RateLimitError` says when."""
        budget = _BUDGET.get()
        remaining = None if budget is None else budget.remaining()
        if remaining is not None and delay > remaining:
            raise RateLimitError(
                f"pacing asks for {delay:.3g} s, past the publish deadline; nothing was sent",
                platform=self.adapter.platform_id,
                retry_after=delay,
                outcome_unknown=False,
                retries_exhausted=True,
            )
        return delay

    def describe(self, kind: str) -> str:
        return f"{kind}({self.adapter!r})"

    def conceal(
        self, exc: BaseException, flow: Any = None, outer: BaseException | None = None
    ) -> BaseException:
        """Make ``exc`` safe to leave a run: no frame it went through keeps its locals
        (an authorised request, a token request's secret), and no known secret (the
        credentials', the tokens') stays in its text. ``flow``'s own frames, still
        running, are kept; so is ``outer``, what the caller was handling. Returns ``exc``.
        """
        forget_frames(exc, keep=live_frames(flow), stop=outer)
        secrets = secret_values(self.adapter, self._token, self._rejected)
        return redact_error(exc, secrets, stop=outer)


class spending:  # named as the function it replaced: ``with spending(budget):``
    """Make ``budget`` the one every request of this thread or task takes retries from.

    A class rather than a generator-based context manager: it is entered on every publish.
    """

    __slots__ = ("_budget", "_token")

    def __init__(self, budget: RetryBudget) -> None:
        self._budget = budget

    def __enter__(self) -> RetryBudget:
        self._token = _BUDGET.set(self._budget)
        return self._budget

    def __exit__(self, *exc_info: object) -> None:
        _BUDGET.reset(self._token)


def _answer(
    flow: Flow[Any], request: httpx.Request, response: httpx.Response, adapter: PlatformAdapter
) -> Any:
    """Hand ``response`` to the adapter's flow; a parse failure becomes a typed error.

    An adapter reading an answer it did not expect (HTML from a proxy, a field missing)
    raises ``KeyError``/``ValueError``/``TypeError``: that must reach callers, and
    :class:`Publisher` batches, as an :class:`~smmkit.exceptions.APIError`. Raised
    outside the handler so the parse error (a ``JSONDecodeError`` holds the body) does
    not travel along.
    """
    failed: SmmkitError | None
    try:
        return flow.send(response)
    except (StopIteration, SmmkitError):
        raise
    except (LookupError, ValueError, TypeError, AttributeError) as exc:
        failed = unexpected_answer(
            exc,
            request,
            response,
            platform=adapter.platform_id,
            request_id_headers=adapter.request_id_headers,
        )
    raise failed


async def _acquire_in_thread(lock: AbstractContextManager[Any]) -> None:
    """Enter a blocking lock (a token store's) from a worker thread.

    If the waiting task is cancelled (a timeout), the thread still gets the lock
    later; it is then given back at once instead of staying held for ever.
    """
    entering = asyncio.ensure_future(asyncio.to_thread(lock.__enter__))
    try:
        await asyncio.shield(entering)
    except BaseException:

        def give_back(done: asyncio.Future[Any]) -> None:
            if not done.cancelled() and done.exception() is None:
                lock.__exit__(None, None, None)

        entering.add_done_callback(give_back)  # runs at once if already done
        raise


def _replaying(first: PlatformError, attempt: Callable[..., T]) -> Callable[..., T]:
    """``attempt``, whose first call raises ``first`` instead of sending again.

    The drivers make a request's first attempt outside tenacity (building a
    ``Retrying`` per request cost more than the rest of the driver); after a failure
    they hand this to tenacity, which then sees the failed first attempt and applies
    the policy from there exactly as if it had made it.
    """
    pending = [first]

    def call(*args: Any) -> T:
        if pending:
            raise pending.pop()
        return attempt(*args)

    return call


def _areplaying(
    first: PlatformError, attempt: Callable[..., Awaitable[T]]
) -> Callable[..., Awaitable[T]]:
    """Async twin of :func:`_replaying` (a coroutine function, as tenacity expects)."""
    pending = [first]

    async def call(*args: Any) -> T:
        if pending:
            raise pending.pop()
        return await attempt(*args)

    return call


def _final(refresh: Callable[..., Token], stale: Token | None) -> Token:
    """Refresh inside an attempt; its failure already went through its own retries."""
    try:
        return refresh(stale=stale)
    except PlatformError as exc:
        exc.retries_exhausted = True
        raise


async def _afinal(refresh: Callable[..., Awaitable[Token]], stale: Token | None) -> Token:
    """Async twin of :func:`_final`."""
    try:
        return await refresh(stale=stale)
    except PlatformError as exc:
        exc.retries_exhausted = True
        raise
