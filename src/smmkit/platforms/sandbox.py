"""An offline simulated platform: the sandbox's adapter, and the facade that wires it
to its fake server.

:class:`SandboxPlatform` is a small social network living in memory. It is an
``httpx.BaseTransport`` *and* an ``httpx.AsyncBaseTransport``, so the real drivers,
retries, token refresh and rate limiter run against it unchanged; only the network is
missing. It is the default in the demo, the docs and the tests because it is
deterministic (a seeded random generator and a :class:`SimulatedClock` shared with
the client: a ``Retry-After: 30`` is honoured and costs nothing) and because it counts
what was *actually* published on the server side, which is what an exactly-once test
must look at.

The server (state, routing, rate limits, injected faults: see
``smmkit.platforms._sandbox_server``) knows nothing of the client side;
:class:`SandboxAdapter` (the reference adapter to copy) knows nothing of the server but
its address. :class:`SandboxPlatform` is the server plus what a test needs to talk to it:
credentials, an adapter, a :class:`Client` or an :class:`AsyncClient` on its clock.

Faults are injected by a :class:`FaultPlan` in the vocabulary of :class:`FaultKind`, the
one ``smmkit.testing.FaultInjectingTransport`` speaks too: 429 storms, 5xx, timeouts,
connection resets, refused connections and token revocation, before or *after* the write
was applied.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

import httpx

from smmkit.catalog import resolve_platform
from smmkit.exceptions import BadRequestError, InvalidInputError
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    PlatformAdapter,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token, TokenStore
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._faults import FaultKind, FaultPlan, Storm
from smmkit.platforms._ratelimit import RateLimiter, RequestRate
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    MessageReceipt,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._retry import RetryPolicy
from smmkit.platforms._sandbox_server import SANDBOX_URL, SandboxPost, SandboxServer
from smmkit.platforms._translate import read_answer

__all__ = [
    "FaultKind",
    "FaultPlan",
    "SandboxAdapter",
    "SandboxPlatform",
    "SandboxPost",
    "SandboxReadBackAdapter",
    "Storm",
]

_ALL_CAPABILITIES = frozenset(Capability)


class SandboxAdapter(PlatformAdapter):
    """The adapter for :class:`SandboxPlatform`; also the reference adapter to copy.

    It uses an ``Idempotency-Key`` header like Mastodon, so retries after an unknown
    outcome are safe; :class:`SandboxReadBackAdapter` shows the read-back protocol.

    Example:
        >>> adapter = SandboxAdapter()
        >>> sorted(c.value for c in adapter.capabilities)[:3]
        ['comments', 'delete', 'direct_message']
        >>> request = next(adapter.publish(PlatformPost(platform="mastodon", piece_id="p",
        ...                                             body="hi"), idempotency_key="k1"))
        >>> request.headers["Idempotency-Key"]
        'k1'
    """

    name = "sandbox"
    platform_id = "sandbox"
    default_base_url = SANDBOX_URL
    capabilities = _ALL_CAPABILITIES
    idempotency = IdempotencyMode.KEY
    requires_token = True
    throttle_codes = frozenset({"rate_limited"})
    token_expired_codes = frozenset({"token_expired"})
    duplicate_codes = frozenset({"duplicate"})
    busy_codes = frozenset({"busy"})
    inbox_sources = frozenset(InboxSource)
    inbox_page_size = 20

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | str = "mastodon",
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=resolve_platform(spec))

    def default_rates(self) -> dict[str, RequestRate]:
        """No client-side pacing by default; pass a ``RateLimiter`` to pace."""
        return {}

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """Client credentials, or the refresh token when there is one."""
        if self.credentials is None:
            return self._unsupported("fetch_token without credentials")
        return self._fetch_token(self.credentials, current)

    def _fetch_token(self, creds: Credentials, current: Token | None) -> Flow[Token]:
        form = {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        }
        refresh = (current.refresh_token if current else None) or creds.refresh_token
        if refresh is None:
            response = yield self.request(
                "POST", "/oauth/token", endpoint="token", safe=True, data=form
            )
        else:
            try:
                response = yield self.request(
                    "POST",
                    "/oauth/token",
                    endpoint="token",
                    safe=True,
                    data={
                        **form,
                        "grant_type": "refresh_token",
                        "refresh_token": refresh.get_secret_value(),
                    },
                )
            except BadRequestError as exc:
                if exc.code != "invalid_grant":
                    raise
                # The refresh token is used up (a rotation whose answer was lost, or a
                # revocation): the app's own credentials still get a token.
                response = yield self.request(
                    "POST", "/oauth/token", endpoint="token", safe=True, data=form
                )
        body = response.json()
        expires_in = float(body.get("expires_in") or 0)
        return Token(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            expires_at=None if not expires_in else _expiry(response, expires_in),
        )

    def _receipt(self, body: dict[str, Any], key: str | None = None) -> PublishReceipt:
        status = PublishStatus(body["status"])
        return PublishReceipt(
            platform=self.platform_id,
            post_id=body["id"],
            status=status,
            url=body.get("url"),
            idempotency_key=key,
            published_at=(
                datetime.fromtimestamp(body["created_at"], tz=timezone.utc)
                if status is PublishStatus.PUBLISHED
                else None
            ),
            poll_after=None if status.final else 5.0,
        )

    def _publish_request(self, post: PlatformPost, key: str | None) -> httpx.Request:
        payload: dict[str, Any] = {
            "text": post.body if not post.parts else post.parts[0],
            "title": post.title,
            "media_ids": list(post.extras.media_ids),
            "client_ref": key,
        }
        headers = (
            {"Idempotency-Key": key} if key and self.idempotency is IdempotencyMode.KEY else {}
        )
        return self.request(
            "POST", "/api/posts", endpoint="statuses", json=payload, headers=headers
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST /api/posts`` with an ``Idempotency-Key``.

        An answer in another form raises an unknown outcome (the post may be live).
        """
        response = yield self._publish_request(post, idempotency_key)
        return read_answer(self, response, lambda r: self._receipt(r.json(), idempotency_key))

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """``GET /api/posts?client_ref=…``: was this post already published?"""
        params = {"client_ref": idempotency_key} if idempotency_key else {"text": post.body}
        response = yield self.request("GET", "/api/posts", endpoint="read", params=params)
        posts = response.json()["posts"]
        return self._receipt(posts[0], idempotency_key) if posts else None

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """``GET /api/posts/{id}``."""
        response = yield self.request("GET", f"/api/posts/{receipt.post_id}", endpoint="read")
        return self._receipt(response.json(), receipt.idempotency_key)

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /api/posts/{id}``."""
        yield self.request("DELETE", f"/api/posts/{post_id}", endpoint="statuses")

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """``GET /api/posts/{id}/metrics`` as one observation per metric."""
        response = yield self.request("GET", f"/api/posts/{post_id}/metrics", endpoint="read")
        body = response.json()
        start = datetime.fromtimestamp(body["period_start"], tz=timezone.utc)
        end = datetime.fromtimestamp(body["period_end"], tz=timezone.utc)
        counts = {name: body[name] for name in ("impressions", "likes", "comments", "shares")}
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """``GET /api/posts/{id}/comments``."""
        response = yield self.request("GET", f"/api/posts/{post_id}/comments", endpoint="read")
        return tuple(self._comment(post_id, c) for c in response.json()["comments"])

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """``GET /api/inbox/{source}?after=…``, oldest first; the cursor: the last item's number."""
        response = yield self.request(
            "GET",
            f"/api/inbox/{InboxSource(source).value}",
            endpoint="read",
            params={"after": cursor or "0", "limit": self.inbox_page_size},
        )
        body = response.json()
        events = tuple(self._inbox_event(item) for item in body["events"])
        last = str(body["events"][-1]["seq"]) if body["events"] else cursor
        return InboxPage(source=source, events=events, cursor=last, more=bool(body["more"]))

    def _inbox_event(self, item: dict[str, Any]) -> InboxEvent:
        return InboxEvent(
            platform=self.spec.id,
            kind=InboxKind(item["kind"]),
            event_id=item["id"],
            author_id=item["author"],
            text=item["text"],
            at=datetime.fromtimestamp(item["created_at"], tz=timezone.utc),
            post_id=item.get("post_id"),
            thread_id=item.get("post_id"),
            parent_id=item.get("in_reply_to") or item.get("post_id"),
        )

    def _comment(self, post_id: str, body: dict[str, Any]) -> Comment:
        return Comment(
            platform=self.spec.id,
            id=body["id"],
            post_id=post_id,
            author_id=body["author"],
            text=body["text"],
            created_at=datetime.fromtimestamp(body["created_at"], tz=timezone.utc),
            in_reply_to=body.get("in_reply_to"),
        )

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``POST /api/posts/{id}/comments/{cid}/replies``."""
        response = yield self.request(
            "POST",
            f"/api/posts/{post_id}/comments/{comment_id}/replies",
            endpoint="statuses",
            json={"text": text},
        )
        return self._comment(post_id, response.json())

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """``POST /api/messages``."""
        response = yield self.request(
            "POST", "/api/messages", endpoint="messages", json={"to": recipient, "text": text}
        )
        body = response.json()
        return MessageReceipt(platform=self.spec.id, message_id=body["id"], recipient=body["to"])

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """``POST /api/media``; marked safe: a duplicate upload is an unused orphan, not a post."""
        response = yield self.request(
            "POST",
            "/api/media",
            endpoint="media",
            safe=True,
            json=asset.model_dump(mode="json", exclude_none=True),
        )
        return self._handle(response.json(), asset.kind)

    def media_status(self, handle: MediaHandle) -> Flow[MediaHandle]:
        """``GET /api/media/{id}``."""
        response = yield self.request("GET", f"/api/media/{handle.media_id}", endpoint="read")
        return self._handle(response.json(), handle.kind)

    def _handle(self, body: dict[str, Any], kind: MediaKind) -> MediaHandle:
        state = MediaState(body["state"])
        return MediaHandle(
            platform=self.spec.id,
            media_id=body["id"],
            kind=kind,
            state=state,
            poll_after=max(float(body.get("retry_in") or 0), 1.0)
            if state is MediaState.PROCESSING
            else None,
        )


class SandboxReadBackAdapter(SandboxAdapter):
    """The sandbox without idempotency keys: reads back before any repost (like X)."""

    name = "sandbox_read_back"
    idempotency = IdempotencyMode.READ_BACK


def _expiry(response: httpx.Response, expires_in: float) -> datetime:
    # Adapters have no clock: the driver stamps when the response arrived.
    return datetime.fromtimestamp(received_at(response) + expires_in, tz=timezone.utc)


# -- the facade: the server plus its client side ---------------------------------------


class SandboxPlatform(SandboxServer):
    """The simulated platform. Give it to ``httpx.Client(transport=...)`` or use :meth:`client`.

    Every keyword configures its server (``spec``, ``clock``, ``seed``, ``faults``,
    ``rate_limit``, ``token_ttl``, ...); the methods below build the client side.

    Example:
        >>> from smmkit.platforms import SimulatedClock
        >>> sandbox = SandboxPlatform(spec="x", clock=SimulatedClock())
        >>> with sandbox.client() as client:
        ...     too_long = client.publish(sandbox.sample_post("a" * 300))
        >>> too_long.ok, too_long.error.error_type, sandbox.published_count
        (False, 'BadRequestError', 0)
    """

    def sample_post(self, text: str, *, piece_id: str | None = None, **fields: Any) -> PlatformPost:
        """A :class:`PlatformPost` for this sandbox's platform (for docs and tests)."""
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        return PlatformPost(
            platform=self.spec.id, piece_id=piece_id or f"piece-{digest}", body=text, **fields
        )

    def add_post(self, text: str, *, account: str = "default") -> SandboxPost:
        """Store a post of the brand's as if it was published earlier (no request, no limits).

        Example:
            >>> sandbox = SandboxPlatform()
            >>> sandbox.add_post("Spring oolong is back").id, sandbox.published_count
            ('p1', 1)
        """
        if not isinstance(text, str):
            raise InvalidInputError.single("text", "must be a str", text)
        with self._lock:
            now = self.clock.time()
            post = SandboxPost(
                id=f"p{next(self._ids)}",
                text=text,
                title=None,
                account=account,
                created_at=now,
                ready_at=now,
                client_ref=None,
                idempotency_key=None,
                media_ids=(),
            )
            self._posts[post.id] = post
            return post

    def credentials(self, account: str = "default") -> Credentials:
        """Credentials of the sandbox's one registered app."""
        return Credentials(
            client_id=self.client_id, client_secret=self.client_secret, account=account
        )

    def adapter(self, *, read_back: bool = False, account: str = "default") -> SandboxAdapter:
        """A :class:`SandboxAdapter` (or the read-back flavour) wired to this sandbox."""
        kind = SandboxReadBackAdapter if read_back else SandboxAdapter
        return kind(credentials=self.credentials(account), spec=self.spec)

    def client(
        self,
        *,
        read_back: bool = False,
        retry: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        rate_limiter: RateLimiter | None = None,
        publish_deadline: float = 600.0,
    ) -> Client:
        """A synchronous :class:`Client` talking to this sandbox on its clock."""
        return Client(
            self.adapter(read_back=read_back),
            http_client=httpx.Client(transport=self),
            retry=retry,
            token_store=token_store,
            rate_limiter=rate_limiter,
            clock=self.clock,
            publish_deadline=publish_deadline,
        )

    def async_client(
        self,
        *,
        read_back: bool = False,
        retry: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        rate_limiter: RateLimiter | None = None,
        publish_deadline: float = 600.0,
    ) -> AsyncClient:
        """An :class:`AsyncClient` talking to this sandbox on its clock."""
        return AsyncClient(
            self.adapter(read_back=read_back),
            http_client=httpx.AsyncClient(transport=self),
            retry=retry,
            token_store=token_store,
            rate_limiter=rate_limiter,
            clock=self.clock,
            publish_deadline=publish_deadline,
        )
