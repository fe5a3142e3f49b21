"""The adapter contract: platform operations as generators that never do I/O.

An adapter describes *what* to send and how to read the answer. Each operation is a
generator (a :data:`Flow`) that yields :class:`httpx.Request` objects and receives the
:class:`httpx.Response` for each, then returns a typed result, the way httpx's
``Auth.auth_flow`` works. A flow may also yield :class:`Wait` to ask its driver for a
pause (polling media processing) and :class:`Now` to ask it for the time (adapters
have no clock of their own, so tests control time through the driver's clock).
:class:`~smmkit.platforms.Client` and :class:`~smmkit.platforms.AsyncClient` run the
same generator; they add the token, pacing, retries and error translation. When a
request fails for good, the driver throws the
:class:`~smmkit.exceptions.PlatformError` *into* the flow, so a flow can catch e.g.
``NotFoundError`` during a read-back.

A plugin author writes one adapter class and gets both clients; a flow can be stepped
by hand in a test without any transport::

    >>> import httpx
    >>> from smmkit.platforms.sandbox import SandboxAdapter
    >>> flow = SandboxAdapter().delete("42")
    >>> request = next(flow)
    >>> request.method, request.url.path
    ('DELETE', '/api/posts/42')
    >>> try:
    ...     flow.send(httpx.Response(204, request=request))
    ... except StopIteration as done:
    ...     print(done.value)
    None
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, ClassVar, NoReturn, TypeVar

import httpx

from smmkit._secrets import refuse_pickle
from smmkit.catalog import get_platform_spec
from smmkit.exceptions import (
    APIError,
    DuplicateContentError,
    InvalidInputError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    UnsupportedOperationError,
)
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.models.extras import PostExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._ratelimit import RequestRate
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MessageReceipt,
    PublishReceipt,
)

__all__ = [
    "Capability",
    "Flow",
    "IdempotencyMode",
    "Now",
    "PlatformAdapter",
    "Wait",
    "is_safe",
    "received_at",
]

T = TypeVar("T")

ENDPOINT = "smmkit.endpoint"
SAFE = "smmkit.safe"
RECEIVED_AT = "smmkit.received_at"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Wait:
    """Yielded by a flow to pause ``seconds`` on the driver's clock (e.g. between polls)."""

    seconds: float


@dataclass(frozen=True)
class Now:
    """Yielded by a flow to ask the time: the driver sends back an aware UTC datetime.

    The time comes from the driver's clock, so a flow stamped with it (a post's
    ``createdAt``, "yesterday" for daily metrics) is reproducible under a
    :class:`~smmkit.platforms.SimulatedClock`.

    Example:
        >>> from datetime import datetime, timezone
        >>> def stamp():
        ...     now = yield Now()
        ...     return now.isoformat()
        >>> flow = stamp()
        >>> isinstance(next(flow), Now)
        True
        >>> try:
        ...     flow.send(datetime(2026, 1, 1, tzinfo=timezone.utc))
        ... except StopIteration as done:
        ...     print(done.value)
        2026-01-01T00:00:00+00:00
    """


Flow = Generator["httpx.Request | Wait | Now", Any, T]
"""An operation: yields requests (or :class:`Wait`, :class:`Now`), receives answers, returns ``T``.

A request is answered with its :class:`httpx.Response`, :class:`Wait` with ``None`` and
:class:`Now` with an aware :class:`~datetime.datetime`.
"""


class Capability(str, Enum):
    """What an adapter can do; declared per adapter and checked by the conformance suite."""

    PUBLISH_TEXT = "publish_text"
    PUBLISH_IMAGE = "publish_image"
    PUBLISH_VIDEO = "publish_video"
    DELETE = "delete"
    METRICS = "metrics"
    COMMENTS = "comments"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    UPLOAD_MEDIA = "upload_media"


class IdempotencyMode(str, Enum):
    """How an adapter makes a publish safe to repeat after an unknown outcome."""

    KEY = "key"  # a key the platform dedups on, reused across retries (Mastodon)
    DUPLICATE_CHECK = "duplicate_check"  # the platform drops identical requests (WeCom)
    READ_BACK = "read_back"  # no mechanism: look for the post before posting again (X)
    NONE = "none"  # cannot tell: an unknown outcome is reported, never reposted


def is_safe(request: httpx.Request) -> bool:
    """Whether ``request`` may be sent twice without doing twice what it does.

    Reads, PUT and DELETE are safe; a POST is safe when it carries an
    ``Idempotency-Key`` or the adapter marked it safe.

    Example:
        >>> import httpx
        >>> is_safe(httpx.Request("POST", "https://h.example/statuses"))
        False
        >>> is_safe(httpx.Request("POST", "https://h.example/statuses",
        ...                       headers={"Idempotency-Key": "k1"}))
        True
    """
    require(request, "request", httpx.Request, "an httpx.Request")
    marked = request.extensions.get(SAFE)
    if marked is not None:
        return bool(marked)
    return request.method in _SAFE_METHODS or "idempotency-key" in request.headers


def received_at(response: httpx.Response) -> float:
    """When the driver received ``response``, in epoch seconds on the driver's clock.

    Adapters have no clock of their own; use this to turn ``expires_in`` into a time.

    Example:
        >>> import httpx
        >>> received_at(httpx.Response(200, extensions={RECEIVED_AT: 1700000000.0}))
        1700000000.0
    """
    require(response, "response", httpx.Response, "an httpx.Response")
    value = response.extensions.get(RECEIVED_AT)
    if value is None:
        raise InvalidInputError.single(
            "response", "was not received through a smmkit driver (no received-at time)"
        )
    return float(value)


def endpoint_of(request: httpx.Request) -> str:
    """The rate-limit endpoint name a request was marked with (``"default"`` if none)."""
    return str(request.extensions.get(ENDPOINT, "default"))


def lifetime(created: datetime, received: float) -> tuple[datetime, datetime]:
    """The period from a post's creation to ``received`` (epoch seconds), at least 1 s long.

    A creation time after the answer (clock skew between platform and driver) is
    clamped, so the period is never empty or reversed.

    Example:
        >>> from datetime import datetime, timezone
        >>> start, end = lifetime(datetime(2026, 1, 1, tzinfo=timezone.utc), 1767225600.0)
        >>> (end - start).total_seconds()
        1.0
    """
    end = datetime.fromtimestamp(received, timezone.utc)
    start = min(created, end)
    if end <= start:
        end = datetime.fromtimestamp(start.timestamp() + 1, timezone.utc)
    return start, end


def observations(
    counts: Mapping[str, float],
    *,
    platform: str,
    content_id: str,
    start: datetime,
    end: datetime,
) -> tuple[MetricObservation, ...]:
    """One :class:`~smmkit.models.MetricObservation` per entry of ``counts``, over one period.

    Example:
        >>> from datetime import datetime, timezone
        >>> start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> end = datetime(2026, 1, 2, tzinfo=timezone.utc)
        >>> [(o.metric, o.value) for o in observations(
        ...     {"likes": 3.0}, platform="mastodon", content_id="1", start=start, end=end)]
        [('likes', 3.0)]
    """
    return tuple(
        MetricObservation(
            metric=name,
            value=value,
            platform=platform,
            period_start=start,
            period_end=end,
            content_id=content_id,
        )
        for name, value in counts.items()
    )


class PlatformAdapter:
    """Base class of every platform adapter. Subclass, declare, implement flows.

    Class attributes declare the adapter: ``name`` (registry name), ``platform_id``
    (catalog id), ``capabilities``, ``idempotency``, ``requires_token`` and the
    platform's error codes (``throttle_codes`` become
    :class:`~smmkit.exceptions.RateLimitError` even in an HTTP 200 body, and so on).
    ``extras_model`` is the :class:`~smmkit.models.PostExtras` subclass that holds the
    platform's own post fields; the registry declares it for the platform, and the
    adapter reads a post's fields through ``post.extras_as(extras_model)``.
    ``min_schedule_lead`` is set by adapters of platforms that hold a post and publish it
    themselves at a later time (Mastodon's ``scheduled_at``): the shortest lead the
    platform accepts. Such an adapter reads the time from its extras model's
    ``scheduled_at`` field and answers with a ``pending`` receipt carrying
    ``scheduled_at`` (see :func:`smmkit.platforms.dispatch_due`).
    Operations the adapter does not declare raise
    :class:`~smmkit.exceptions.UnsupportedOperationError`. ``inbox_sources`` lists the
    inbox streams (mentions, comments, direct messages) :meth:`inbox_page` can read.

    Example:
        >>> from smmkit.platforms import Capability, PlatformAdapter
        >>> class Echo(PlatformAdapter):
        ...     name = platform_id = "mastodon"
        ...     default_base_url = "https://social.example"
        ...     capabilities = frozenset({Capability.PUBLISH_TEXT})
        >>> Echo().supports(Capability.DELETE)
        False
    """

    name: ClassVar[str] = ""
    platform_id: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    idempotency: ClassVar[IdempotencyMode] = IdempotencyMode.NONE
    requires_token: ClassVar[bool] = False
    throttle_codes: ClassVar[frozenset[str | int]] = frozenset()
    token_expired_codes: ClassVar[frozenset[str | int]] = frozenset()
    token_expired_statuses: ClassVar[frozenset[int]] = frozenset()
    duplicate_codes: ClassVar[frozenset[str | int]] = frozenset()
    busy_codes: ClassVar[frozenset[str | int]] = frozenset()
    permission_codes: ClassVar[frozenset[str | int]] = frozenset()
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "request-id")
    extras_model: ClassVar[type[PostExtras]] = PostExtras
    min_schedule_lead: ClassVar[timedelta | None] = None
    inbox_sources: ClassVar[frozenset[InboxSource]] = frozenset()

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
    ) -> None:
        if base_url is not None:
            require(base_url, "base_url", str, "a str (the API's base URL) or None")
        if credentials is not None:
            require(credentials, "credentials", Credentials, "Credentials or None")
        if spec is not None:
            require(spec, "spec", Platform, "a Platform spec or None")
        try:
            self.base_url = httpx.URL(base_url or self.default_base_url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidInputError.single("base_url", f"is not a URL: {exc}", base_url) from None
        base = str(self.base_url)
        self._base = base if base.endswith("/") else base + "/"
        self._origin = str(self.base_url.copy_with(path="/", query=None, fragment=None)).rstrip("/")
        self.credentials = credentials
        self._spec = spec

    @property
    def spec(self) -> Platform:
        """The catalog spec of this platform (or the one given to the constructor)."""
        if self._spec is None:
            self._spec = get_platform_spec(self.platform_id)
        return self._spec

    @property
    def publishes_to(self) -> str:
        """The platform id a post must have been adapted for to be published here.

        ``platform_id``, except for a simulator such as the sandbox, which publishes
        posts of the catalog spec it simulates.

        Example:
            >>> from smmkit.platforms.sandbox import SandboxAdapter
            >>> SandboxAdapter(spec="x").publishes_to
            'x'
        """
        return self._spec.id if self._spec is not None else self.platform_id

    @property
    def account(self) -> str:
        """The account this adapter acts for (keys tokens and rate limits)."""
        return self.credentials.account if self.credentials else "default"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, account={self.account!r})"

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds credentials")

    def supports(self, capability: Capability) -> bool:
        """True when the adapter declares ``capability``."""
        return capability in self.capabilities

    def default_rates(self) -> Mapping[str, RequestRate]:
        """Pacing rates per endpoint name; default: the catalog's documented limits."""
        try:
            hints = self.spec.rate_limits
        except Exception:  # a plugin platform that is not in the catalog
            return {}
        return {
            h.name: RequestRate(limit=h.limit, per_seconds=h.per_seconds) for h in hints if h.limit
        }

    # -- building requests ---------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str = "default",
        safe: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Request:
        """A request to ``path`` under ``base_url``, marked with its rate-limit ``endpoint``.

        ``"/api/posts"`` is relative to the host, ``"token"`` to ``base_url`` (which is
        treated as a directory), a full URL is used as it is.

        ``safe=True`` marks a POST that may be repeated (a query disguised as a POST);
        by default GET/PUT/DELETE and requests with an ``Idempotency-Key`` are safe.
        """
        # String joins: httpx.URL.join re-parses both URLs on every request.
        if path.startswith(("https://", "http://")):
            url = path
        elif path.startswith("/"):
            url = self._origin + path
        else:
            url = self._base + path
        extensions: dict[str, Any] = {ENDPOINT: endpoint}
        if safe is not None:
            extensions[SAFE] = safe
        return httpx.Request(method, url, extensions=extensions, **kwargs)

    # -- authentication -----------------------------------------------------------

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """Put ``token`` on ``request``; default: an ``Authorization: Bearer`` header.

        Platforms that take the token in the query (WeChat ``access_token=``) return a
        new request instead; errors and logs only ever show redacted URLs.
        """
        request.headers["Authorization"] = f"Bearer {token.access_token.get_secret_value()}"
        return request

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """Get a new token (refresh ``current`` when it has a refresh token)."""
        return self._unsupported("fetch_token")

    # -- reading errors -----------------------------------------------------------

    def error_code(self, response: httpx.Response) -> str | int | None:
        """The platform's own error code in ``response``, or ``None`` (success or none).

        The default reads a JSON object's non-zero ``errcode`` (WeChat, WeCom), else
        its ``error`` when it is a string (Mastodon, Bluesky, the sandbox).
        """
        body = _json_object(response)
        if body is None:
            return None
        errcode = body.get("errcode")
        if isinstance(errcode, int) and errcode != 0:
            return errcode
        error = body.get("error")
        if isinstance(error, str) and response.status_code >= 400:
            return error
        return None

    def error_message(self, response: httpx.Response) -> str:
        """A short human message from an error response (never a header)."""
        body = _json_object(response) or {}
        for key in ("errmsg", "error_description", "message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
        return response.reason_phrase or f"HTTP {response.status_code}"

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """What went wrong, or ``None`` for a success; used by the drivers' translation.

        Declared codes win over the HTTP status, so WeChat's 45009 in an HTTP 200 body
        is a :class:`~smmkit.exceptions.RateLimitError`.
        """
        code = self.error_code(response)
        status = response.status_code
        if code is None and status < 400:
            return None
        message = self.error_message(response)
        if code is not None:
            for codes, kind in (
                (self.throttle_codes, RateLimitError),
                (self.token_expired_codes, TokenExpiredError),
                (self.duplicate_codes, DuplicateContentError),
                (self.busy_codes, ServerError),
                (self.permission_codes, PermissionDeniedError),
            ):
                if code in codes:
                    return ErrorInfo(kind, message, code=code)
        if status in self.token_expired_statuses:
            return ErrorInfo(TokenExpiredError, message, code=code)
        return ErrorInfo(status_error(status) or APIError, message, code=code)

    # -- operations (override the ones you declare) ---------------------------------

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Publish ``post``; carry ``idempotency_key`` when the platform supports one."""
        return self._unsupported(Capability.PUBLISH_TEXT.value)

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the receipt of ``post`` if it is already on the platform, else ``None``.

        Needed by ``IdempotencyMode.READ_BACK`` adapters; called before a repost.
        """
        return self._unsupported("find_published")

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """The current status of an asynchronous publish."""
        return self._unsupported("publish_status")

    def delete(self, post_id: str) -> Flow[None]:
        """Delete a post."""
        return self._unsupported(Capability.DELETE.value)

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Engagement numbers of a post."""
        return self._unsupported(Capability.METRICS.value)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Comments under a post."""
        return self._unsupported(Capability.COMMENTS.value)

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Reply to a comment."""
        return self._unsupported(Capability.REPLY.value)

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """Send a direct message."""
        return self._unsupported(Capability.DIRECT_MESSAGE.value)

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """Upload one media item (it may still be processing when this returns)."""
        return self._unsupported(Capability.UPLOAD_MEDIA.value)

    def media_status(self, handle: MediaHandle) -> Flow[MediaHandle]:
        """The processing state of uploaded media."""
        return self._unsupported("media_status")

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One page of ``source`` after ``cursor`` (``None``: from the oldest the API serves).

        Adapters declare what they can read in ``inbox_sources``; see
        :mod:`smmkit.platforms._listening` for the cursor contract.
        """
        raise UnsupportedOperationError(
            f"{type(self).__name__} cannot read {InboxSource(source).value} on "
            f"{self.platform_id}: the platform's API does not give them to an app",
            platform=self.platform_id,
        )
        yield  # pragma: no cover  (makes this a generator: the error surfaces when driven)

    def _unsupported(self, operation: str) -> Flow[Any]:
        raise UnsupportedOperationError(
            f"{type(self).__name__} does not support {operation}", platform=self.platform_id
        )
        yield  # pragma: no cover  (makes this a generator: the error surfaces when driven)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    if not response.content:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
