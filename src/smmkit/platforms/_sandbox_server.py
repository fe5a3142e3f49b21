"""The sandbox's fake server: a small social network in memory, served as an httpx
transport (sync and async).

:class:`SandboxServer` holds the state (posts, media, tokens, idempotency keys,
rate-limit buckets), routes requests to its handlers and injects the faults of its
:class:`~smmkit.platforms.FaultPlan`, storms included. It speaks HTTP only: it knows no
adapter and no client (:class:`~smmkit.platforms.SandboxPlatform` wires it to those).

What it simulates:

* the catalog limits of the platform it imitates (Mastodon by default): text length in
  the platform's unit, title, media count, sizes and durations;
* OAuth-style tokens that expire (``token_ttl``), optionally invalidating the previous
  token on every fetch (WeChat) and rotating refresh tokens;
* a server-side rate limit with the reset header in the style of your choice
  (``Retry-After``, X's epoch seconds, Mastodon's ISO-8601, the IETF draft);
* media processing delays and asynchronous publishing of video posts;
* seeded engagement numbers and comments that grow with simulated time;
* injected faults (:class:`~smmkit.platforms.FaultPlan`, in the vocabulary of
  :class:`~smmkit.platforms.FaultKind`): 429 storms, 5xx, timeouts, connection resets,
  refused connections and token revocation, before or *after* the write was applied.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

import httpx
from pydantic import SecretStr

from smmkit.catalog import resolve_platform
from smmkit.exceptions import InvalidInputError
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.platform import Platform
from smmkit.platforms._checks import require, require_number
from smmkit.platforms._clock import Clock, SimulatedClock
from smmkit.platforms._faults import FaultKind, FaultPlan, produce, retry_after_seconds
from smmkit.platforms._flow import limit_problems
from smmkit.platforms._ratelimit import RequestRate
from smmkit.platforms._sandbox_inbox import SandboxInbox

__all__ = ["SANDBOX_URL", "SandboxPost", "SandboxServer"]

SANDBOX_URL = "https://sandbox.smmkit.invalid"
"""Where the sandbox lives; the URLs of its posts start with it."""


@dataclass
class SandboxPost:
    """A post as the sandbox stores it."""

    id: str
    text: str
    title: str | None
    account: str
    created_at: float
    ready_at: float
    client_ref: str | None
    idempotency_key: str | None
    media_ids: tuple[str, ...]
    deleted: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)

    def status(self, now: float) -> str:
        return "published" if now >= self.ready_at else "processing"


@dataclass
class _Media:
    id: str
    asset: MediaAsset
    ready_at: float


@dataclass
class _Bucket:
    tokens: float
    updated: float


def _check_settings(given: dict[str, Any]) -> None:
    """The wrong type or a negative duration among the sandbox's settings is an
    InvalidInputError naming it."""
    for name, kind, what in (
        ("clock", Clock, "a Clock or None"),
        ("faults", FaultPlan, "a FaultPlan or None"),
        ("rate_limit", RequestRate, "a RequestRate or None"),
    ):
        if given[name] is not None:
            require(given[name], name, kind, what)
    require(given["seed"], "seed", int, "an int")
    for name in ("invalidate_previous_token", "rotate_refresh_tokens", "reject_duplicates"):
        require(given[name], name, bool, "a bool")
    for name in ("client_id", "client_secret"):
        require(given[name], name, str, "a str")
    for name in (
        "token_ttl",
        "media_processing_seconds",
        "video_post_processing_seconds",
        "idempotency_retention",
    ):
        if require_number(given[name], name) < 0:
            raise InvalidInputError.single(name, "must be >= 0", given[name])


class SandboxServer(SandboxInbox, httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The fake platform's server side. Give it to ``httpx.Client(transport=...)``.

    Example:
        >>> server = SandboxServer(clock=SimulatedClock())
        >>> http = httpx.Client(transport=server, base_url=SANDBOX_URL)
        >>> token = http.post("/oauth/token", data={
        ...     "grant_type": "client_credentials", "client_id": "sandbox-app",
        ...     "client_secret": "sandbox-secret"}).json()["access_token"]
        >>> http.post("/api/posts", json={"text": "hi"},
        ...           headers={"Authorization": f"Bearer {token}"}).status_code
        201
        >>> server.published_count, server.requests_seen
        (1, 2)
    """

    def __init__(
        self,
        *,
        spec: str | Platform = "mastodon",
        clock: Clock | None = None,
        seed: int = 0,
        faults: FaultPlan | None = None,
        rate_limit: RequestRate | None = None,
        rate_limit_style: str = "retry-after",
        token_ttl: float = 7200.0,
        invalidate_previous_token: bool = False,
        rotate_refresh_tokens: bool = True,
        media_processing_seconds: float = 20.0,
        video_post_processing_seconds: float = 30.0,
        idempotency_retention: float = 3600.0,
        reject_duplicates: bool = False,
        client_id: str = "sandbox-app",
        client_secret: str = "sandbox-secret",
    ) -> None:
        if rate_limit_style not in ("retry-after", "x", "mastodon", "ietf"):
            raise InvalidInputError.single(
                "rate_limit_style", "must be retry-after, x, mastodon or ietf", rate_limit_style
            )
        _check_settings(locals())
        self.spec = resolve_platform(spec)
        self.clock: Clock = clock or SimulatedClock()
        self.seed = seed
        self.faults = faults or FaultPlan(seed=seed)
        self.rate_limit = rate_limit
        self.rate_limit_style = rate_limit_style
        self.token_ttl = token_ttl
        self.invalidate_previous_token = invalidate_previous_token
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.media_processing_seconds = media_processing_seconds
        self.video_post_processing_seconds = video_post_processing_seconds
        self.idempotency_retention = idempotency_retention
        self.reject_duplicates = reject_duplicates
        self.client_id = client_id
        self.client_secret = SecretStr(client_secret)

        self._lock = threading.RLock()
        self._rng = random.Random(self.faults.seed)
        self._posts: dict[str, SandboxPost] = {}
        self._media: dict[str, _Media] = {}
        self._keys: dict[str, tuple[str, float]] = {}
        self._tokens: dict[str, float] = {}  # access token -> expires at
        self._refresh_tokens: set[str] = set()
        self._buckets: dict[str, _Bucket] = {}
        self._ids = itertools.count(1)
        self._token_ids = itertools.count(1)
        self.requests_seen = 0
        """Requests that reached the sandbox (including those that failed)."""
        self.tokens_issued = 0
        """Access tokens handed out by the token endpoint."""
        self.faults_injected: Counter[FaultKind] = Counter()
        """How many faults of each kind were injected."""
        self.throttled = 0
        """429 answers given (injected storms and the server-side rate limit)."""
        self.messages: list[dict[str, str]] = []
        self._incoming: list[dict[str, Any]] = []  # the inbox (_sandbox_inbox)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(spec={self.spec.id!r}, posts={self.published_count}, "
            f"requests={self.requests_seen})"
        )

    # -- what tests look at ----------------------------------------------------------

    @property
    def published_count(self) -> int:
        """Posts created on the server (deleted ones included: they were published)."""
        return len(self._posts)

    @property
    def posts(self) -> tuple[SandboxPost, ...]:
        """Every post created, in order."""
        return tuple(self._posts.values())

    def publish_counts(self) -> Counter[str]:
        """Times each ``client_ref`` (else text) was published; all 1 means exactly once."""
        return Counter(p.client_ref or p.text for p in self._posts.values())

    def expire_tokens(self) -> None:
        """Revoke every live access token now (as a platform-side invalidation would)."""
        with self._lock:
            self._tokens.clear()

    # -- transport ---------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request (sync transport)."""
        request.read()
        return self._handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request (async transport)."""
        await request.aread()
        return self._handle(request)

    def close(self) -> None:
        """Nothing to release."""

    async def aclose(self) -> None:
        """Nothing to release."""

    def _handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests_seen += 1
            fault = self._pick_fault(self.requests_seen - 1)
            if fault is None:
                return self._dispatch(request)
            if fault is FaultKind.TOKEN_EXPIRY:
                self._tokens.clear()
                return self._dispatch(request)
            if (
                fault.may_follow_commit
                and request.method == "POST"
                and request.url.path == "/api/posts"
                and self._rng.random() < self.faults.after_commit
            ):
                self._dispatch(request)  # the write is applied; its answer is then lost
            return produce(
                fault,
                request,
                answer=self._fault_answer,
                retry_after=self.faults.retry_after,
                source="sandbox fault",
            )

    def _pick_fault(self, index: int) -> FaultKind | None:
        for storm in self.faults.storms:
            if storm.start <= index < storm.start + storm.length:
                self.faults_injected[storm.kind] += 1
                return storm.kind
        for kind, probability in self.faults.rates.items():
            if probability and self._rng.random() < probability:
                self.faults_injected[kind] += 1
                return kind
        return None

    def _fault_answer(self, status: int, retry_after: float | None) -> httpx.Response:
        if status == 429:
            return self._throttled(retry_after or 0.0)
        return _error(status, "busy", "service unavailable (sandbox fault)")

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        method = request.method
        if path == "/oauth/token" and method == "POST":
            return self._token(request)
        account = self._authenticate(request)
        if isinstance(account, httpx.Response):
            return account
        throttled = self._take(account, path)
        if throttled is not None:
            return throttled
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "inbox"] and len(parts) == 3 and method == "GET":
            return self._serve_inbox(request, parts[2])
        if parts[:2] not in (["api", "posts"], ["api", "media"]) and parts != ["api", "messages"]:
            return _error(404, "not_found", f"no route {path}")
        if parts == ["api", "posts"]:
            if method == "POST":
                return self._create_post(request, account)
            if method == "GET":
                return self._list_posts(request)
        if parts == ["api", "messages"] and method == "POST":
            return self._message(request)
        if parts == ["api", "media"] and method == "POST":
            return self._upload(request)
        if len(parts) == 3 and parts[1] == "media" and method == "GET":
            media = self._media.get(parts[2])
            if media is None:
                return _error(404, "not_found", "no such media")
            return _ok(self._media_json(media))
        if len(parts) >= 3 and parts[1] == "posts":
            post = self._posts.get(parts[2])
            if post is None or post.deleted:
                return _error(404, "not_found", "no such post")
            rest = parts[3:]
            if not rest and method == "GET":
                return _ok(self._post_json(post))
            if not rest and method == "DELETE":
                post.deleted = True
                return httpx.Response(204)
            if rest == ["metrics"] and method == "GET":
                return _ok(self._metrics(post))
            if rest == ["comments"] and method == "GET":
                return _ok({"comments": self._comments(post)})
            if len(rest) == 3 and rest[0] == "comments" and rest[2] == "replies":
                return self._reply(request, post, rest[1])
        return _error(405, "method_not_allowed", f"{method} {path}")

    # -- auth and limits ---------------------------------------------------------------

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret.get_secret_value()
        ):
            return _error(401, "invalid_client", "unknown client or wrong secret")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            presented = form.get("refresh_token", "")
            if presented not in self._refresh_tokens:
                return _error(400, "invalid_grant", "refresh token unknown or already used")
            if self.rotate_refresh_tokens:
                self._refresh_tokens.discard(presented)
        elif grant != "client_credentials":
            return _error(400, "unsupported_grant_type", "use client_credentials or refresh_token")
        if self.invalidate_previous_token:
            self._tokens.clear()
        number = next(self._token_ids)
        access = f"sbx-at-{number}-{self._rng.getrandbits(32):08x}"
        refresh = f"sbx-rt-{number}-{self._rng.getrandbits(32):08x}"
        self._tokens[access] = self.clock.time() + self.token_ttl
        self._refresh_tokens.add(refresh)
        self.tokens_issued += 1
        body: dict[str, Any] = {"access_token": access, "expires_in": self.token_ttl}
        if grant == "client_credentials" or self.rotate_refresh_tokens:
            body["refresh_token"] = refresh
        return _ok(body)

    def _authenticate(self, request: httpx.Request) -> str | httpx.Response:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        expires = self._tokens.get(token)
        if expires is None or expires <= self.clock.time():
            return _error(401, "token_expired", "the access token expired or was revoked")
        return "default"

    def _take(self, account: str, path: str) -> httpx.Response | None:
        rate = self.rate_limit
        if rate is None:
            return None
        now = self.clock.time()
        bucket = self._buckets.setdefault(account, _Bucket(rate.capacity, now))
        bucket.tokens = min(rate.capacity, bucket.tokens + (now - bucket.updated) * rate.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return self._throttled((1 - bucket.tokens) / rate.per_second)

    def _throttled(self, wait: float) -> httpx.Response:
        self.throttled += 1
        now = self.clock.time()
        reset = now + wait
        if self.rate_limit_style == "x":
            headers = {"x-rate-limit-reset": str(int(reset) + 1), "x-rate-limit-remaining": "0"}
        elif self.rate_limit_style == "mastodon":
            stamp = datetime.fromtimestamp(reset, tz=timezone.utc)
            headers = {
                "X-RateLimit-Reset": stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")
            }
        elif self.rate_limit_style == "ietf":
            headers = {"RateLimit-Reset": retry_after_seconds(wait), "RateLimit-Remaining": "0"}
        else:
            headers = {"Retry-After": retry_after_seconds(wait)}
        return _error(429, "rate_limited", "too many requests", headers=headers)

    # -- posts -------------------------------------------------------------------------

    def _create_post(self, request: httpx.Request, account: str) -> httpx.Response:
        body = _json(request)
        if body is None or not isinstance(body.get("text"), str):
            return _error(400, "bad_request", "text is required")
        now = self.clock.time()
        key = request.headers.get("idempotency-key")
        if key is not None:
            seen = self._keys.get(key)
            if seen is not None and now - seen[1] < self.idempotency_retention:
                return _ok(self._post_json(self._posts[seen[0]]))
        media_ids = tuple(str(m) for m in body.get("media_ids") or ())
        assets = []
        for media_id in media_ids:
            media = self._media.get(media_id)
            if media is None:
                return _error(422, "unknown_media", f"no media {media_id}")
            if media.ready_at > now:
                return _error(422, "media_not_ready", f"media {media_id} is still processing")
            assets.append(media.asset)
        candidate = PlatformPost(
            platform=self.spec.id,
            piece_id=str(body.get("client_ref") or "sandbox"),
            title=body.get("title"),
            body=body["text"],
            media=tuple(assets),
        )
        problems = limit_problems(self.spec, candidate)
        if problems:
            return _error(422, "limit_exceeded", "; ".join(problems))
        if self.reject_duplicates and any(
            p.text == candidate.body and not p.deleted for p in self._posts.values()
        ):
            return _error(403, "duplicate", "you already posted this text")
        post_id = f"p{next(self._ids)}"
        has_video = any(a.kind is MediaKind.VIDEO for a in assets)
        post = SandboxPost(
            id=post_id,
            text=candidate.body,
            title=candidate.title,
            account=account,
            created_at=now,
            ready_at=now + (self.video_post_processing_seconds if has_video else 0.0),
            client_ref=body.get("client_ref"),
            idempotency_key=key,
            media_ids=media_ids,
        )
        self._posts[post_id] = post
        if key is not None:
            self._keys[key] = (post_id, now)
        return _ok(self._post_json(post), status=201)

    def _list_posts(self, request: httpx.Request) -> httpx.Response:
        ref = request.url.params.get("client_ref")
        text = request.url.params.get("text")
        found = [
            self._post_json(p)
            for p in self._posts.values()
            if not p.deleted
            and (ref is None or p.client_ref == ref)
            and (text is None or p.text == text)
        ]
        return _ok({"posts": found[-50:]})

    def _post_json(self, post: SandboxPost) -> dict[str, Any]:
        return {
            "id": post.id,
            "url": f"{SANDBOX_URL}/@{post.account}/{post.id}",
            "status": post.status(self.clock.time()),
            "created_at": post.created_at,
            "client_ref": post.client_ref,
            "text": post.text,
        }

    def _metrics(self, post: SandboxPost) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{post.id}")
        hours = max(self.clock.time() - post.created_at, 0.0) / 3600
        growth = 1 - 0.5 ** (hours / 6)  # half of the eventual reach in the first 6 hours
        reach = rng.randint(200, 5000)
        impressions = int(reach * growth)
        return {
            "period_start": post.created_at,
            "period_end": max(self.clock.time(), post.created_at + 1),
            "impressions": impressions,
            "likes": int(impressions * rng.uniform(0.01, 0.08)),
            "comments": len(self._comments(post)),
            "shares": int(impressions * rng.uniform(0.001, 0.01)),
        }

    def _comments(self, post: SandboxPost) -> list[dict[str, Any]]:
        rng = random.Random(f"{self.seed}:{post.id}:comments")
        lines = ("好喝！", "Where can I buy this?", "配方求分享", "Love it", "价格多少？")
        seeded = [
            {
                "id": f"{post.id}-c{i}",
                "author": f"user{rng.randint(1, 999)}",
                "text": rng.choice(lines),
                "created_at": post.created_at + 60 * (i + 1),
                "in_reply_to": None,
            }
            for i in range(rng.randint(0, 4))
        ]
        return seeded + post.replies

    def _reply(self, request: httpx.Request, post: SandboxPost, comment_id: str) -> httpx.Response:
        body = _json(request) or {}
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return _error(400, "bad_request", "text is required")
        if comment_id not in {c["id"] for c in self._comments(post)}:
            return _error(404, "not_found", "no such comment")
        reply = {
            "id": f"{post.id}-r{len(post.replies) + 1}",
            "author": "brand",
            "text": text,
            "created_at": self.clock.time(),
            "in_reply_to": comment_id,
        }
        post.replies.append(reply)
        return _ok(reply, status=201)

    def _message(self, request: httpx.Request) -> httpx.Response:
        body = _json(request) or {}
        to, text = body.get("to"), body.get("text")
        if not isinstance(to, str) or not isinstance(text, str) or not text:
            return _error(400, "bad_request", "to and text are required")
        if len(text) > 1000:
            return _error(422, "limit_exceeded", "messages are at most 1000 characters")
        message = {"id": f"m{len(self.messages) + 1}", "to": to, "text": text}
        self.messages.append(message)
        return _ok({"id": message["id"], "to": to}, status=201)

    def _upload(self, request: httpx.Request) -> httpx.Response:
        body = _json(request) or {}
        try:
            asset = MediaAsset.model_validate(body)
        except ValueError as exc:
            return _error(400, "bad_request", str(exc)[:200])
        delay = self.media_processing_seconds if asset.kind is MediaKind.VIDEO else 0.0
        media = _Media(f"m{next(self._ids)}", asset, self.clock.time() + delay)
        self._media[media.id] = media
        return _ok(self._media_json(media), status=201)

    def _media_json(self, media: _Media) -> dict[str, Any]:
        left = media.ready_at - self.clock.time()
        return {
            "id": media.id,
            "kind": media.asset.kind.value,
            "state": "ready" if left <= 0 else "processing",
            "retry_in": max(left, 0.0),
        }


def _json(request: httpx.Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.content or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _ok(body: Any, *, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"x-request-id": _request_id(body)})


def _error(
    status: int, code: str, message: str, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    all_headers = {"x-request-id": f"sbx-{code}", **(headers or {})}
    return httpx.Response(status, json={"error": code, "message": message}, headers=all_headers)


def _request_id(body: Any) -> str:
    return "sbx-" + hashlib.sha1(repr(body).encode(), usedforsecurity=False).hexdigest()[:12]
