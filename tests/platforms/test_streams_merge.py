"""merge_streams: several async streams as one, in arrival order, closed together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

import pytest

from smmkit.exceptions import InvalidInputError
from smmkit.platforms.streams import merge_streams


class Source:
    """An async stream fed by hand: ``send`` an item, ``end`` it or ``fail`` it; it
    records how far it was read and whether it was closed."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[object] = asyncio.Queue()
        self.read = 0
        self.closed = False

    def send(self, *items: str) -> None:
        for item in items:
            self.inbox.put_nowait(item)

    def end(self) -> None:
        self.inbox.put_nowait(StopAsyncIteration)

    def fail(self, error: Exception) -> None:
        self.inbox.put_nowait(error)

    async def items(self) -> AsyncIterator[str]:
        try:
            while True:
                got = await self.inbox.get()
                if got is StopAsyncIteration:
                    return
                if isinstance(got, Exception):
                    raise got
                self.read += 1
                yield str(got)
        finally:
            self.closed = True


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_items_come_in_arrival_order_whichever_stream_sent_them() -> None:
    async def main() -> list[str]:
        sky, masto = Source(), Source()
        merged = merge_streams(sky.items(), masto.items())
        got: list[str] = []

        async def consume() -> None:
            got.extend([item async for item in merged])

        consumer = asyncio.ensure_future(consume())
        for source, item in ((masto, "m1"), (sky, "s1"), (sky, "s2"), (masto, "m2")):
            source.send(item)
            await settle()
        sky.end()
        await settle()
        assert not consumer.done()  # one stream still runs: the merge goes on
        masto.send("m3")
        masto.end()
        await consumer
        assert sky.closed and masto.closed
        return got

    assert asyncio.run(main()) == ["m1", "s1", "s2", "m2", "m3"]


def test_no_streams_and_empty_streams_end_at_once() -> None:
    async def empty() -> AsyncIterator[int]:
        return
        yield  # pragma: no cover

    async def main() -> tuple[list[int], list[int]]:
        nothing: AsyncIterator[int] = merge_streams()
        none = [x async for x in nothing]
        both = [x async for x in merge_streams(empty(), empty())]
        return none, both

    assert asyncio.run(main()) == ([], [])


def test_an_error_comes_after_earlier_items_and_stops_the_other_streams() -> None:
    async def main() -> tuple[list[str], Source]:
        sky, masto = Source(), Source()
        sky.send("s1")
        masto.send("m1")
        got: list[str] = []

        async def consume() -> None:
            async for item in merge_streams(sky.items(), masto.items()):
                got.append(item)
                if len(got) == 2:
                    sky.fail(ConnectionResetError("gone"))

        with pytest.raises(ConnectionResetError, match="gone"):
            await consume()
        return got, masto

    got, masto = asyncio.run(main())
    assert sorted(got) == ["m1", "s1"]
    assert masto.closed  # the stream still running was closed, not left pending


def test_closing_the_merge_closes_every_stream() -> None:
    async def main() -> tuple[str, Source, Source]:
        sky, masto = Source(), Source()
        sky.send("s1", "s2", "s3")
        async with aclosing(merge_streams(sky.items(), masto.items())) as merged:
            async for item in merged:
                first = item
                break
        return first, sky, masto

    first, sky, masto = asyncio.run(main())
    assert first == "s1"
    assert sky.closed and masto.closed


def test_a_full_queue_holds_the_sources_back() -> None:
    async def main() -> tuple[int, int]:
        fast = Source()
        fast.send(*(f"e{i}" for i in range(100)))
        merged = merge_streams(fast.items(), max_pending=2)
        async with aclosing(merged):
            first = await merged.__anext__()
            assert first == "e0"
            await settle()
            read_ahead = fast.read
            rest = [await merged.__anext__() for _ in range(9)]
            assert rest == [f"e{i}" for i in range(1, 10)]
            await settle()
            return read_ahead, fast.read

    read_ahead, later = asyncio.run(main())
    # one taken + at most 2 queued + 1 waiting to be put: never the whole backlog
    assert read_ahead <= 4
    assert later <= 13


def test_bad_arguments_name_the_field() -> None:
    async def one() -> AsyncGenerator[int, None]:
        yield 1

    ok = one()
    with pytest.raises(InvalidInputError, match=r"streams\.1: must be an async iterable"):
        merge_streams(ok, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="max_pending: must be at least 1"):
        merge_streams(ok, max_pending=0)
    with pytest.raises(InvalidInputError, match="max_pending: must be an int"):
        merge_streams(ok, max_pending=2.5)  # type: ignore[arg-type]
    asyncio.run(ok.aclose())
