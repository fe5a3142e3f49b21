"""Typed callback messages and events, read from the (decrypted) callback XML.

Only what is certain from the official message formats is typed; every top-level text
field also stays available in ``fields`` so nothing a newer platform version adds is
lost. Unknown message types and events still parse, into :class:`CallbackMessage` and
:class:`EventMessage`.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from xml.etree.ElementTree import Element

from smmkit.exceptions import InvalidInputError, MalformedPayloadError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.audience import Interaction, InteractionKind
from smmkit.webhooks._xml import parse_xml

__all__ = [
    "CallbackMessage",
    "EventMessage",
    "ImageMessage",
    "LinkMessage",
    "LocationMessage",
    "MassSendJobFinishEvent",
    "PublishJobFinishEvent",
    "WeChatPublishStatus",
    "PublishedArticle",
    "TextMessage",
    "VideoMessage",
    "VoiceMessage",
    "interaction_from_message",
    "message_from_element",
    "parse_message",
]


class CallbackMessage(SmmkitModel):
    """What every callback carries; also the type of messages smmkit does not know.

    ``fields`` holds every top-level text element as ``(tag, text)`` pairs, in order.
    ``agent_id`` is set for WeCom app callbacks.

    Example:
        >>> msg = parse_message("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1"
        ...     "</FromUserName><CreateTime>1700000000</CreateTime><MsgType>miniprogrampage"
        ...     "</MsgType><Title>t</Title></xml>")
        >>> type(msg).__name__, msg.msg_type, msg.get("Title"), msg.create_time.year
        ('CallbackMessage', 'miniprogrampage', 't', 2023)
    """

    to_user: str
    from_user: str
    create_time: AwareDatetime
    msg_type: str
    agent_id: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def get(self, tag: str, default: str | None = None) -> str | None:
        """The text of top-level element ``tag`` (first occurrence), or ``default``.

        Example:
            >>> CallbackMessage(to_user="a", from_user="b", create_time=datetime(2024, 1, 1,
            ...     tzinfo=timezone.utc), msg_type="x", fields=(("K", "v"),)).get("K")
            'v'
        """
        for name, value in self.fields:
            if name == tag:
                return value
        return default


class TextMessage(CallbackMessage):
    """A user's text message (``MsgType=text``); deduplicate retries on ``msg_id``.

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> m = parse_message(head + "<MsgType>text</MsgType><Content>hi</Content>"
        ...                   "<MsgId>42</MsgId></xml>")
        >>> m.content, m.msg_id
        ('hi', '42')
    """

    content: str
    msg_id: str | None = None


class ImageMessage(CallbackMessage):
    """An image message (``MsgType=image``).

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> parse_message(head + "<MsgType>image</MsgType><PicUrl>http://p</PicUrl>"
        ...               "<MediaId>m1</MediaId></xml>").media_id
        'm1'
    """

    pic_url: str | None = None
    media_id: str
    msg_id: str | None = None


class VoiceMessage(CallbackMessage):
    """A voice message; ``recognition`` is set when speech recognition is on.

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> parse_message(head + "<MsgType>voice</MsgType><MediaId>m</MediaId>"
        ...               "<Format>amr</Format><Recognition>你好</Recognition></xml>").recognition
        '你好'
    """

    media_id: str
    format: str | None = None
    recognition: str | None = None
    msg_id: str | None = None


class VideoMessage(CallbackMessage):
    """A video or short video (``video`` / ``shortvideo``).

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> v = parse_message(head + "<MsgType>shortvideo</MsgType><MediaId>m</MediaId></xml>")
        >>> type(v).__name__, v.msg_type
        ('VideoMessage', 'shortvideo')
    """

    media_id: str
    thumb_media_id: str | None = None
    msg_id: str | None = None


class LocationMessage(CallbackMessage):
    """A location the user sent (``MsgType=location``).

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> loc = parse_message(head + "<MsgType>location</MsgType><Location_X>23.13</Location_X>"
        ...                     "<Location_Y>113.35</Location_Y><Scale>20</Scale></xml>")
        >>> loc.latitude, loc.longitude, loc.scale
        (23.13, 113.35, 20)
    """

    latitude: float
    longitude: float
    scale: int | None = None
    label: str | None = None
    msg_id: str | None = None


class LinkMessage(CallbackMessage):
    """A shared link (``MsgType=link``).

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> parse_message(head + "<MsgType>link</MsgType><Title>T</Title>"
        ...               "<Url>https://example.com</Url></xml>").url
        'https://example.com'
    """

    title: str
    description: str | None = None
    url: str
    msg_id: str | None = None


class EventMessage(CallbackMessage):
    """An event (``MsgType=event``): subscribe, menu clicks, scans, WeCom events, ...

    Deduplicate retried events on ``(from_user, create_time, event)``: events have no id.

    Example:
        >>> head = ("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...         "<CreateTime>1700000000</CreateTime>")
        >>> ev = parse_message(head + "<MsgType>event</MsgType><Event>subscribe</Event>"
        ...                    "<EventKey>qrscene_7</EventKey></xml>")
        >>> ev.event, ev.event_key
        ('subscribe', 'qrscene_7')
    """

    event: str
    event_key: str | None = None


class WeChatPublishStatus(str, enum.Enum):
    """``publish_status`` of a ``PUBLISHJOBFINISH`` event (``freepublish`` result).

    Example:
        >>> WeChatPublishStatus.from_code(4).value
        'rejected'
    """

    SUCCEEDED = "succeeded"  # 0
    PUBLISHING = "publishing"  # 1
    ORIGINALITY_FAILED = "originality_failed"  # 2: 原创校验未通过
    FAILED = "failed"  # 3: 常规失败
    REJECTED = "rejected"  # 4: 平台审核不通过
    DELETED = "deleted"  # 5: 成功后用户删除所有文章
    BANNED = "banned"  # 6: 成功后系统封禁所有文章
    UNKNOWN = "unknown"  # a code newer than this library

    @classmethod
    def from_code(cls, code: int) -> WeChatPublishStatus:
        """Map the numeric code to a status (``UNKNOWN`` for codes not documented yet).

        Example:
            >>> WeChatPublishStatus.from_code(0), WeChatPublishStatus.from_code(99)
            (<WeChatPublishStatus.SUCCEEDED: 'succeeded'>, <WeChatPublishStatus.UNKNOWN: 'unknown'>)
        """
        return _PUBLISH_CODES.get(code, cls.UNKNOWN)

    @property
    def is_final(self) -> bool:
        """``False`` only while the platform is still publishing.

        Example:
            >>> WeChatPublishStatus.PUBLISHING.is_final, WeChatPublishStatus.REJECTED.is_final
            (False, True)
        """
        return self is not WeChatPublishStatus.PUBLISHING


_PUBLISH_CODES = dict(enumerate(list(WeChatPublishStatus)[:7]))


class PublishedArticle(SmmkitModel):
    """One article of a finished publish job: its 1-based position and public URL.

    Example:
        >>> PublishedArticle(idx=1, url="https://mp.weixin.qq.com/s/x").idx
        1
    """

    idx: int
    url: str


class PublishJobFinishEvent(EventMessage):
    """``PUBLISHJOBFINISH``: the asynchronous result of ``freepublish/submit``.

    ``publish_status_code`` keeps the platform's number; ``publish_status`` is its meaning.
    ``articles`` lists the published articles; ``fail_idx`` the positions that failed
    (e.g. the originality check).

    Example:
        >>> ev = parse_message(
        ...     "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...     "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        ...     "<Event>PUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>22</publish_id>"
        ...     "<publish_status>2</publish_status><article_id>A1</article_id>"
        ...     "<fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo></xml>")
        >>> ev.publish_id, ev.publish_status, ev.fail_idx
        ('22', <WeChatPublishStatus.ORIGINALITY_FAILED: 'originality_failed'>, (1, 2))
    """

    publish_id: str
    publish_status_code: int
    publish_status: WeChatPublishStatus
    article_id: str | None = None
    articles: tuple[PublishedArticle, ...] = ()
    fail_idx: tuple[int, ...] = ()


class MassSendJobFinishEvent(EventMessage):
    """``MASSSENDJOBFINISH``: the result of a mass send (some accounts also get it for
    ``freepublish``). ``status`` is the platform's text, e.g. ``send success`` or
    ``err(30003)``.

    Example:
        >>> ev = parse_message(
        ...     "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...     "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        ...     "<Event>MASSSENDJOBFINISH</Event><MsgID>1000001625</MsgID>"
        ...     "<Status>send success</Status><TotalCount>10</TotalCount>"
        ...     "<FilterCount>9</FilterCount><SentCount>9</SentCount>"
        ...     "<ErrorCount>0</ErrorCount></xml>")
        >>> ev.succeeded, ev.sent_count
        (True, 9)
    """

    msg_id: str
    status: str
    total_count: int | None = None
    filter_count: int | None = None
    sent_count: int | None = None
    error_count: int | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the platform reported ``send success``.

        Example:
            >>> from datetime import datetime, timezone
            >>> MassSendJobFinishEvent(to_user="a", from_user="b", msg_type="event",
            ...     create_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ...     event="MASSSENDJOBFINISH", msg_id="1", status="err(30003)").succeeded
            False
        """
        return self.status.strip().lower() == "send success"


# -- conversion ---------------------------------------------------------------------------

_YEAR_10000 = 253_402_300_800  # datetime cannot go further


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    return element.text or ""


def _required(root: Element, tag: str) -> str:
    value = _text(root.find(tag))
    if value is None or not value.strip():
        raise MalformedPayloadError(f"callback XML has no {tag}")
    return value


def _int(value: str | None, tag: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise MalformedPayloadError(f"callback XML field {tag} is not an integer") from None


def _required_int(root: Element, tag: str) -> int:
    number = _int(_required(root, tag), tag)
    assert number is not None
    return number


def _publish_fields(root: Element) -> dict[str, object]:
    info = root.find("PublishEventInfo")
    if info is None:
        raise MalformedPayloadError("PUBLISHJOBFINISH has no PublishEventInfo")
    code = _required_int(info, "publish_status")
    articles = []
    for item in info.iterfind("article_detail/item"):
        idx = _int(_text(item.find("idx")), "idx")
        url = _text(item.find("article_url"))
        if idx is None or url is None:
            raise MalformedPayloadError(
                "PUBLISHJOBFINISH article_detail item lacks idx or article_url"
            )
        articles.append(PublishedArticle(idx=idx, url=url.strip()))
    fail_idx = tuple(
        number
        for number in (_int(_text(el), "fail_idx") for el in info.iterfind("fail_idx"))
        if number is not None
    )
    return {
        "publish_id": _required(info, "publish_id").strip(),
        "publish_status_code": code,
        "publish_status": WeChatPublishStatus.from_code(code),
        "article_id": (_text(info.find("article_id")) or "").strip() or None,
        "articles": tuple(articles),
        "fail_idx": fail_idx,
    }


def _mass_send_fields(root: Element) -> dict[str, object]:
    return {
        "msg_id": _required(root, "MsgID").strip(),
        "status": _required(root, "Status"),
        "total_count": _int(_text(root.find("TotalCount")), "TotalCount"),
        "filter_count": _int(_text(root.find("FilterCount")), "FilterCount"),
        "sent_count": _int(_text(root.find("SentCount")), "SentCount"),
        "error_count": _int(_text(root.find("ErrorCount")), "ErrorCount"),
    }


def _float(root: Element, tag: str) -> float:
    value = _required(root, tag)
    try:
        return float(value)
    except ValueError:
        raise MalformedPayloadError(f"callback XML field {tag} is not a number") from None


def _opt(root: Element, tag: str) -> str | None:
    return _text(root.find(tag))


def _check_root(root: object) -> None:
    if not isinstance(root, Element):
        raise InvalidInputError.single(
            "root", "must be an xml.etree.ElementTree.Element", type(root).__name__
        )
    if root.tag != "xml":
        raise MalformedPayloadError(f"callback XML root must be <xml>, not <{root.tag[:40]}>")


def message_from_element(root: Element) -> CallbackMessage:
    """Build the typed message for a parsed callback ``<xml>`` element.

    Example:
        >>> from smmkit.webhooks import parse_xml
        >>> message_from_element(parse_xml("<xml><ToUserName>a</ToUserName><FromUserName>b"
        ...     "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        ...     "<Content>hi</Content></xml>")).content
        'hi'
    """
    _check_root(root)
    msg_type = _required(root, "MsgType").strip()
    create_seconds = _required_int(root, "CreateTime")
    if not 0 <= create_seconds < _YEAR_10000:
        raise MalformedPayloadError("callback XML field CreateTime is out of range")
    base: dict[str, object] = {
        "to_user": _required(root, "ToUserName").strip(),
        "from_user": _required(root, "FromUserName").strip(),
        "create_time": datetime.fromtimestamp(create_seconds, timezone.utc),
        "msg_type": msg_type,
        "agent_id": (_opt(root, "AgentID") or "").strip() or None,
        "fields": tuple((child.tag, child.text or "") for child in root if len(child) == 0),
    }
    msg_id = (_opt(root, "MsgId") or "").strip() or None
    cls: type[CallbackMessage] = CallbackMessage
    extra: dict[str, object] = {}
    if msg_type == "text":
        cls, extra = TextMessage, {"content": _opt(root, "Content") or "", "msg_id": msg_id}
    elif msg_type == "image":
        cls = ImageMessage
        extra = {
            "pic_url": _opt(root, "PicUrl"),
            "media_id": _required(root, "MediaId"),
            "msg_id": msg_id,
        }
    elif msg_type == "voice":
        cls = VoiceMessage
        extra = {
            "media_id": _required(root, "MediaId"),
            "format": _opt(root, "Format"),
            "recognition": _opt(root, "Recognition"),
            "msg_id": msg_id,
        }
    elif msg_type in ("video", "shortvideo"):
        cls = VideoMessage
        extra = {
            "media_id": _required(root, "MediaId"),
            "thumb_media_id": _opt(root, "ThumbMediaId"),
            "msg_id": msg_id,
        }
    elif msg_type == "location":
        cls = LocationMessage
        extra = {
            "latitude": _float(root, "Location_X"),
            "longitude": _float(root, "Location_Y"),
            "scale": _int(_opt(root, "Scale"), "Scale"),
            "label": _opt(root, "Label"),
            "msg_id": msg_id,
        }
    elif msg_type == "link":
        cls = LinkMessage
        extra = {
            "title": _required(root, "Title"),
            "description": _opt(root, "Description"),
            "url": _required(root, "Url").strip(),
            "msg_id": msg_id,
        }
    elif msg_type == "event":
        event = _required(root, "Event").strip()
        extra = {"event": event, "event_key": _opt(root, "EventKey")}
        cls = EventMessage
        if event == "PUBLISHJOBFINISH":
            cls, extra = PublishJobFinishEvent, {**extra, **_publish_fields(root)}
        elif event == "MASSSENDJOBFINISH":
            cls, extra = MassSendJobFinishEvent, {**extra, **_mass_send_fields(root)}
    try:
        return cls(**base, **extra)
    except InvalidInputError as exc:
        raise MalformedPayloadError(f"callback XML does not fit {cls.__name__}: {exc}") from None


def parse_message(xml: str | bytes) -> CallbackMessage:
    """Parse plaintext callback XML (safely) into a typed message.

    Example:
        >>> msg = parse_message("<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
        ...     "<FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1409735668</CreateTime>"
        ...     "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content>"
        ...     "<MsgId>6054768590064713728</MsgId></xml>")
        >>> type(msg).__name__, msg.content, msg.msg_id
        ('TextMessage', 'abcdteT', '6054768590064713728')
    """
    return message_from_element(parse_xml(xml))


_EVENT_KINDS = {
    "subscribe": InteractionKind.FOLLOW,
    "unsubscribe": InteractionKind.UNFOLLOW,
    "CLICK": InteractionKind.CLICK,
    "VIEW": InteractionKind.CLICK,
    "view": InteractionKind.CLICK,  # WeCom spells the menu-link event in lower case
    "click": InteractionKind.CLICK,
}


def interaction_from_message(
    message: CallbackMessage, *, platform: str = "wechat_oa"
) -> Interaction | None:
    """The audience :class:`~smmkit.models.Interaction` a callback records, if any.

    A user's message of any type is a ``MESSAGE``; ``subscribe`` / ``unsubscribe`` are
    ``FOLLOW`` / ``UNFOLLOW``; menu clicks and menu links are ``CLICK``. Events that are
    not something a user did (publish results, mass-send reports, ...) give ``None``.
    ``platform`` is the catalog id (``wechat_oa`` or ``wecom``).

    Example:
        >>> ev = parse_message("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1"
        ...     "</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        ...     "<Event>subscribe</Event></xml>")
        >>> it = interaction_from_message(ev)
        >>> it.user_id, it.kind.value, it.platform
        ('o1', 'follow', 'wechat_oa')
    """
    if not isinstance(message, CallbackMessage):
        raise InvalidInputError.single(
            "message", "must be a CallbackMessage", type(message).__name__
        )
    kind: InteractionKind | None = InteractionKind.MESSAGE  # any type a user can send
    if isinstance(message, EventMessage):
        kind = _EVENT_KINDS.get(message.event)
    if kind is None:
        return None
    return Interaction(
        user_id=message.from_user, kind=kind, at=message.create_time, platform=platform
    )
