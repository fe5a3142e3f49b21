"""X (API v2): posts and threads, delete, chunked media upload, metrics, mentions, replies.

Four things matter on X and are built in:

* **No idempotency key, and duplicates answer 403.** ``POST /2/tweets`` takes no key;
  the same text posted twice is refused with *"You are not allowed to create a Tweet
  with duplicate content"*. So the adapter declares ``IdempotencyMode.READ_BACK``: after
  a lost answer the publish protocol calls :meth:`XAdapter.find_published`, which looks
  for the post in the account's recent posts by its content key (the text without its
  links, since X rewrites every link to ``t.co``) and, for a thread, follows the reply
  chain, posting only the parts that are missing. A duplicate answered to a repost after
  a lost answer is read the same way: it is our own earlier attempt.
* **Chunked media upload** with processing: initialize, append, finalize, then the
  status's ``processing_info`` is polled with the publish deadline (``_x_media``).
* **Rate limits from the headers**: every answer's ``x-rate-limit-*`` (15-minute window)
  and ``x-user-limit-24hour-*``/``x-app-limit-24hour-*`` (the daily posting caps) are
  kept per endpoint (:attr:`XAdapter.rate_limits`); a request to an endpoint whose window
  X said is empty is not sent: a wait of up to a minute is taken, a longer one is a
  :class:`~smmkit.exceptions.RateLimitError` with ``retry_after`` (nothing sent). A 429
  waits until the reset X names (the daily one when that cap is the empty one).
* **OAuth 2.0 user context**: pass the user's ``access_token``, or ``credentials`` with a
  ``refresh_token`` (scope ``offline.access``): tokens last two hours and are refreshed
  through the client's ``TokenStore`` with :func:`smmkit.platforms.oauth.refresh`.

Field names follow the shipped OpenAPI document (2.167): the field-selection query is
``post.fields`` (X's prose docs say ``tweet.fields``), references are
``referenced_posts``. Errors carry X's problem ``type`` as ``code`` (its ``title`` when
the type is ``about:blank``), ``title: detail`` as the message, and the
``x-transaction-id`` header as ``request_id``.

Example:
    >>> from smmkit.models import PlatformPost
    >>> adapter = XAdapter(access_token="t0k")
    >>> request = next(adapter.publish(PlatformPost(platform="x", piece_id="p", body="Hi")))
    >>> request.method, request.url.path, request.content
    ('POST', '/2/tweets', b'{"text":"Hi"}')
    >>> "t0k" in repr(adapter), adapter.idempotency.value
    (False, 'read_back')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    PlatformError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.models.extras import XExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _x_inbox, _x_media, _x_wire, oauth
from smmkit.platforms._adapter import (
    ENDPOINT,
    RECEIVED_AT,
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._answers import request_of, wait_out
from smmkit.platforms._auth import Credentials
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, mark_delivered
from smmkit.platforms._media import MediaLoader, media_loader_or_default
from smmkit.platforms._results import Comment, MediaHandle, PublishReceipt, PublishStatus
from smmkit.platforms._translate import read_answer
from smmkit.platforms._x_wire import XRateLimit, XWirePost, content_key, snowflake_time

__all__ = ["NON_PUBLIC_METRICS_DAYS", "XAdapter"]

NON_PUBLIC_METRICS_DAYS = 30
"""X returns non-public and organic metrics only for posts created in the last 30 days."""


def _created(response: httpx.Response) -> XWirePost:
    return XWirePost.model_validate(response.json()["data"])


def _posts(response: httpx.Response) -> tuple[XWirePost, ...]:
    return tuple(XWirePost.model_validate(p) for p in response.json().get("data") or ())


def _fields(names: tuple[str, ...]) -> str:
    return ",".join(names)


class XAdapter(BearerTokenAdapter):
    """X API v2 for one account, with an OAuth 2.0 user-context token.

    ``access_token`` is the user's token (scopes ``tweet.read tweet.write users.read
    media.write``, plus ``offline.access`` for a refresh token); or pass ``credentials``
    (the app's OAuth 2.0 client id and secret) with the user's ``refresh_token``, and the
    client refreshes through its token store. ``user_id`` saves the ``/2/users/me``
    lookup that mentions and read-backs otherwise make once. ``non_public_metrics=True``
    asks for impressions and clicks that only the author sees, for posts under
    :data:`NON_PUBLIC_METRICS_DAYS` days old (the age is read from the post's id).
    ``read_back_posts`` is how many recent posts a read-back looks through (5 to 100).

    Post fields go in ``PlatformPost.extras``, an :class:`~smmkit.models.XExtras`.

    Example:
        >>> adapter = XAdapter(access_token="t", user_id="2244994945")
        >>> sorted(c.value for c in adapter.capabilities)[:3]
        ['comments', 'delete', 'metrics']
    """

    name = "x"
    platform_id = "x"
    extras_model = XExtras
    default_base_url = "https://api.x.com"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.PUBLISH_VIDEO,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.UPLOAD_MEDIA,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    inbox_sources = _x_inbox.SOURCES
    inbox_page_size = 100
    request_id_headers = ("x-transaction-id", "x-request-id")
    oauth_provider = oauth.X
    token_missing = (
        "XAdapter needs access_token=, or credentials= with the user's refresh_token"
        " (authorize with the offline.access scope)"
    )

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        base_url: str | None = None,
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        user_id: str | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        non_public_metrics: bool = False,
        read_back_posts: int = 20,
        chunk_bytes: int = _x_media.CHUNK_BYTES,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        if user_id is not None:
            require(user_id, "user_id", str, "a str (the numeric user id) or None")
            if not user_id.isdigit():
                raise InvalidInputError.single("user_id", "must be X's numeric user id", user_id)
        require(non_public_metrics, "non_public_metrics", bool, "a bool")
        for field, value, low, high in (
            ("read_back_posts", read_back_posts, 5, 100),
            ("chunk_bytes", chunk_bytes, 1, 5 * 1024 * 1024),
        ):
            require(value, field, int, "an int")
            if isinstance(value, bool) or not low <= value <= high:
                raise InvalidInputError.single(field, f"must be from {low} to {high}", value)
        self._user_id = user_id
        self._media_loader = media_loader_or_default(media_loader)
        self._non_public = non_public_metrics
        self._read_back_posts = read_back_posts
        self._chunk_bytes = chunk_bytes
        self._limits: dict[str, XRateLimit] = {}

    def __repr__(self) -> str:
        return f"XAdapter(base_url={str(self.base_url)!r}, account={self.account!r})"

    @property
    def rate_limits(self) -> Mapping[str, XRateLimit]:
        """The last rate-limit state X stated, per endpoint name (a read-only copy)."""
        return dict(self._limits)

    # -- sending -------------------------------------------------------------------

    def exchange(self, request: httpx.Request) -> Flow[httpx.Response]:
        """Send ``request`` (a step of a flow), minding and recording X's rate limits.

        When X's last answer for this endpoint said its window is empty, the request
        waits for the reset (up to a minute) or is not sent at all
        (:class:`~smmkit.exceptions.RateLimitError` with ``retry_after``).
        """
        endpoint = str(request.extensions.get(ENDPOINT, "default"))
        state = self._limits.get(endpoint)
        if state is not None and 0 in (state.remaining, state.day_remaining):
            yield from wait_out(
                self.platform_id,
                state.wait,
                lambda wait: (
                    f"X's {endpoint} window is empty for {wait:.0f} s more; nothing was sent"
                ),
            )
            self._limits.pop(endpoint, None)
        response: httpx.Response = yield request
        self._note_limits(response)
        return response

    def _note_limits(self, response: httpx.Response) -> None:
        state = _x_wire.rate_limit_from(response.headers)
        request = request_of(response)
        if state is not None and request is not None:
            self._limits[str(request.extensions.get(ENDPOINT, "default"))] = state

    # -- tokens and errors ---------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """X's problem answers (see ``_x_wire.problem_info``); a 401 is an expired token
        only when it can be refreshed; a 429 waits for the reset of the empty window."""
        request = request_of(response)
        if request is not None and oauth.is_oauth_request(request):
            return oauth.oauth_error_info(response)  # the token endpoint's own errors
        info = _x_wire.problem_info(response)
        if info is None:
            return None
        if response.status_code == 401:
            kind = TokenExpiredError if self.can_refresh else AuthenticationError
            return ErrorInfo(kind, info.message, code=info.code)
        if response.status_code == 429:
            self._note_limits(response)
            state = _x_wire.rate_limit_from(response.headers)
            retry_after = None
            if state is not None and RECEIVED_AT in response.extensions:
                retry_after = state.wait(received_at(response)) or None
            return ErrorInfo(RateLimitError, info.message, code=info.code, retry_after=retry_after)
        return info

    # -- the account ------------------------------------------------------------------

    def user_id(self) -> Flow[str]:
        """The account's numeric id (``GET /2/users/me`` once, then remembered)."""
        if self._user_id is None:
            request = self.request("GET", "/2/users/me", endpoint="users_me")
            response = yield from self.exchange(request)
            user_id = str(response.json()["data"]["id"])
            if not user_id.isdigit():
                raise ValueError("X answered a user id that is not numeric")
            self._user_id = user_id
        return self._user_id

    # -- posts ----------------------------------------------------------------------

    def _payload(self, post: PlatformPost, text: str, *, first: bool, parent: str | None) -> Any:
        extras = post.extras_as(XExtras)
        payload: dict[str, Any] = {"text": text}
        if first and extras.media_ids:
            bad = [m for m in extras.media_ids if not m.isdigit()]
            if bad or len(extras.media_ids) > 4:
                raise InvalidInputError.single(
                    "extras.media_ids", "must be 1 to 4 numeric X media ids", extras.media_ids
                )
            payload["media"] = {"media_ids": list(extras.media_ids)}
        if parent is not None:
            reply: dict[str, Any] = {"in_reply_to_tweet_id": parent}
            if first and extras.exclude_reply_user_ids:
                reply["exclude_reply_user_ids"] = list(extras.exclude_reply_user_ids)
            payload["reply"] = reply
        options = {
            "reply_settings": extras.reply_settings,
            "quote_tweet_id": extras.quote_tweet_id if first else None,
            "community_id": extras.community_id,
            "made_with_ai": extras.made_with_ai,
            "paid_partnership": extras.paid_partnership,
        }
        payload.update({key: value for key, value in options.items() if value is not None})
        return payload

    def _receipt(self, post_id: str, key: str | None, live: list[str]) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=post_id,
            platform_ids={"thread": ",".join(live)} if len(live) > 1 else {},
            status=PublishStatus.PUBLISHED,
            url=f"https://x.com/i/web/status/{post_id}",
            idempotency_key=key,
            published_at=snowflake_time(post_id),
        )

    def _post_parts(
        self, post: PlatformPost, start: int, parent: str | None, live: list[str]
    ) -> Flow[None]:
        """Post parts ``start``.. of ``post``, each answering ``parent`` and then the last."""
        texts = post.parts or (post.body,)
        for number in range(start, len(texts)):
            payload = self._payload(post, texts[number], first=number == 0, parent=parent)
            request = self.request("POST", "/2/tweets", endpoint="post_create", json=payload)
            try:
                response = yield from self.exchange(request)
                created = read_answer(self, response, _created)
            except PlatformError as exc:
                mark_delivered(exc, live)  # the thread so far is live, whatever failed
                raise
            live.append(created.id)
            parent = created.id

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST /2/tweets``; a thread is a chain of replies (``reply.in_reply_to_tweet_id``).

        Media ids (from :meth:`upload_media`) and the quote go on the first post.
        """
        live: list[str] = []
        parent = post.extras_as(XExtras).in_reply_to_tweet_id
        yield from self._post_parts(post, 0, parent, live)
        return self._receipt(live[0], idempotency_key, live)

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: ``post`` among the account's recent posts, else ``None``.

        Compares content keys (:func:`~smmkit.platforms._x_wire.content_key`) and, for
        a reply or a thread, the post each part answers. A thread found in part is
        completed: the missing parts are posted (once each) below the last one found.
        """
        user_id = yield from self.user_id()
        params = {
            "max_results": self._read_back_posts,
            "post.fields": _fields(_x_wire.THREAD_FIELDS),
            "expansions": "referenced_posts",
        }
        request = self.request(
            "GET", f"/2/users/{user_id}/tweets", endpoint="timeline", params=params
        )
        response = yield from self.exchange(request)
        recent = _posts(response)
        texts = post.parts or (post.body,)
        parent = post.extras_as(XExtras).in_reply_to_tweet_id
        live: list[str] = []
        for text in texts:
            key = content_key(text)
            match = next(
                (p for p in recent if p.replied_to == parent and content_key(p.text) == key), None
            )
            if match is None:
                break
            live.append(match.id)
            parent = match.id
        if not live:
            return None
        if len(live) < len(texts):
            yield from self._post_parts(post, len(live), parent, live)
        return self._receipt(live[0], idempotency_key, live)

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /2/tweets/:id``."""
        path = f"/2/tweets/{_segment(post_id, 'post_id')}"
        yield from self.exchange(self.request("DELETE", path, endpoint="post_delete"))

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """The public counts of a post (``GET /2/tweets/:id``, ``post.fields=public_metrics``).

        One observation per count, in the analytics vocabulary's names (``like_count``,
        ``retweet_count``, ``reply_count``, ``quote_count``, ``bookmark_count``), plus
        ``impressions`` and their sum as ``interactions``. With ``non_public_metrics``
        and a post under 30 days old, also ``clicks`` (link clicks) and
        ``user_profile_clicks``.
        """
        path = f"/2/tweets/{_segment(post_id, 'post_id')}"
        fields: tuple[str, ...] = _x_wire.PUBLIC_FIELDS
        if self._non_public and post_id.isdigit():
            now: datetime = yield Now()
            if now - snowflake_time(post_id) < timedelta(days=NON_PUBLIC_METRICS_DAYS):
                fields = (*fields, *_x_wire.NON_PUBLIC_FIELDS)
        params = {"post.fields": _fields(fields)}
        request = self.request("GET", path, endpoint="post_read", params=params)
        response = yield from self.exchange(request)
        wire = _created(response)
        public = dict(wire.public_metrics)
        if "retweet_count" not in public and "repost_count" in public:
            public["retweet_count"] = public["repost_count"]
        counts = {n: float(public[n]) for n in _x_wire.INTERACTION_COUNTS if _number(public.get(n))}
        interactions = sum(counts.values())
        if _number(public.get("impression_count")):
            counts["impressions"] = float(public["impression_count"])
        counts["interactions"] = interactions
        private = wire.non_public_metrics
        for name, metric in (
            ("url_link_clicks", "clicks"),
            ("user_profile_clicks", "user_profile_clicks"),
        ):
            if _number(private.get(name)):
                counts[metric] = float(private[name])
        start, end = lifetime(wire.created(), received_at(response))
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def _comments(
        self, response: httpx.Response, post_id: str | None, skip: str | None = None
    ) -> tuple[Comment, ...]:
        found = []
        for wire in _posts(response):
            if wire.id == skip:
                continue
            found.append(
                Comment(
                    platform=self.spec.id,
                    id=wire.id,
                    post_id=post_id or wire.conversation_id or wire.id,
                    author_id=wire.author_id or "unknown",
                    text=wire.text,
                    created_at=wire.created(),
                    in_reply_to=wire.replied_to,
                )
            )
        return tuple(sorted(found, key=lambda c: (c.created_at, int(c.id))))

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Replies in the post's conversation, oldest first (recent search,
        ``conversation_id:<id>``: the last 7 days, up to 100)."""
        _segment(post_id, "post_id")
        params = {
            "query": f"conversation_id:{post_id}",
            "max_results": 100,
            "post.fields": _fields(_x_wire.THREAD_FIELDS),
            "expansions": _fields(_x_wire.THREAD_EXPANSIONS),
        }
        request = self.request(
            "GET", "/2/tweets/search/recent", endpoint="search_recent", params=params
        )
        response = yield from self.exchange(request)
        return self._comments(response, post_id, skip=post_id)

    def mentions(
        self, *, since_id: str | None = None, max_results: int = 100
    ) -> Flow[tuple[Comment, ...]]:
        """Posts that mention the account (``GET /2/users/:id/mentions``), oldest first.

        ``since_id`` returns only newer ones (pass the newest id seen last time).
        Each is a :class:`~smmkit.platforms.Comment` whose ``post_id`` is its
        conversation.
        """
        if since_id is not None:
            _require_id(since_id, "since_id")
        require(max_results, "max_results", int, "an int from 5 to 100")
        if isinstance(max_results, bool) or not 5 <= max_results <= 100:
            raise InvalidInputError.single("max_results", "must be from 5 to 100", max_results)
        user_id = yield from self.user_id()
        params: dict[str, Any] = {
            "max_results": max_results,
            "post.fields": _fields(_x_wire.THREAD_FIELDS),
            "expansions": _fields(_x_wire.THREAD_EXPANSIONS),
        }
        if since_id is not None:
            params["since_id"] = since_id
        request = self.request(
            "GET", f"/2/users/{user_id}/mentions", endpoint="mentions", params=params
        )
        response = yield from self.exchange(request)
        return self._comments(response, None)

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """Mentions, replies (recent search) and DMs, newest first (see ``_x_inbox``)."""
        return _x_inbox.inbox_page(self, source, cursor)

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Post ``text`` as a reply to ``comment_id`` (a post in ``post_id``'s conversation)."""
        _segment(comment_id, "comment_id")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        payload = {"text": text, "reply": {"in_reply_to_tweet_id": comment_id}}
        request = self.request("POST", "/2/tweets", endpoint="post_create", json=payload)
        response = yield from self.exchange(request)
        created = read_answer(self, response, _created)
        return Comment(
            platform=self.spec.id,
            id=created.id,
            post_id=post_id,
            author_id=self._user_id or "me",
            text=created.text or text,
            created_at=created.created(),
            in_reply_to=comment_id,
        )

    # -- media ----------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """Chunked upload: ``initialize``, ``append`` per 4 MiB, ``finalize`` (and the alt
        text); a video may still be processing when this returns."""
        return _x_media.upload_media(self, asset, self._media_loader, chunk_bytes=self._chunk_bytes)

    def media_status(self, handle: MediaHandle) -> Flow[MediaHandle]:
        """``GET /2/media/upload?command=STATUS``: ``processing_info.state``."""
        return _x_media.media_status(self, handle)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _segment(value: object, field: str) -> str:
    """``value`` as one path segment: a non-empty str, percent-encoded."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError.single(field, "must be a non-empty str (an X post id)", value)
    return quote(value, safe="")


def _require_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.isdigit() or len(value) > 19:
        raise InvalidInputError.single(field, "must be a numeric X id", value)
