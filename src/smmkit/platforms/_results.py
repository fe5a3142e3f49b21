"""What platform operations return: receipts, media handles, comments, and the
per-post results of a publish (:class:`PublishResult`, :class:`BatchResult`).

These are values (frozen models), shared by the adapters, the publish flow, the drivers
and :class:`~smmkit.platforms.Publisher`; they import nothing from those layers.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    IllegalTransitionError,
    InvalidInputError,
    PlatformError,
    PublishTimeoutError,
    RateLimitError,
    ServerError,
    SmmkitError,
    TokenUnavailableError,
    TransportError,
)
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.audience import Interaction, InteractionKind
from smmkit.models.content import MediaKind, PlatformPost
from smmkit.platforms._errors import outcome_unknown

__all__ = [
    "BatchResult",
    "Comment",
    "ErrorReport",
    "MediaHandle",
    "MediaState",
    "MessageReceipt",
    "PublishReceipt",
    "PublishResult",
    "PublishStatus",
]


class PublishStatus(str, Enum):
    """Where a publish is: pending → processing → published / failed."""

    PENDING = "pending"
    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        """True for ``published`` and ``failed``."""
        return self in (PublishStatus.PUBLISHED, PublishStatus.FAILED)

    def check_transition(self, target: PublishStatus) -> PublishStatus:
        """Return ``target`` if the status machine allows it from here, else raise.

        Example:
            >>> PublishStatus.PROCESSING.check_transition(PublishStatus.PUBLISHED).value
            'published'
            >>> try:
            ...     PublishStatus.PUBLISHED.check_transition(PublishStatus.PROCESSING)
            ... except IllegalTransitionError as exc:
            ...     print(exc.current, exc.allowed)
            published ()
        """
        allowed = _TRANSITIONS[self]
        if target not in allowed:
            raise IllegalTransitionError(self.value, target.value, [s.value for s in allowed])
        return target


_TRANSITIONS: dict[PublishStatus, tuple[PublishStatus, ...]] = {
    PublishStatus.PENDING: (
        PublishStatus.PENDING,
        PublishStatus.PROCESSING,
        PublishStatus.PUBLISHED,
        PublishStatus.FAILED,
    ),
    PublishStatus.PROCESSING: (
        PublishStatus.PROCESSING,
        PublishStatus.PUBLISHED,
        PublishStatus.FAILED,
    ),
    PublishStatus.PUBLISHED: (),
    PublishStatus.FAILED: (),
}


class PublishReceipt(SmmkitModel):
    """What the platform said about a publish: its id, status and where to see it.

    ``poll_after`` is the adapter's hint (seconds) for when to ask again while the
    status is not final. ``post_id`` is the one id smmkit needs afterwards (delete,
    metrics, comments); ``platform_ids`` keeps every id the platform handed out by its
    own name (WeChat's ``publish_id``, ``msg_data_id`` and ``article_id``), for callers
    that talk to the platform's other tools. ``scheduled_at`` is set when the platform
    holds the post to publish it itself at that time (Mastodon's scheduled statuses):
    the status stays ``pending`` and ``post_id`` is the id of the scheduled post.

    Example:
        >>> receipt = PublishReceipt(platform="wechat_oa", post_id="Art_1|2247483650",
        ...     status="published", platform_ids={"article_id": "Art_1"})
        >>> receipt.platform_ids["article_id"]
        'Art_1'
    """

    platform: str
    post_id: str | None = None
    platform_ids: dict[str, str] = Field(default_factory=dict)
    status: PublishStatus
    url: str | None = None
    idempotency_key: str | None = None
    published_at: AwareDatetime | None = None
    poll_after: float | None = Field(default=None, ge=0)
    detail: str | None = None
    scheduled_at: AwareDatetime | None = None


class MediaState(str, Enum):
    """Processing state of uploaded media."""

    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MediaHandle(SmmkitModel):
    """An uploaded media item; post it only once ``state`` is ``ready``."""

    platform: str
    media_id: str
    kind: MediaKind
    state: MediaState
    poll_after: float | None = Field(default=None, ge=0)
    detail: str | None = None


class Comment(SmmkitModel):
    """A comment (or a reply) under a post."""

    platform: str
    id: str
    post_id: str
    author_id: str
    text: str
    created_at: AwareDatetime
    in_reply_to: str | None = None

    def to_interaction(self) -> Interaction:
        """The comment as an audience :class:`~smmkit.models.Interaction`."""
        return Interaction(
            user_id=self.author_id,
            kind=InteractionKind.COMMENT,
            at=self.created_at,
            platform=self.platform,
            content_id=self.post_id,
        )


class MessageReceipt(SmmkitModel):
    """A direct message the platform accepted."""

    platform: str
    message_id: str
    recipient: str


class ErrorReport(SmmkitModel):
    """A failure as data: which error, what it said, and what a retry might do.

    ``delivered`` lists the ids of the parts of the post that went live before the
    failure (a thread's first statuses, WeCom's text before its image), whatever the
    failure was (a refusal, an outage, a lost answer): they are out there, to recall
    with ``delete`` or to report. ``outcome_unknown`` says the post (or its next part)
    may be live although no answer said so; ``False`` means it certainly is not.
    ``fields`` names the fields of an input error
    (:class:`~smmkit.exceptions.InvalidInputError`), e.g. ``('body',)``.

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
    fields: tuple[str, ...] = ()

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorReport:
        """Describe ``exc`` (messages of smmkit errors never contain credentials)."""
        retry_after = exc.retry_after if isinstance(exc, (RateLimitError, ServerError)) else None
        # Worth trying again later: throttling, outages (of the token endpoint too), lost
        # answers, slow processing, and any outcome that is unknown: a retry reads back or
        # resends its idempotency key (see outcome_unknown before retrying blindly).
        retryable = isinstance(
            exc,
            (
                RateLimitError,
                ServerError,
                TransportError,
                PublishTimeoutError,
                TokenUnavailableError,
            ),
        ) or outcome_unknown(exc)
        # A foreign exception's message is not ours to vouch for (it may quote a request
        # or a body); the exception itself stays on the result for raise_for_error().
        message = str(exc) if isinstance(exc, SmmkitError) else f"unexpected {type(exc).__name__}"
        if not isinstance(exc, PlatformError):
            fields = exc.fields if isinstance(exc, InvalidInputError) else ()
            return cls(
                error_type=type(exc).__name__, message=message, retryable=retryable, fields=fields
            )
        return cls(
            error_type=type(exc).__name__,
            message=message,
            platform=exc.platform,
            status=exc.status,
            code=None if exc.code is None else str(exc.code),
            request_id=exc.request_id,
            retry_after=retry_after,
            retryable=retryable,
            outcome_unknown=outcome_unknown(exc),
            delivered=exc.delivered,
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

    @property
    def scheduled(self) -> bool:
        """True when the platform accepted the post to publish it later itself
        (``receipt.scheduled_at``); ``ok`` stays false until it is live."""
        receipt = self.receipt
        return self.error is None and receipt is not None and receipt.scheduled_at is not None

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
