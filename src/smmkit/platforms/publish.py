"""Publishing: exactly once, reported per platform, with a deadline and a dry run.

:func:`publish_flow` is the protocol every publish follows, written once as a flow
so both drivers run it:

1. check that the adapter can publish this kind of post (text, image, video);
2. upload media and wait until the platform has *finished processing* it
   (posting media that is still processing is a classic failure), never past the
   deadline;
3. publish with an idempotency key. When the outcome is unknown (a timeout, a reset
   connection, a 5xx), repeat with the *same* key on platforms that dedup on it
   (Mastodon's ``Idempotency-Key``, WeCom's duplicate check), read back before
   reposting on platforms that do not (X, Facebook), and report the unknown outcome
   on platforms where neither is possible; never a blind repost;
4. follow the status machine pending → processing → published / failed until a
   final state or the deadline (:class:`~smmkit.exceptions.PublishTimeoutError`).

:class:`Publisher` and :class:`AsyncPublisher` adapt one or many pieces to several
platforms and return one :class:`PublishResult` per (piece, platform), so a partial
failure is visible for each platform and nothing is raised away or swallowed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    APIError,
    DuplicateContentError,
    InvalidInputError,
    PlatformError,
    PublishTimeoutError,
    RateLimitError,
    ServerError,
    SmmkitError,
    TransportError,
    UnknownPlatformError,
    UnsupportedOperationError,
)
from smmkit.models._base import SmmkitModel
from smmkit.models.content import (
    ContentPiece,
    MediaKind,
    PlatformPost,
)
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    MediaHandle,
    MediaState,
    PlatformAdapter,
    PublishReceipt,
    PublishStatus,
    Wait,
)
from smmkit.platforms._http import outcome_unknown
from smmkit.text import count_length

if TYPE_CHECKING:
    from smmkit.platforms._client import AsyncClient, Client

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

DEFAULT_POLL_SECONDS = 5.0


AdaptFunction = Callable[..., PlatformPost]
"""``adapt(piece, platform, **options) -> PlatformPost``, as ``smmkit.content.adapt``."""


class ErrorReport(SmmkitModel):
    """A failure as data: which error, what it said, and what a retry might do.

    ``delivered`` lists the ids of the parts of the post that went live before the
    failure (a thread's first statuses, WeCom's text before its image): they are out
    there, to recall with ``delete`` or to report.

    Example:
        >>> from smmkit.exceptions import RateLimitError
        >>> report = ErrorReport.from_exception(RateLimitError("slow", platform="x", status=429))
        >>> report.error_type, report.retryable
        ('RateLimitError', True)
    """

    error_type: str
    message: str
    platform: str | None = None
    status: int | None = None
    code: str | None = None
    request_id: str | None = None
    retry_after: float | None = None
    retryable: bool = False
    outcome_unknown: bool = False
    delivered: tuple[str, ...] = ()

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorReport:
        """Describe ``exc`` (messages of smmkit errors never contain credentials)."""
        platform_error = exc if isinstance(exc, PlatformError) else None
        code = getattr(platform_error, "code", None)
        retry_after = getattr(exc, "retry_after", None)
        # Worth trying again later: throttling, outages, lost answers, slow processing.
        retryable = isinstance(
            exc, (RateLimitError, ServerError, TransportError, PublishTimeoutError)
        )
        # A foreign exception's message is not ours to vouch for (it may quote a request
        # or a body); the exception itself stays on the result for raise_for_error().
        message = str(exc) if isinstance(exc, SmmkitError) else f"unexpected {type(exc).__name__}"
        return cls(
            error_type=type(exc).__name__,
            message=message,
            platform=getattr(platform_error, "platform", None),
            status=getattr(platform_error, "status", None),
            code=None if code is None else str(code),
            request_id=getattr(platform_error, "request_id", None),
            retry_after=retry_after,
            retryable=retryable,
            outcome_unknown=platform_error is not None and outcome_unknown(exc),
            delivered=tuple(getattr(platform_error, "delivered", ())),
        )


class PublishResult(SmmkitModel):
    """The outcome of publishing one post to one platform.

    ``ok`` is true for a live post (or a clean dry run). On failure ``error`` describes
    it and ``exception`` keeps the original error (not dumped) for ``raise_for_error``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    platform: str
    piece_id: str
    post: PlatformPost | None = None
    receipt: PublishReceipt | None = None
    error: ErrorReport | None = None
    dry_run: bool = False
    problems: tuple[str, ...] = ()
    exception: Exception | None = Field(default=None, exclude=True, repr=False)

    @property
    def ok(self) -> bool:
        """True when the post is live, or a dry run found no problem."""
        if self.error is not None:
            return False
        if self.dry_run:
            return not self.problems
        return self.receipt is not None and self.receipt.status is PublishStatus.PUBLISHED

    def raise_for_error(self) -> None:
        """Re-raise the original error of a failed publish; do nothing otherwise."""
        if self.exception is not None:
            raise self.exception


class BatchResult(SmmkitModel):
    """Results of a batch, one per (piece, platform), in input order.

    Example:
        >>> BatchResult(results=()).summary()
        {'total': 0, 'published': 0, 'failed': 0, 'dry_run': 0}
    """

    results: tuple[PublishResult, ...]

    @property
    def succeeded(self) -> tuple[PublishResult, ...]:
        """Results that are ``ok``."""
        return tuple(r for r in self.results if r.ok)

    @property
    def failed(self) -> tuple[PublishResult, ...]:
        """Results that are not ``ok``."""
        return tuple(r for r in self.results if not r.ok)

    @property
    def ok(self) -> bool:
        """True when every result is ``ok``."""
        return all(r.ok for r in self.results)

    def to_frame(self) -> Any:
        """One row per (piece, platform): status, post id, error (pandas extra)."""
        from smmkit._frames import records_frame

        columns = ("piece_id", "platform", "ok", "dry_run", "post_id", "error")
        return records_frame(
            (
                {
                    "piece_id": r.piece_id,
                    "platform": r.platform,
                    "ok": r.ok,
                    "dry_run": r.dry_run,
                    "post_id": r.receipt.post_id if r.receipt else None,
                    "error": r.error.message if r.error else None,
                }
                for r in self.results
            ),
            columns,
        )

    def _repr_html_(self) -> str:
        from smmkit._frames import html_table

        return html_table(
            f"publish_many: {self.summary()}",
            ["piece", "platform", "ok", "post id / error"],
            [
                [
                    r.piece_id,
                    r.platform,
                    r.ok,
                    (r.receipt.post_id if r.receipt else None)
                    or (r.error.message if r.error else ""),
                ]
                for r in self.results
            ],
        )

    def by_platform(self) -> dict[str, tuple[PublishResult, ...]]:
        """Results grouped by platform name."""
        grouped: dict[str, list[PublishResult]] = {}
        for result in self.results:
            grouped.setdefault(result.platform, []).append(result)
        return {name: tuple(items) for name, items in grouped.items()}

    def summary(self) -> dict[str, int]:
        """Counts: total, published, failed, dry runs."""
        return {
            "total": len(self.results),
            "published": sum(1 for r in self.results if r.ok and not r.dry_run),
            "failed": sum(1 for r in self.results if not r.ok),
            "dry_run": sum(1 for r in self.results if r.dry_run),
        }


# -- pure helpers ------------------------------------------------------------------


def idempotency_key_for(post: PlatformPost, *, account: str = "default") -> str:
    """A key derived from the post itself, so a re-run of a batch after a crash sends the
    same key: safe where the platform keeps keys or checks duplicates (Mastodon, WeCom);
    Bluesky's record keys live in the adapter instance (see docs/clients.md).

    Example:
        >>> post = PlatformPost(platform="mastodon", piece_id="p1", body="hi")
        >>> idempotency_key_for(post) == idempotency_key_for(post)
        True
        >>> len(idempotency_key_for(post))
        32
    """
    digest = hashlib.sha256()
    for part in (post.platform, account, post.piece_id, post.title or "", post.body, *post.parts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    for media in post.media:
        digest.update(media.url.encode("utf-8"))
    return digest.hexdigest()[:32]


def text_length(spec: Platform, text: str) -> int:
    """Length of ``text`` in the unit of ``spec.text.counting`` (``smmkit.text``'s counting).

    Example:
        >>> import smmkit
        >>> text_length(smmkit.get_platform_spec("wecom"), "茶")
        3
    """
    return count_length(text, spec)


def limit_problems(spec: Platform, post: PlatformPost) -> tuple[str, ...]:
    """What in ``post`` breaks the catalog limits of ``spec`` (empty when it fits).

    Example:
        >>> import smmkit
        >>> post = PlatformPost(platform="x", piece_id="p", body="a" * 300)
        >>> limit_problems(smmkit.get_platform_spec("x"), post)
        ('body: 300 weighted > 280',)
    """
    problems = []
    texts = post.parts or (post.body,)
    for number, text in enumerate(texts):
        where = "body" if len(texts) == 1 else f"parts.{number}"
        if spec.text.max_length is not None:
            length = text_length(spec, text)
            if length > spec.text.max_length.value:
                problems.append(
                    f"{where}: {length} {spec.text.counting.value} > {spec.text.max_length.value:g}"
                )
        if spec.text.max_bytes is not None:
            size = len(text.encode("utf-8"))
            if size > spec.text.max_bytes.value:
                problems.append(f"{where}: {size} bytes > {spec.text.max_bytes.value:g}")
    if post.title and spec.title is not None and len(post.title) > spec.title.value:
        problems.append(f"title: {len(post.title)} > {spec.title.value:g}")
    media = spec.media
    if media.max_items is not None and len(post.media) > media.max_items.value:
        problems.append(f"media: {len(post.media)} items > {media.max_items.value:g}")
    if media.requires_media and not post.media:
        problems.append("media: this platform needs at least one media item")
    for index, asset in enumerate(post.media):
        cap = {
            MediaKind.IMAGE: media.image_max_bytes,
            MediaKind.GIF: media.gif_max_bytes,
            MediaKind.VIDEO: media.video_max_bytes,
        }.get(asset.kind)
        if cap is not None and asset.size_bytes is not None and asset.size_bytes > cap.value:
            problems.append(f"media.{index}: {asset.size_bytes} bytes > {cap.value:g}")
        if asset.kind is MediaKind.VIDEO and asset.duration_seconds is not None:
            longest, shortest = media.video_max_seconds, media.video_min_seconds
            if longest is not None and asset.duration_seconds > longest.value:
                problems.append(f"media.{index}: {asset.duration_seconds:g} s > {longest.value:g}")
            if shortest is not None and asset.duration_seconds < shortest.value:
                problems.append(f"media.{index}: {asset.duration_seconds:g} s < {shortest.value:g}")
    return tuple(problems)


def required_capabilities(post: PlatformPost) -> frozenset[Capability]:
    """The capabilities an adapter needs to publish ``post``.

    Example:
        >>> post = PlatformPost(platform="x", piece_id="p", body="hi")
        >>> sorted(c.value for c in required_capabilities(post))
        ['publish_text']
    """
    needed = {Capability.PUBLISH_TEXT}
    kinds = {asset.kind for asset in post.media}
    if kinds & {MediaKind.IMAGE, MediaKind.GIF}:
        needed.add(Capability.PUBLISH_IMAGE)
    if MediaKind.VIDEO in kinds:
        needed.add(Capability.PUBLISH_VIDEO)
    return frozenset(needed)


def _check_capabilities(adapter: PlatformAdapter, post: PlatformPost) -> None:
    missing = sorted(c.value for c in required_capabilities(post) - adapter.capabilities)
    if missing:
        raise UnsupportedOperationError(
            f"{type(adapter).__name__} cannot {', '.join(missing)}", platform=adapter.platform_id
        )


def _spec_or_none(adapter: PlatformAdapter) -> Platform | None:
    try:
        return adapter.spec
    except UnknownPlatformError:
        return None


# -- the protocol, as a flow ---------------------------------------------------------


def publish_flow(
    adapter: PlatformAdapter,
    post: PlatformPost,
    *,
    idempotency_key: str | None = None,
    deadline: float = 600.0,
    now: Callable[[], float],
    max_reposts: int = 5,
) -> Flow[PublishReceipt]:
    """Publish ``post`` through ``adapter`` exactly once and follow it to a final state.

    ``deadline`` is in seconds from the start, read on ``now`` (the driver's clock).
    Raises :class:`~smmkit.exceptions.PublishTimeoutError` past the deadline and
    :class:`~smmkit.exceptions.APIError` when the platform reports the publish failed.
    ``Client.publish`` runs this flow for you; use it directly to compose a custom flow.

    Example:
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> clock = SimulatedClock()
        >>> sandbox = SandboxPlatform(clock=clock)
        >>> with sandbox.client() as client:
        ...     flow = publish_flow(client.adapter, sandbox.sample_post("hi"), now=clock.time)
        ...     receipt = client.run(flow)
        >>> receipt.status.value, sandbox.published_count
        ('published', 1)
    """
    started = now()
    _check_capabilities(adapter, post)
    key = idempotency_key or idempotency_key_for(post, account=adapter.account)

    handles: list[MediaHandle] = []
    if post.media and adapter.supports(Capability.UPLOAD_MEDIA):
        for asset in post.media:
            handle = yield from adapter.upload_media(asset)
            while handle.state is MediaState.PROCESSING:
                remaining = deadline - (now() - started)
                if remaining <= 0:
                    raise PublishTimeoutError(
                        f"media {handle.media_id} still processing after {deadline:g} s",
                        platform=adapter.platform_id,
                    )
                yield Wait(min(handle.poll_after or DEFAULT_POLL_SECONDS, remaining))
                handle = yield from adapter.media_status(handle)
            if handle.state is MediaState.FAILED:
                raise APIError(
                    f"media processing failed: {handle.detail or handle.media_id}",
                    platform=adapter.platform_id,
                )
            handles.append(handle)
    if handles:
        post = post.model_copy(
            update={"extras": {**post.extras, "media_ids": [h.media_id for h in handles]}}
        )

    receipt: PublishReceipt | None = None
    attempt = 0
    uncertain = False  # an earlier attempt may have published
    while receipt is None:
        attempt += 1
        try:
            receipt = yield from adapter.publish(post, idempotency_key=key)
        except DuplicateContentError:
            # A duplicate after an unknown outcome is our own earlier attempt.
            if not uncertain or adapter.idempotency is not IdempotencyMode.READ_BACK:
                raise
            receipt = yield from adapter.find_published(post, idempotency_key=key)
            if receipt is None:
                raise
        except PlatformError as exc:
            unknown = outcome_unknown(exc)
            uncertain = uncertain or unknown
            if unknown and attempt <= max_reposts:
                if adapter.idempotency in (IdempotencyMode.KEY, IdempotencyMode.DUPLICATE_CHECK):
                    continue  # the same key: the platform keeps at most one
                if adapter.idempotency is IdempotencyMode.READ_BACK:
                    receipt = yield from adapter.find_published(post, idempotency_key=key)
                    continue
            if uncertain:
                # Giving up after an attempt that may have gone through: look once more
                # (when the adapter can), else say plainly that the outcome is unknown.
                found = yield from _last_look(adapter, post, key)
                if found is not None:
                    receipt = found
                    continue
                mark_outcome_unknown(exc)
            raise

    status = receipt.status
    while not status.final:
        remaining = deadline - (now() - started)
        if remaining <= 0:
            raise PublishTimeoutError(
                f"post {receipt.post_id} still {status.value} after {deadline:g} s",
                platform=adapter.platform_id,
            )
        yield Wait(min(receipt.poll_after or DEFAULT_POLL_SECONDS, remaining))
        receipt = yield from adapter.publish_status(receipt)
        status = status.check_transition(receipt.status)
    if status is PublishStatus.FAILED:
        raise APIError(
            f"the platform reports the publish failed: {receipt.detail or receipt.post_id}",
            platform=adapter.platform_id,
        )
    return receipt


def _last_look(
    adapter: PlatformAdapter, post: PlatformPost, key: str
) -> Flow[PublishReceipt | None]:
    try:
        found = yield from adapter.find_published(post, idempotency_key=key)
    except PlatformError:
        return None  # the original error is the one to report
    return found


def mark_outcome_unknown(exc: PlatformError) -> None:
    """Flag ``exc`` as hiding a publish that may have happened (see ``outcome_unknown``)."""
    exc.outcome_unknown = True  # type: ignore[attr-defined]


def dry_run_result(adapter: PlatformAdapter, post: PlatformPost) -> PublishResult:
    """What a publish would meet: capability and catalog-limit problems, no I/O."""
    problems: list[str] = []
    missing = required_capabilities(post) - adapter.capabilities
    problems.extend(f"capability: {c.value} not supported" for c in sorted(missing, key=str))
    spec = _spec_or_none(adapter)
    if spec is not None:
        problems.extend(limit_problems(spec, post))
    return PublishResult(
        platform=adapter.name or adapter.platform_id,
        piece_id=post.piece_id,
        post=post,
        dry_run=True,
        problems=tuple(problems),
    )


def failed_result(
    adapter: PlatformAdapter, post: PlatformPost | None, exc: Exception, *, piece_id: str = ""
) -> PublishResult:
    """A failed result carrying ``exc`` (reported, not raised)."""
    return PublishResult(
        platform=adapter.name or adapter.platform_id,
        piece_id=post.piece_id if post is not None else piece_id,
        post=post,
        error=ErrorReport.from_exception(exc),
        exception=exc,
    )


def published_result(
    adapter: PlatformAdapter, post: PlatformPost, receipt: PublishReceipt
) -> PublishResult:
    """A successful result."""
    return PublishResult(
        platform=adapter.name or adapter.platform_id,
        piece_id=post.piece_id,
        post=post,
        receipt=receipt,
    )


# -- adaptation: the one call site ------------------------------------------------------


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
