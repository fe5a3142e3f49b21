"""Callback XML → typed messages, including the publish-result events."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from smmkit.exceptions import MalformedPayloadError
from smmkit.webhooks import (
    CallbackMessage,
    EventMessage,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    MassSendJobFinishEvent,
    PublishedArticle,
    PublishJobFinishEvent,
    TextMessage,
    VideoMessage,
    VoiceMessage,
    WeChatPublishStatus,
    parse_message,
)

HEAD = (
    "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
    "<FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName>"
    "<CreateTime>1407743423</CreateTime>"
)


def msg(body: str) -> str:
    return HEAD + body + "</xml>"


CASES: list[tuple[str, type[CallbackMessage], dict[str, Any]]] = [
    (
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a\nb ]]></Content>"
        "<MsgId>1234567890123456</MsgId>",
        TextMessage,
        {"content": "a\nb ", "msg_id": "1234567890123456"},
    ),
    (
        "<MsgType>image</MsgType><PicUrl>http://x/p.jpg</PicUrl><MediaId>m1</MediaId><MsgId>2</MsgId>",
        ImageMessage,
        {"pic_url": "http://x/p.jpg", "media_id": "m1", "msg_id": "2"},
    ),
    (
        "<MsgType>voice</MsgType><MediaId>m2</MediaId><Format>amr</Format><Recognition>你好</Recognition>",
        VoiceMessage,
        {"media_id": "m2", "format": "amr", "recognition": "你好", "msg_id": None},
    ),
    (
        "<MsgType>video</MsgType><MediaId>m3</MediaId><ThumbMediaId>t3</ThumbMediaId>",
        VideoMessage,
        {"media_id": "m3", "thumb_media_id": "t3", "msg_type": "video"},
    ),
    (
        "<MsgType>shortvideo</MsgType><MediaId>m4</MediaId>",
        VideoMessage,
        {"media_id": "m4", "thumb_media_id": None, "msg_type": "shortvideo"},
    ),
    (
        "<MsgType>location</MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y>"
        "<Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>3</MsgId>",
        LocationMessage,
        {"latitude": 23.134521, "longitude": 113.358803, "scale": 20, "label": "位置信息"},
    ),
    (
        "<MsgType>link</MsgType><Title>T</Title><Description>D</Description><Url> http://x </Url>",
        LinkMessage,
        {"title": "T", "description": "D", "url": "http://x"},
    ),
    (
        "<MsgType>event</MsgType><Event>subscribe</Event><EventKey><![CDATA[qrscene_123]]></EventKey>",
        EventMessage,
        {"event": "subscribe", "event_key": "qrscene_123"},
    ),
    (
        "<MsgType>event</MsgType><Event>CLICK</Event><EventKey>V1001_TODAY</EventKey>",
        EventMessage,
        {"event": "CLICK", "event_key": "V1001_TODAY"},
    ),
    (
        "<MsgType>event</MsgType><Event>debug_demo</Event>"
        "<debug_str><![CDATA[hello world]]></debug_str>",
        EventMessage,
        {"event": "debug_demo", "event_key": None},
    ),
    (
        "<MsgType>miniprogrampage</MsgType><Title>t</Title>",
        CallbackMessage,
        {"msg_type": "miniprogrampage"},
    ),
]


@pytest.mark.parametrize(
    ("body", "cls", "expected"), CASES, ids=[c[1].__name__ + str(i) for i, c in enumerate(CASES)]
)
def test_message_types(body: str, cls: type[CallbackMessage], expected: dict[str, Any]) -> None:
    got = parse_message(msg(body))
    assert type(got) is cls
    for name, value in expected.items():
        assert getattr(got, name) == value, name
    assert got.to_user == "gh_7f083739789a"
    assert got.from_user == "oia2TjuEGTNoeX76QEjQNrcURxG8"
    assert got.create_time == datetime(2014, 8, 11, 7, 50, 23, tzinfo=timezone.utc)


def test_fields_keep_unmodelled_elements() -> None:
    got = parse_message(
        msg("<MsgType>event</MsgType><Event>debug_demo</Event><debug_str>hi</debug_str>")
    )
    assert got.get("debug_str") == "hi"
    assert got.get("nope", "default") == "default"
    assert ("Event", "debug_demo") in got.fields


def test_models_are_frozen() -> None:
    got = parse_message(msg("<MsgType>text</MsgType><Content>x</Content>"))
    assert isinstance(got, TextMessage)
    with pytest.raises(Exception, match="frozen"):
        got.content = "y"  # type: ignore[misc]


PUBLISH_OK = msg(
    "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event>"
    "<PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status>"
    "<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy--fsR0ADWTtMOvfWeaeHBwWMnMV]]></article_id>"
    "<article_detail><count>2</count>"
    "<item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/a]]></article_url></item>"
    "<item><idx>2</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/b]]></article_url></item>"
    "</article_detail></PublishEventInfo>"
)


def test_publish_job_finish_success() -> None:
    ev = parse_message(PUBLISH_OK)
    assert isinstance(ev, PublishJobFinishEvent)
    assert ev.event == "PUBLISHJOBFINISH"
    assert ev.publish_id == "2247503051"
    assert ev.publish_status is WeChatPublishStatus.SUCCEEDED and ev.publish_status_code == 0
    assert ev.publish_status.is_final
    assert ev.article_id == "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy--fsR0ADWTtMOvfWeaeHBwWMnMV"
    assert ev.articles == (
        PublishedArticle(idx=1, url="https://mp.weixin.qq.com/s/a"),
        PublishedArticle(idx=2, url="https://mp.weixin.qq.com/s/b"),
    )
    assert ev.fail_idx == ()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, WeChatPublishStatus.SUCCEEDED),
        (1, WeChatPublishStatus.PUBLISHING),
        (2, WeChatPublishStatus.ORIGINALITY_FAILED),
        (3, WeChatPublishStatus.FAILED),
        (4, WeChatPublishStatus.REJECTED),
        (5, WeChatPublishStatus.DELETED),
        (6, WeChatPublishStatus.BANNED),
        (7, WeChatPublishStatus.UNKNOWN),
        (-1, WeChatPublishStatus.UNKNOWN),
    ],
)
def test_publish_status_codes(code: int, status: WeChatPublishStatus) -> None:
    ev = parse_message(
        msg(
            "<MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event><PublishEventInfo>"
            f"<publish_id>9</publish_id><publish_status>{code}</publish_status>"
            "<fail_idx>1</fail_idx><fail_idx>3</fail_idx></PublishEventInfo>"
        )
    )
    assert isinstance(ev, PublishJobFinishEvent)
    assert ev.publish_status is status
    assert ev.publish_status_code == code
    assert ev.fail_idx == (1, 3)
    assert ev.article_id is None
    assert ev.publish_status.is_final is (status is not WeChatPublishStatus.PUBLISHING)


@pytest.mark.parametrize(
    "info",
    [
        "",
        "<PublishEventInfo><publish_status>0</publish_status></PublishEventInfo>",
        "<PublishEventInfo><publish_id>1</publish_id></PublishEventInfo>",
        "<PublishEventInfo><publish_id>1</publish_id><publish_status>ok</publish_status></PublishEventInfo>",
        "<PublishEventInfo><publish_id>1</publish_id><publish_status>0</publish_status>"
        "<article_detail><item><idx>1</idx></item></article_detail></PublishEventInfo>",
    ],
    ids=["no-info", "no-id", "no-status", "status-not-int", "item-without-url"],
)
def test_malformed_publish_events(info: str) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_message(msg(f"<MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event>{info}"))


MASS = msg(
    "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>"
    "<MsgID>1000001625</MsgID><Status><![CDATA[err(30003)]]></Status><TotalCount>100</TotalCount>"
    "<FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount>"
)


def test_mass_send_job_finish() -> None:
    ev = parse_message(MASS)
    assert isinstance(ev, MassSendJobFinishEvent)
    assert (ev.msg_id, ev.status) == ("1000001625", "err(30003)")
    assert (ev.total_count, ev.filter_count, ev.sent_count, ev.error_count) == (100, 80, 75, 5)
    assert not ev.succeeded
    ok = parse_message(MASS.replace("err(30003)", "send success"))
    assert isinstance(ok, MassSendJobFinishEvent) and ok.succeeded


@pytest.mark.parametrize(
    ("xml", "match"),
    [
        ("<notxml><MsgType>text</MsgType></notxml>", "root"),
        (msg("<Content>x</Content>"), "MsgType"),
        (
            "<xml><MsgType>text</MsgType><CreateTime>1</CreateTime><FromUserName>a</FromUserName></xml>",
            "ToUserName",
        ),
        (HEAD.replace("1407743423", "yesterday") + "<MsgType>text</MsgType></xml>", "CreateTime"),
        (
            HEAD.replace("1407743423", "99999999999999") + "<MsgType>text</MsgType></xml>",
            "CreateTime",
        ),
        (
            HEAD.replace("1407743423", "1000000000000") + "<MsgType>text</MsgType></xml>",
            "CreateTime",
        ),
        (HEAD.replace("1407743423", "-5") + "<MsgType>text</MsgType></xml>", "CreateTime"),
        (msg("<MsgType>image</MsgType>"), "MediaId"),
        (
            msg(
                "<MsgType>location</MsgType><Location_X>north</Location_X><Location_Y>1</Location_Y>"
            ),
            "Location_X",
        ),
        (
            msg(
                "<MsgType>location</MsgType><Location_X>1</Location_X><Location_Y>1</Location_Y><Scale>big</Scale>"
            ),
            "Scale",
        ),
        (msg("<MsgType>event</MsgType>"), "Event"),
        (
            msg("<MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event><Status>x</Status>"),
            "MsgID",
        ),
        (
            msg(
                "<MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event><MsgID>1</MsgID><Status>s</Status><SentCount>n</SentCount>"
            ),
            "SentCount",
        ),
    ],
)
def test_malformed_messages_name_the_problem(xml: str, match: str) -> None:
    with pytest.raises(MalformedPayloadError, match=match):
        parse_message(xml)


def test_message_level_validation_becomes_malformed_payload() -> None:
    # A Url of only whitespace counts as missing: no LinkMessage without a url.
    with pytest.raises(MalformedPayloadError, match="Url"):
        parse_message(msg("<MsgType>link</MsgType><Title>T</Title><Url>  </Url>"))


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<MsgType>text</MsgType><Content>x</Content>", "message"),
        ("<MsgType>image</MsgType><MediaId>m</MediaId>", "message"),
        ("<MsgType>miniprogrampage</MsgType>", "message"),
        ("<MsgType>event</MsgType><Event>subscribe</Event>", "follow"),
        ("<MsgType>event</MsgType><Event>unsubscribe</Event>", "unfollow"),
        ("<MsgType>event</MsgType><Event>CLICK</Event><EventKey>k</EventKey>", "click"),
        ("<MsgType>event</MsgType><Event>view</Event>", "click"),
        ("<MsgType>event</MsgType><Event>LOCATION</Event>", None),
        (
            "<MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event><MsgID>1</MsgID><Status>s</Status>",
            None,
        ),
    ],
)
def test_interaction_from_message(body: str, kind: str | None) -> None:
    from smmkit.models import InteractionKind
    from smmkit.webhooks import interaction_from_message

    message = parse_message(msg(body))
    got = interaction_from_message(message, platform="wecom")
    if kind is None:
        assert got is None
    else:
        assert got is not None
        assert got.kind is InteractionKind(kind)
        assert got.user_id == "oia2TjuEGTNoeX76QEjQNrcURxG8"
        assert got.at == message.create_time and got.platform == "wecom"


def test_publish_result_is_not_a_user_interaction() -> None:
    from smmkit.webhooks import interaction_from_message

    assert interaction_from_message(parse_message(PUBLISH_OK)) is None
