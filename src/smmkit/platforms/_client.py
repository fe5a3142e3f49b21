"""The two drivers: :class:`Client` and :class:`AsyncClient` run the same adapter flows.

Both do the same four things around every request an adapter yields, in the same
order: pace it (token bucket), put the token on it, send it through the injected
``httpx`` client, and translate the answer into a response or a
:class:`~smmkit.exceptions.PlatformError` (``_http``). The retry loop around that is
tenacity, fed by one :class:`RetryPolicy`. The only differences between the drivers
are ``await`` and the kind of lock around a token refresh; everything a platform does
lives in its adapter and is written once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import tenacity

from smmkit.exceptions import PlatformError, TokenExpiredError
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.models.metrics import MetricObservation
from smmkit.platforms._adapter import (
    RECEIVED_AT,
    Comment,
    Flow,
    MediaHandle,
    MessageReceipt,
    PlatformAdapter,
    Wait,
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
from smmkit.platforms._clock import Clock, SystemClock
from smmkit.platforms._http import describe_request, translate_response, translate_transport_error
from smmkit.platforms._ratelimit import BucketKey, RateLimiter
from smmkit.platforms._retry import RetryPolicy
from smmkit.platforms.publish import (
    PublishResult,
    dry_run_result,
    failed_result,
    publish_flow,
    published_result,
)

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")
logger = logging.getLogger("smmkit.platforms")
_DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class _Core:
    """State and pure helpers shared by both drivers (no I/O here)."""

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
        self.adapter = adapter
        self.clock: Clock = clock or SystemClock()
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter(adapter.default_rates(), clock=self.clock)
        self.token_store: TokenStore = token_store or InMemoryTokenStore()
        self.publish_deadline = publish_deadline
        self.token_key = f"{adapter.name or adapter.platform_id}:{adapter.account}"
        self._token: Token | None = None

    def bucket(self, request: httpx.Request) -> BucketKey:
        return BucketKey(self.adapter.platform_id, self.adapter.account, endpoint_of(request))

    def check(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        error = translate_response(self.adapter, request, response, now=self.clock.time())
        if error is not None:
            raise error
        return response

    def transport_error(self, exc: httpx.HTTPError, request: httpx.Request) -> PlatformError:
        return translate_transport_error(exc, request, platform=self.adapter.platform_id)

    def fresh_cached_token(self) -> Token | None:
        token = self._token
        if token is not None and not needs_refresh(token, now=self.clock.time()):
            return token
        return None

    def adopt_stored(self, stale: Token | None) -> Token | None:
        """The stored token if it is usable and not the one that just failed."""
        current = self.token_store.get(self.token_key)
        if (
            current is not None
            and not current.same_as(stale)
            and not needs_refresh(current, now=self.clock.time())
        ):
            self._token = current
            return current
        return None

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

    def publish_deadline_for(self, deadline: float | None) -> float:
        return self.publish_deadline if deadline is None else deadline

    def describe(self, kind: str) -> str:
        return f"{kind}({self.adapter!r})"


def _final(refresh: Callable[..., Token], stale: Token | None) -> Token:
    """Refresh inside an attempt; its failure already went through its own retries."""
    try:
        return refresh(stale=stale)
    except PlatformError as exc:
        exc.retries_exhausted = True  # type: ignore[attr-defined]
        raise


async def _afinal(refresh: Callable[..., Awaitable[Token]], stale: Token | None) -> Token:
    """Async twin of :func:`_final`."""
    try:
        return await refresh(stale=stale)
    except PlatformError as exc:
        exc.retries_exhausted = True  # type: ignore[attr-defined]
        raise


class Client:
    """The synchronous driver. ``http_client`` is the one seam for I/O.

    Tests and the docs inject the sandbox (or ``httpx.MockTransport``) through it;
    nothing patches httpx. A client you pass in stays yours to close.

    Example:
        >>> from smmkit.platforms import SimulatedClock, SandboxPlatform
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> with sandbox.client() as client:
        ...     result = client.publish(sandbox.sample_post("hello"))
        >>> result.ok, sandbox.published_count
        (True, 1)
    """

    def __init__(
        self,
        adapter: PlatformAdapter,
        *,
        http_client: httpx.Client | None = None,
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        publish_deadline: float = 600.0,
    ) -> None:
        self._core = _Core(
            adapter,
            token_store=token_store,
            retry=retry,
            rate_limiter=rate_limiter,
            clock=clock,
            publish_deadline=publish_deadline,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=_DEFAULT_TIMEOUT)

    @property
    def adapter(self) -> PlatformAdapter:
        """The adapter this client drives."""
        return self._core.adapter

    def __repr__(self) -> str:
        return self._core.describe("Client")

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            self._http.close()

    # -- the driver loop ----------------------------------------------------------

    def run(self, flow: Flow[T], *, authenticated: bool = True) -> T:
        """Drive ``flow`` to its result: send each request, pause on each ``Wait``."""
        item: Any
        try:
            item = next(flow)
            while True:
                if isinstance(item, Wait):
                    self._core.clock.sleep(item.seconds)
                    item = flow.send(None)
                    continue
                try:
                    response = self._send(item, authenticated=authenticated)
                except PlatformError as exc:
                    item = flow.throw(exc)
                else:
                    item = flow.send(response)
        except StopIteration as done:
            result: T = done.value
            return result

    def _send(self, request: httpx.Request, *, authenticated: bool) -> httpx.Response:
        core = self._core
        request.extensions.setdefault("timeout", self._http.timeout.as_dict())
        if authenticated and core.adapter.requires_token:
            self._ensure_token()  # before the loop: a token fetch has its own retries
        retrying = core.retry.retrying(
            safe=is_safe(request), sleep=core.clock.sleep, before_sleep=core.before_sleep(request)
        )
        response: httpx.Response = retrying(self._attempt, request, authenticated)
        return response

    def _attempt(self, request: httpx.Request, authenticated: bool) -> httpx.Response:
        core = self._core
        delay = core.rate_limiter.reserve(core.bucket(request))
        if delay > 0:
            core.clock.sleep(delay)
        token = None
        if authenticated and core.adapter.requires_token:
            token = core.fresh_cached_token() or _final(self._refresh, None)
            request = core.adapter.authorize(request, token)
        try:
            response = self._http.send(request)
        except httpx.HTTPError as exc:
            raise core.transport_error(exc, request) from exc
        response.extensions[RECEIVED_AT] = core.clock.time()
        try:
            return core.check(request, response)
        except TokenExpiredError:
            if token is not None:
                _final(self._refresh, token)
            raise

    # -- tokens -------------------------------------------------------------------

    def _ensure_token(self) -> Token:
        return self._core.fresh_cached_token() or self._refresh(stale=None)

    def _refresh(self, *, stale: Token | None) -> Token:
        core = self._core
        with core.token_store.lock(core.token_key):
            adopted = core.adopt_stored(stale)
            if adopted is not None:
                return adopted
            current = core.token_store.get(core.token_key)
            fresh = keep_refresh_token(
                current, self.run(core.adapter.fetch_token(current), authenticated=False)
            )
            core.token_store.put(core.token_key, fresh)
            core._token = fresh
            return fresh

    # -- operations ---------------------------------------------------------------

    def publish(
        self,
        post: PlatformPost,
        *,
        idempotency_key: str | None = None,
        dry_run: bool = False,
        deadline: float | None = None,
    ) -> PublishResult:
        """Publish ``post`` exactly once, waiting (up to ``deadline`` s) until it is live.

        Never raises a platform error: the result says published or failed, and why.
        """
        core = self._core
        if dry_run:
            return dry_run_result(core.adapter, post)
        flow = publish_flow(
            core.adapter,
            post,
            idempotency_key=idempotency_key,
            deadline=core.publish_deadline_for(deadline),
            now=core.clock.monotonic,
        )
        try:
            receipt = self.run(flow)
        except PlatformError as exc:
            return failed_result(core.adapter, post, exc)
        return published_result(core.adapter, post, receipt)

    def delete(self, post_id: str) -> None:
        """Delete a post."""
        self.run(self.adapter.delete(post_id))

    def metrics(self, post_id: str) -> tuple[MetricObservation, ...]:
        """Engagement numbers of a post."""
        return self.run(self.adapter.metrics(post_id))

    def comments(self, post_id: str) -> tuple[Comment, ...]:
        """Comments under a post."""
        return self.run(self.adapter.comments(post_id))

    def reply(self, post_id: str, comment_id: str, text: str) -> Comment:
        """Reply to a comment."""
        return self.run(self.adapter.reply(post_id, comment_id, text))

    def send_message(self, recipient: str, text: str) -> MessageReceipt:
        """Send a direct message."""
        return self.run(self.adapter.send_message(recipient, text))

    def upload_media(self, asset: MediaAsset) -> MediaHandle:
        """Upload media (returns while it may still be processing)."""
        return self.run(self.adapter.upload_media(asset))


class AsyncClient:
    """The asynchronous driver: the same flows as :class:`Client`, awaited.

    Example:
        >>> import asyncio
        >>> from smmkit.platforms import SimulatedClock, SandboxPlatform
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> async def main():
        ...     async with sandbox.async_client() as client:
        ...         return await client.publish(sandbox.sample_post("hello"))
        >>> asyncio.run(main()).ok, sandbox.published_count
        (True, 1)
    """

    def __init__(
        self,
        adapter: PlatformAdapter,
        *,
        http_client: httpx.AsyncClient | None = None,
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        publish_deadline: float = 600.0,
    ) -> None:
        self._core = _Core(
            adapter,
            token_store=token_store,
            retry=retry,
            rate_limiter=rate_limiter,
            clock=clock,
            publish_deadline=publish_deadline,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=_DEFAULT_TIMEOUT)
        self._refresh_lock: asyncio.Lock | None = None

    @property
    def adapter(self) -> PlatformAdapter:
        """The adapter this client drives."""
        return self._core.adapter

    def __repr__(self) -> str:
        return self._core.describe("AsyncClient")

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    # -- the driver loop ----------------------------------------------------------

    async def run(self, flow: Flow[T], *, authenticated: bool = True) -> T:
        """Drive ``flow`` to its result: send each request, pause on each ``Wait``."""
        item: Any
        try:
            item = next(flow)
            while True:
                if isinstance(item, Wait):
                    await self._core.clock.asleep(item.seconds)
                    item = flow.send(None)
                    continue
                try:
                    response = await self._send(item, authenticated=authenticated)
                except PlatformError as exc:
                    item = flow.throw(exc)
                else:
                    item = flow.send(response)
        except StopIteration as done:
            result: T = done.value
            return result

    async def _send(self, request: httpx.Request, *, authenticated: bool) -> httpx.Response:
        core = self._core
        request.extensions.setdefault("timeout", self._http.timeout.as_dict())
        if authenticated and core.adapter.requires_token:
            await self._ensure_token()  # before the loop: a token fetch has its own retries
        retrying = core.retry.async_retrying(
            safe=is_safe(request), sleep=core.clock.asleep, before_sleep=core.before_sleep(request)
        )
        response: httpx.Response = await retrying(self._attempt, request, authenticated)
        return response

    async def _attempt(self, request: httpx.Request, authenticated: bool) -> httpx.Response:
        core = self._core
        delay = core.rate_limiter.reserve(core.bucket(request))
        if delay > 0:
            await core.clock.asleep(delay)
        token = None
        if authenticated and core.adapter.requires_token:
            token = core.fresh_cached_token() or await _afinal(self._refresh, None)
            request = core.adapter.authorize(request, token)
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as exc:
            raise core.transport_error(exc, request) from exc
        response.extensions[RECEIVED_AT] = core.clock.time()
        try:
            return core.check(request, response)
        except TokenExpiredError:
            if token is not None:
                await _afinal(self._refresh, token)
            raise

    # -- tokens -------------------------------------------------------------------

    async def _ensure_token(self) -> Token:
        return self._core.fresh_cached_token() or await self._refresh(stale=None)

    async def _refresh(self, *, stale: Token | None) -> Token:
        core = self._core
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        # Single flight inside this process first, so tasks queue on the event loop
        # rather than on threads; then the store's own lock for other processes.
        async with self._refresh_lock:
            cached = core.fresh_cached_token()
            if cached is not None and not cached.same_as(stale):
                return cached
            lock = core.token_store.lock(core.token_key)
            await asyncio.to_thread(lock.__enter__)
            try:
                adopted = core.adopt_stored(stale)
                if adopted is not None:
                    fresh = adopted
                else:
                    current = core.token_store.get(core.token_key)
                    fetched = await self.run(core.adapter.fetch_token(current), authenticated=False)
                    fresh = keep_refresh_token(current, fetched)
                    core.token_store.put(core.token_key, fresh)
                    core._token = fresh
            except BaseException:
                lock.__exit__(*sys.exc_info())
                raise
            lock.__exit__(None, None, None)
            return fresh

    # -- operations ---------------------------------------------------------------

    async def publish(
        self,
        post: PlatformPost,
        *,
        idempotency_key: str | None = None,
        dry_run: bool = False,
        deadline: float | None = None,
    ) -> PublishResult:
        """Publish ``post`` exactly once, waiting (up to ``deadline`` s) until it is live.

        Never raises a platform error: the result says published or failed, and why.
        """
        core = self._core
        if dry_run:
            return dry_run_result(core.adapter, post)
        flow = publish_flow(
            core.adapter,
            post,
            idempotency_key=idempotency_key,
            deadline=core.publish_deadline_for(deadline),
            now=core.clock.monotonic,
        )
        try:
            receipt = await self.run(flow)
        except PlatformError as exc:
            return failed_result(core.adapter, post, exc)
        return published_result(core.adapter, post, receipt)

    async def delete(self, post_id: str) -> None:
        """Delete a post."""
        await self.run(self.adapter.delete(post_id))

    async def metrics(self, post_id: str) -> tuple[MetricObservation, ...]:
        """Engagement numbers of a post."""
        return await self.run(self.adapter.metrics(post_id))

    async def comments(self, post_id: str) -> tuple[Comment, ...]:
        """Comments under a post."""
        return await self.run(self.adapter.comments(post_id))

    async def reply(self, post_id: str, comment_id: str, text: str) -> Comment:
        """Reply to a comment."""
        return await self.run(self.adapter.reply(post_id, comment_id, text))

    async def send_message(self, recipient: str, text: str) -> MessageReceipt:
        """Send a direct message."""
        return await self.run(self.adapter.send_message(recipient, text))

    async def upload_media(self, asset: MediaAsset) -> MediaHandle:
        """Upload media (returns while it may still be processing)."""
        return await self.run(self.adapter.upload_media(asset))
