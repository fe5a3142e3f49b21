"""Publishing many pieces to many platforms: :class:`Publisher` and
:class:`AsyncPublisher`, above the drivers.

adapt one or many pieces to several
platforms and return one :class:`PublishResult` per (piece, platform), so a partial
failure is visible for each platform and nothing is raised away or swallowed.

The protocol each single publish follows (:func:`publish_flow`) and the result models
live below the drivers; they are re-exported here, where they were first published.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models.content import ContentPiece, PlatformPost
from smmkit.platforms._adapter import PlatformAdapter
from smmkit.platforms._checks import require
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._flow import (
    _spec_or_none,
    failed_result,
    idempotency_key_for,
    limit_problems,
    publish_flow,
)
from smmkit.platforms._results import BatchResult, ErrorReport, PublishResult

__all__ = [
    "AdaptFunction",
    "AsyncPublisher",
    "BatchResult",
    "ErrorReport",
    "PublishResult",
    "Publisher",
    "idempotency_key_for",
    "limit_problems",
    "publish_flow",
]

AdaptFunction = Callable[..., PlatformPost]
"""``adapt(piece, platform, **options) -> PlatformPost``, as ``smmkit.content.adapt``."""


def default_adapt() -> AdaptFunction:
    """``smmkit.content.adapt``: the adaptation every publish goes through by default."""
    from smmkit.content import adapt

    chosen: AdaptFunction = adapt
    return chosen


def _adapt_one(
    adapt: AdaptFunction, piece: ContentPiece, adapter: PlatformAdapter, options: Mapping[str, Any]
) -> PlatformPost:
    spec = _spec_or_none(adapter)
    if spec is None:
        raise InvalidInputError.single(
            "platform", "has no catalog spec to adapt to", adapter.platform_id
        )
    return adapt(piece, spec, **options)


def _pieces(pieces: ContentPiece | Iterable[ContentPiece]) -> Sequence[ContentPiece]:
    if isinstance(pieces, ContentPiece):
        return (pieces,)
    return tuple(pieces)


def _names(clients: Mapping[str, Any], platforms: Iterable[str] | None) -> tuple[str, ...]:
    names = tuple(clients) if platforms is None else tuple(platforms)
    unknown = [n for n in names if n not in clients]
    if unknown:
        raise UnknownPlatformError(unknown[0], tuple(clients))
    return names


def _check_clients(clients: object, kind: type, adapt: object) -> None:
    """A mapping of names to clients (a ``kind`` or anything with a ``publish`` method),
    and a callable or None for ``adapt``."""
    table: Mapping[object, object] = require(
        clients, "clients", Mapping, "a mapping of platform names to clients"
    )
    for name, client in table.items():
        require(name, "clients", str, "keyed by platform names (str)")
        if not isinstance(client, kind) and not callable(getattr(client, "publish", None)):
            raise InvalidInputError.single(
                f"clients.{name}", f"must be a {kind.__name__}", type(client).__name__
            )
    if adapt is not None and not callable(adapt):
        raise InvalidInputError.single("adapt", "must be a callable or None", type(adapt).__name__)


class Publisher:
    """Adapt pieces and publish them to several platforms, one result per pair.

    ``clients`` maps a name (usually the platform id) to a :class:`Client`.

    Example:
        >>> from smmkit import ContentPiece
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> with sandbox.client() as client:
        ...     batch = Publisher({"sandbox": client}).publish_many(
        ...         ContentPiece(id="p1", body="Cold brew at three."))
        >>> batch.summary()
        {'total': 1, 'published': 1, 'failed': 0, 'dry_run': 0}
    """

    def __init__(self, clients: Mapping[str, Client], *, adapt: AdaptFunction | None = None):
        _check_clients(clients, Client, adapt)
        self.clients = dict(clients)
        self._adapt = adapt or default_adapt()

    def publish(self, post: PlatformPost, platform: str, *, dry_run: bool = False) -> PublishResult:
        """Publish an already adapted ``post`` with the client named ``platform``."""
        client = self.clients[_names(self.clients, (platform,))[0]]
        return client.publish(post, dry_run=dry_run)

    def publish_many(
        self,
        pieces: ContentPiece | Iterable[ContentPiece],
        platforms: Iterable[str] | None = None,
        *,
        dry_run: bool = False,
        **adapt_options: Any,
    ) -> BatchResult:
        """Adapt each piece to each platform and publish it; never stops at a failure."""
        names = _names(self.clients, platforms)
        results = []
        for piece in _pieces(pieces):
            for name in names:
                client = self.clients[name]
                try:
                    post = _adapt_one(self._adapt, piece, client.adapter, adapt_options)
                    result = client.publish(post, dry_run=dry_run)
                except Exception as exc:  # one platform's failure must not cost the others
                    result = failed_result(client.adapter, None, exc, piece_id=piece.id)
                results.append(result.model_copy(update={"platform": name}))
        return BatchResult(results=tuple(results))


class AsyncPublisher:
    """:class:`Publisher` over :class:`AsyncClient`, with at most ``concurrency`` in flight.

    Example:
        >>> import asyncio
        >>> from smmkit import ContentPiece
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> async def main():
        ...     async with sandbox.async_client() as client:
        ...         pieces = [ContentPiece(id=f"p{i}", body=f"Tip {i}") for i in range(5)]
        ...         return await AsyncPublisher({"sandbox": client}).publish_many(pieces)
        >>> asyncio.run(main()).summary()["published"], sandbox.published_count
        (5, 5)
    """

    def __init__(
        self,
        clients: Mapping[str, AsyncClient],
        *,
        adapt: AdaptFunction | None = None,
        concurrency: int = 10,
    ) -> None:
        _check_clients(clients, AsyncClient, adapt)
        require(concurrency, "concurrency", int, "an int")
        if concurrency < 1:
            raise InvalidInputError.single("concurrency", "must be at least 1", concurrency)
        self.clients = dict(clients)
        self.concurrency = concurrency
        self._adapt = adapt or default_adapt()

    async def publish(
        self, post: PlatformPost, platform: str, *, dry_run: bool = False
    ) -> PublishResult:
        """Publish an already adapted ``post`` with the client named ``platform``."""
        client = self.clients[_names(self.clients, (platform,))[0]]
        return await client.publish(post, dry_run=dry_run)

    async def publish_many(
        self,
        pieces: ContentPiece | Iterable[ContentPiece],
        platforms: Iterable[str] | None = None,
        *,
        dry_run: bool = False,
        **adapt_options: Any,
    ) -> BatchResult:
        """Adapt each piece to each platform and publish them concurrently."""
        names = _names(self.clients, platforms)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(piece: ContentPiece, name: str) -> PublishResult:
            client = self.clients[name]
            async with gate:
                try:
                    post = _adapt_one(self._adapt, piece, client.adapter, adapt_options)
                    result = await client.publish(post, dry_run=dry_run)
                except Exception as exc:  # one platform's failure must not cost the others
                    result = failed_result(client.adapter, None, exc, piece_id=piece.id)
            return result.model_copy(update={"platform": name})

        jobs = [one(piece, name) for piece in _pieces(pieces) for name in names]
        return BatchResult(results=tuple(await asyncio.gather(*jobs)))
