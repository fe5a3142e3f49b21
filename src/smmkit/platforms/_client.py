"""The two drivers: :class:`Client` and :class:`AsyncClient` run the same adapter flows.

Both do the same four things around every request an adapter yields, in the same
order: pace it (token bucket), put the token on it, send it through the injected
``httpx`` client, and translate the answer into a response or a
:class:`~smmkit.exceptions.PlatformError` (``_http``). The retry loop around that is
tenacity, fed by one :class:`RetryPolicy` and entered only once a first attempt has
failed (most requests need no retry). The only differences between the drivers
are ``await`` and the kind of lock around a token refresh; everything a platform does
lives in its adapter and is written once.

The shared state and steps are in ``_driver``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any, NoReturn, TypeVar

import httpx

from smmkit._secrets import refuse_pickle
from smmkit.exceptions import PlatformError
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.platforms._adapter import Flow, Now, PlatformAdapter, Wait
from smmkit.platforms._auth import Token, TokenStore
from smmkit.platforms._checks import require
from smmkit.platforms._clock import Clock
from smmkit.platforms._driver import (
    _DEFAULT_TIMEOUT,
    _acquire_in_thread,
    _afinal,
    _answer,
    _areplaying,
    _aware_now,
    _Core,
    _final,
    _replaying,
    spending,
)
from smmkit.platforms._errors import token_unavailable
from smmkit.platforms._flow import (
    dry_run_result,
    failed_result,
    published_result,
    refused_result,
)
from smmkit.platforms._listening import InboxSync
from smmkit.platforms._media import aanswer_media_fetch, answer_media_fetch, is_media_fetch
from smmkit.platforms._ratelimit import RateLimiter
from smmkit.platforms._results import Comment, MediaHandle, MessageReceipt, PublishResult
from smmkit.platforms._retry import RetryPolicy

T = TypeVar("T")

__all__ = [
    "AsyncClient",
    "Client",
]


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
        if http_client is not None:
            require(http_client, "http_client", httpx.Client, "an httpx.Client or None")
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

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds credentials, tokens and connections")

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
        """Drive ``flow`` to its result: send each request, pause on ``Wait``, answer ``Now``."""
        item: Any
        outer = sys.exc_info()[1]  # the caller's own exception, left alone
        try:
            item = next(flow)
            while True:
                if isinstance(item, Wait):
                    self._core.clock.sleep(item.seconds)
                    item = flow.send(None)
                    continue
                if isinstance(item, Now):
                    item = flow.send(_aware_now(self._core.clock))
                    continue
                if is_media_fetch(item):  # a media download: no token, bounded
                    platform = self._core.adapter.platform_id
                    item = answer_media_fetch(flow, self._http, item, platform=platform)
                    continue
                try:
                    response = self._send(item, authenticated=authenticated)
                except PlatformError as exc:
                    item = flow.throw(self._core.conceal(exc, flow, outer))
                else:
                    item = _answer(flow, item, response, self._core.adapter)
        except StopIteration as done:
            result: T = done.value
            return result
        except BaseException as exc:  # a cancellation's traceback holds requests too
            item = None  # the request in hand may be a token request (a secret in its URL)
            self._core.conceal(exc, flow, outer)
            raise

    def _send(self, request: httpx.Request, *, authenticated: bool) -> httpx.Response:
        core = self._core
        request.extensions.setdefault("timeout", self._http.timeout.as_dict())
        if authenticated and core.adapter.requires_token:
            self._ensure_token()  # before the loop: a token fetch has its own retries
        try:  # the first attempt outside tenacity: most requests need no retry
            return self._attempt(request, authenticated)
        except PlatformError as exc:
            first = exc
        retrying = core.retry.retrying(sleep=core.clock.sleep, **core.retrying_kwargs(request))
        attempt = _replaying(first, self._attempt)
        response: httpx.Response = retrying(attempt, request, authenticated)
        return response

    def _attempt(self, request: httpx.Request, authenticated: bool) -> httpx.Response:
        core = self._core
        origin = request
        delay = core.paced(core.rate_limiter.reserve(core.bucket(request)))
        if delay > 0:
            core.clock.sleep(delay)
        token = None
        if authenticated and core.adapter.requires_token:
            token = core.fresh_cached_token() or _final(self._refresh, core.rejected)
            request = core.adapter.authorize(origin, token)
        failed: PlatformError | None
        try:
            response = self._http.send(request)
        except httpx.HTTPError as exc:
            failed = core.transport_error(exc, request, origin=origin)
        else:
            failed = None
        if failed is not None:
            # Raised outside the handler: neither __cause__ nor __context__ keeps the
            # httpx error, whose request carries the token.
            raise failed
        return core.answered(request, response, origin=origin, token=token)

    # -- tokens -------------------------------------------------------------------

    def _ensure_token(self) -> Token:
        core = self._core
        return core.fresh_cached_token() or self._refresh(stale=core.rejected)

    def _refresh(self, *, stale: Token | None) -> Token:
        core = self._core
        with core.token_store.lock(core.token_key):
            adopted = core.adopt_stored(stale)
            if adopted is not None:
                return adopted
            current = core.token_store.get(core.token_key)
            failed: PlatformError
            try:
                fetched = self.run(core.adapter.fetch_token(current), authenticated=False)
                return core.store(current, fetched)
            except PlatformError as exc:
                failed = token_unavailable(exc)
            # Nothing was sent with this token: say so, and let nothing re-post. Raised
            # outside the handler, so the token call's error does not travel along.
            raise failed

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

        Never raises a platform error: the result says published or failed, and why. A
        post adapted for another platform (or a bare ``ContentPiece``) is refused: the
        result fails with :class:`~smmkit.exceptions.PlatformMismatchError`, or, for a
        dry run, lists it as a problem. Every request of the publish (the token fetch
        too) and its re-posts take their retries from one
        :class:`~smmkit.platforms.RetryBudget`: at most ``retry.max_attempts - 1``
        retries, ``retry.max_total_wait`` seconds of waiting, nothing past ``deadline``.
        """
        core = self._core
        refused = refused_result(core.adapter, post, dry_run=dry_run)
        if refused is not None:
            return refused
        if dry_run:
            return dry_run_result(core.adapter, post)
        budget = core.new_budget(deadline)
        flow = core.publish_flow(
            post, idempotency_key=idempotency_key, deadline=deadline, budget=budget
        )
        try:
            with spending(budget):
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

    def iter_inbox(
        self,
        source: InboxSource | str,
        *,
        since: str | None = None,
        max_pages: int | None = None,
    ) -> Iterator[InboxPage]:
        """Pages of ``source`` (mentions, comments, direct messages) after the cursor ``since``.

        Persist each page's ``cursor`` once its events are handled; passing it back as
        ``since=`` resumes with nothing lost and nothing repeated. ``since=None`` starts
        from the oldest item the platform's API still serves. The iteration ends when the
        platform has nothing more now (the last page has ``more=False``) or after
        ``max_pages``. An unknown source is an
        :class:`~smmkit.exceptions.InvalidInputError`, one the platform does not let an
        app read an :class:`~smmkit.exceptions.UnsupportedOperationError`, both raised
        here, before anything is sent.

        Example:
            >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
            >>> sandbox = SandboxPlatform(clock=SimulatedClock())
            >>> post = sandbox.add_post("Spring oolong is back")
            >>> _ = sandbox.add_incoming("comments", "my order never came", post_id=post.id)
            >>> with sandbox.client() as client:
            ...     pages = list(client.iter_inbox("comments"))
            ...     cursor = pages[-1].cursor
            ...     _ = sandbox.add_incoming("comments", "still waiting", post_id=post.id)
            ...     later = list(client.iter_inbox("comments", since=cursor))
            >>> [e.text for p in pages for e in p.events]
            ['my order never came']
            >>> [e.text for p in later for e in p.events]
            ['still waiting']
        """
        sync = InboxSync(self.adapter, source, since=since, max_pages=max_pages)
        return self._inbox_pages(sync)

    def _inbox_pages(self, sync: InboxSync) -> Iterator[InboxPage]:
        while (flow := sync.next_flow()) is not None:
            yield sync.accept(self.run(flow))


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
        if http_client is not None:
            require(http_client, "http_client", httpx.AsyncClient, "an httpx.AsyncClient or None")
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

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds credentials, tokens and connections")

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
        """Drive ``flow`` to its result: send each request, pause on ``Wait``, answer ``Now``."""
        item: Any
        outer = sys.exc_info()[1]  # the caller's own exception, left alone
        try:
            item = next(flow)
            while True:
                if isinstance(item, Wait):
                    await self._core.clock.asleep(item.seconds)
                    item = flow.send(None)
                    continue
                if isinstance(item, Now):
                    item = flow.send(_aware_now(self._core.clock))
                    continue
                if is_media_fetch(item):  # a media download: no token, bounded
                    platform = self._core.adapter.platform_id
                    item = await aanswer_media_fetch(flow, self._http, item, platform=platform)
                    continue
                try:
                    response = await self._send(item, authenticated=authenticated)
                except PlatformError as exc:
                    item = flow.throw(self._core.conceal(exc, flow, outer))
                else:
                    item = _answer(flow, item, response, self._core.adapter)
        except StopIteration as done:
            result: T = done.value
            return result
        except BaseException as exc:  # a cancellation's traceback holds requests too
            item = None  # the request in hand may be a token request (a secret in its URL)
            self._core.conceal(exc, flow, outer)
            raise

    async def _send(self, request: httpx.Request, *, authenticated: bool) -> httpx.Response:
        core = self._core
        request.extensions.setdefault("timeout", self._http.timeout.as_dict())
        if authenticated and core.adapter.requires_token:
            await self._ensure_token()  # before the loop: a token fetch has its own retries
        try:  # the first attempt outside tenacity: most requests need no retry
            return await self._attempt(request, authenticated)
        except PlatformError as exc:
            first = exc
        retrying = core.retry.async_retrying(
            sleep=core.clock.asleep, **core.retrying_kwargs(request)
        )
        attempt = _areplaying(first, self._attempt)
        response: httpx.Response = await retrying(attempt, request, authenticated)
        return response

    async def _attempt(self, request: httpx.Request, authenticated: bool) -> httpx.Response:
        core = self._core
        origin = request
        key = core.bucket(request)
        limiter = core.rate_limiter
        delay = core.paced(
            limiter.reserve(key) if core.reserves_inline else await limiter.areserve(key)
        )
        if delay > 0:
            await core.clock.asleep(delay)
        token = None
        if authenticated and core.adapter.requires_token:
            token = core.fresh_cached_token() or await _afinal(self._refresh, core.rejected)
            request = core.adapter.authorize(origin, token)
        failed: PlatformError | None
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as exc:
            failed = core.transport_error(exc, request, origin=origin)
        else:
            failed = None
        if failed is not None:
            # Raised outside the handler: neither __cause__ nor __context__ keeps the
            # httpx error, whose request carries the token.
            raise failed
        return core.answered(request, response, origin=origin, token=token)

    # -- tokens -------------------------------------------------------------------

    async def _ensure_token(self) -> Token:
        core = self._core
        return core.fresh_cached_token() or await self._refresh(stale=core.rejected)

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
            await _acquire_in_thread(lock)
            try:
                adopted = core.adopt_stored(stale)
                if adopted is not None:
                    fresh = adopted
                else:
                    current = core.token_store.get(core.token_key)
                    fresh = await self._fetch(current)
            except BaseException:
                lock.__exit__(*sys.exc_info())
                raise
            lock.__exit__(None, None, None)
            return fresh

    async def _fetch(self, current: Token | None) -> Token:
        core = self._core
        failed: PlatformError
        try:
            fetched = await self.run(core.adapter.fetch_token(current), authenticated=False)
            return core.store(current, fetched)
        except PlatformError as exc:
            failed = token_unavailable(exc)
        # Nothing was sent with this token: say so, and let nothing re-post. Raised
        # outside the handler, so the token call's error does not travel along.
        raise failed

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

        Never raises a platform error: the result says published or failed, and why. A
        post adapted for another platform (or a bare ``ContentPiece``) is refused: the
        result fails with :class:`~smmkit.exceptions.PlatformMismatchError`, or, for a
        dry run, lists it as a problem. Every request of the publish (the token fetch
        too) and its re-posts take their retries from one
        :class:`~smmkit.platforms.RetryBudget`: at most ``retry.max_attempts - 1``
        retries, ``retry.max_total_wait`` seconds of waiting, nothing past ``deadline``.
        """
        core = self._core
        refused = refused_result(core.adapter, post, dry_run=dry_run)
        if refused is not None:
            return refused
        if dry_run:
            return dry_run_result(core.adapter, post)
        budget = core.new_budget(deadline)
        flow = core.publish_flow(
            post, idempotency_key=idempotency_key, deadline=deadline, budget=budget
        )
        try:
            with spending(budget):
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

    def iter_inbox(
        self,
        source: InboxSource | str,
        *,
        since: str | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[InboxPage]:
        """Pages of ``source`` after the cursor ``since``: :meth:`Client.iter_inbox`, awaited.

        Example:
            >>> import asyncio
            >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
            >>> sandbox = SandboxPlatform(clock=SimulatedClock())
            >>> _ = sandbox.add_incoming("mentions", "@brand is the shop open?")
            >>> async def main():
            ...     async with sandbox.async_client() as client:
            ...         return [page async for page in client.iter_inbox("mentions")]
            >>> [e.text for page in asyncio.run(main()) for e in page.events]
            ['@brand is the shop open?']
        """
        sync = InboxSync(self.adapter, source, since=since, max_pages=max_pages)
        return self._inbox_pages(sync)

    async def _inbox_pages(self, sync: InboxSync) -> AsyncIterator[InboxPage]:
        while (flow := sync.next_flow()) is not None:
            yield sync.accept(await self.run(flow))
