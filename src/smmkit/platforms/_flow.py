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

This module is the flow and its pure helpers; the drivers run it
(:meth:`Client.publish <smmkit.platforms.Client.publish>`) and
:class:`~smmkit.platforms.Publisher` sits above the drivers.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from smmkit.exceptions import (
    APIError,
    DuplicateContentError,
    InvalidInputError,
    PlatformError,
    PlatformMismatchError,
    PublishTimeoutError,
    SmmkitError,
    UnknownPlatformError,
    UnsupportedOperationError,
)
from smmkit.models.content import MediaKind, PlatformPost
from smmkit.models.platform import ContentFormat, Platform
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    PlatformAdapter,
    Wait,
)
from smmkit.platforms._checks import require
from smmkit.platforms._errors import mark_delivered, mark_outcome_unknown, outcome_unknown
from smmkit.platforms._results import (
    ErrorReport,
    MediaHandle,
    MediaState,
    PublishReceipt,
    PublishResult,
    PublishStatus,
)
from smmkit.platforms._retry import RetryBudget
from smmkit.platforms._translate import unexpected_answer
from smmkit.text import count_length
from smmkit.text._checks import require_text

__all__ = [
    "dry_run_result",
    "empty_body_error",
    "failed_result",
    "idempotency_key_for",
    "limit_problems",
    "publish_flow",
    "published_result",
    "required_capabilities",
    "text_length",
]

DEFAULT_POLL_SECONDS = 5.0

T = TypeVar("T")
_PARSE_ERRORS = (LookupError, ValueError, TypeError, AttributeError)

# Formats in which a post may be media alone (a photo, a clip): the catalog's answer to
# "does this platform take a post without text?".
_MEDIA_ONLY_FORMATS = frozenset(
    {ContentFormat.IMAGE, ContentFormat.VIDEO, ContentFormat.SHORT_VIDEO}
)
# Extras fields that carry the content instead of the body (WeChat OA's article HTML,
# WeCom's news, text cards and template cards).
_CONTENT_EXTRAS = ("content_html", "articles", "textcard", "template_card")


def idempotency_key_for(post: PlatformPost, *, account: str = "default") -> str:
    """A key derived from the post itself, so a re-run of a batch after a crash sends the
    same key: safe where the platform keeps keys, checks duplicates or names the post by
    it (Mastodon, WeCom, Bluesky; see docs/clients.md).

    Example:
        >>> post = PlatformPost(platform="mastodon", piece_id="p1", body="hi")
        >>> idempotency_key_for(post) == idempotency_key_for(post)
        True
        >>> len(idempotency_key_for(post))
        32
    """
    require(post, "post", PlatformPost, "a PlatformPost")
    require_text(account, "account")
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
    require(spec, "spec", Platform, "a Platform spec")
    require(post, "post", PlatformPost, "a PlatformPost")
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


def _blank(text: str) -> bool:
    # Whitespace (str.isspace: ASCII, NBSP, the ideographic space...) and format
    # characters (Cf: U+200B, U+2060, U+FEFF...) show nothing.
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def empty_body_error(adapter: PlatformAdapter, post: PlatformPost) -> InvalidInputError | None:
    """The error for a post with nothing to say, else ``None``.

    A body (and every thread part) that is empty, or only whitespace and invisible
    format characters (zero-width spaces, joiners, byte-order marks), is refused, unless
    the post carries its content elsewhere: media on a platform whose catalog formats
    take media alone (image, video, short video: Mastodon, X, Instagram, Douyin...; not
    WeChat OA), or extras holding the content (``content_html``, WeCom ``articles``,
    ``textcard``, ``template_card``). A platform without a catalog spec takes media alone.

    Example:
        >>> from smmkit.models import MediaAsset
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> blank = PlatformPost(platform="mastodon", piece_id="p", body="   ")
        >>> empty_body_error(SandboxAdapter(), blank).fields
        ('body',)
        >>> photo = blank.model_copy(update={"media": (MediaAsset(kind="image",
        ...     url="https://cdn.example/tea.png"),)})
        >>> empty_body_error(SandboxAdapter(), photo) is None
        True
        >>> empty_body_error(SandboxAdapter(spec="wechat_oa"),
        ...     photo.model_copy(update={"platform": "wechat_oa"})).fields
        ('body',)
    """
    if not _blank(post.body) or any(not _blank(part) for part in post.parts):
        return None
    if any(getattr(post.extras, name, None) for name in _CONTENT_EXTRAS):
        return None
    if not post.media:
        return InvalidInputError.single(
            "body", "is empty (or only whitespace): there is nothing to publish", post.body
        )
    spec = _spec_or_none(adapter)
    if spec is None or _MEDIA_ONLY_FORMATS & set(spec.formats):
        return None
    return InvalidInputError.single(
        "body", f"is empty: {spec.id} does not take a post of media alone", post.body
    )


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


def publish_flow(
    adapter: PlatformAdapter,
    post: PlatformPost,
    *,
    idempotency_key: str | None = None,
    deadline: float = 600.0,
    now: Callable[[], float],
    max_reposts: int = 5,
    budget: RetryBudget | None = None,
) -> Flow[PublishReceipt]:
    """Publish ``post`` through ``adapter`` exactly once and follow it to a final state.

    ``deadline`` is in seconds from the start, read on ``now`` (the driver's clock).
    Raises :class:`~smmkit.exceptions.PublishTimeoutError` past the deadline,
    :class:`~smmkit.exceptions.APIError` when the platform reports the publish failed
    and :class:`~smmkit.exceptions.InvalidInputError` for an empty post
    (:func:`empty_body_error`). A receipt with ``scheduled_at`` (the platform holds the
    post for later) is returned as it is, still ``pending``.
    ``Client.publish`` runs this flow for you; use it directly to compose a custom flow.

    What a failure says: an answer of an unexpected form to the create (a 2xx the
    adapter cannot read) is an :class:`~smmkit.exceptions.APIError` with
    ``outcome_unknown``, handled like a lost answer (read back, or the same key again);
    ``delivered`` lists every part of the post that went live in any attempt. Re-posts
    after an unknown outcome take a retry from ``budget`` (the driver's
    :class:`~smmkit.platforms.RetryBudget` for this publish, shared with its requests'
    retries) or, without one, stop after ``max_reposts``.

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
    require(adapter, "adapter", PlatformAdapter, "a PlatformAdapter (an adapter instance)")
    require(post, "post", PlatformPost, "a PlatformPost (adapt the piece first)")
    started = now()
    check_platform(adapter, post)
    empty = empty_body_error(adapter, post)
    if empty is not None:
        raise empty
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
        post = post.with_extras(media_ids=tuple(h.media_id for h in handles))

    live: list[str] = []  # parts any attempt saw go live (a thread's first statuses)
    try:
        receipt = yield from _create(
            adapter, post, key, live=live, max_reposts=max_reposts, budget=budget
        )
    except PlatformError as exc:
        mark_delivered(exc, live)  # an outage of a later attempt still lists them
        raise

    status = receipt.status
    # A post the platform holds for later (native scheduling) is not followed: it will
    # not change before its time.
    while not status.final and receipt.scheduled_at is None:
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


def _create(
    adapter: PlatformAdapter,
    post: PlatformPost,
    key: str,
    *,
    live: list[str],
    max_reposts: int,
    budget: RetryBudget | None,
) -> Flow[PublishReceipt]:
    """The create step: publish, and after an unknown outcome read back or resend the key."""
    receipt: PublishReceipt | None = None
    attempt = 0
    uncertain = False  # an earlier attempt may have published
    reposts = adapter.idempotency in (
        IdempotencyMode.KEY,
        IdempotencyMode.DUPLICATE_CHECK,
        IdempotencyMode.READ_BACK,
    )
    while receipt is None:
        attempt += 1
        try:
            try:
                receipt = yield from _reading_answers(
                    adapter, adapter.publish(post, idempotency_key=key)
                )
            except PlatformError as exc:
                live.extend(p for p in exc.delivered if p not in live)
                raise
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
            if (
                unknown
                and reposts
                and attempt <= max_reposts
                and (budget is None or budget.take(0.0))
            ):
                if adapter.idempotency is IdempotencyMode.READ_BACK:
                    receipt = yield from adapter.find_published(post, idempotency_key=key)
                continue  # with the same key: the platform keeps at most one
            if uncertain:
                # Giving up after an attempt that may have gone through: look once more
                # (when the adapter can), else say plainly that the outcome is unknown.
                found = yield from _last_look(adapter, post, key)
                if found is not None:
                    receipt = found
                    continue
                mark_outcome_unknown(exc)
            raise
    return receipt


def _reading_answers(adapter: PlatformAdapter, flow: Flow[T]) -> Flow[T]:
    """``flow``, with an answer it cannot read raised *inside* the publish flow.

    An adapter reading an answer of an unexpected form raises ``KeyError``,
    ``ValueError``, ``TypeError`` or ``AttributeError``; that becomes
    :func:`~smmkit.platforms._translate.unexpected_answer`'s error here, where the
    publish protocol can still read back (a 2xx means the post may be live), instead of
    ending the flow. Errors before the first request (input checks) pass unchanged.
    """
    item = next(flow)
    while True:
        try:
            sent: Any = yield item
        except GeneratorExit:
            flow.close()
            raise
        except BaseException as exc:  # a driver's error for the request: the flow's to handle
            try:
                item = flow.throw(exc)
            except StopIteration as done:
                result: T = done.value
                return result
            continue
        failed: PlatformError
        try:
            item = flow.send(sent)
            continue
        except StopIteration as done:
            result = done.value
            return result
        except SmmkitError:
            raise
        except _PARSE_ERRORS as exc:
            if not isinstance(sent, httpx.Response):
                raise
            failed = unexpected_answer(
                exc,
                sent.request,
                sent,
                platform=adapter.platform_id,
                request_id_headers=adapter.request_id_headers,
            )
        raise failed  # outside the handler: the parse error may hold the body


def _last_look(
    adapter: PlatformAdapter, post: PlatformPost, key: str
) -> Flow[PublishReceipt | None]:
    try:
        found = yield from adapter.find_published(post, idempotency_key=key)
    except PlatformError:
        return None  # the original error is the one to report
    return found


def platform_mismatch(adapter: PlatformAdapter, post: object) -> PlatformMismatchError | None:
    """The error for publishing ``post`` through ``adapter``, if it was not adapted for it.

    A :class:`~smmkit.models.PlatformPost` names the platform it was adapted for; it
    must be the one the adapter publishes to (``adapter.publishes_to``: the platform
    id, or the spec a sandbox simulates). Anything else, a bare
    :class:`~smmkit.models.ContentPiece` included, is refused.

    Example:
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> adapter = SandboxAdapter(spec="mastodon")
        >>> weibo = PlatformPost(platform="weibo", piece_id="p", body="#话题# hi")
        >>> platform_mismatch(adapter, weibo).fields
        ('platform',)
        >>> platform_mismatch(adapter, weibo.model_copy(update={"platform": "mastodon"}))
    """
    target = adapter.publishes_to
    if isinstance(post, PlatformPost):
        if post.platform == target:
            return None
        return PlatformMismatchError(
            post_platform=post.platform, client_platform=target, piece_id=post.piece_id
        )
    piece_id = getattr(post, "id", None)
    return PlatformMismatchError(
        post_platform=None,
        client_platform=target,
        piece_id=piece_id if isinstance(piece_id, str) else None,
    )


def check_platform(adapter: PlatformAdapter, post: object) -> None:
    """Raise :class:`~smmkit.exceptions.PlatformMismatchError` unless ``post`` was
    adapted for the platform ``adapter`` publishes to (see :func:`platform_mismatch`).

    Example:
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> check_platform(SandboxAdapter(spec="x"), PlatformPost(platform="x", piece_id="p",
        ...                                                       body="hi"))
    """
    mismatch = platform_mismatch(adapter, post)
    if mismatch is not None:
        raise mismatch


def refused_result(
    adapter: PlatformAdapter, post: object, *, dry_run: bool
) -> PublishResult | None:
    """The result for a post the adapter must refuse (wrong platform, not a post, or,
    outside a dry run, an empty body: :func:`empty_body_error`), else ``None``: a failed
    result, or for a dry run one that lists the problem.

    Example:
        >>> from smmkit import ContentPiece
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> result = refused_result(SandboxAdapter(), ContentPiece(id="p1", body="hi"),
        ...                         dry_run=False)
        >>> result.ok, result.piece_id, result.error.error_type
        (False, 'p1', 'PlatformMismatchError')
    """
    mismatch = platform_mismatch(adapter, post)
    if mismatch is None:
        if dry_run or not isinstance(post, PlatformPost):
            return None  # a dry run lists an empty body among its problems
        empty = empty_body_error(adapter, post)
        return None if empty is None else failed_result(adapter, post, empty)
    checked = post if isinstance(post, PlatformPost) else None
    piece_id = mismatch.piece_id or ""
    if dry_run:
        return PublishResult(
            platform=adapter.name or adapter.platform_id,
            piece_id=piece_id,
            post=checked,
            dry_run=True,
            problems=(str(mismatch),),
        )
    return failed_result(adapter, checked, mismatch, piece_id=piece_id)


def dry_run_result(adapter: PlatformAdapter, post: PlatformPost) -> PublishResult:
    """What a publish would meet: platform, capability and catalog-limit problems, no I/O."""
    refused = refused_result(adapter, post, dry_run=True)
    if refused is not None:
        return refused
    problems: list[str] = []
    empty = empty_body_error(adapter, post)
    if empty is not None:
        problems.append(str(empty))
    missing = required_capabilities(post) - adapter.capabilities
    problems.extend(f"capability: {c.value} not supported" for c in sorted(missing, key=str))
    spec = _spec_or_none(adapter)
    if spec is not None:
        problems.extend(limit_problems(spec, post))
    own = getattr(adapter, "post_problems", None)  # an adapter's own rules (Weibo's share)
    if callable(own):
        problems.extend(p for p in own(post) if p not in problems)
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
