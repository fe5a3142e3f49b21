"""Douyin (open.douyin.com): video posts, the share hand-off, comments, video data.

What is built in (paths and fields from ByteDance's SDK ``@open-dy/open_api_sdk`` 1.1.0,
checked in ``tests/contract/test_douyin_sdk.py``):

* **Tokens** (``smmkit.platforms.oauth.DOUYIN``): the user's access token lasts 15
  days, the refresh token 30, and refreshing does not extend the refresh token. The
  client renews the refresh token (``/oauth/renew_refresh_token/``) when it has less than
  ``renew_margin`` left, at most ``renew_limit`` (5) times, and keeps the count and the
  expiry in the :class:`~smmkit.platforms.TokenStore` with the token. After that, or
  when Douyin says 10010/10020, a :class:`DouyinReauthorizeError` says the user must
  authorise again. The token goes in the ``access-token`` header; ``open_id`` (the
  account) in every query.
* **Scopes → capabilities**: ``video.create.bind`` publishes, ``video.list.bind`` reads
  back, ``video.data.bind`` gives metrics, ``item.comment`` comments and replies. With
  ``scopes=`` given (or learned from a refreshed token), an operation whose scope is
  missing raises :class:`~smmkit.exceptions.PermissionDeniedError` before anything is
  sent.
* **Publishing**: the video is uploaded (one request up to 128 MB, else in parts:
  ``init_video_part_upload``/``upload_video_part``/``complete_video_part_upload``), then
  ``create_video`` with the caption and the :class:`~smmkit.models.extras.DouyinExtras`
  (mini-app, POI, cover, privacy). ``IdempotencyMode.READ_BACK``: after a lost answer the
  account's ``video_list`` is read for the uploaded video (or the same caption) before a
  second create; the upload of an earlier attempt is reused, never repeated.
* **Share hand-off** (:meth:`DouyinAdapter.share_handoff`) for accounts without the
  publishing scope: a :class:`DouyinShareHandoff` (``share_id`` and the
  ``snssdk1128://`` schema) that the user opens to post the video themselves.
* **Errors**: Douyin answers HTTP 200 with ``data.error_code``; codes become typed
  errors carrying the code, and ``extra.logid`` is the request id.

Example:
    >>> from smmkit.models import MediaAsset, PlatformPost
    >>> from smmkit.platforms import InMemoryMediaLoader
    >>> clip = MediaAsset(kind="video", url="https://cdn.example/brew.mp4")
    >>> adapter = DouyinAdapter(open_id="ou-1", access_token="act.1",
    ...     media_loader=InMemoryMediaLoader({clip.url: b"mp4"}))
    >>> flow = adapter.publish(PlatformPost(platform="douyin", piece_id="p",
    ...                                     body="冷泡茶 #夏天", media=(clip,)))
    >>> upload = next(flow)
    >>> upload.method, upload.url.path, upload.url.params["open_id"]
    ('POST', '/api/douyin/v1/video/upload_video/', 'ou-1')
    >>> "act.1" in repr(adapter)
    False
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from smmkit.models.content import MediaKind, PlatformPost
from smmkit.models.extras import DouyinExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _douyin_wire as wire
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    PlatformAdapter,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._douyin_auth import DouyinReauthorizeError, refresh_token_flow
from smmkit.platforms._douyin_inbox import comment_page
from smmkit.platforms._douyin_share import (
    DouyinShareHandoff,
    app_credentials,
    open_ticket,
    schema_url,
    signature,
)
from smmkit.platforms._douyin_upload import MIN_PART_BYTES, SINGLE_UPLOAD_MAX, upload_video
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._inbox_rounds import watched_posts
from smmkit.platforms._media import MediaLoader, load_media, media_loader_or_default
from smmkit.platforms._results import Comment, PublishReceipt, PublishStatus
from smmkit.platforms._translate import read_answer

__all__ = ["DouyinAdapter", "DouyinReauthorizeError", "DouyinShareHandoff"]

_MAX_REMEMBERED = 256
_PAGES = 10


class DouyinAdapter(PlatformAdapter):
    """The Douyin open platform for one account (``open_id``).

    Give ``access_token`` (a user token; it is not refreshed), or ``credentials``
    (``client_id`` is the app's ``client_key``, ``client_secret`` its secret,
    ``refresh_token`` the one from the authorisation, ``account`` the ``open_id``).
    ``scopes`` are the scopes the user granted (default: learned from refreshed tokens;
    unknown scopes are not checked). ``part_bytes`` is the size of upload parts (at
    least 5 MB), ``single_upload_max`` the largest video sent in one request.
    ``watch_posts`` are the videos (``item_id``) whose comments :meth:`inbox_page` follows;
    Douyin gives apps no mention or private-message list.

    Example:
        >>> adapter = DouyinAdapter(open_id="ou-1", access_token="act.1",
        ...                         scopes=["user_info", "video.data.bind"])
        >>> sorted(c.value for c in adapter.granted)
        ['metrics']
        >>> adapter.idempotency.value
        'read_back'
    """

    name = "douyin"
    platform_id = "douyin"
    extras_model = DouyinExtras
    default_base_url = "https://open.douyin.com/"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,  # the caption; a post still needs its video
            Capability.PUBLISH_VIDEO,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    request_id_headers = ("x-tt-logid",)
    throttle_codes = frozenset(wire.THROTTLE_CODES)
    token_expired_codes = frozenset(wire.TOKEN_EXPIRED_CODES)
    busy_codes = frozenset(wire.BUSY_CODES)
    permission_codes = frozenset(wire.PERMISSION_CODES)
    inbox_sources = frozenset({InboxSource.COMMENTS})

    @conceals_secrets
    def __init__(
        self,
        *,
        open_id: str | None = None,
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        scopes: Iterable[str] | str | None = None,
        base_url: str | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        part_bytes: int = 20 * 1024 * 1024,
        single_upload_max: int = SINGLE_UPLOAD_MAX,
        read_back_count: int = 20,
        read_back_window: timedelta = timedelta(days=1),
        renew_margin: timedelta = timedelta(days=16),
        renew_limit: int = 5,
        watch_posts: Sequence[str] = (),
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        if open_id is None and credentials is not None and credentials.account != "default":
            open_id = credentials.account
        if open_id is None:
            raise InvalidInputError.single(
                "open_id", "is required: the account's open_id (or credentials.account)"
            )
        require(open_id, "open_id", str, "the account's open_id (str)")
        self._access_token = secret_or_none(access_token, "access_token")
        if access_token is None and credentials is None:
            raise InvalidInputError.single("credentials", "give access_token or credentials")
        require(part_bytes, "part_bytes", int, "an int")
        if part_bytes < MIN_PART_BYTES:
            raise InvalidInputError.single("part_bytes", "Douyin parts are at least 5 MB")
        require(single_upload_max, "single_upload_max", int, "an int")
        if not 1 <= single_upload_max <= SINGLE_UPLOAD_MAX:
            raise InvalidInputError.single("single_upload_max", "must be 1..128 MB")
        require(read_back_count, "read_back_count", int, "an int")
        if not 1 <= read_back_count <= 20:
            raise InvalidInputError.single("read_back_count", "must be 1..20", read_back_count)
        require(read_back_window, "read_back_window", timedelta, "a timedelta")
        require(renew_margin, "renew_margin", timedelta, "a timedelta")
        require(renew_limit, "renew_limit", int, "an int")
        self.open_id = open_id
        self.watch_posts = watched_posts(watch_posts)
        self.scopes: frozenset[str] | None = None if scopes is None else wire.scopes_of(scopes)
        self._media_loader = media_loader_or_default(media_loader)
        self.part_bytes = part_bytes
        self.single_upload_max = single_upload_max
        self._read_back_count = read_back_count
        self._read_back_window = read_back_window
        self.renew_margin = renew_margin
        self.renew_limit = renew_limit
        self._uploaded: OrderedDict[str, str] = OrderedDict()  # idempotency key -> video_id
        self._cache: dict[str, tuple[str, datetime]] = {}  # client_token, ticket

    def __repr__(self) -> str:
        return f"DouyinAdapter(open_id={self.open_id!r}, account={self.account!r})"

    @property
    def granted(self) -> frozenset[Capability]:
        """The capabilities the granted scopes allow (all declared ones when unknown)."""
        if self.scopes is None:
            return self.capabilities
        return wire.capabilities_for(self.scopes) & self.capabilities

    def _require_scope(self, operation: str) -> None:
        needed = wire.OPERATION_SCOPES[operation]
        if self.scopes is None or self.scopes & set(needed):
            return
        hint = " (use share_handoff() to let the user post it)" if operation == "publish" else ""
        raise PermissionDeniedError(
            f"{operation} needs the Douyin scope {needed[0]}, which the user did not grant{hint}",
            platform=self.platform_id,
            code="scope_missing",
        )

    # -- requests, tokens and errors -----------------------------------------------

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """The user token in the ``access-token`` header, only for Douyin's host; a request
        that carries the app's client token already keeps it."""
        if request.url.host == self.base_url.host and "access-token" not in request.headers:
            request.headers["access-token"] = token.access_token.get_secret_value()
        return request

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The configured token, or a refresh through :data:`smmkit.platforms.oauth.DOUYIN`,
        renewing the refresh token first when it runs out within ``renew_margin``."""
        if self._access_token is not None:
            scope = " ".join(sorted(self.scopes)) if self.scopes else None
            return Token(access_token=self._access_token, scope=scope)
        return (yield from refresh_token_flow(self, current))

    def renewals_left(self, token: Token | None) -> int:
        """How often the stored refresh token may still be renewed before the user must
        authorise again.

        Example:
            >>> adapter = DouyinAdapter(open_id="ou-1", access_token="act.1")
            >>> adapter.renewals_left(Token(access_token="a", refresh_renewals=3))
            2
        """
        used = (token.refresh_renewals if token else None) or 0
        return max(self.renew_limit - used, 0)

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Douyin's ``data.error_code`` (in HTTP 200) as a typed error; ``extra.logid``
        becomes the request id when no ``x-tt-logid`` header carries one."""
        from smmkit.platforms import _oauth_core as oauth

        if oauth.is_oauth_request(response.request):
            return oauth.oauth_error_info(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        found = wire.envelope_error(body)
        if found is None:
            if response.status_code < 400:
                return None
            status = status_error(response.status_code) or APIError
            return ErrorInfo(status, response.reason_phrase or f"HTTP {response.status_code}")
        code, text, logid = found
        if logid and "x-tt-logid" not in response.headers:
            response.headers["x-tt-logid"] = logid  # read as the error's request id
        kind: type[PlatformError] = APIError
        if code in self.throttle_codes:
            kind = RateLimitError
        elif code in self.token_expired_codes:
            kind = TokenExpiredError if self._access_token is None else AuthenticationError
        elif code in wire.AUTH_CODES:
            kind = DouyinReauthorizeError
        elif code in self.permission_codes:
            kind = PermissionDeniedError
        elif code in self.busy_codes:
            kind = ServerError
        elif code in wire.BAD_REQUEST_CODES:
            kind = BadRequestError
        elif response.status_code >= 400:
            kind = status_error(response.status_code) or APIError
        return ErrorInfo(kind, f"{text} (error_code {code})", code=code)

    def _get(self, path: str, params: dict[str, Any]) -> httpx.Request:
        return self.request(
            "GET", path, endpoint="read", params={"open_id": self.open_id, **params}
        )

    def _post(self, path: str, body: dict[str, Any], endpoint: str, **kw: Any) -> httpx.Request:
        return self.request(
            "POST", path, endpoint=endpoint, params={"open_id": self.open_id}, json=body, **kw
        )

    # -- publishing -------------------------------------------------------------------

    def _video_of(self, post: PlatformPost) -> Any:
        videos = [m for m in post.media if m.kind is MediaKind.VIDEO]
        if len(videos) != 1 or len(post.media) != 1:
            raise InvalidInputError.single(
                "media", "a Douyin post is one video (image posts are not wrapped)"
            )
        return videos[0]

    def _create_body(self, post: PlatformPost, video_id: str) -> dict[str, Any]:
        extras = post.extras_as(DouyinExtras)
        body: dict[str, Any] = {"video_id": video_id, "text": post.body}
        for name in ("micro_app_id", "micro_app_title", "micro_app_url", "poi_id"):
            value = getattr(extras, name)
            if value is not None:
                body[name] = value
        for name in ("poi_commerce", "cover_tsp", "private_status", "download_type"):
            value = getattr(extras, name)
            if value is not None:
                body[name] = value
        if extras.custom_cover_image_url:
            body["custom_cover_image_url"] = extras.custom_cover_image_url
        if extras.at_users:
            body["at_users"] = list(extras.at_users)
        return body

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Upload the post's video (unless ``extras.video_id`` names one, or an earlier
        attempt with the same key uploaded it), then ``create_video`` with the caption."""
        self._require_scope("publish")
        extras = post.extras_as(DouyinExtras)
        video_id = extras.video_id or (
            self._uploaded.get(idempotency_key) if idempotency_key else None
        )
        if video_id is None:
            asset = self._video_of(post)
            data = yield from load_media(asset, self._media_loader, spec=self.spec)
            video_id = yield from upload_video(self, data)
            if idempotency_key:
                self._uploaded[idempotency_key] = video_id
                while len(self._uploaded) > _MAX_REMEMBERED:
                    self._uploaded.popitem(last=False)
        response = yield self._post(
            "/api/douyin/v1/video/create_video/", self._create_body(post, video_id), "posts"
        )
        item_id = read_answer(self, response, lambda r: str(wire.answer_data(r)["item_id"]))
        if not item_id or item_id == "None":
            raise KeyError("item_id")
        now: datetime = yield Now()
        return self._receipt(item_id, video_id, idempotency_key, now)

    def _receipt(
        self, item_id: str, video_id: str | None, key: str | None, when: datetime | None
    ) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=item_id,
            status=PublishStatus.PUBLISHED,
            idempotency_key=key,
            published_at=when,
            platform_ids={"video_id": video_id} if video_id else {},
        )

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the account's latest videos (``video_list``) for the video this key
        uploaded, else one with the same caption created within ``read_back_window``."""
        if self.scopes is not None and not self.scopes & set(wire.OPERATION_SCOPES["read_back"]):
            failed = PermissionDeniedError(
                "cannot read back without the video.list.bind scope: the post may be live",
                platform=self.platform_id,
                code="scope_missing",
            )
            failed.outcome_unknown = True
            raise failed
        video_id = post.extras_as(DouyinExtras).video_id or (
            self._uploaded.get(idempotency_key) if idempotency_key else None
        )
        wanted = wire.content_key(post.body)
        now: datetime = yield Now()
        oldest = now - self._read_back_window
        response = yield self._get(
            "/api/douyin/v1/video/video_list/", {"cursor": 0, "count": self._read_back_count}
        )
        for raw in wire.answer_data(response).get("list") or ():
            found = wire.WireVideo.model_validate(raw)
            if video_id is not None and found.video_id == video_id:
                return self._receipt(found.item_id, video_id, idempotency_key, found.created_at)
            created = found.created_at
            fits = created is None or created >= oldest
            if video_id is None and fits and wire.content_key(found.title) == wanted:
                return self._receipt(found.item_id, None, idempotency_key, created)
        return None

    # -- share hand-off -----------------------------------------------------------------

    def share_handoff(
        self,
        post: PlatformPost,
        *,
        hashtags: Iterable[str] = (),
        to_publish_page: bool = True,
        need_callback: bool = True,
        nonce: str | None = None,
    ) -> Flow[DouyinShareHandoff]:
        """Flow: what the app hands to the user to post ``post``'s video themselves.

        Needs the app's ``h5.share`` and ``open.get.ticket`` capabilities, no user
        authorisation: run it with ``client.run(flow, authenticated=False)``. The video
        must be at a public https URL (Douyin's app downloads it). Nothing is published.
        """
        creds = self.credentials
        if creds is None:
            raise InvalidInputError.single("credentials", "the share hand-off needs the app's")
        video = self._video_of(post)
        tags = tuple(hashtags) or tuple(post.tags)
        now: datetime = yield Now()
        app_token = yield from app_credentials(self, self._cache, creds, now)
        ticket, ticket_expires = yield from open_ticket(self, self._cache, app_token, now)
        query: dict[str, Any] = {"need_callback": "true" if need_callback else "false"}
        if tags:
            query["default_hashtag"] = tags[0]
        response = yield self.request(
            "GET", "/share-id/", endpoint="share", params=query,
            headers={"access-token": app_token},
        )  # fmt: skip
        share_id = str(wire.answer_data(response)["share_id"])
        extras = post.extras_as(DouyinExtras)
        micro = None
        if extras.micro_app_id:
            micro = {"appId": extras.micro_app_id, "appTitle": extras.micro_app_title or "",
                     "appUrl": extras.micro_app_url or ""}  # fmt: skip
        nonce_str = nonce or secrets.token_hex(8)
        timestamp = str(int(now.timestamp()))
        sign = signature(nonce_str=nonce_str, ticket=ticket, timestamp=timestamp)
        return DouyinShareHandoff(
            share_id=share_id,
            schema_url=schema_url(
                client_key=creds.client_id,
                share_id=share_id,
                nonce_str=nonce_str,
                timestamp=timestamp,
                sign=sign,
                video_url=str(video.url),
                hashtags=tags,
                micro_app=micro,
                to_publish_page=to_publish_page,
                title=post.title,
            ),
            video_url=str(video.url),
            nonce_str=nonce_str,
            timestamp=timestamp,
            signature=sign,
            hashtags=tags,
            expires_at=ticket_expires,
        )

    # -- video data ---------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """``video/video_data`` for one item: ``views`` (play_count), ``likes``,
        ``comments``, ``shares``, ``interactions`` and Douyin's download/forward counts,
        over the video's lifetime."""
        require(post_id, "post_id", str, "an item_id (str)")
        self._require_scope("metrics")
        response = yield self._post(
            "/api/douyin/v1/video/video_data/", {"item_ids": [post_id]}, "read", safe=True
        )
        items = wire.answer_data(response).get("list") or []
        if not items:
            raise NotFoundError(f"no video data for {post_id}", platform=self.platform_id)
        video = wire.WireVideo.model_validate(items[0])
        received = received_at(response)
        created = video.created_at or datetime.fromtimestamp(received, timezone.utc)
        start, end = lifetime(created, received)
        counts = wire.metric_counts(video.statistics)
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    # -- comments -------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Flow[list[wire.WireComment]]:
        found: list[wire.WireComment] = []
        cursor: Any = 0
        for _ in range(_PAGES):
            response = yield self._get(
                path, {**params, "cursor": cursor, "count": 50, "sort_type": "time"}
            )
            data = wire.answer_data(response)
            found.extend(wire.WireComment.model_validate(c) for c in data.get("list") or ())
            if not data.get("has_more"):
                break
            cursor = data.get("cursor", 0)
        return found

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """The comments on a video (``item/comment/list``) and the replies to them
        (``item/comment/reply/list``), oldest first per level."""
        require(post_id, "post_id", str, "an item_id (str)")
        self._require_scope("comments")
        found: list[Comment] = []
        now: datetime = yield Now()
        for top in (yield from self._pages("/item/comment/list/", {"item_id": post_id})):
            found.append(self._comment(top, post_id, post_id, now))
            if top.reply_comment_total:
                params = {"item_id": post_id, "comment_id": top.comment_id}
                for reply in (yield from self._pages("/item/comment/reply/list/", params)):
                    found.append(self._comment(reply, post_id, top.comment_id, now))
        return tuple(found)

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One ``item/comment/list`` page of the watched videos (newest first per video)."""
        if InboxSource(source) is not InboxSource.COMMENTS:
            return (yield from super().inbox_page(source, cursor))
        return (yield from comment_page(self, cursor))

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``item/comment/reply``: answer comment ``comment_id`` on video ``post_id`` (or
        comment on the video itself when ``comment_id == post_id``)."""
        require(post_id, "post_id", str, "an item_id (str)")
        require(comment_id, "comment_id", str, "a comment id (str)")
        require(text, "text", str, "a str")
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        self._require_scope("reply")
        body: dict[str, Any] = {"item_id": post_id, "content": text}
        if comment_id != post_id:
            body["comment_id"] = comment_id
        response = yield self._post("/item/comment/reply/", body, "comments")
        now: datetime = yield Now()
        new_id = read_answer(self, response, lambda r: str(wire.answer_data(r)["comment_id"]))
        return Comment(
            platform=self.spec.id,
            id=new_id,
            post_id=post_id,
            author_id=self.open_id,
            text=text,
            created_at=now,
            in_reply_to=comment_id,
        )

    def _comment(
        self, wired: wire.WireComment, post_id: str, parent: str, now: datetime
    ) -> Comment:
        return Comment(
            platform=self.spec.id,
            id=wired.comment_id,
            post_id=post_id,
            author_id=wired.comment_user_id or "",
            text=wired.content,
            created_at=wired.created_at or now,
            in_reply_to=parent,
        )
