"""Bluesky (AT Protocol): posts with rich text and images, replies, delete, list, counts.

What this adapter takes care of, because Bluesky does not:

* **Sessions, not logins.** ``createSession`` is capped at about 100 a day per account;
  the session (access and refresh JWTs) lives in the client's token store and is
  refreshed with ``refreshSession`` when the server says ``ExpiredToken``. A new login
  happens only when the refresh token itself is gone.
* **Rich text is facets.** The server links nothing: links, mentions (resolved to
  DIDs) and hashtags are sent as ``app.bsky.richtext.facet`` ranges in **UTF-8 byte
  offsets** (:func:`build_facets`); Python string indices would be wrong for CJK and
  emoji.
* **Exactly once, across processes.** The record key is a TID derived from the
  publish's idempotency key, so a retry, a re-run of the batch and
  another process all name the same record; it is written with ``putRecord`` and
  ``swapRecord: null`` (create only if absent). A record already there answers
  ``InvalidSwap``; the adapter reads it back and returns it when it is this post.
* **Counts need an AppView.** Likes, reposts and replies come from
  ``app.bsky.feed.getPosts`` which a PDS proxies to an AppView; a bare PDS answers
  "No service configured", reported as
  :class:`~smmkit.exceptions.UnsupportedOperationError`.

Example:
    >>> text = "Tea 🍵 at https://tea.example #cha"
    >>> [(f["index"]["byteStart"], f["features"][0]["$type"].split("#")[1])
    ...  for f in build_facets(text)]
    [(12, 'link'), (32, 'tag')]
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    NotFoundError,
    PlatformError,
    TokenExpiredError,
    UnsupportedOperationError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import BlueskyExtras
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bluesky_inbox import BlueskyInbox
from smmkit.platforms._bluesky_records import (
    POST,
    BlueskyPost,
    PostPage,
    _created_at,
    _created_ref,
    _images_embed,
    _post_from,
    _post_record,
    _Record,
    _same_post,
    _session_token,
    build_facets,
    find_mentions,
    keyed_tids,
    make_tid,
    parse_at_uri,
)
from smmkit.platforms._errors import ErrorInfo, mark_delivered
from smmkit.platforms._media import (
    MediaLoader,
    load_media,
    media_loader_or_default,
    media_type,
)
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._translate import read_answer
from smmkit.text._bluesky import bluesky_facets, bluesky_mentions

__all__ = [
    "BlueskyAdapter",
    "BlueskyPost",
    "PostPage",
    "build_facets",
    "find_mentions",
    "make_tid",
    "parse_at_uri",
]

_SESSION_PATHS = ("com.atproto.server.createSession", "com.atproto.server.refreshSession")
_NO_APPVIEW = "no service configured"
_MAX_RKEYS = 4  # keyed record keys tried before giving up (a collision is ~2^-59)


class BlueskyAdapter(BlueskyInbox):
    """One Bluesky account on its PDS, logged in with an **app password**.

    ``credentials.client_id`` is the handle (or DID) and ``client_secret`` the app
    password (Settings → App passwords; never the account password). ``createdAt`` and
    record keys come from the driver's clock (the flow yields ``Now``), so a
    :class:`~smmkit.platforms.SimulatedClock` makes them reproducible.

    Post-specific fields in ``PlatformPost.extras`` (a
    :class:`~smmkit.models.BlueskyExtras`): ``reply_to`` (the ``at://`` URI of
    the post to answer), ``langs`` (up to 3 language tags), ``facets`` (precomputed, to
    skip detection).

    Example:
        >>> from smmkit.platforms import Credentials
        >>> adapter = BlueskyAdapter(credentials=Credentials(client_id="alice.test",
        ...                                                  client_secret="app-pass"))
        >>> request = next(adapter.fetch_token(None))
        >>> request.url.path, b"app-pass" in request.content, "app-pass" in repr(adapter)
        ('/xrpc/com.atproto.server.createSession', True, False)
    """

    name = "bluesky"
    platform_id = "bluesky"
    extras_model = BlueskyExtras
    default_base_url = "https://bsky.social"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.UPLOAD_MEDIA,
        }
    )
    idempotency = IdempotencyMode.KEY
    requires_token = True
    token_expired_codes = frozenset({"ExpiredToken", "InvalidToken"})
    throttle_codes = frozenset({"RateLimitExceeded"})

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        web_url: str | None = "https://bsky.app",
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self.web_url = web_url if base_url in (None, self.default_base_url) else None
        self._media_loader = media_loader_or_default(media_loader)
        self._dids: OrderedDict[str, str] = OrderedDict()
        self._last_micros = 0

    def __repr__(self) -> str:
        return f"BlueskyAdapter(base_url={str(self.base_url)!r}, account={self.account!r})"

    @property
    def repo(self) -> str:
        """The account's repo identifier (its handle or DID)."""
        if self.credentials is None:
            raise AuthenticationError("BlueskyAdapter needs credentials", platform=self.platform_id)
        return self.credentials.client_id

    def _xrpc(self, method: str, nsid: str, *, endpoint: str, **kwargs: Any) -> httpx.Request:
        return self.request(method, f"/xrpc/{nsid}", endpoint=endpoint, **kwargs)

    # -- session --------------------------------------------------------------------

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """``refreshSession`` with the stored refresh JWT; ``createSession`` without one."""
        refresh = current.refresh_token if current is not None else None
        if refresh is not None:
            try:
                response = yield self._xrpc(
                    "POST",
                    "com.atproto.server.refreshSession",
                    endpoint="requests",
                    headers={"Authorization": f"Bearer {refresh.get_secret_value()}"},
                )
            except (AuthenticationError, BadRequestError):
                pass  # refresh JWT expired or revoked: one login is the only way back
            else:
                return _session_token(response)
        if self.credentials is None:
            raise AuthenticationError("BlueskyAdapter needs credentials", platform=self.platform_id)
        body = {
            "identifier": self.credentials.client_id,
            "password": self.credentials.client_secret.get_secret_value(),
        }
        response = yield self._xrpc(
            "POST",
            "com.atproto.server.createSession",
            endpoint="create_session",
            safe=True,
            json=body,
        )
        return _session_token(response)

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """XRPC errors; an expired token *on the session endpoints* is a failed login."""
        info = super().parse_error(response)
        if info is None or not issubclass(info.kind, TokenExpiredError):
            return info
        try:
            path = response.request.url.path
        except RuntimeError:
            return info
        if path.endswith(_SESSION_PATHS):
            # Refreshing cannot fix the refresh call itself; retrying it would loop.
            return ErrorInfo(AuthenticationError, info.message, code=info.code)
        return info

    # -- publishing -----------------------------------------------------------------

    def _clock_rkey(self, now: datetime) -> str:
        """A record key at ``now`` for a record published without an idempotency key."""
        # Strictly increasing: two posts in the same microsecond (or on a frozen test
        # clock) must not collide, and TIDs should sort in creation order.
        micros = max(int(now.timestamp() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return make_tid(micros)

    def _facets(self, text: str) -> Flow[list[dict[str, Any]]]:
        """Facets of a post, a thread part or a reply: handles resolved to DIDs first."""
        dids: dict[str, str] = {}
        for handle in bluesky_mentions(text):
            if handle in self._dids:
                dids[handle] = self._dids[handle]
                continue
            try:
                response = yield self._xrpc(
                    "GET",
                    "com.atproto.identity.resolveHandle",
                    endpoint="requests",
                    params={"handle": handle},
                )
            except (BadRequestError, NotFoundError):
                continue  # an unknown handle stays plain text
            did = response.json().get("did")
            if isinstance(did, str):
                dids[handle] = self._dids[handle] = did
                while len(self._dids) > 1024:
                    self._dids.popitem(last=False)
        return list(bluesky_facets(text, dids=dids))

    def post_uri(self, post_id: str) -> str:
        """``post_id`` as an ``at://`` URI: URIs pass through, a bare record key is ours.

        Example:
            >>> from smmkit.platforms import Credentials
            >>> BlueskyAdapter(credentials=Credentials(client_id="alice.test",
            ...     client_secret="p")).post_uri("3kabc")
            'at://alice.test/app.bsky.feed.post/3kabc'
        """
        if post_id.startswith("at://"):
            parse_at_uri(post_id)
            return post_id
        if not post_id or "/" in post_id:
            raise InvalidInputError.single(
                "post_id", "must be an at:// URI or a record key", post_id
            )
        return f"at://{self.repo}/{POST}/{post_id}"

    def _get_record(self, uri: str) -> Flow[_Record | None]:
        repo, collection, rkey = parse_at_uri(self.post_uri(uri))
        try:
            response = yield self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                endpoint="requests",
                params={"repo": repo, "collection": collection, "rkey": rkey},
            )
        except (BadRequestError, NotFoundError) as exc:
            if exc.code in (None, "RecordNotFound", "NotFound") or isinstance(exc, NotFoundError):
                return None
            raise
        record: _Record = _Record.model_validate(response.json())
        return record

    def _reply_refs(self, parent_uri: str) -> Flow[dict[str, Any]]:
        parent = yield from self._get_record(parent_uri)
        if parent is None:
            raise NotFoundError(
                f"cannot reply: {parent_uri} does not exist", platform=self.platform_id
            )
        parent_ref = {"uri": parent.uri, "cid": parent.cid}
        root = (parent.value.get("reply") or {}).get("root") or parent_ref
        return {"root": root, "parent": parent_ref}

    def _receipt(self, uri: str, key: str | None, created: datetime) -> PublishReceipt:
        url = None
        if self.web_url:
            repo, _, rkey = parse_at_uri(uri)
            url = f"{self.web_url}/profile/{repo}/post/{rkey}"
        return PublishReceipt(
            platform=self.platform_id,
            post_id=uri,
            status=PublishStatus.PUBLISHED,
            url=url,
            idempotency_key=key,
            published_at=created,
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Create an ``app.bsky.feed.post`` record (a thread: chained replies).

        The record key comes from ``idempotency_key`` (each part of a thread has its
        own), and the record is created only if absent: a retry, a re-run or another
        process publishing the same post finds it and returns it instead of posting twice.
        """
        texts = post.parts or (post.body,)
        reply: dict[str, Any] | None = None
        reply_to = post.extras_as(BlueskyExtras).reply_to
        if reply_to:
            reply = yield from self._reply_refs(str(reply_to))
        embed = _images_embed(post)
        first: PublishReceipt | None = None
        live: list[str] = []
        for number, text in enumerate(texts):
            part_key = (
                idempotency_key
                if number == 0 or idempotency_key is None
                else f"{idempotency_key}-{number}"
            )
            given = post.extras_as(BlueskyExtras).facets if len(texts) == 1 else None
            try:
                if given is not None:
                    facets = list(given)
                else:
                    facets = yield from self._facets(text)
                ref = yield from self._create(
                    text,
                    facets=facets,
                    post=post,
                    embed=embed if number == 0 else None,
                    reply=reply,
                    key=part_key,
                )
            except PlatformError as exc:
                mark_delivered(exc, live)  # the thread so far is live
                raise
            live.append(ref["uri"])
            if first is None:
                first = self._receipt(ref["uri"], idempotency_key, _created_at(ref["createdAt"]))
                root = reply["root"] if reply else {"uri": ref["uri"], "cid": ref["cid"]}
            reply = {"root": root, "parent": {"uri": ref["uri"], "cid": ref["cid"]}}
        assert first is not None  # texts is never empty
        return first

    def _create(
        self,
        text: str,
        *,
        facets: list[dict[str, Any]],
        post: PlatformPost,
        embed: dict[str, Any] | None,
        reply: dict[str, Any] | None,
        key: str | None,
    ) -> Flow[dict[str, Any]]:
        now: datetime = yield Now()
        record = _post_record(text, facets=facets, post=post, embed=embed, reply=reply, created=now)
        if key is None:
            body = {
                "repo": self.repo,
                "collection": POST,
                "rkey": self._clock_rkey(now),
                "record": record,
            }
            response = yield self._xrpc(
                "POST", "com.atproto.repo.createRecord", endpoint="write_points", json=body
            )
            return read_answer(self, response, lambda r: _created_ref(r, record))
        for rkey in itertools.islice(keyed_tids(key), _MAX_RKEYS):
            ref = yield from self._create_if_absent(rkey, record)
            if ref is not None:
                return ref
        raise APIError(
            f"the record keys of idempotency key {key} are all held by other records",
            platform=self.platform_id,
        )

    def _create_if_absent(self, rkey: str, record: dict[str, Any]) -> Flow[dict[str, Any] | None]:
        """``putRecord`` with ``swapRecord: null``: creates ``rkey`` only if it is free.

        Returns the new record, or the one already there when it is this post (an
        earlier attempt, a re-run, another process), or ``None`` when a different
        record holds ``rkey``. Safe to repeat, so the driver retries it on its own.
        """
        body = {
            "repo": self.repo,
            "collection": POST,
            "rkey": rkey,
            "record": record,
            "swapRecord": None,
        }
        try:
            response = yield self._xrpc(
                "POST", "com.atproto.repo.putRecord", endpoint="write_points", safe=True, json=body
            )
        except BadRequestError as exc:
            if exc.code != "InvalidSwap":
                raise
            existing = yield from self._get_record(f"at://{self.repo}/{POST}/{rkey}")
            if existing is None:
                raise exc  # held a moment ago, gone now (deleted): report, do not guess
            if not _same_post(existing.value, record):
                return None
            created = str(existing.value.get("createdAt", ""))
            return {"uri": existing.uri, "cid": existing.cid, "createdAt": created}
        return read_answer(self, response, lambda r: _created_ref(r, record))

    def delete(self, post_id: str) -> Flow[None]:
        """``deleteRecord`` of the post ``at://`` URI ``post_id``."""
        repo, collection, rkey = parse_at_uri(self.post_uri(post_id))
        yield self._xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            endpoint="write_points",
            safe=True,  # deleting twice deletes once
            json={"repo": repo, "collection": collection, "rkey": rkey},
        )

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Answer ``comment_id`` (any post URI in the thread of ``post_id``) with ``text``."""
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        refs = yield from self._reply_refs(comment_id)
        facets = yield from self._facets(text)
        holder = PlatformPost(platform=self.platform_id, piece_id="reply", body=text)
        ref = yield from self._create(
            text, facets=facets, post=holder, embed=None, reply=refs, key=None
        )
        return Comment(
            platform=self.spec.id,
            id=ref["uri"],
            post_id=post_id,
            author_id=self.repo,
            text=text,
            created_at=_created_at(ref["createdAt"]),
            in_reply_to=comment_id,
        )

    def list_posts(self, *, limit: int = 50, cursor: str | None = None) -> Flow[PostPage]:
        """The account's own posts, newest first (``com.atproto.repo.listRecords``)."""
        if not 1 <= limit <= 100:
            raise InvalidInputError.single("limit", "must be between 1 and 100", limit)
        params: dict[str, Any] = {"repo": self.repo, "collection": POST, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = yield self._xrpc(
            "GET", "com.atproto.repo.listRecords", endpoint="requests", params=params
        )
        body = response.json()
        records = (_Record.model_validate(r) for r in body.get("records", ()))
        return PostPage(posts=tuple(_post_from(r) for r in records), cursor=body.get("cursor"))

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back the post published with ``idempotency_key`` (by any process), if any;
        a thread only when every part is there: one cut short is not published."""
        if not idempotency_key:
            return None
        first: PublishReceipt | None = None
        for number, text in enumerate(post.parts or (post.body,)):
            key = f"{idempotency_key}-{number}" if number else idempotency_key
            receipt = yield from self._find_part(key, text, idempotency_key)
            if receipt is None:
                return None
            first = first or receipt
        return first

    def _find_part(self, key: str, text: str, post_key: str) -> Flow[PublishReceipt | None]:
        for rkey in itertools.islice(keyed_tids(key), _MAX_RKEYS):
            record = yield from self._get_record(f"at://{self.repo}/{POST}/{rkey}")
            if record is None:
                return None
            if record.value.get("text") == text:
                created = _created_at(record.value.get("createdAt"))
                return self._receipt(record.uri, post_key, created)
        return None

    # -- AppView reads ----------------------------------------------------------------

    def _appview(self, nsid: str, params: dict[str, Any]) -> Flow[dict[str, Any]]:
        try:
            response = yield self._xrpc("GET", nsid, endpoint="requests", params=params)
        except (BadRequestError, APIError) as exc:
            if _NO_APPVIEW in str(exc).lower():
                raise UnsupportedOperationError(
                    f"{nsid} needs an AppView; this server has none (a bare PDS)",
                    platform=self.platform_id,
                ) from exc
            raise
        body: dict[str, Any] = response.json()
        body["_received_at"] = received_at(response)
        return body

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Likes, reposts, replies, quotes (and bookmarks) from ``app.bsky.feed.getPosts``.

        Bluesky has no impressions. Raises ``UnsupportedOperationError`` on a PDS
        without an AppView, ``NotFoundError`` before the AppView has indexed the post.
        """
        uri = self.post_uri(post_id)
        body = yield from self._appview("app.bsky.feed.getPosts", {"uris": uri})
        posts = body.get("posts") or []
        if not posts:
            raise NotFoundError(f"{post_id} is not (yet) in the AppView", platform=self.platform_id)
        view = posts[0]
        created = _created_at(view.get("indexedAt") or (view.get("record") or {}).get("createdAt"))
        start, end = lifetime(created, body["_received_at"])
        names = ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount")
        counts = {n: float(view[n]) for n in names if isinstance(view.get(n), (int, float))}
        counts["interactions"] = sum(counts.values())
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Replies below a post, depth first (``app.bsky.feed.getPostThread``)."""
        uri = self.post_uri(post_id)
        body = yield from self._appview("app.bsky.feed.getPostThread", {"uri": uri, "depth": 10})
        found: list[Comment] = []

        def walk(node: Mapping[str, Any], parent: str | None) -> None:
            for child in node.get("replies") or ():
                view = child.get("post") or {}
                record = view.get("record") or {}
                if not view.get("uri"):
                    continue  # blocked or deleted replies carry no post
                found.append(
                    Comment(
                        platform=self.spec.id,
                        id=view["uri"],
                        post_id=post_id,
                        author_id=(view.get("author") or {}).get("did", "unknown"),
                        text=str(record.get("text", "")),
                        created_at=_created_at(record.get("createdAt")),
                        in_reply_to=parent,
                    )
                )
                walk(child, view["uri"])

        walk(body.get("thread") or {}, uri)
        return tuple(found)

    # -- media ----------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """``uploadBlob``; the blob reference is the handle's ``media_id`` (JSON).

        Images only (at most the catalog's ``image_max_bytes``, 2 MB); a blob not used
        by a post within minutes is garbage-collected by the server.
        """
        if asset.kind not in (MediaKind.IMAGE, MediaKind.GIF):
            raise UnsupportedOperationError(
                f"BlueskyAdapter uploads images only, not {asset.kind.value}",
                platform=self.platform_id,
            )
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
        cap = self.spec.media.image_max_bytes
        if cap is not None and len(data) > cap.value:
            raise InvalidInputError.single(
                "media.size_bytes", f"Bluesky images are at most {cap.value:g} bytes", len(data)
            )
        response = yield self._xrpc(
            "POST",
            "com.atproto.repo.uploadBlob",
            endpoint="requests",
            safe=True,  # an unused blob is garbage-collected, never posted
            content=data,
            headers={"Content-Type": media_type(asset)},
        )
        blob = response.json()["blob"]
        return MediaHandle(
            platform=self.spec.id,
            media_id=json.dumps(blob, sort_keys=True, separators=(",", ":")),
            kind=asset.kind,
            state=MediaState.READY,
        )
