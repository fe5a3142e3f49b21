"""WeChat Official Account (微信公众号): articles, comments, customer messages, metrics.

WeChat says "no" inside HTTP 200 (``{"errcode": 45009, "errmsg": ...}``), so every
answer is read for its ``errcode`` and mapped to smmkit's errors:

=====================  ==========================================================
errcode                what smmkit does
=====================  ==========================================================
40001, 40014, 42001    the token was rejected: the drivers refresh it once per request
                       and retry; a second rejection is ``TokenExpiredError``
45009                  daily quota: ``RateLimitError`` waiting until midnight (UTC+8)
45011                  minute quota: ``RateLimitError`` waiting until the next minute
45015, 45047           ``OutsideWindowError``: the 48-hour customer-message window
48001                  ``PermissionDeniedError``: the account may not call this API
-1                     ``ServerError`` ("system busy"), retried when safe
=====================  ==========================================================

Tokens come from ``cgi-bin/stable_token``, which (unlike ``cgi-bin/token``) does not
invalidate the token other workers hold; the client's token store shares it.

Publishing is asynchronous: ``draft/add`` → ``freepublish/submit`` returns a
``publish_id``; the result arrives later, by polling ``freepublish/get`` (the publish
protocol does that, with a deadline) or as a ``PUBLISHJOBFINISH`` callback
(:func:`receipt_from_event` turns the parsed event into a receipt).

Example:
    >>> from smmkit.platforms import Credentials
    >>> adapter = WeChatOfficialAccountAdapter(
    ...     credentials=Credentials(client_id="wx123", client_secret="app-secret"))
    >>> request = next(adapter.fetch_token(None))
    >>> request.url.path, "app-secret" in repr(adapter)
    ('/cgi-bin/stable_token', False)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from html import escape
from typing import Any, ClassVar

import httpx

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    OutsideWindowError,
    RateLimitError,
    ServerError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import (
    RECEIVED_AT,
    Capability,
    Comment,
    Flow,
    IdempotencyMode,
    MediaHandle,
    MediaState,
    MessageReceipt,
    Now,
    PlatformAdapter,
    PublishReceipt,
    PublishStatus,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._http import ErrorInfo
from smmkit.platforms._media import MediaLoader, file_name, media_type, read_local_media

__all__ = [
    "CHINA_TZ",
    "WeChatOfficialAccountAdapter",
    "WeixinAdapter",
    "join_post_id",
    "receipt_from_event",
    "split_post_id",
    "was_rejected",
]

CHINA_TZ = timezone(timedelta(hours=8))
"""WeChat's quotas and datacube days run on Beijing time."""

_POLL_SECONDS = 10.0
_NEAR_EXPIRY = 120.0
_FORCE_GAP = 30.0  # WeChat allows a forced refresh at most every 30 s (20 a day)
_PUBLISH_FAILURES = {
    2: "originality check failed",
    3: "publish failed",
    4: "rejected by platform review",
    5: "deleted after publishing",
    6: "banned after publishing",
}


def _seconds_to_next_minute(now: float) -> float:
    return 60.0 - (now % 60.0) or 60.0


def _seconds_to_china_midnight(now: float) -> float:
    local = datetime.fromtimestamp(now, CHINA_TZ)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


def _comment_number(comment_id: str) -> int | str:
    # WeChat's ids are numbers; anything else is passed on for WeChat to refuse.
    return int(comment_id) if comment_id.isdigit() else comment_id


class WeixinAdapter(PlatformAdapter):
    """What WeChat OA and WeCom share: the token in the query, ``errcode`` in HTTP 200.

    Subclasses set ``token_path`` and the codes. ``errcode`` 0 is success; any other
    value is an error whatever the HTTP status says.

    Example:
        >>> import httpx
        >>> adapter = WeChatOfficialAccountAdapter()
        >>> info = adapter.parse_error(httpx.Response(200, json={"errcode": 45011,
        ...     "errmsg": "api minute-quota reach limit"}, extensions={
        ...     "smmkit.received_at": 1700000030.0}))
        >>> info.kind.__name__, info.retry_after
        ('RateLimitError', 10.0)
    """

    requires_token = True
    token_path: ClassVar[str] = ""
    busy_codes = frozenset({-1})
    window_codes: ClassVar[frozenset[int]] = frozenset()
    daily_quota_codes: ClassVar[frozenset[int]] = frozenset({45009})
    request_id_headers = ("request-id", "x-request-id", "logicret")

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        # The token travels in the query: the drivers redact query values in httpx's
        # and httpcore's log records (smmkit.platforms._client), for every adapter.
        self._load_media = media_loader or read_local_media

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, account={self.account!r})"

    def _credentials(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationError(
                f"{type(self).__name__} needs credentials (app id and secret)",
                platform=self.platform_id,
            )
        return self.credentials

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """Put the token in the ``access_token`` query parameter (errors redact it)."""
        url = request.url.copy_set_param("access_token", token.access_token.get_secret_value())
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Map ``errcode`` (also inside HTTP 200) to smmkit's errors, with the right wait."""
        info = super().parse_error(response)
        if info is None or not isinstance(info.code, int):
            return info
        code = info.code
        try:
            on_token_path = response.request.url.path == self.token_path
        except RuntimeError:
            on_token_path = False
        if on_token_path and not issubclass(info.kind, (RateLimitError, ServerError)):
            # On the token endpoint every other code means a wrong app id or secret, or
            # an IP not on the allow-list: refreshing cannot help.
            return ErrorInfo(AuthenticationError, info.message, code=code)
        if code in self.window_codes:
            return ErrorInfo(OutsideWindowError, info.message, code=code)
        if info.kind is RateLimitError:
            now = response.extensions.get(RECEIVED_AT)
            wait = None
            if isinstance(now, (int, float)):
                if code in self.daily_quota_codes:
                    wait = _seconds_to_china_midnight(now)
                else:
                    wait = _seconds_to_next_minute(now)
            return ErrorInfo(RateLimitError, info.message, code=code, retry_after=wait)
        return info

    def _token_from(self, response: httpx.Response) -> Token:
        body = response.json()
        expires_in = float(body.get("expires_in") or 7200)
        return Token(
            access_token=body["access_token"],
            expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
        )

    def _post(
        self,
        path: str,
        payload: Mapping[str, Any],
        *,
        endpoint: str = "default",
        safe: bool = False,
    ) -> httpx.Request:
        # ensure_ascii=False: WeChat stores "\u4f60" literally when sent escaped.
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.request(
            "POST",
            path,
            endpoint=endpoint,
            safe=safe,
            content=content,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )


def was_rejected(current: Token | None, fresh: Token, response: httpx.Response) -> bool:
    """True when the token endpoint handed back the token that was just refused.

    The same token near its expiry is a proactive refresh WeChat/WeCom answered with the
    still-valid token; far from expiry it means the platform refused a token it
    considers live (another service reset it, or the IP is not allowed).

    Example:
        >>> from datetime import datetime, timezone
        >>> old = Token(access_token="t", expires_at=datetime(2026, 1, 1, 2, tzinfo=timezone.utc))
        >>> r = httpx.Response(200, extensions={RECEIVED_AT: datetime(2026, 1, 1,
        ...     tzinfo=timezone.utc).timestamp()})
        >>> was_rejected(old, Token(access_token="t"), r), was_rejected(None, old, r)
        (True, False)
    """
    if current is None or not fresh.same_as(current):
        return False
    if current.expires_at is None:
        return True
    return current.expires_at.timestamp() - received_at(response) > _NEAR_EXPIRY


def join_post_id(article_or_publish_id: str, msg_data_id: str | None) -> str:
    """The post id smmkit uses for an article: ``"<id>|<msg_data_id>"``.

    WeChat needs the ``article_id`` to delete and read an article but the
    ``msg_data_id`` to list and answer its comments; the post id carries both.

    Example:
        >>> join_post_id("Art_1", "2247483650")
        'Art_1|2247483650'
    """
    return f"{article_or_publish_id}|{msg_data_id}" if msg_data_id else article_or_publish_id


def split_post_id(post_id: str) -> tuple[str, str | None]:
    """``(article_or_publish_id, msg_data_id)`` of a post id from :func:`join_post_id`.

    Example:
        >>> split_post_id("Art_1|2247483650"), split_post_id("Art_1")
        (('Art_1', '2247483650'), ('Art_1', None))
    """
    head, _, tail = post_id.partition("|")
    if not head:
        raise InvalidInputError.single("post_id", "is empty", post_id)
    return head, (tail or None)


def _receipt_for_status(
    platform: str,
    code: int,
    *,
    publish_id: str,
    msg_data_id: str | None,
    article_id: str | None,
    url: str | None,
    key: str | None,
    at: datetime | None,
    fail_idx: tuple[int, ...] = (),
) -> PublishReceipt:
    ids = {"publish_id": publish_id}
    if msg_data_id:
        ids["msg_data_id"] = msg_data_id
    if article_id:
        ids["article_id"] = article_id
    if code == 0 and article_id:
        return PublishReceipt(
            platform=platform,
            post_id=join_post_id(article_id, msg_data_id),
            platform_ids=ids,
            status=PublishStatus.PUBLISHED,
            url=url,
            idempotency_key=key,
            published_at=at,
        )
    if code == 1 or (code == 0 and not article_id):
        return PublishReceipt(
            platform=platform,
            post_id=join_post_id(publish_id, msg_data_id),
            platform_ids=ids,
            status=PublishStatus.PROCESSING,
            idempotency_key=key,
            poll_after=_POLL_SECONDS,
        )
    reason = _PUBLISH_FAILURES.get(code, f"publish_status {code}")
    if fail_idx:
        reason += f" (articles {', '.join(str(i) for i in fail_idx)})"
    return PublishReceipt(
        platform=platform,
        post_id=join_post_id(publish_id, msg_data_id),
        platform_ids=ids,
        status=PublishStatus.FAILED,
        idempotency_key=key,
        detail=reason,
    )


def receipt_from_event(event: Any, pending: PublishReceipt) -> PublishReceipt:
    """The receipt a ``PUBLISHJOBFINISH`` callback stands for.

    ``event`` is the :class:`smmkit.webhooks.PublishJobFinishEvent` parsed by
    :class:`smmkit.webhooks.WeChatCallback`; ``pending`` is the processing receipt
    :meth:`WeChatOfficialAccountAdapter.publish` returned (it carries the
    ``msg_data_id`` the event lacks). Callbacks and polling meet in the same status
    machine, so ``pending.status.check_transition(result.status)`` holds.

    Example:
        >>> from smmkit.webhooks import parse_message
        >>> event = parse_message(
        ...     "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...     "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        ...     "<Event>PUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>22</publish_id>"
        ...     "<publish_status>0</publish_status><article_id>Art_9</article_id>"
        ...     "<article_detail><count>1</count><item><idx>1</idx><article_url>"
        ...     "https://mp.weixin.qq.com/s/x</article_url></item></article_detail>"
        ...     "</PublishEventInfo></xml>")
        >>> pending = PublishReceipt(platform="wechat_oa", post_id="22|2247483650",
        ...                          status="processing")
        >>> receipt_from_event(event, pending).post_id
        'Art_9|2247483650'
    """
    publish_id = str(getattr(event, "publish_id", ""))
    own_publish_id, msg_data_id = split_post_id(pending.post_id or publish_id)
    if publish_id and own_publish_id != publish_id:
        raise InvalidInputError.single(
            "event.publish_id", f"belongs to another publish than {own_publish_id}", publish_id
        )
    articles = tuple(getattr(event, "articles", ()) or ())
    receipt = _receipt_for_status(
        pending.platform,
        int(getattr(event, "publish_status_code", 3)),
        publish_id=own_publish_id,
        msg_data_id=msg_data_id,
        article_id=getattr(event, "article_id", None),
        url=articles[0].url if articles else None,
        key=pending.idempotency_key,
        at=getattr(event, "create_time", None),
        fail_idx=tuple(getattr(event, "fail_idx", ()) or ()),
    )
    pending.status.check_transition(receipt.status)
    return receipt


class WeChatOfficialAccountAdapter(WeixinAdapter):
    """A WeChat Official Account (服务号/订阅号) with a verified enterprise subject.

    ``credentials.client_id`` is the AppID, ``client_secret`` the AppSecret; the
    server's IP must be on the account's API allow-list. Since 2025-07 personal and
    unverified accounts have no draft/publish permission (they get ``48001``).
    What "yesterday" is for :meth:`metrics` comes from the driver's clock (``Now``).

    Receipts carry ``post_id`` ``"<article_id>|<msg_data_id>"`` (what :meth:`delete`,
    :meth:`comments` and :meth:`metrics` take) and every WeChat id by name in
    ``platform_ids``: ``publish_id``, ``msg_data_id`` and, once published, ``article_id``.

    ``PlatformPost`` fields used by :meth:`publish`: ``title`` (≤32 字; else the first
    line of ``body``), ``body`` (plain text, turned into paragraphs) or
    ``extras["content_html"]`` (HTML whose images come from :meth:`upload_article_image`),
    the cover: ``extras["thumb_media_id"]`` or the first ``media`` item (uploaded as
    permanent material), and ``extras`` ``author``, ``digest``, ``content_source_url``,
    ``need_open_comment``, ``only_fans_can_comment``.

    Example:
        >>> sorted(c.value for c in WeChatOfficialAccountAdapter.capabilities)[:4]
        ['comments', 'delete', 'direct_message', 'metrics']
    """

    name = "wechat_oa"
    platform_id = "wechat_oa"
    default_base_url = "https://api.weixin.qq.com"
    token_path = "/cgi-bin/stable_token"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.DIRECT_MESSAGE,
            Capability.UPLOAD_MEDIA,
        }
    )
    # freepublish has no idempotency mechanism and nothing to read back by content:
    # an unknown outcome is reported, never blindly resubmitted.
    idempotency = IdempotencyMode.NONE
    token_expired_codes = frozenset({40001, 40014, 42001})
    throttle_codes = frozenset({45009, 45011})
    permission_codes = frozenset({48001, 48004, 48005, 50001, 50002})
    window_codes = frozenset({45015, 45047})
    # When this adapter last forced a new token; set per instance on the first force.
    _last_forced: float | None = None

    # -- token -----------------------------------------------------------------------

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """``POST cgi-bin/stable_token``; forced only when WeChat hands back a rejected token.

        ``force_refresh`` is allowed 20 times a day, so the normal mode comes first: it
        returns a new token once the old one expired. If it returns the very token
        that was just rejected, one forced refresh follows. The drivers refresh at most
        once per request; across requests, a second forced refresh within 30 s raises
        :class:`~smmkit.exceptions.AuthenticationError` instead of spending the quota
        (something else is invalidating this AppID's tokens).
        """
        return self._fetch_token(current)

    def _fetch_token(self, current: Token | None) -> Flow[Token]:
        creds = self._credentials()
        body = {
            "grant_type": "client_credential",
            "appid": creds.client_id,
            "secret": creds.client_secret.get_secret_value(),
            "force_refresh": False,
        }
        response = yield self._post(self.token_path, body, endpoint="stable_token", safe=True)
        token = self._token_from(response)
        if was_rejected(current, token, response):
            now = received_at(response)
            if self._last_forced is not None and now - self._last_forced < _FORCE_GAP:
                # Refreshing again cannot help (and burns the 20 forced refreshes a day):
                # something else invalidates tokens, or the IP is not allowed.
                raise AuthenticationError(
                    "WeChat rejected a freshly forced token; is another service calling "
                    "cgi-bin/token for this AppID?",
                    platform=self.platform_id,
                )
            response = yield self._post(
                self.token_path, {**body, "force_refresh": True}, endpoint="stable_token", safe=True
            )
            self._last_forced = received_at(response)
            token = self._token_from(response)
        return token

    # -- media ---------------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """Permanent image material (``material/add_material?type=image``): a cover.

        The permanent library holds about 5000 images; inline article images go
        through :meth:`upload_article_image` instead, which does not count.
        """
        return self._upload_material(asset)

    def _upload_material(self, asset: MediaAsset) -> Flow[MediaHandle]:
        if asset.kind is not MediaKind.IMAGE:
            raise InvalidInputError.single("media.kind", "wechat_oa covers are images", asset.kind)
        data = self._load_media(asset)
        response = yield self.request(
            "POST",
            "/cgi-bin/material/add_material",
            endpoint="material",
            params={"type": "image"},
            files={"media": (file_name(asset), data, media_type(asset))},
        )
        body = response.json()
        return MediaHandle(
            platform=self.platform_id,
            media_id=str(body["media_id"]),
            kind=asset.kind,
            state=MediaState.READY,
            detail=body.get("url"),
        )

    def upload_article_image(self, asset: MediaAsset) -> Flow[str]:
        """``media/uploadimg``: the URL to use in ``<img src>`` inside article HTML.

        External image URLs in article content are filtered out by WeChat; only URLs
        from this call survive. JPG/PNG under 1 MB.
        """
        return self._upload_inline(asset)

    def _upload_inline(self, asset: MediaAsset) -> Flow[str]:
        data = self._load_media(asset)
        response = yield self.request(
            "POST",
            "/cgi-bin/media/uploadimg",
            endpoint="material",
            safe=True,  # an unused inline image costs nothing
            files={"media": (file_name(asset), data, media_type(asset))},
        )
        return str(response.json()["url"])

    # -- publishing ------------------------------------------------------------------------

    def _article(self, post: PlatformPost) -> dict[str, Any]:
        extras = post.extras
        title = post.title
        if not title and post.body.strip():
            title = post.body.strip().splitlines()[0].strip()
        if not title:
            raise InvalidInputError.single("title", "a WeChat article needs a title", title)
        limit = self.spec.title.value if self.spec.title else 32
        if len(title) > limit:
            raise InvalidInputError.single("title", f"is longer than {limit:g} 字", title)
        media_ids = list(extras.get("media_ids", ()))
        thumb = extras.get("thumb_media_id") or (media_ids[0] if media_ids else None)
        if not thumb:
            raise InvalidInputError.single(
                "extras.thumb_media_id",
                "a WeChat article needs a cover: add an image to media or upload one first",
            )
        if len(media_ids) > 1:
            raise InvalidInputError.single(
                "media",
                "WeChat takes one cover; put more images inline via upload_article_image()",
                len(media_ids),
            )
        content = extras.get("content_html")
        if content is None:
            paragraphs = [p.strip() for p in post.body.split("\n\n") if p.strip()]
            content = "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)
        article: dict[str, Any] = {
            "article_type": "news",
            "title": title,
            "content": content,
            "thumb_media_id": str(thumb),
            "need_open_comment": int(bool(extras.get("need_open_comment", 1))),
            "only_fans_can_comment": int(bool(extras.get("only_fans_can_comment", 0))),
        }
        for key in ("author", "digest", "content_source_url"):
            if extras.get(key):
                article[key] = str(extras[key])
        return article

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``draft/add`` then ``freepublish/submit``; the receipt is *processing*.

        Submission success only means WeChat accepted the task; the status machine
        follows it with :meth:`publish_status` (or :func:`receipt_from_event`).
        """
        return self._publish(post, idempotency_key)

    def _publish(self, post: PlatformPost, key: str | None) -> Flow[PublishReceipt]:
        article = self._article(post)
        # A repeated draft is an orphan draft, not a publication: safe to retry.
        response = yield self._post(
            "/cgi-bin/draft/add", {"articles": [article]}, endpoint="draft", safe=True
        )
        media_id = str(response.json()["media_id"])
        response = yield self._post(
            "/cgi-bin/freepublish/submit", {"media_id": media_id}, endpoint="publish"
        )
        body = response.json()
        msg_data_id = body.get("msg_data_id")
        return _receipt_for_status(
            self.platform_id,
            1,
            publish_id=str(body["publish_id"]),
            msg_data_id=None if msg_data_id is None else str(msg_data_id),
            article_id=None,
            url=None,
            key=key,
            at=None,
        )

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """``freepublish/get``: 0 published, 1 publishing, 2–6 failed (with the reason)."""
        return self._publish_status(receipt)

    def _publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        publish_id, msg_data_id = split_post_id(receipt.post_id or "")
        response = yield self._post(
            "/cgi-bin/freepublish/get", {"publish_id": publish_id}, endpoint="read", safe=True
        )
        body = response.json()
        items = (body.get("article_detail") or {}).get("item") or []
        return _receipt_for_status(
            self.platform_id,
            int(body.get("publish_status", 3)),
            publish_id=publish_id,
            msg_data_id=msg_data_id,
            article_id=body.get("article_id"),
            url=items[0].get("article_url") if items else None,
            key=receipt.idempotency_key,
            at=datetime.fromtimestamp(received_at(response), timezone.utc),
            fail_idx=tuple(body.get("fail_idx") or ()),
        )

    def delete(self, post_id: str) -> Flow[None]:
        """``freepublish/delete`` of every article of the publication (``index`` 0)."""
        return self._delete(post_id)

    def _delete(self, post_id: str) -> Flow[None]:
        article_id, _ = split_post_id(post_id)
        yield self._post(
            "/cgi-bin/freepublish/delete",
            {"article_id": article_id, "index": 0},
            endpoint="publish",
            safe=True,  # deleting twice deletes once
        )

    # -- comments --------------------------------------------------------------------------

    def _msg_data_id(self, post_id: str) -> str:
        # A bare id is a msg_data_id (from a mass send, or kept by the caller).
        head, msg_data_id = split_post_id(post_id)
        return msg_data_id or head

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """``comment/list`` (all comments, 49 per page) with the account's replies."""
        return self._comments(post_id)

    def _comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        msg_data_id = self._msg_data_id(post_id)
        found: list[Comment] = []
        begin = 0
        while True:
            payload = {
                "msg_data_id": msg_data_id,
                "index": 0,
                "begin": begin,
                "count": 49,
                "type": 0,
            }
            response = yield self._post(
                "/cgi-bin/comment/list", payload, endpoint="read", safe=True
            )
            body = response.json()
            page = body.get("comment") or []
            for item in page:
                ucid = str(item["user_comment_id"])
                found.append(
                    Comment(
                        platform=self.platform_id,
                        id=ucid,
                        post_id=post_id,
                        author_id=str(item.get("openid", "")),
                        text=str(item.get("content", "")),
                        created_at=datetime.fromtimestamp(int(item["create_time"]), timezone.utc),
                    )
                )
                reply = item.get("reply") or {}
                if reply.get("content"):
                    found.append(
                        Comment(
                            platform=self.platform_id,
                            id=f"{ucid}:reply",
                            post_id=post_id,
                            author_id="official_account",
                            text=str(reply["content"]),
                            created_at=datetime.fromtimestamp(
                                int(reply.get("create_time") or item["create_time"]), timezone.utc
                            ),
                            in_reply_to=ucid,
                        )
                    )
            begin += len(page)
            total = int(body.get("total") or 0)
            if not page or begin >= total:
                return tuple(found)

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``comment/reply/add``: the account's (single) reply to a comment."""
        return self._reply(post_id, comment_id, text)

    def _reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        payload = {
            "msg_data_id": self._msg_data_id(post_id),
            "index": 0,
            "user_comment_id": _comment_number(comment_id),
            "content": text,
        }
        response = yield self._post("/cgi-bin/comment/reply/add", payload, endpoint="comments")
        return Comment(
            platform=self.platform_id,
            id=f"{comment_id}:reply",
            post_id=post_id,
            author_id="official_account",
            text=text,
            created_at=datetime.fromtimestamp(received_at(response), timezone.utc),
            in_reply_to=comment_id,
        )

    def delete_comment(self, post_id: str, comment_id: str) -> Flow[None]:
        """``comment/delete`` (a user's comment) or ``comment/reply/delete`` (``"<id>:reply"``)."""
        return self._delete_comment(post_id, comment_id)

    def _delete_comment(self, post_id: str, comment_id: str) -> Flow[None]:
        ucid, _, is_reply = comment_id.partition(":")
        path = "/cgi-bin/comment/reply/delete" if is_reply else "/cgi-bin/comment/delete"
        payload = {
            "msg_data_id": self._msg_data_id(post_id),
            "index": 0,
            "user_comment_id": int(ucid),
        }
        yield self._post(path, payload, endpoint="comments", safe=True)

    # -- customer messages -------------------------------------------------------------------

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """``message/custom/send`` to an openid, inside the 48-hour window.

        Outside it WeChat answers 45015 (45047 when the window's quota is used up):
        :class:`~smmkit.exceptions.OutsideWindowError`, never retried.
        """
        return self._send_message(recipient, text)

    def _send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        if not recipient:
            raise InvalidInputError.single("recipient", "needs the user's openid", recipient)
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        payload = {"touser": recipient, "msgtype": "text", "text": {"content": text}}
        response = yield self._post("/cgi-bin/message/custom/send", payload, endpoint="messages")
        body = response.json()
        message_id = str(body.get("msgid") or f"{recipient}@{received_at(response):.0f}")
        return MessageReceipt(platform=self.platform_id, message_id=message_id, recipient=recipient)

    # -- metrics ------------------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Yesterday's (Beijing time, on the driver's clock) datacube numbers of ``post_id``.

        ``post_id`` is a receipt's ``"<article_id>|<msg_data_id>"`` or a bare
        ``msg_data_id``. WeChat counts only articles with at least 3 interactions, and a
        day's data is ready after 08:00 the next day: an empty tuple is a normal answer.
        """
        return self._metrics(post_id)

    def _metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        now: datetime = yield Now()
        today = now.astimezone(CHINA_TZ).date()
        observations = yield from self._article_summary(
            post_id, self._msg_data_id(post_id), today - timedelta(days=1)
        )
        return observations

    def article_metrics(self, post_id: str, day: date) -> Flow[tuple[MetricObservation, ...]]:
        """``datacube/getarticlesummary`` for one day (≤ yesterday; ready after 08:00)."""
        return self._article_summary(post_id, self._msg_data_id(post_id), day)

    def _article_summary(
        self, post_id: str, msg_data_id: str, day: date
    ) -> Flow[tuple[MetricObservation, ...]]:
        payload = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
        response = yield self._post(
            "/datacube/getarticlesummary", payload, endpoint="datacube", safe=True
        )
        start = datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)
        end = start + timedelta(days=1)
        totals: dict[str, float] = {}
        for item in response.json().get("list") or []:
            # msgid is "<msg_data_id>_<index>" for each article of a publication.
            if str(item.get("msgid", "")).split("_")[0] != msg_data_id:
                continue
            for wire, name in _DATACUBE_FIELDS.items():
                value = item.get(wire)
                if isinstance(value, (int, float)):
                    totals[name] = totals.get(name, 0.0) + float(value)
        if totals:
            totals["interactions"] = sum(
                totals.get(n, 0.0) for n in ("share_count", "add_to_fav_count")
            )
        return observations(
            totals, platform=self.platform_id, content_id=post_id, start=start, end=end
        )


_DATACUBE_FIELDS = {
    "int_page_read_count": "views",
    "int_page_read_user": "reach",
    "ori_page_read_count": "original_page_views",
    "share_count": "share_count",
    "share_user": "share_user",
    "add_to_fav_count": "add_to_fav_count",
    "add_to_fav_user": "add_to_fav_user",
}
