"""WeChat and WeCom callbacks as :class:`~smmkit.models.InboxEvent`\\ s, like every stream.

A callback that :class:`~smmkit.webhooks.WeChatCallback` or
:class:`~smmkit.webhooks.WeComCallback` verified and decrypted is a typed message; what a
user sends (text, image, voice, video, location, link) is a ``direct_message`` in the
unified inbox. Neither platform pushes comments through callbacks (Official Account
article comments are read through the comment API, by incremental sync), and events
(subscribe, menu clicks, publish results) are not something said to the brand: they
give ``None``.
"""

from __future__ import annotations

from smmkit.exceptions import InvalidInputError
from smmkit.models.inbox import InboxEvent, InboxKind
from smmkit.webhooks._models import (
    CallbackMessage,
    EventMessage,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    TextMessage,
    VoiceMessage,
)

__all__ = ["inbox_event_from_message"]


def _body(message: CallbackMessage) -> tuple[str, str | None]:
    """The text of a message and the link it carries, if any."""
    if isinstance(message, TextMessage):
        return message.content, None
    if isinstance(message, VoiceMessage):
        return message.recognition or "", None  # the platform's speech recognition, if on
    if isinstance(message, LinkMessage):
        parts = (message.title, message.description or "")
        return "\n".join(p for p in parts if p), message.url
    if isinstance(message, LocationMessage):
        return message.label or f"{message.latitude},{message.longitude}", None
    if isinstance(message, ImageMessage):
        return "", message.pic_url
    return "", None  # video and message types smmkit does not model


def inbox_event_from_message(
    message: CallbackMessage, *, platform: str = "wechat_oa"
) -> InboxEvent | None:
    """The inbox event of a verified callback message, or ``None`` for an event.

    ``platform`` is the catalog id: ``wechat_oa`` (Official Account) or ``wecom``. The
    event id is the platform's ``MsgId`` (what WeChat retries with), else the sender and
    ``CreateTime``, the de-duplication key WeChat documents for messages without one; a
    retried callback therefore gives the same :attr:`~smmkit.models.InboxEvent.key`.

    Example:
        >>> from smmkit.webhooks import parse_message
        >>> msg = parse_message("<xml><ToUserName>gh_tea</ToUserName><FromUserName>o_ann"
        ...     "</FromUserName><CreateTime>1714037059</CreateTime><MsgType>text</MsgType>"
        ...     "<Content>My tea arrived broken</Content><MsgId>2345</MsgId></xml>")
        >>> event = inbox_event_from_message(msg)
        >>> event.key, event.author_id, event.text
        ('wechat_oa:direct_message:2345', 'o_ann', 'My tea arrived broken')
    """
    if not isinstance(message, CallbackMessage):
        raise InvalidInputError.single(
            "message", "must be a CallbackMessage", type(message).__name__
        )
    if platform not in ("wechat_oa", "wecom"):
        raise InvalidInputError.single("platform", "must be 'wechat_oa' or 'wecom'", platform)
    if isinstance(message, EventMessage) or message.msg_type == "event":
        return None
    text, url = _body(message)
    msg_id = getattr(message, "msg_id", None) or message.get("MsgId")
    event_id = msg_id or f"{message.from_user}:{int(message.create_time.timestamp())}"
    return InboxEvent(
        platform=platform,
        kind=InboxKind.DIRECT_MESSAGE,
        event_id=event_id,
        author_id=message.from_user,
        text=text,
        at=message.create_time,
        thread_id=message.from_user,  # one conversation per user
        url=url,
    )
