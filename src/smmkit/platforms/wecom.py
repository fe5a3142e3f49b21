"""WeCom (企业微信) app messages: text, markdown, image, news and template cards.

WeCom is a private-domain channel: ``message/send`` pushes a message from a self-built
app to members (and, through customer contact, to customers); it is not public
posting. What the adapter enforces:

* **The 2048-byte limit before sending.** Text and markdown longer than 2048 UTF-8
  bytes are *truncated* by WeCom without an error, so the adapter refuses them first
  (:class:`~smmkit.exceptions.ContentRuleError` naming the field).
* **The duplicate check as idempotency.** Every send carries
  ``enable_duplicate_check=1``: WeCom drops an identical request within
  ``duplicate_check_interval`` (1800 s by default), so a send whose outcome is unknown
  can be repeated without a second message.
* **errcode inside HTTP 200**, the token refreshed on 40014/42001 (once per request, by
  the drivers: a token WeCom keeps refusing ends in ``TokenExpiredError``), 45009/45033 as
  :class:`~smmkit.exceptions.RateLimitError` (shared with WeChat OA).
* **Partial failures are reported**: recipients WeCom rejected (``invaliduser``,
  ``invalidparty``, ``invalidtag``, ``unlicenseduser``) are listed in the receipt's
  ``detail`` and in :attr:`WeComSendResult.rejected`.

Callbacks (member messages, events, URL verification) are handled by
:class:`smmkit.webhooks.WeComCallback`; :meth:`WeComAdapter.callback` builds one for
this corp.

Example:
    >>> from smmkit.platforms import Credentials
    >>> adapter = WeComAdapter(credentials=Credentials(client_id="ww1", client_secret="s"),
    ...                        agent_id=1000002, to_users=("zhangsan",))
    >>> from smmkit.models import PlatformPost
    >>> request = next(adapter.publish(PlatformPost(platform="wecom", piece_id="p",
    ...                                             body="会议改到三点")))
    >>> import json
    >>> sent = json.loads(request.content)
    >>> sent["touser"], sent["msgtype"], sent["enable_duplicate_check"]
    ('zhangsan', 'text', 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import Field

from smmkit.exceptions import (
    ContentRuleError,
    FieldProblem,
    InvalidInputError,
    PlatformError,
)
from smmkit.models._base import SmmkitModel
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import WeComExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import Capability, Flow, IdempotencyMode
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._checks import require
from smmkit.platforms._errors import mark_delivered
from smmkit.platforms._media import MediaLoader, file_name, load_media, media_type
from smmkit.platforms._results import (
    MediaHandle,
    MediaState,
    MessageReceipt,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._translate import read_answer
from smmkit.platforms._wecom_inbox import message_page
from smmkit.platforms._weixin import WeixinAdapter

__all__ = ["MAX_TEXT_BYTES", "WeComAdapter", "WeComSendResult", "utf8_size"]

MAX_TEXT_BYTES = 2048
"""WeCom's limit for text and markdown ``content`` (UTF-8 bytes)."""


_MEDIA_TYPES = {
    MediaKind.IMAGE: "image",
    MediaKind.GIF: "image",
    MediaKind.VIDEO: "video",
    MediaKind.AUDIO: "voice",
    MediaKind.DOCUMENT: "file",
}
_REJECT_FIELDS = ("invaliduser", "invalidparty", "invalidtag", "unlicenseduser")


def utf8_size(text: str) -> int:
    """Size of ``text`` as WeCom counts it (UTF-8 bytes), via ``smmkit.text`` when present.

    Example:
        >>> utf8_size("会议"), utf8_size("ok")
        (6, 2)
    """
    require(text, "text", str, "a str")
    try:
        from smmkit.text import measure
    except ImportError:  # the text engine is optional here
        return len(text.encode("utf-8"))
    return int(measure(text, "wecom").bytes)


class WeComSendResult(SmmkitModel):
    """What ``message/send`` reported: the message id and any rejected recipients.

    Example:
        >>> WeComSendResult(msgid="m1", rejected={"invaliduser": ("lisi",)}).ok
        False
    """

    msgid: str
    rejected: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    response_code: str | None = None

    @property
    def ok(self) -> bool:
        """True when every recipient was accepted."""
        return not any(self.rejected.values())


def _split_ids(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(p for p in str(value).split("|") if p)


def _join(value: Any, field: str, limit: int) -> str | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
    items = tuple(i for i in items if i)
    if len(items) > limit:
        raise InvalidInputError.single(field, f"takes at most {limit} ids", len(items))
    return "|".join(items) or None


class WeComAdapter(WeixinAdapter):
    """A self-built WeCom app (自建应用) of one corp.

    ``credentials.client_id`` is the corp id, ``client_secret`` the app's Secret;
    ``agent_id`` is the app's AgentId. Default recipients (``to_users`` user ids,
    ``to_parties``, ``to_tags``) apply unless ``PlatformPost.extras`` names
    ``touser``/``toparty``/``totag``; there is deliberately no default ``@all``.

    ``extras`` is a :class:`~smmkit.models.WeComExtras`: ``msgtype`` picks the message
    type (``text`` by default, ``markdown``, ``image`` for a post with one image,
    ``news`` with ``articles``, ``template_card`` with ``template_card``).

    Listening: ``direct_messages`` are the messages WeChat users send to the corp's
    customer-service accounts (微信客服, ``kf/sync_msg``; ``open_kfid`` picks one account,
    ``kf_page_size`` is the page size, at most 1000). Messages to the app itself come
    only as callbacks; see :mod:`smmkit.platforms._wecom_inbox` for what else is not
    readable.

    Example:
        >>> WeComAdapter.idempotency.value
        'duplicate_check'
    """

    name = "wecom"
    platform_id = "wecom"
    extras_model = WeComExtras
    default_base_url = "https://qyapi.weixin.qq.com"
    token_path = "/cgi-bin/gettoken"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.DELETE,
            Capability.DIRECT_MESSAGE,
            Capability.UPLOAD_MEDIA,
        }
    )
    idempotency = IdempotencyMode.DUPLICATE_CHECK
    token_expired_codes = frozenset({40014, 42001, 41001})
    throttle_codes = frozenset({45009, 45033})
    daily_quota_codes = frozenset()
    permission_codes = frozenset({48002, 60011, 60020, 301002})
    inbox_sources = frozenset({InboxSource.DIRECT_MESSAGES})

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        agent_id: int = 0,
        to_users: Sequence[str] = (),
        to_parties: Sequence[str] = (),
        to_tags: Sequence[str] = (),
        duplicate_check_interval: int = 1800,
        media_loader: MediaLoader | None = None,
        open_kfid: str | None = None,
        kf_page_size: int = 1000,
    ) -> None:
        super().__init__(
            base_url=base_url, credentials=credentials, spec=spec, media_loader=media_loader
        )
        require(agent_id, "agent_id", int, "an int")
        if open_kfid is not None:
            require(open_kfid, "open_kfid", str, "a customer-service account id (str) or None")
        require(kf_page_size, "kf_page_size", int, "an int")
        if not 1 <= kf_page_size <= 1000:
            raise InvalidInputError.single("kf_page_size", "must be 1..1000", kf_page_size)
        self.open_kfid = open_kfid
        self.kf_page_size = kf_page_size
        require(duplicate_check_interval, "duplicate_check_interval", int, "an int")
        for field, ids in (
            ("to_users", to_users),
            ("to_parties", to_parties),
            ("to_tags", to_tags),
        ):
            require(ids, field, (list, tuple), "a list of str")
            for i, item in enumerate(ids):
                require(item, f"{field}.{i}", str, "a str")
        if not 0 < duplicate_check_interval <= 4 * 3600:
            raise InvalidInputError.single(
                "duplicate_check_interval", "must be 1..14400 seconds", duplicate_check_interval
            )
        self.agent_id = agent_id
        self.to_users = tuple(to_users)
        self.to_parties = tuple(to_parties)
        self.to_tags = tuple(to_tags)
        self.duplicate_check_interval = duplicate_check_interval

    def callback(self, *, token: str, encoding_aes_key: str, **options: Any) -> Any:
        """A :class:`smmkit.webhooks.WeComCallback` for this corp (``receive_id`` = corp id).

        ``token`` and ``encoding_aes_key`` are the ones set on the app's "接收消息"
        page; ``options`` go to ``WeComCallback`` (previous key, replay guard, ...).
        """
        from smmkit.webhooks import WeComCallback

        return WeComCallback(
            token=token,
            corp_id=self._credentials().client_id,
            encoding_aes_key=encoding_aes_key,
            **options,
        )

    # -- token -----------------------------------------------------------------------

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """``GET cgi-bin/gettoken?corpid=…&corpsecret=…`` (7200 s; errors redact the query).

        WeCom hands out the same token until it expires. If it refuses a token it still
        hands out (an IP not among the app's trusted IPs), the drivers' one refresh per
        request gets the same token back and the retry ends in ``TokenExpiredError``.
        """
        del current  # gettoken has no refresh grant: every fetch is a fresh one
        creds = self._credentials()
        params = {"corpid": creds.client_id, "corpsecret": creds.client_secret.get_secret_value()}
        response = yield self.request("GET", self.token_path, endpoint="token", params=params)
        return self._token_from(response)

    # -- messages ----------------------------------------------------------------------

    def _recipients(self, extras: WeComExtras) -> dict[str, str]:
        limits = {"touser": 1000, "toparty": 100, "totag": 100}
        given_ids = {"touser": extras.touser, "toparty": extras.toparty, "totag": extras.totag}
        defaults = {"touser": self.to_users, "toparty": self.to_parties, "totag": self.to_tags}
        chosen: dict[str, str] = {}
        for field, limit in limits.items():
            given = given_ids[field] if field in extras.model_fields_set else None
            if given is None:
                given = tuple(defaults[field]) or None
            joined = _join(given, f"extras.{field}", limit)
            if joined:
                chosen[field] = joined
        if not chosen:
            raise InvalidInputError.single(
                "extras.touser", "no recipients: pass to_users= or extras touser/toparty/totag"
            )
        return chosen

    def _checked_content(self, field: str, text: str) -> str:
        if not text.strip():
            raise InvalidInputError.single(field, "must not be empty", text)
        size = utf8_size(text)
        if size > MAX_TEXT_BYTES:
            # WeCom would truncate silently; cutting a message is the author's call.
            raise ContentRuleError(
                [FieldProblem(field, f"is {size} UTF-8 bytes; WeCom takes at most 2048")]
            )
        return text

    def message_payload(self, post: PlatformPost) -> dict[str, Any]:
        """The ``message/send`` JSON for ``post`` (recipients, type, duplicate check).

        Raises :class:`~smmkit.exceptions.ContentRuleError` for text or markdown over
        2048 bytes, before anything is sent.

        Example:
            >>> adapter = WeComAdapter(agent_id=7, to_parties=("2",))
            >>> payload = adapter.message_payload(PlatformPost(platform="wecom", piece_id="p",
            ...     body="**上新**", extras={"msgtype": "markdown"}))
            >>> payload["toparty"], payload["markdown"], payload["duplicate_check_interval"]
            ('2', {'content': '**上新**'}, 1800)
        """
        extras = post.extras_as(WeComExtras)
        msgtype = extras.msgtype or ("image" if post.media else "text")
        payload: dict[str, Any] = {**self._recipients(extras), "msgtype": msgtype}
        payload["agentid"] = self.agent_id
        if msgtype in ("text", "markdown"):
            text = post.body if not post.parts else "\n\n".join(post.parts)
            payload[msgtype] = {"content": self._checked_content("body", text)}
        elif msgtype == "image":
            media_ids = list(extras.media_ids)
            if len(media_ids) != 1:
                raise InvalidInputError.single(
                    "media", "an image message carries exactly one uploaded image", len(media_ids)
                )
            payload["image"] = {"media_id": str(media_ids[0])}
        elif msgtype == "news":
            articles = list(extras.articles)
            if not 1 <= len(articles) <= 8:
                raise InvalidInputError.single(
                    "extras.articles", "a news message has 1 to 8 articles", len(articles)
                )
            payload["news"] = {"articles": articles}
        elif msgtype == "textcard":
            payload["textcard"] = dict(extras.textcard or {})
        else:
            card = extras.template_card
            if card is None or "card_type" not in card:
                raise InvalidInputError.single(
                    "extras.template_card", "needs a dict with card_type", card
                )
            payload["template_card"] = dict(card)
        if extras.safe is not None:
            payload["safe"] = int(extras.safe)
        payload["enable_duplicate_check"] = 1
        payload["duplicate_check_interval"] = self.duplicate_check_interval
        return payload

    def send(self, payload: Mapping[str, Any]) -> Flow[WeComSendResult]:
        """``POST message/send`` with a payload from :meth:`message_payload` (or your own).

        Safe to repeat: the duplicate check drops an identical second request.
        """
        return self._send(payload)

    def _send(self, payload: Mapping[str, Any]) -> Flow[WeComSendResult]:
        safe = bool(payload.get("enable_duplicate_check"))
        response = yield self._post(
            "/cgi-bin/message/send", payload, endpoint="api_calls", safe=safe
        )
        # An answer without its msgid: the message may be out (an unknown outcome).
        return read_answer(self, response, _send_result)

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Send ``post`` as an app message; rejected recipients are listed in ``detail``."""
        posts = [post]
        if post.media and post.body.strip() and not post.extras_as(WeComExtras).msgtype:
            # An image message has no caption: the words go first, as their own message,
            # rather than being dropped.
            posts = [
                post.model_copy(update={"media": ()}).with_extras(media_ids=(), msgtype="text"),
                post.with_extras(msgtype="image"),
            ]
        payloads = [self.message_payload(p) for p in posts]  # every check before any send
        msgids: list[str] = []
        problems: list[str] = []
        for payload in payloads:
            try:
                result = yield from self._send(payload)
            except PlatformError as exc:
                mark_delivered(exc, msgids)  # the text went out before the image failed
                raise
            msgids.append(result.msgid)
            problems.extend(f"{f}={'|'.join(ids)}" for f, ids in result.rejected.items())
        return PublishReceipt(
            platform=self.platform_id,
            post_id="|".join(msgids),
            status=PublishStatus.PUBLISHED,
            idempotency_key=idempotency_key,
            detail="; ".join(problems) or None,
        )

    def delete(self, post_id: str) -> Flow[None]:
        """``message/recall`` of every message of the post (within 24 hours of sending)."""
        for msgid in _split_ids(post_id):
            yield self._post(
                "/cgi-bin/message/recall", {"msgid": msgid}, endpoint="api_calls", safe=True
            )

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """A text message to one member (``recipient`` is the WeCom user id)."""
        post = PlatformPost(
            platform=self.platform_id,
            piece_id="message",
            body=text,
            extras=WeComExtras(touser=(recipient,)),
        )
        payload = self.message_payload(post)
        payload.pop("toparty", None)
        payload.pop("totag", None)
        result = yield from self._send(payload)
        if not result.ok:
            raise InvalidInputError.single("recipient", "WeCom rejected this user id", recipient)
        return MessageReceipt(
            platform=self.platform_id, message_id=result.msgid, recipient=recipient
        )

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One ``kf/sync_msg`` page: customers' messages to the 微信客服 accounts."""
        if InboxSource(source) is not InboxSource.DIRECT_MESSAGES:
            return (yield from super().inbox_page(source, cursor))
        return (yield from message_page(self, cursor))

    # -- media -------------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """``media/upload?type=…`` (temporary: the ``media_id`` lives 3 days)."""
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
        if len(data) <= 5:
            raise InvalidInputError.single(
                "media", "WeCom files must be larger than 5 bytes", len(data)
            )
        response = yield self.request(
            "POST",
            "/cgi-bin/media/upload",
            endpoint="api_calls",
            safe=True,  # an unused upload expires after 3 days
            params={"type": _MEDIA_TYPES[asset.kind]},
            files={"media": (file_name(asset), data, media_type(asset))},
        )
        return MediaHandle(
            platform=self.platform_id,
            media_id=str(response.json()["media_id"]),
            kind=asset.kind,
            state=MediaState.READY,
        )


def _send_result(response: httpx.Response) -> WeComSendResult:
    """``message/send``'s answer; one without a ``msgid`` is not one smmkit can read."""
    body = response.json()
    msgid = body["msgid"]
    if not isinstance(msgid, str) or not msgid:
        raise TypeError("msgid")
    rejected = {f: _split_ids(body.get(f)) for f in _REJECT_FIELDS if body.get(f)}
    return WeComSendResult(msgid=msgid, rejected=rejected, response_code=body.get("response_code"))
