"""A loopback TCP proxy that can cut every open connection: a network failure on demand.

Streams are tested for what happens when the socket dies under them (they reconnect from
their cursor); the proxy forwards bytes both ways to a real local server and
:meth:`DroppingProxy.drop` aborts both sides of each connection at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

__all__ = ["DroppingProxy", "proxy_to"]


class DroppingProxy:
    """A TCP proxy to a local server that can cut every open connection (a network failure)."""

    def __init__(self, target: httpx.URL) -> None:
        self.target = target
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        self.writers.append(writer)
        host = self.target.host
        up_reader, up_writer = await asyncio.open_connection(host, self.target.port)
        self.writers.append(up_writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def drop(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        self.drop()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
        if self.server is not None:
            await self.server.wait_closed()


@contextlib.asynccontextmanager
async def proxy_to(url: str) -> AsyncIterator[DroppingProxy]:
    proxy = DroppingProxy(httpx.URL(url))
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
