"""WeChat and WeCom callbacks become the same InboxEvents as the live streams."""

from __future__ import annotations

import pytest

from smmkit.exceptions import InvalidInputError
from smmkit.webhooks import inbox_event_from_message, parse_message


def xml(body: str, msg_type: str = "text", when: int = 1714037059) -> str:
    return (
        f"<xml><ToUserName>gh_tea</ToUserName><FromUserName>o_ann</FromUserName>"
        f"<CreateTime>{when}</CreateTime><MsgType>{msg_type}</MsgType>{body}</xml>"
    )


def test_text_messages_are_direct_messages_keyed_by_msg_id() -> None:
    event = inbox_event_from_message(
        parse_message(xml("<Content>broken teapot</Content><MsgId>42</MsgId>")), platform="wecom"
    )
    assert event is not None
    assert (event.key, event.text, event.author_id, event.thread_id) == (
        "wecom:direct_message:42",
        "broken teapot",
        "o_ann",
        "o_ann",
    )
    assert event.at.timestamp() == 1714037059


def test_a_retried_callback_gives_the_same_key() -> None:
    first = inbox_event_from_message(parse_message(xml("<Content>hi</Content><MsgId>7</MsgId>")))
    again = inbox_event_from_message(parse_message(xml("<Content>hi</Content><MsgId>7</MsgId>")))
    assert first is not None and again is not None and first.key == again.key


def test_media_messages_and_events() -> None:
    image = parse_message(
        xml("<PicUrl>https://mmbiz.test/p.jpg</PicUrl><MediaId>m1</MediaId>", "image")
    )
    voice = parse_message(
        xml(
            "<MediaId>m2</MediaId><Format>amr</Format><Recognition>where is my tea</Recognition>",
            "voice",
        )
    )
    link = parse_message(
        xml(
            "<Title>Order 9</Title><Description>late</Description><Url>https://shop.test/9</Url>",
            "link",
        )
    )
    subscribe = parse_message(xml("<Event>subscribe</Event>", "event"))
    image_event = inbox_event_from_message(image)
    voice_event = inbox_event_from_message(voice)
    link_event = inbox_event_from_message(link)
    assert image_event is not None and image_event.url == "https://mmbiz.test/p.jpg"
    assert image_event.event_id == "o_ann:1714037059"  # no MsgId: sender + CreateTime
    assert voice_event is not None and voice_event.text == "where is my tea"
    assert link_event is not None and link_event.text == "Order 9\nlate"
    assert inbox_event_from_message(subscribe) is None


def test_bad_arguments() -> None:
    message = parse_message(xml("<Content>x</Content>"))
    with pytest.raises(InvalidInputError, match="platform"):
        inbox_event_from_message(message, platform="weibo")
    with pytest.raises(InvalidInputError, match="message"):
        inbox_event_from_message("<xml/>")  # type: ignore[arg-type]
