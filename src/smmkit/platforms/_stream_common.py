"""What every live stream shares: the reconnect loop and its backoff, recent-key memory,
a sync wrapper.

A stream reconnects through the client's :class:`~smmkit.platforms.RetryPolicy` and
:class:`~smmkit.platforms.Clock`: consecutive failed connections wait as a failed
request would (capped exponential backoff, a server's ``Retry-After``) and give up
with the error once the policy says so; a connection that opens resets the count.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import aclosing
from typing import Generic, TypeVar

from typing_extensions import Self

from smmkit.exceptions import InvalidInputError, PlatformError
from smmkit.platforms._checks import require
from smmkit.platforms._clock import Clock
from smmkit.platforms._retry import RetryPolicy

__all__ = [
    "Backoff",
    "Disconnected",
    "RecentKeys",
    "ReconnectingStream",
    "iterate_sync",
    "strings",
]

T = TypeVar("T")


def strings(values: object, field: str) -> tuple[str, ...]:
    """An iterable of str (DIDs, watch terms) as a tuple; one str alone is refused.

    Example:
        >>> strings(["refund", "broken"], "watch_terms")
        ('refund', 'broken')
        >>> strings("refund", "watch_terms")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: watch_terms: must be an iterable of str, not one \
str (got 'str')
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInputError.single(
            field, "must be an iterable of str, not one str", type(values).__name__
        )
    items = tuple(values)
    for index, item in enumerate(items):
        require(item, f"{field}[{index}]", str, "a str")
    return items


class Backoff:
    """Consecutive connection failures, waited out (or raised) by a retry policy.

    Example:
        >>> import asyncio
        >>> from smmkit.exceptions import TransportError
        >>> from smmkit.platforms import RetryPolicy, SimulatedClock
        >>> clock = SimulatedClock()
        >>> backoff = Backoff(RetryPolicy(max_attempts=3, jitter=0), clock)
        >>> asyncio.run(backoff.failed(TransportError("reset")))
        >>> asyncio.run(backoff.failed(TransportError("reset")))
        >>> clock.slept
        1.5
        >>> asyncio.run(backoff.failed(TransportError("reset")))
        Traceback (most recent call last):
        ...
        smmkit.exceptions.TransportError: reset
    """

    def __init__(self, retry: RetryPolicy, clock: Clock) -> None:
        self.retry = retry
        self.clock = clock
        self.attempt = 0
        self.reconnects = 0
        """Connections re-opened after a failure, over the stream's life."""

    def connected(self) -> None:
        """A connection opened: the next failure starts a fresh count."""
        self.attempt = 0

    async def failed(self, exc: PlatformError) -> None:
        """Wait before the next try, or raise ``exc`` when the policy gives up."""
        self.attempt += 1
        if not self.retry.should_retry(exc, safe=True, attempt=self.attempt):
            raise exc
        self.reconnects += 1
        await self.clock.asleep(self.retry.wait_seconds(self.attempt, exc))


class Disconnected(Exception):
    """How one connection of a :class:`ReconnectingStream` ends: ``failure`` is the error
    the retry policy weighs (the server closed the stream, a transport error, a status).

    Example:
        >>> from smmkit.exceptions import TransportError
        >>> Disconnected(TransportError("closed")).failure
        TransportError('closed')
    """

    def __init__(self, failure: PlatformError) -> None:
        super().__init__(failure)
        self.failure = failure


class ReconnectingStream(Generic[T]):
    """A live stream of items over connections that drop, re-opened through a
    :class:`Backoff`; iterate it with ``async for`` inside ``async with``.

    A subclass gives :meth:`_connection`, the items of one connection: it calls
    :meth:`_opened` once the connection is open and ends by raising
    :class:`Disconnected` (any other exception ends the stream). :meth:`_start` runs
    once, before the first connection.

    Example:
        >>> import asyncio
        >>> from smmkit.exceptions import TransportError
        >>> from smmkit.platforms import RetryPolicy, SimulatedClock
        >>> class Numbers(ReconnectingStream[int]):
        ...     async def _connection(self):
        ...         self._opened()
        ...         yield self.connections
        ...         raise Disconnected(TransportError("closed"))
        >>> async def first(count):
        ...     got = []
        ...     async with Numbers(Backoff(RetryPolicy(jitter=0), SimulatedClock())) as stream:
        ...         async for n in stream:
        ...             got.append(n)
        ...             if len(got) == count:
        ...                 return got, stream.backoff.reconnects
        >>> asyncio.run(first(3))
        ([1, 2, 3], 2)
    """

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff
        self.connections = 0
        """Connections opened so far (1 after the first open; more after reconnects)."""
        self._generator: AsyncIterator[T] | None = None

    def __aiter__(self) -> AsyncIterator[T]:
        if self._generator is None:
            self._generator = self._events()
        return self._generator

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection; a new stream from :attr:`cursor` picks up from here."""
        generator, self._generator = self._generator, None
        aclose = getattr(generator, "aclose", None)
        if aclose is not None:
            await aclose()

    def _opened(self) -> None:
        """A connection opened: count it, and start the backoff's count afresh."""
        self.backoff.connected()
        self.connections += 1

    async def _start(self) -> None:
        """What the stream does once, before its first connection (nothing here)."""

    def _connection(self) -> AsyncGenerator[T, None]:
        """The items of one connection, ended by :class:`Disconnected`."""
        raise NotImplementedError

    async def _events(self) -> AsyncIterator[T]:
        await self._start()
        while True:
            failure: PlatformError | None = None
            try:
                # closed with the stream: leaving a loop closes the connection at once
                async with aclosing(self._connection()) as connection:
                    async for item in connection:
                        yield item
            except Disconnected as ended:
                failure = ended.failure
            if failure is None:
                raise RuntimeError(f"{type(self).__name__}._connection ended without Disconnected")
            await self.backoff.failed(failure)  # outside the handler: nothing chained


class RecentKeys:
    """The last ``capacity`` event keys seen: re-deliveries around a reconnect are dropped.

    Example:
        >>> keys = RecentKeys(capacity=2)
        >>> [keys.add(k) for k in ("a", "b", "a", "c", "a")]
        [True, True, False, True, False]
    """

    __slots__ = ("_keys", "capacity")

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """True when ``key`` is new (it is remembered), False for a repeat."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return True


def iterate_sync(stream: AsyncIterable[T]) -> Iterator[T]:
    """Iterate an async stream from synchronous code, on an event loop of its own.

    Closing the iterator (or leaving a ``for`` loop and dropping it) closes the stream.
    Call it where no event loop runs (a script, a worker thread), not inside ``async``
    code: there, use ``async for``.

    Example:
        >>> async def numbers():
        ...     for n in range(3):
        ...         yield n
        >>> list(iterate_sync(numbers()))
        [0, 1, 2]
    """
    loop = asyncio.new_event_loop()
    iterator: AsyncIterator[T] = stream.__aiter__()
    try:
        while True:
            try:
                item = loop.run_until_complete(iterator.__anext__())
            except StopAsyncIteration:
                return
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            loop.run_until_complete(aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
