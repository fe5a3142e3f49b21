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

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from html import escape
from typing import Any

import httpx

from smmkit.exceptions import AuthenticationError, InvalidInputError
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import WeChatOAExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    observations,
    received_at,
)
from smmkit.platforms._auth import Token
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._inbox_rounds import watched_posts
from smmkit.platforms._media import file_name, load_media, media_type
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    MessageReceipt,
    PublishReceipt,
)
from smmkit.platforms._wechat_inbox import comment_page
from smmkit.platforms._wechat_receipts import (
    join_post_id,
    receipt_for_status,
    receipt_from_event,
    split_post_id,
)
from smmkit.platforms._weixin import CHINA_TZ, WeixinAdapter, was_rejected

__all__ = [
    "CHINA_TZ",
    "WeChatOfficialAccountAdapter",
    "WeixinAdapter",
    "join_post_id",
    "receipt_from_event",
    "split_post_id",
    "was_rejected",
]

_FORCE_GAP = 30.0  # WeChat allows a forced refresh at most every 30 s (20 a day)


def _comment_number(comment_id: str) -> int | str:
    # WeChat's ids are numbers; anything else is passed on for WeChat to refuse. An inbox
    # event's id is "<msg_data_id>-<user_comment_id>": the number is its tail.
    comment_id = comment_id.rpartition("-")[2]
    return int(comment_id) if comment_id.isdigit() else comment_id


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
    ``extras.content_html`` (HTML whose images come from :meth:`upload_article_image`),
    the cover: ``extras.thumb_media_id`` or the first ``media`` item (uploaded as
    permanent material), and the other fields of
    :class:`~smmkit.models.WeChatOAExtras`: ``author``, ``digest``,
    ``content_source_url``, ``need_open_comment``, ``only_fans_can_comment``.

    Example:
        >>> sorted(c.value for c in WeChatOfficialAccountAdapter.capabilities)[:4]
        ['comments', 'delete', 'direct_message', 'metrics']
    """

    name = "wechat_oa"
    platform_id = "wechat_oa"
    extras_model = WeChatOAExtras
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
    inbox_sources = frozenset({InboxSource.COMMENTS})
    # When this adapter last forced a new token; set per instance on the first force.
    _last_forced: float | None = None
    # The third-party platform's token source, when an agency acts for this account.
    _authorizer: Any = None

    def __init__(
        self, *, authorizer: Any = None, watch_posts: Sequence[str] = (), **options: Any
    ) -> None:
        """``authorizer``: a :class:`smmkit.platforms.wechat_component.AuthorizerSource`
        (``component.authorizer(appid)``) instead of ``credentials``: the token then comes
        from the third-party platform (``api_authorizer_token``), not from the AppSecret.
        ``watch_posts``: the publications whose comments :meth:`inbox_page` follows."""
        super().__init__(**options)
        self.watch_posts = watched_posts(watch_posts)
        if authorizer is not None:
            from smmkit.platforms.wechat_component import AuthorizerSource

            if not isinstance(authorizer, AuthorizerSource):
                raise InvalidInputError.single(
                    "authorizer", "must be an AuthorizerSource (component.authorizer(appid))"
                )
            if self.credentials is not None:
                raise InvalidInputError.single(
                    "authorizer", "give credentials or an authorizer, not both"
                )
            self._authorizer = authorizer
            # Seen by the drivers' redaction (one level deep): the component's secrets
            self._component_secrets = authorizer.secrets()

    @property
    def account(self) -> str:
        """The account (keys tokens and rate limits); the authorizer's AppID with
        ``authorizer=``, so its token is stored under ``wechat_oa:<appid>``."""
        if self._authorizer is not None:
            appid: str = self._authorizer.authorizer_appid
            return appid
        return super().account

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """WeChat's ``errcode`` mapping (and, with ``authorizer=``, the component's codes)."""
        info = super().parse_error(response)
        if self._authorizer is not None:
            mapped: ErrorInfo | None = self._authorizer.error_info(response, info)
            return mapped
        return info

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
        if self._authorizer is not None:  # an agency's third-party platform
            token: Token = yield from self._authorizer.fetch_token(current)
            self._component_secrets = self._authorizer.secrets()
            return token
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
        if asset.kind is not MediaKind.IMAGE:
            raise InvalidInputError.single("media.kind", "wechat_oa covers are images", asset.kind)
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
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
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
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
        extras = post.extras_as(WeChatOAExtras)
        title = post.title
        if not title and post.body.strip():
            title = post.body.strip().splitlines()[0].strip()
        if not title:
            raise InvalidInputError.single("title", "a WeChat article needs a title", title)
        limit = self.spec.title.value if self.spec.title else 32
        if len(title) > limit:
            raise InvalidInputError.single("title", f"is longer than {limit:g} 字", title)
        media_ids = list(extras.media_ids)
        thumb = extras.thumb_media_id or (media_ids[0] if media_ids else None)
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
        content = extras.content_html
        if content is None:
            paragraphs = [p.strip() for p in post.body.split("\n\n") if p.strip()]
            content = "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)
        article: dict[str, Any] = {
            "article_type": "news",
            "title": title,
            "content": content,
            "thumb_media_id": str(thumb),
            "need_open_comment": int(extras.need_open_comment),
            "only_fans_can_comment": int(extras.only_fans_can_comment),
        }
        optional = {
            "author": extras.author,
            "digest": extras.digest,
            "content_source_url": extras.content_source_url,
        }
        article.update({key: value for key, value in optional.items() if value})
        return article

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``draft/add`` then ``freepublish/submit``; the receipt is *processing*.

        Submission success only means WeChat accepted the task; the status machine
        follows it with :meth:`publish_status` (or :func:`receipt_from_event`).
        """
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
        return receipt_for_status(
            self.platform_id,
            1,
            publish_id=str(body["publish_id"]),
            msg_data_id=None if msg_data_id is None else str(msg_data_id),
            article_id=None,
            url=None,
            key=idempotency_key,
            at=None,
        )

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """``freepublish/get``: 0 published, 1 publishing, 2–6 failed (with the reason)."""
        publish_id, msg_data_id = split_post_id(receipt.post_id or "")
        response = yield self._post(
            "/cgi-bin/freepublish/get", {"publish_id": publish_id}, endpoint="read", safe=True
        )
        body = response.json()
        items = (body.get("article_detail") or {}).get("item") or []
        return receipt_for_status(
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
        ucid, _, is_reply = comment_id.partition(":")
        path = "/cgi-bin/comment/reply/delete" if is_reply else "/cgi-bin/comment/delete"
        payload = {
            "msg_data_id": self._msg_data_id(post_id),
            "index": 0,
            "user_comment_id": _comment_number(ucid),
        }
        yield self._post(path, payload, endpoint="comments", safe=True)

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One ``comment/list`` page of the watched publications (see
        :mod:`smmkit.platforms._wechat_inbox`); comments only."""
        if InboxSource(source) is not InboxSource.COMMENTS:
            return (yield from super().inbox_page(source, cursor))
        return (yield from comment_page(self, cursor))

    # -- customer messages -------------------------------------------------------------------

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """``message/custom/send`` to an openid, inside the 48-hour window.

        Outside it WeChat answers 45015 (45047 when the window's quota is used up):
        :class:`~smmkit.exceptions.OutsideWindowError`, never retried.
        """
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
