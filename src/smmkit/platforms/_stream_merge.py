"""Several live streams as one: items in the order they arrive, whichever stream sent them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from typing import TypeVar

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require

__all__ = ["merge_streams"]

T = TypeVar("T")


class _Ended:
    """One source ended; ``error`` is what it raised (``None``: it ran out)."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def merge_streams(*streams: AsyncIterable[T], max_pending: int = 16) -> AsyncGenerator[T, None]:
    """Iterate several async streams at once: each item as soon as any stream yields it.

    One reader task per stream puts items into a queue of at most ``max_pending``
    (a full queue makes every reader wait: backpressure reaches the sources); the
    merged iterator yields them in arrival order and ends when every stream has ended.
    An error of any stream is raised from the merged iterator (after the items that
    came before it) and stops the others. Closing the merged iterator (``aclose()``, or
    leaving ``async with contextlib.aclosing(merge_streams(...))``) stops the readers
    and closes each stream's iterator, and so its connection; a
    :class:`~smmkit.platforms.streams.MastodonStream` or
    :class:`~smmkit.platforms.streams.BlueskyFirehose` resumes later from its ``cursor``.

    Example:
        >>> import asyncio
        >>> async def ticks(name, delays):
        ...     for delay in delays:
        ...         await asyncio.sleep(delay)
        ...         yield name
        >>> async def main():
        ...     merged = merge_streams(ticks("sky", [0.05, 0.1]), ticks("masto", [0.01, 0.1]))
        ...     return [item async for item in merged]
        >>> asyncio.run(main())
        ['masto', 'sky', 'masto', 'sky']
    """
    for index, stream in enumerate(streams):
        if not isinstance(stream, AsyncIterable):
            raise InvalidInputError.single(
                f"streams.{index}", "must be an async iterable", type(stream).__name__
            )
    if require(max_pending, "max_pending", int, "an int") < 1:
        raise InvalidInputError.single("max_pending", "must be at least 1", max_pending)
    return _merged(list(streams), max_pending)


async def _merged(sources: list[AsyncIterable[T]], max_pending: int) -> AsyncGenerator[T, None]:
    queue: asyncio.Queue[T | _Ended] = asyncio.Queue(maxsize=max_pending)

    async def read(source: AsyncIterable[T]) -> None:
        iterator: AsyncIterator[T] = source.__aiter__()
        try:
            async for item in iterator:
                await queue.put(item)
        except Exception as exc:  # handed to the consumer, raised there
            await queue.put(_Ended(exc))
        else:
            await queue.put(_Ended(None))
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

    readers = [asyncio.ensure_future(read(source)) for source in sources]
    try:
        running = len(readers)
        while running:
            item = await queue.get()
            if not isinstance(item, _Ended):
                yield item
            elif item.error is not None:
                raise item.error
            else:
                running -= 1
    finally:
        for reader in readers:
            reader.cancel()
        # the readers close their streams' iterators as they stop; wait for that
        await asyncio.gather(*readers, return_exceptions=True)
